"""AI suggestion latency and grounding: `python -m bench.suggest` (writes bench/results/suggest.json).

A fresh product on moto server, set up through its API: the classifier taught the Bitext categories (10 examples
per category, `POST /api/ai/examples`, trained by the real `train_classifier` queue handler), the Bitext KB
passages ingested with `POST /api/kb/ingest` (ONNX MiniLM, LanceDB on moto S3), and one ticket per Bitext dev
query (`POST /api/tickets`). Then `POST /api/ai/tickets/{id}/suggest` for every ticket, in-process, twice:

- **template**: no LLM configured (what a stage without `LLM_BASE_URL` serves);
- **llm**: `LLM_BASE_URL` pointing at the OpenAI-protocol test server (`tests/utils/llm_server.py`, real HTTP).
  It answers at once, so this is our side of an LLM call (prompt, HTTP, parsing, citation checks); a hosted
  model adds its generation time on top.

Also reported: how often a snippet comes from one of the query's relevant documents (the suggestion's
retrieval, hit@k over its snippets) and how often the predicted category is the query's Bitext category.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import (
    DATASETS,
    ROOT,
    InProcessApi,
    admin_api_key,
    latency_ms,
    quick,
    read_jsonl,
    reset_aws,
    save_json,
    setup_env,
    start_moto,
)
from bench.classification import few_shot, product_label, read_split, train_through_queue

KB_DATASET = "bitext_kb_retrieval"
DOCS_PER_REQUEST = 20


def build_product(api: InProcessApi) -> dict[str, Any]:
    """Classifier examples, the KB and the tickets, all through the API; returns what was made and its timings."""
    started = time.perf_counter()
    examples = [{"text": text, "label": label} for text, label in few_shot(read_split("bitext_category", "train"), 10)]
    api.ok("POST", "/api/ai/examples", {"examples": examples})
    train_s, _ = train_through_queue(api.app)
    status = api.ok("GET", "/api/ai/classifier")
    if status["status"] != "ready":
        raise RuntimeError(f"the classifier is not ready after training: {status}")

    docs = read_jsonl(DATASETS / KB_DATASET / "kb.jsonl")
    ingest_started = time.perf_counter()
    chunks = 0
    for start in range(0, len(docs), DOCS_PER_REQUEST):
        batch = docs[start:start + DOCS_PER_REQUEST]
        result = api.ok("POST", "/api/kb/ingest", {"documents": [
            {"text": d["text"], "metadata": {"source": d["doc_id"], "title": d["title"]}} for d in batch]})
        chunks += len(result["ids"])
    ingest_s = time.perf_counter() - ingest_started
    return {"examples": len(examples), "labels": status["labels"], "train_s": round(train_s, 2),
            "kb_documents": len(docs), "kb_chunks": chunks, "kb_ingest_s": round(ingest_s, 2),
            "setup_s": round(time.perf_counter() - started, 1)}


def make_tickets(api: InProcessApi, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One ticket per query, with the query's relevant documents and category kept for scoring."""
    requester = api.ok("POST", "/api/users", {"email": "bench-requester@example.com", "name": "Bench Requester",
                                             "role": "requester"})["id"]
    tickets = []
    for query in queries:
        text = " ".join(query["text"].split())
        ticket = api.ok("POST", "/api/tickets", {"title": text[:80], "content": text, "requester_id": requester})
        tickets.append({"id": ticket["id"], "relevant": set(query["relevant_doc_ids"]),
                        "category": product_label(query["category"])})
    return tickets


def suggest_all(api: InProcessApi, tickets: list[dict[str, Any]]) -> dict[str, Any]:
    """Suggest for every ticket (after 2 warm-ups); latency, draft sources, grounding and category hits."""
    for ticket in tickets[:2]:
        api.ok("POST", f"/api/ai/tickets/{ticket['id']}/suggest")
    seconds, sources, grounded, category_hits, snippets = [], {}, 0, 0, 0
    for ticket in tickets:
        started = time.perf_counter()
        out = api.ok("POST", f"/api/ai/tickets/{ticket['id']}/suggest")
        seconds.append(time.perf_counter() - started)
        sources[out["draft_source"]] = sources.get(out["draft_source"], 0) + 1
        found = {s["metadata"].get("source") for s in out["snippets"]}
        grounded += bool(found & ticket["relevant"])
        category_hits += out["category"] == ticket["category"]
        snippets += len(out["snippets"])
    n = len(tickets)
    return {"latency_ms": latency_ms(seconds), "draft_sources": sources,
            "snippet_from_relevant_doc": round(grounded / n, 3), "category_accuracy": round(category_hits / n, 3),
            "snippets_per_suggestion": round(snippets / n, 2), "tickets": n}


def main(argv: list[str] | None = None) -> int:
    """Set up, measure both paths, save."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=20 if quick() else 60)
    args = parser.parse_args(argv)
    setup_env()
    os.environ.pop("LLM_BASE_URL", None)
    started = time.time()
    server = start_moto()
    from tests.utils.llm_server import FakeLlm

    llm = FakeLlm().start()
    try:
        reset_aws(server)
        api = InProcessApi(admin_api_key(Path(tempfile.mkdtemp(prefix="bench-suggest-"))))
        try:
            product = build_product(api)
            queries = read_jsonl(DATASETS / KB_DATASET / "queries_dev.jsonl")[:args.tickets]
            tickets = make_tickets(api, queries)
            paths = {"template": suggest_all(api, tickets)}
            os.environ["LLM_BASE_URL"] = llm.base_url
            try:
                paths["llm"] = suggest_all(api, tickets)
            finally:
                os.environ.pop("LLM_BASE_URL", None)
        finally:
            api.close()
    finally:
        llm.stop()
        server.stop()
    for name, figures in paths.items():
        lat = figures["latency_ms"]
        print(f"suggest ({name}): p50 {lat['p50']} ms, p95 {lat['p95']} ms, sources {figures['draft_sources']}, "
              f"snippet from a relevant doc {figures['snippet_from_relevant_doc']}", flush=True)
    path = save_json("suggest", {"product": product, "paths": paths, "seconds": round(time.time() - started)})
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
