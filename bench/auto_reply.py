"""The AI first response's quality and latency: `python -m bench.auto_reply` (writes bench/results/auto_reply.json
and its section of docs/BENCHMARKS.md).

A fresh product on moto server, set up through its API only:
- the desk's history: Bitext KB `queries_train` labelled with their intent, plus CLINC150 train `oos` rows
  labelled `out_of_scope` (`POST /api/ai/examples`, trained by the real `train_classifier` queue handler);
- the KB: the 81 Bitext passages with `metadata.category` = their intent (`POST /api/kb/ingest`);
- the policy: `PUT /api/ai/auto-reply` enabled, `min_confidence` 0 (the curve sweeps it afterwards: the gate is
  monotone in it, so the decision at threshold t is "sent at 0 and confidence >= t");
- tickets: Bitext `queries_dev` (in scope) and CLINC150 dev `oos` rows (off topic), each `POST /api/tickets`, then
  the real `classify_tickets` and `auto_reply` queue handlers run on the messages they produced, one ticket at a time
  (ticket created -> decision latency, no LLM: the template path).

Precision: share of sent answers whose every cited source is one of the ticket's relevant passages (an off-topic
ticket has none). Coverage: share of in-scope tickets answered. Baseline: a k-nearest-neighbour vote over the same
history with the same embedder (answers when the vote share clears a threshold; cites the voted intent's passages).
Also a new desk with the same taxonomy (label names only) and no history. The threshold is chosen on dev.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import (
    DATASETS,
    REPORT,
    ROOT,
    InProcessApi,
    admin_api_key,
    latency_ms,
    load_json,
    quick,
    read_jsonl,
    reset_aws,
    save_json,
    setup_env,
    start_moto,
    table,
)
from bench.classification import train_through_queue
from chalicelib.schemas.ai import MAX_EXAMPLES_PER_REQUEST

KB = DATASETS / "bitext_kb_retrieval"
CLINC = DATASETS / "clinc150"
TARGET = {"precision": 0.97, "coverage": 0.75, "off_topic_answered": 0.01}
THRESHOLDS = [round(float(t), 2) for t in np.arange(0.0, 1.0001, 0.05)]
KNN_K = 10
_QUEUES: dict[tuple[str, str], tuple[str, str, Any]] = {}


def history() -> list[dict[str, str]]:
    """Labelled examples: Bitext train queries by intent, CLINC150 train oos rows as out_of_scope."""
    rows = [{"text": " ".join(q["text"].split()), "label": q["intent"]}
            for q in read_jsonl(KB / "queries_train.jsonl")]
    with (CLINC / "train.csv").open(encoding="utf-8", newline="") as fh:
        rows += [{"text": r["text"], "label": "out_of_scope"} for r in csv.DictReader(fh) if r["label"] == "oos"]
    return rows


def dev_tickets(limit: int | None, every: int = 1) -> list[dict[str, Any]]:
    """In-scope Bitext dev queries and off-topic CLINC150 dev oos rows, with what counts as a relevant source."""
    in_scope = [{"text": " ".join(q["text"].split()), "relevant": set(q["relevant_doc_ids"]), "intent": q["intent"]}
                for q in read_jsonl(KB / "queries_dev.jsonl")]
    with (CLINC / "dev.csv").open(encoding="utf-8", newline="") as fh:
        off = [{"text": r["text"], "relevant": set(), "intent": None}
               for r in csv.DictReader(fh) if r["label"] == "oos"]
    in_scope = in_scope[::every]
    if limit:
        in_scope, off = in_scope[:limit], off[:max(10, limit // 2)]
    return in_scope + off


def drain(api: InProcessApi, queue: str, handler_name: str) -> int:
    """Run a queue's handler on every message waiting in it (as Lambda's event source mapping would)."""
    import boto3

    from chalicelib.config import get_settings
    from devstack.dispatcher import Dispatcher

    settings = get_settings()
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url, region_name=settings.region)
    if (queue, handler_name) not in _QUEUES:
        url = sqs.get_queue_url(QueueName=settings.queue_name(queue))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    key = (queue, handler_name)
    if key not in _QUEUES:
        _QUEUES[key] = (url, arn, Dispatcher(api.app, settings))
    url, arn, dispatcher = _QUEUES[key]
    handled = 0
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return handled
        if dispatcher.run_batch(api.app.handler_map[handler_name], handler_name, messages, url, arn):
            raise RuntimeError(f"{handler_name} failed a message")
        handled += len(messages)


def ingest_kb(api: InProcessApi, with_category: bool = True) -> int:
    """The Bitext passages, each saying which intent it answers."""
    docs = read_jsonl(KB / "kb.jsonl")
    for start in range(0, len(docs), 20):
        api.ok("POST", "/api/kb/ingest", {"documents": [
            {"text": d["text"], "metadata": {"source": d["doc_id"], "title": d["title"],
                                             **({"category": d["intent"]} if with_category else {})}}
            for d in docs[start:start + 20]]})
    return len(docs)


def run_tickets(api: InProcessApi, tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Create each ticket and run the classify and auto-reply handlers; keep its decision and the latency."""
    requester = api.ok("POST", "/api/users", {"email": f"bench-{time.time_ns()}@example.com", "name": "Bench Customer",
                                             "role": "requester"})["id"]
    out = []
    for ticket in tickets:
        started = time.perf_counter()
        created = api.ok("POST", "/api/tickets", {"title": ticket["text"][:80], "content": ticket["text"],
                                                  "requester_id": requester})
        drain(api, "classify", "classify_tickets")
        drain(api, "auto-reply", "auto_reply")
        seconds = time.perf_counter() - started
        decision = api.ok("GET", f"/api/tickets/{created['id']}")["ai_response"]
        out.append({**ticket, "decision": decision, "seconds": seconds})
        if len(out) % 100 == 0:
            print(f"  {len(out)} tickets decided", flush=True)
    return out


def score(results: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    """Precision, coverage and off-topic answers when the gate needs `threshold` confidence."""
    sent = [r for r in results if r["sent"] and r["confidence"] >= threshold]
    precise = sum(bool(r["sources"]) and set(r["sources"]) <= r["relevant"] for r in sent)
    in_scope = [r for r in results if r["intent"] is not None]
    off = [r for r in results if r["intent"] is None]
    return {"threshold": threshold, "sent": len(sent),
            "precision": round(precise / len(sent), 4) if sent else None,
            "coverage": round(sum(r["intent"] is not None for r in sent) / max(1, len(in_scope)), 4),
            "off_topic_answered": round(sum(r["intent"] is None for r in sent) / max(1, len(off)), 4)}


def product_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The product's decisions as rows for `score`."""
    return [{"sent": r["decision"]["decision"] == "sent", "confidence": r["decision"]["confidence"],
             "sources": r["decision"]["sources"], "relevant": r["relevant"], "intent": r["intent"]} for r in results]


def knn_rows(train: list[dict[str, str]], tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A k-NN vote over the history with the product's embedder; cites the voted intent's KB passages."""
    from chalicelib.ai.vectors import embed

    docs_by_intent: dict[str, list[str]] = {}
    for d in read_jsonl(KB / "kb.jsonl"):
        docs_by_intent.setdefault(d["intent"], []).append(d["doc_id"])
    history_vectors = embed([r["text"] for r in train])
    labels = [r["label"] for r in train]
    ticket_vectors = embed([t["text"] for t in tickets])
    rows = []
    for ticket, vector in zip(tickets, ticket_vectors, strict=True):
        nearest = np.argsort(-(history_vectors @ vector))[:KNN_K]
        label, votes = Counter(labels[i] for i in nearest).most_common(1)[0]
        answered = label != "out_of_scope"
        rows.append({"sent": answered, "confidence": votes / KNN_K,
                     "sources": docs_by_intent.get(label, [])[:1] if answered else [],
                     "relevant": ticket["relevant"], "intent": ticket["intent"]})
    return rows


def operating_point(curve: list[dict[str, Any]]) -> dict[str, Any]:
    """The lowest threshold (most coverage) meeting the precision and off-topic targets on dev."""
    for point in curve:
        if (point["precision"] or 0) >= TARGET["precision"] + 0.005 \
                and point["off_topic_answered"] <= TARGET["off_topic_answered"]:
            return point
    return curve[-1]


def new_desk_run(server: Any, tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A new desk: the same taxonomy by name, the same KB, no history at all; the default policy, enabled."""
    from chalicelib.services import auto_reply
    from tests.utils.kb import reset_kb_caches

    reset_aws(server)
    _QUEUES.clear()
    auto_reply.reset_caches()
    reset_kb_caches()
    api = InProcessApi(admin_api_key(Path(tempfile.mkdtemp(prefix="bench-auto-reply-new-"))))
    try:
        intents = sorted({d["intent"] for d in read_jsonl(KB / "kb.jsonl")})
        api.ok("POST", "/api/ai/labels", {"labels": [{"name": i, "description": i.replace("_", " ")}
                                                     for i in intents]})
        ingest_kb(api)
        api.ok("PUT", "/api/ai/auto-reply", {"enabled": True})
        return run_tickets(api, tickets)
    finally:
        api.close()


def new_desk_figures(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The new desk's score and why it declined."""
    reasons = Counter(r["decision"]["reason"].split(" (")[0] for r in results if r["decision"]["decision"] != "sent")
    return {**score(product_rows(results), 0.0), "tickets": len(results), "reasons": dict(reasons)}


def main(argv: list[str] | None = None) -> int:
    """Set up both desks, run every ticket, score, save, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=80 if quick() else 0, help="in-scope tickets (0: all)")
    parser.add_argument("--every", type=int, default=1, help="take every n-th in-scope dev query (a slow machine)")
    parser.add_argument("--new-desk-limit", type=int, default=40, help="in-scope tickets for the new desk")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--new-desk-only", action="store_true", help="re-measure only the new desk (keeps the rest)")
    args = parser.parse_args(argv)
    setup_env()
    os.environ.pop("LLM_BASE_URL", None)
    os.environ.setdefault("EMBEDDER", "onnx")
    started = time.time()
    server = start_moto()
    tickets = dev_tickets(args.limit or None, args.every)
    train = history()
    try:
        if args.new_desk_only:
            previous = load_json("auto_reply") or {}
            new = new_desk_run(server, dev_tickets(args.new_desk_limit, max(1, args.every)))
            previous["new_desk"] = new_desk_figures(new)
            save_json("auto_reply", previous)
            print(f"new desk {previous['new_desk']}", flush=True)
            if not args.no_report:
                write_report(previous)
            return 0
        reset_aws(server)
        api = InProcessApi(admin_api_key(Path(tempfile.mkdtemp(prefix="bench-auto-reply-"))))
        try:
            setup_started = time.perf_counter()
            for start in range(0, len(train), MAX_EXAMPLES_PER_REQUEST):
                api.ok("POST", "/api/ai/examples", {"examples": train[start:start + MAX_EXAMPLES_PER_REQUEST]})
            train_s, _ = train_through_queue(api.app)
            print(f"trained on {len(train)} examples in {train_s:.0f} s", flush=True)
            ingest_kb(api)
            api.ok("PUT", "/api/ai/auto-reply", {"enabled": True, "min_confidence": 0.0})
            setup_s = time.perf_counter() - setup_started
            print(f"desk ready in {setup_s:.0f} s; running {len(tickets)} tickets", flush=True)
            results = run_tickets(api, tickets)
            save_json("auto_reply_raw", {"product": [{**r, "relevant": sorted(r["relevant"])} for r in results]})
            baseline = knn_rows(train, tickets)
        finally:
            api.close()
        new_desk = new_desk_run(server, dev_tickets(args.new_desk_limit, max(1, args.every)))
    finally:
        server.stop()

    rows = product_rows(results)
    curve = [score(rows, t) for t in THRESHOLDS]
    knn_curve = [score(baseline, t) for t in [round(float(t), 1) for t in np.arange(0.1, 1.0001, 0.1)]]
    chosen = operating_point(curve)
    reasons = Counter(r["decision"]["reason"].split(" (")[0] for r in results if r["decision"]["decision"] != "sent")
    data = {
        "tickets": {"in_scope": sum(t["intent"] is not None for t in tickets),
                    "off_topic": sum(t["intent"] is None for t in tickets)},
        "history_examples": len(train), "setup_s": round(setup_s, 1), "every": args.every,
        "operating_point": chosen, "curve": curve, "knn_baseline": {"k": KNN_K, "curve": knn_curve,
                                                                     "at_target": operating_point(knn_curve)},
        "new_desk": new_desk_figures(new_desk),
        "declined_reasons_at_zero": dict(reasons),
        "created_to_decision_ms": latency_ms([r["seconds"] for r in results]),
        "seconds": round(time.time() - started),
    }
    path = save_json("auto_reply", data)
    print(f"operating point {chosen}; kNN {data['knn_baseline']['at_target']}; new desk {data['new_desk']}; "
          f"latency {data['created_to_decision_ms']}", flush=True)
    print(f"wrote {path.relative_to(ROOT)}")
    if not args.no_report:
        write_report(data)
    return 0


def _row(name: str, point: dict[str, Any]) -> str:
    cells = [point["threshold"], point["precision"], point["coverage"], point["off_topic_answered"]]
    if point.get("sent") == 0:
        cells[1] = "no answer sent, none wrong"
    return f"| {name} | " + " | ".join(str(c) for c in cells) + " |"


def write_report(data: dict[str, Any]) -> None:
    """Replace this bench's section of docs/BENCHMARKS.md (the other sections are left alone)."""
    start, end = "<!-- auto-reply:start -->", "<!-- auto-reply:end -->"
    point, knn, new = data["operating_point"], data["knn_baseline"]["at_target"], data["new_desk"]
    lat = data["created_to_decision_ms"]
    rows = [[p["threshold"], p["sent"], p["precision"], p["coverage"], p["off_topic_answered"]]
            for p in data["curve"]]
    knn_rows_ = [[p["threshold"], p["sent"], p["precision"], p["coverage"], p["off_topic_answered"]]
                 for p in data["knn_baseline"]["curve"]]
    markdown = f"""{start}
## AI first response (`python -m bench.auto_reply`)

{data['tickets']['in_scope']} in-scope tickets (Bitext KB `queries_dev`) and {data['tickets']['off_topic']} off-topic
ones (CLINC150 dev `oos`), each created through the API and decided by the real classify and auto-reply queue
handlers (template path, no LLM). History: {data['history_examples']} labelled examples; KB: the 81 Bitext passages
with `metadata.category`. Thresholds chosen on dev (these figures are dev figures). In-scope sample: one in
{data.get('every', 1)} dev queries (`--every`; 1 = all 453).

| | min_confidence | precision | coverage | off-topic answered |
|---|---:|---:|---:|---:|
| target | | >= {TARGET['precision']} | >= {TARGET['coverage']} | <= {TARGET['off_topic_answered']} |
{_row("**the product's gate**", point)}
{_row(f"kNN vote (k={data['knn_baseline']['k']}, vote share)", knn)}
{_row("new desk, no history (taxonomy names only)", {**new, "threshold": "default"})}

Ticket created -> decision (in-process, one ticket at a time, no LLM): p50 {lat['p50']} ms, p95 {lat['p95']} ms.
New desk ({new.get('tickets', '')} tickets): reasons for declining {new['reasons']}.

Precision/coverage curve of the gate (classifier confidence threshold; a passage of the predicted category must
also be retrieved above `min_similarity`):

{table(['min_confidence', 'sent', 'precision', 'coverage', 'off-topic answered'], rows)}

kNN baseline curve (vote share threshold):

{table(['vote share', 'sent', 'precision', 'coverage', 'off-topic answered'], knn_rows_)}
{end}"""
    text = REPORT.read_text(encoding="utf-8")
    if start in text:
        before, rest = text.split(start, 1)
        text = before + markdown + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + markdown + "\n"
    REPORT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
