"""Schemathesis against /openapi.json on the running API (chalice local + moto server), with auth.

Bounded and reproducible: a fixed seed, a fixed number of examples per operation, a time budget.
The run must produce no 5xx and every response must match the documented schema.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.utils.factories import make_ticket, make_user
from tests.utils.servers import chalice_local

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261127
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))


def test_schemathesis_finds_no_server_errors_and_no_schema_violations(aws, tmp_path):
    from chalicelib.principal import Principal
    from chalicelib.schemas.auth import ALL_SCOPES, ApiKeyCreate
    from chalicelib.services import auth

    admin = make_user(role="admin")
    requester = make_user()
    for n in range(5):
        make_ticket(requester["id"], title=f"seed {n}")
    key = auth.create_api_key(data=ApiKeyCreate(name="fuzz", scopes=list(ALL_SCOPES)),
                              actor=Principal(user_id=admin["id"], role="admin"))["api_key"]
    report = tmp_path / "report.json"
    with chalice_local() as url:
        result = subprocess.run(
            [str(Path(sys.executable).with_name("schemathesis")), "--config-file",
             str(ROOT / "tests" / "fuzz" / "schemathesis.toml"), "run", f"{url}/openapi.json",
             "-H", f"Authorization: Bearer {key}", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance", "--seed", str(SEED),
             "--max-examples", str(EXAMPLES), "--workers", "2", "--no-color",
             "--report", "ndjson", "--report-ndjson-path", str(report), "--generation-database", "none"],
            cwd=tmp_path, capture_output=True, text=True, timeout=400,
        )
    summary = _summarise(report)
    print(f"\nschemathesis: {json.dumps(summary)}")
    assert result.returncode == 0, result.stdout[-6000:]
    assert summary["server_errors"] == 0
    assert summary["requests"] >= 1000, summary


def _summarise(path: Path) -> dict[str, int]:
    requests = server_errors = 0
    if not path.exists():
        return {"requests": 0, "server_errors": 0}
    for line in path.read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        for response in _responses(event):
            requests += 1
            if int(response) >= 500:
                server_errors += 1
    return {"requests": requests, "server_errors": server_errors}


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
