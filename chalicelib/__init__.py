"""The help desk's application code: everything app.py wires together."""
