# The two commands: `make dev` (set up and run everything locally) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-ml.txt requirements-dev.txt 2>/dev/null | sha1sum | cut -c1-12)
# The embedding model exported to ONNX once (git-ignored); the KB loads it with onnxruntime, without torch.
ONNX_MODEL := build/models/all-minilm-l6-v2/model.onnx

.PHONY: help dev run-backend bootstrap test test-backend test-scale fuzz lint clean frontend-deps test-frontend openapi openapi-check e2e \
	bench-console bench-kb bench bench-ai infra-venvs synth test-infra deploy destroy
FRONTEND := frontend
NODE_STAMP := $(FRONTEND)/node_modules/.installed-$(shell sha1sum $(FRONTEND)/package-lock.json 2>/dev/null | cut -c1-12)
# Builds the OpenAPI document from the code (no server, no AWS): the console's types are generated from it.
OPENAPI_DUMP := SECRET_KEY=openapi-generation-only-not-a-real-secret-0000 $(PY) -c "import json, app; from chalicelib.api.openapi import build_spec; print(json.dumps(build_spec(), indent=1))"

## List the make targets with what each does.
help:
	@awk '/^## /{doc = doc (doc ? " " : "") substr($$0, 4); next} /^[a-z][a-z0-9-]*:/{if (doc) {split($$1, t, ":"); printf "  %-16s %s\n", t[1], doc}; doc = ""; next} {doc = ""}' $(MAKEFILE_LIST)

## Set everything up, start local AWS + the API + the console in the foreground (Ctrl-C stops all).
dev: bootstrap frontend-deps
	$(PY) -m devstack up

## The API and local AWS only (no console).
run-backend: bootstrap
	CONSOLE=0 $(PY) -m devstack up

## Create the virtualenv, install the Python dependencies, export the ONNX model and install the console's
## Node packages (idempotent; reinstalls when requirements change).
bootstrap: $(STAMP) $(ONNX_MODEL) frontend-deps

$(ONNX_MODEL): | $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m chalicelib.rag.export_onnx $@

$(STAMP): requirements.txt requirements-ml.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip<26.3"
	$(PIP) install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

## The whole test suite (what CI runs).
test: bootstrap lint test-infra test-backend test-frontend e2e

## The backend's pytest suite on moto (two workers).
test-backend: bootstrap
	$(PY) -m pytest -q -n 2 --dist loadfile

## The analytics cost test at 1,000 and 10,000 tickets (make test runs it at 300 and 3,000).
test-scale: bootstrap
	ANALYTICS_SCALE=1000,10000 $(PY) -m pytest -q -s tests/test_analytics_scale.py

## Fuzz the running API: every schemathesis phase (stateful included) plus our hostile corpus, >= 10,000 requests;
## prints the number of requests and of failures (make test runs a smaller slice of the same test).
fuzz: bootstrap
	FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_EXAMPLES=60 FUZZ_CORPUS_ROUNDS=5 FUZZ_MIN_REQUESTS=10000 \
	FUZZ_TIMEOUT_S=3600 $(PY) -m pytest -q -s -p no:cacheprovider tests/test_fuzz.py

## ruff on everything, mypy on chalicelib/, the import layers (import-linter, contracts in pyproject.toml).
lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## The console's Node packages, exactly as locked (reinstalled when package-lock.json changes).
frontend-deps: $(NODE_STAMP)

$(NODE_STAMP): $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	rm -f $(FRONTEND)/node_modules/.installed-* && touch $@

## Console: unit tests, lint (eslint + tsc), production build, and the OpenAPI drift check.
test-frontend: bootstrap frontend-deps openapi-check
	cd $(FRONTEND) && npm test
	cd $(FRONTEND) && npm run lint
	cd $(FRONTEND) && npm run build

## Regenerate frontend/openapi.json and the console's types (src/api/schema.d.ts) from the backend's code.
openapi: bootstrap frontend-deps
	$(OPENAPI_DUMP) > $(FRONTEND)/openapi.json
	cd $(FRONTEND) && npm run --silent openapi

## Fail when the committed spec or types differ from what the backend's code produces now.
openapi-check: bootstrap frontend-deps
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	$(OPENAPI_DUMP) > $$tmp/openapi.json && \
	(cd $(FRONTEND) && npx --no-install openapi-typescript $$tmp/openapi.json --default-non-nullable false -o $$tmp/schema.d.ts >/dev/null) && \
	if ! diff -q $$tmp/openapi.json $(FRONTEND)/openapi.json >/dev/null || ! diff -q $$tmp/schema.d.ts $(FRONTEND)/src/api/schema.d.ts >/dev/null; then \
	  diff -u $(FRONTEND)/openapi.json $$tmp/openapi.json | head -40; \
	  echo "The API changed but the console's types did not: run 'make openapi' and commit the result."; exit 1; \
	fi; echo "openapi: the console's types match the API"

## End-to-end tests of the console in Chromium against the real stack (free ports, fresh state).
e2e: bootstrap frontend-deps
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	cd $(FRONTEND) && npm run e2e

## Time to first render of /tickets with 1,000 tickets (production build, Chromium); prints the figures.
bench-console: bootstrap frontend-deps
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	cd $(FRONTEND) && npm run build && npm run bench

## Remove the virtualenvs, node_modules, build output and caches.
clean:
	rm -rf $(VENV) $(DEPLOY_VENV) $(CHECK_VENV) .pytest_cache .mypy_cache .ruff_cache $(FRONTEND)/node_modules \
	  $(FRONTEND)/dist build chalice.out bench/.venv-chroma

## Knowledge-base benchmarks (retrieval quality, then speed); each writes bench/results/ and docs/BENCHMARKS.md.
bench-kb: bootstrap
	$(PY) -m bench.kb_quality
	$(PY) -m bench.kb_speed

# --- Deployment (infra/): CDK + Chalice, see docs/DEPLOY.md ---------------------------------------------------------
# Python 3.12 synthesizes: Chalice packages for the Lambda runtime of the Python it runs on (python3.12: glibc 2.34).
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12))
DEPLOY_VENV := infra/.venv-deploy
CHECK_VENV := infra/.venv-check
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed-$(shell cat requirements.txt infra/requirements-deploy.txt 2>/dev/null | sha1sum | cut -c1-12)
CHECK_STAMP := $(CHECK_VENV)/.installed-$(shell sha1sum infra/requirements-check.txt 2>/dev/null | cut -c1-12)
CDK_OUT := build/cdk.out
STAGE ?= dev
CDK_CLI_PACKAGE := aws-cdk@2.1148.1
# prod needs an alarm target to synthesize (docs/DEPLOY.md); the checks use this address, `make deploy` never does.
SYNTH_ALARM_EMAIL := alarms-for-synth-checks@example.invalid

## The deployment's own venvs: infra/.venv-deploy (CDK, Chalice, the app's requirements) and infra/.venv-check
## (cfn-lint, aws-sam-translator: it pins pydantic 2.13, so it stays out of the app's venvs).
infra-venvs: $(DEPLOY_STAMP) $(CHECK_STAMP)

$(DEPLOY_STAMP): requirements.txt infra/requirements-deploy.txt
	@test -n "$(PYTHON312)" || (echo "Python 3.12 is needed (pyenv install 3.12, or set PYTHON312=...)"; exit 1)
	test -x $(DEPLOY_VENV)/bin/python || $(PYTHON312) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install --quiet --disable-pip-version-check "pip<26.3"
	$(DEPLOY_VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements-deploy.txt
	rm -f $(DEPLOY_VENV)/.installed-* && touch $@

$(CHECK_STAMP): infra/requirements-check.txt
	test -x $(CHECK_VENV)/bin/python || $(PYTHON312) -m venv $(CHECK_VENV)
	$(CHECK_VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements-check.txt
	rm -f $(CHECK_VENV)/.installed-* && touch $@

## Synthesize both stages into build/cdk.out (runs `chalice package`), plus each template with SAM expanded.
synth: bootstrap infra-venvs
	rm -rf $(CDK_OUT)
	HELPDESK_PROD_ALARM_EMAIL=$${HELPDESK_PROD_ALARM_EMAIL:-$(SYNTH_ALARM_EMAIL)} $(DEPLOY_VENV)/bin/python -m infra.cdk.app --out $(CDK_OUT)
	for stage in dev prod; do $(CHECK_VENV)/bin/python infra/sam_to_cfn.py $(CDK_OUT)/$$stage.template.json $(CDK_OUT)/$$stage.cfn.json; done

## Deployment checks without an AWS account: cfn-lint, CDK assertions, the stack in moto, the packages.
test-infra: synth
	$(CHECK_VENV)/bin/cfn-lint $(CDK_OUT)/dev.template.json $(CDK_OUT)/prod.template.json
	npx --yes $(CDK_CLI_PACKAGE) ls --app $(CDK_OUT)  # the CLI make deploy uses reads this cloud assembly
	$(DEPLOY_VENV)/bin/python -m pytest -q -p no:cacheprovider infra/tests/test_template.py
	$(PY) -m pytest -q -p no:cacheprovider -W ignore::UserWarning infra/tests/test_moto_stack.py infra/tests/test_least_privilege.py infra/tests/test_deploy.py infra/tests/test_packages.py
	@echo "templates: $$(for s in dev prod; do printf '%s %s resources (%s after the SAM transform)  ' $$s \
	  $$($(PY) -c "import json,sys; print(len(json.load(open(sys.argv[1]))['Resources']))" $(CDK_OUT)/$$s.template.json) \
	  $$($(PY) -c "import json,sys; print(len(json.load(open(sys.argv[1]))['Resources']))" $(CDK_OUT)/$$s.cfn.json); done)"
	@echo "packages and cold starts: build/infra/packages.json"

## Deploy a stage to the AWS account of your credentials: backend (cdk deploy), then the console. Needs Docker.
deploy: bootstrap infra-venvs frontend-deps
	cd $(FRONTEND) && npm run build
	CDK_CLI="npx --yes $(CDK_CLI_PACKAGE)" $(DEPLOY_VENV)/bin/python -m infra.deploy deploy --stage $(STAGE)

## Delete a stage's stack (prod keeps its tables and data buckets).
destroy: infra-venvs
	CDK_CLI="npx --yes $(CDK_CLI_PACKAGE)" $(DEPLOY_VENV)/bin/python -m infra.deploy destroy --stage $(STAGE)
## All benchmarks (retrieval vs Chroma, classification vs TF-IDF, API at 1k/10k tickets, cold start, pipelines):
## rewrites docs/BENCHMARKS.md and bench/results/*.json, prints the summary. Chroma gets its own venv
## (bench/.venv-chroma, made on the first run). BENCH_QUICK=1 for a short trial, BENCH_ONLY=api,... for some areas.
bench: bootstrap
	$(PY) -m bench

## The AI classification benchmark on every dataset (banking77, bitext, clinc150; ~25 min), then the report.
bench-ai: bootstrap
	$(PY) -m bench.classification --datasets all
	$(PY) -m bench.report
