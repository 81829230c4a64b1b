"""Fuzzing: schemathesis settings and our own corpus of hostile inputs (see tests/test_fuzz.py, `make fuzz`)."""
