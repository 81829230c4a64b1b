"""Cold start: `python -m bench.cold_start` (writes bench/results/cold_start.json).

Each figure comes from fresh Python processes (what a cold Lambda pays): `import app`, then the first request
served by the app (chalice.test.Client against moto server, tables and a small KB made by the parent):
`GET /api/tickets` (the API) and `POST /api/kb/search` (the first ONNX embedding and LanceDB-on-S3 search inside a
real route); and each embedder alone, torch and ONNX (import, model load, first embedding: bench.kb_speed's code).
Peak RSS is the process's `ru_maxrss`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import (
    PEAK_RSS_CODE,
    ROOT,
    admin_api_key,
    embedder_cold_runs,
    fresh_process,
    quick,
    ratio,
    save_json,
    setup_env,
    spread,
    start_moto,
)

FIRST_REQUEST_CODE = PEAK_RSS_CODE + r"""
import json, sys, time
t0 = time.perf_counter()
import app
t1 = time.perf_counter()
from chalice.test import Client
method, path, body, token, root = sys.argv[1:6]
headers = {"authorization": "Bearer " + token, "content-type": "application/json"}
with Client(app.app, stage_name="dev", project_dir=root) as client:
    t2 = time.perf_counter()
    first = client.http.request(method, path, headers=headers, body=body.encode())
    t3 = time.perf_counter()
    second = client.http.request(method, path, headers=headers, body=body.encode())
    t4 = time.perf_counter()
assert first.status_code == 200 and second.status_code == 200, (first.status_code, first.body[:300])
print(json.dumps({"import_s": t1 - t0, "client_s": t2 - t1, "first_request_s": t3 - t2,
                  "second_request_s": t4 - t3, "rss_mb": peak_rss_mb()}))
"""

REQUESTS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "GET /api/tickets": ("GET", "/api/tickets?page_size=20", "", {}),
    "POST /api/kb/search (onnx)": ("POST", "/api/kb/search", json.dumps({"query": "reset my password", "top_k": 5}),
                                   {"EMBEDDER": "onnx"}),
}


def prepare() -> str:
    """A few tickets and a small KB (ONNX vectors) in moto; returns the local admin's API key."""
    from chalicelib.principal import SYSTEM
    from chalicelib.schemas.kb import KbIngestIn
    from chalicelib.schemas.tickets import TicketCreate
    from chalicelib.services import kb, tickets, users

    token = admin_api_key(Path(tempfile.mkdtemp(prefix="bench-cold-")))
    admin = users.find_by_email("admin@example.com")
    assert admin is not None
    for n in range(30):
        tickets.create_ticket(data=TicketCreate(title=f"Ticket {n}", content="Cannot sign in.",
                                                requester_id=int(admin.id)), actor=SYSTEM)
    docs = [{"text": path.read_text(encoding="utf-8"), "metadata": {"source": f"samples/{path.name}"}}
            for path in sorted((ROOT / "kb_loader" / "samples").glob("*.md"))]
    kb.ingest(data=KbIngestIn(documents=docs))
    return token


def summarise(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Median (min-max) of every figure over the runs."""
    return {key: spread([s[key] for s in samples], 3) for key in samples[0]}


def main(argv: list[str] | None = None) -> int:
    """Measure and save."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2 if quick() else 5, help="fresh processes for the API figures")
    parser.add_argument("--model-runs", type=int, default=2 if quick() else 3, help="fresh processes per embedder")
    args = parser.parse_args(argv)
    setup_env()
    started = time.time()
    server = start_moto()
    try:
        token = prepare()
        requests = {}
        for name, (method, path, body, env) in REQUESTS.items():
            runs = args.runs if name == "GET /api/tickets" else args.model_runs
            samples = [fresh_process(FIRST_REQUEST_CODE, [method, path, body, token, str(ROOT)], env)
                       for _ in range(runs)]
            requests[name] = summarise(samples)
            print(name, json.dumps({k: v["median"] for k, v in requests[name].items()}), flush=True)
    finally:
        server.stop()
    embedders = {kind: summarise(embedder_cold_runs(kind, args.model_runs)) for kind in ("onnx", "torch")}
    print("embedders", json.dumps({k: {m: v["median"] for m, v in e.items()} for k, e in embedders.items()}))
    onnx, torch = embedders["onnx"], embedders["torch"]
    ratios = {
        "onnx_vs_torch_cold_total": ratio(onnx["import_s"]["median"] + onnx["load_s"]["median"]
                                          + onnx["first_query_s"]["median"],
                                          torch["import_s"]["median"] + torch["load_s"]["median"]
                                          + torch["first_query_s"]["median"]),
        "onnx_vs_torch_rss": ratio(onnx["rss_mb"]["median"], torch["rss_mb"]["median"]),
    }
    path = save_json("cold_start", {"runs": args.runs, "model_runs": args.model_runs, "requests": requests,
                                    "embedders": embedders, "ratios": ratios,
                                    "seconds": round(time.time() - started)})
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
