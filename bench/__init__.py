"""Benchmarks: `python -m bench.kb_quality`, `python -m bench.kb_speed` (results in bench/results/ and docs/)."""
