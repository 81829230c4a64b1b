"""Fuzzing the running API (chalice local + moto server), with auth: schemathesis from /openapi.json (examples,
coverage, fuzzing and the stateful phase, which chains operations through the document's links and the
dependencies it infers), then our own hostile corpus (tests/fuzz/corpus.py: forged and borrowed cursors, hostile
webhook URLs, odd path ids and raw paths) against the state those runs left.

Bounded and reproducible: a fixed seed, a fixed number of examples per operation. The normal suite runs a slice
sized for CI (the fuzzing and stateful phases, 4 examples, one corpus round); `make fuzz` runs every phase with
the full budget (>= 10,000 requests). The KB uses the hash embedder here: the fuzz is about input handling.
No request may get a 5xx, and every schemathesis check (response schema conformance included) must pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.fuzz import corpus
from tests.utils.factories import make_ticket, make_user
from tests.utils.servers import chalice_local

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261127
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PHASES = os.environ.get("FUZZ_PHASES", "fuzzing,stateful")
CORPUS_ROUNDS = int(os.environ.get("FUZZ_CORPUS_ROUNDS", "1"))
MIN_REQUESTS = int(os.environ.get("FUZZ_MIN_REQUESTS", "1000"))
TIMEOUT_S = int(os.environ.get("FUZZ_TIMEOUT_S", "400"))


def test_fuzzing_finds_no_server_errors_and_no_schema_violations(kb_aws, tmp_path):
    from chalicelib.principal import Principal
    from chalicelib.schemas.auth import ALL_SCOPES, ApiKeyCreate
    from chalicelib.services import auth

    admin = make_user(role="admin")
    requester = make_user()
    for n in range(5):
        make_ticket(requester["id"], title=f"seed {n}")
    key = auth.create_api_key(data=ApiKeyCreate(name="fuzz", scopes=list(ALL_SCOPES)),
                              actor=Principal(user_id=admin["id"], role="admin"))["api_key"]
    report = tmp_path / "report.ndjson"
    started = time.monotonic()
    with chalice_local() as url:
        _warm_up(url, key)
        result = subprocess.run(
            [str(Path(sys.executable).with_name("schemathesis")), "--config-file",
             str(ROOT / "tests" / "fuzz" / "schemathesis.toml"), "run", f"{url}/openapi.json",
             "-H", f"Authorization: Bearer {key}", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance", "--seed", str(SEED),
             "--phases", PHASES, "--request-timeout", "60",
             "--max-examples", str(EXAMPLES), "--workers", "2", "--no-color",
             "--report", "ndjson", "--report-ndjson-path", str(report), "--generation-database", "none"],
            cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT_S,
        )
        schemathesis_s = time.monotonic() - started
        tally = corpus.run(url, key, requester["id"], rounds=CORPUS_ROUNDS)
    generated = summarise(report)
    figures = {"schemathesis": {**generated, "seconds": round(schemathesis_s, 1)},
               "corpus": tally.summary(), "seconds": round(time.monotonic() - started, 1),
               "requests": generated["requests"] + tally.requests,
               "server_errors": generated["server_errors"] + len(tally.server_errors)}
    failures = figures["server_errors"] + sum(generated["failed_checks"].values())
    print(f"\nfuzz: {figures['requests']} requests, {failures} failures ({figures['server_errors']} 5xx, "
          f"{generated['schema_violations']} schema violations, {len(tally.bad_error_bodies)} error bodies not in "
          f"the API's shape) in {figures['seconds']} s\nfuzz: {json.dumps(figures)}")
    if os.environ.get("FUZZ_FIGURES"):
        Path(os.environ["FUZZ_FIGURES"]).write_text(json.dumps(figures, indent=1))
    assert tally.server_errors == [], tally.server_errors[:10]
    assert result.returncode == 0, result.stdout[-6000:]
    assert generated["server_errors"] == 0
    assert figures["requests"] >= MIN_REQUESTS, figures


def _warm_up(url: str, key: str) -> None:
    """Open the knowledge base once, so its first use is not what a request timeout measures."""
    request = urllib.request.Request(f"{url}/api/kb/search", data=json.dumps({"query": "warm up"}).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 200


def summarise(path: Path) -> dict[str, Any]:
    """Requests, 5xx answers and failed checks (by check name) recorded in a schemathesis ndjson report."""
    requests = server_errors = 0
    failed: dict[str, int] = {}
    if not path.exists():
        return {"requests": 0, "server_errors": 0, "failed_checks": {}}
    for line in path.read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        for status in _responses(event):
            requests += 1
            if status >= 500:
                server_errors += 1
        for name in _failed_checks(event):
            failed[name] = failed.get(name, 0) + 1
    return {"requests": requests, "server_errors": server_errors, "failed_checks": failed,
            "schema_violations": failed.get("response_schema_conformance", 0)}


def _responses(node: object) -> list[int]:
    """Every HTTP status code recorded in a report event (the ndjson layout nests them in interactions)."""
    found: list[int] = []
    if isinstance(node, dict):
        response = node.get("response")
        if isinstance(response, dict) and isinstance(response.get("status_code"), int):
            found.append(response["status_code"])
        for value in node.values():
            if isinstance(value, (dict, list)):
                found.extend(_responses(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_responses(value))
    return found


def _failed_checks(node: object) -> list[str]:
    """Names of the checks a report event records as failed."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("status") in ("FAILURE", "failure") and isinstance(node.get("name"), str):
            found.append(node["name"])
        for value in node.values():
            if isinstance(value, (dict, list)):
                found.extend(_failed_checks(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_failed_checks(value))
    return found
