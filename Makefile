# The two commands: `make dev` (set up and run everything locally) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-ml.txt requirements-dev.txt 2>/dev/null | sha1sum | cut -c1-12)
# The embedding model exported to ONNX once (git-ignored); the KB loads it with onnxruntime, without torch.
ONNX_MODEL := build/models/all-minilm-l6-v2/model.onnx

.PHONY: dev run-backend bootstrap test test-backend lint clean bench-kb

## Set everything up, start local AWS + the API + the console in the foreground (Ctrl-C stops all).
dev: bootstrap
	$(PY) -m devstack up

## The API and local AWS only (no console).
run-backend: bootstrap
	CONSOLE=0 $(PY) -m devstack up

## Create the virtualenv, install the Python dependencies and export the ONNX model (idempotent).
bootstrap: $(STAMP) $(ONNX_MODEL)

$(ONNX_MODEL): | $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m chalicelib.rag.export_onnx $@

$(STAMP): requirements.txt requirements-ml.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip<26.3"
	$(PIP) install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

## The whole test suite (what CI runs).
test: bootstrap lint test-backend

test-backend: bootstrap
	$(PY) -m pytest -q -n 2 --dist loadfile

## ruff on everything, mypy on chalicelib/.
lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## Knowledge-base benchmarks (retrieval quality, then speed); each writes bench/results/ and docs/BENCHMARKS.md.
bench-kb: bootstrap
	$(PY) -m bench.kb_quality
	$(PY) -m bench.kb_speed
