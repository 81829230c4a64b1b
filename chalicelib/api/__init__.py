"""HTTP API: one Blueprint per resource, plus the shared request/response plumbing in http.py."""
