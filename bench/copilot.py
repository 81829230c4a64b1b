"""The agents' copilot: `python -m bench.copilot` (writes bench/results/copilot.json and its section of
docs/BENCHMARKS.md).

A fresh product on moto server: the 81 Bitext KB passages ingested through `POST /api/kb/ingest` (ONNX MiniLM,
LanceDB on moto S3). Questions: Bitext dev queries (in scope: each names the KB documents that answer it) and
CLINC150 dev `oos` questions (off topic: nothing in this KB answers them). Each question starts a conversation
(`POST /api/ai/chat/sessions`) and is asked (`POST .../messages`), in-process, then a follow-up in the same session:

- **passages**: no LLM configured (the closest passages, or "no match" under the relevance floor);
- **llm**: `LLM_BASE_URL` pointing at the OpenAI-protocol test server (tests/utils/llm_server.py, real HTTP, answers
  at once: our side of an LLM call).

Reported: latency next to `POST /api/kb/search` for the same questions in the same run (the copilot adds its
DynamoDB reads, the prompt and one transaction), how often an in-scope answer cites a relevant document, and how
often an off-topic question gets the plain "no match" (no-answer precision of the relevance floor).
"""

from __future__ import annotations

import argparse
import csv
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
    machine,
    quick,
    ratio,
    read_jsonl,
    reset_aws,
    save_json,
    setup_env,
    start_moto,
    table,
    write_section,
)

KB_DATASET = "bitext_kb_retrieval"
DOCS_PER_REQUEST = 20
SESSIONS = "/api/ai/chat/sessions"


def ingest(api: InProcessApi) -> int:
    """The Bitext KB through the API; returns the number of passages."""
    docs = read_jsonl(DATASETS / KB_DATASET / "kb.jsonl")
    chunks = 0
    for start in range(0, len(docs), DOCS_PER_REQUEST):
        result = api.ok("POST", "/api/kb/ingest", {"documents": [
            {"text": d["text"], "metadata": {"source": d["doc_id"], "title": d["title"]}}
            for d in docs[start:start + DOCS_PER_REQUEST]]})
        chunks += len(result["ids"])
    return chunks


def questions(n: int) -> tuple[list[dict[str, Any]], list[str]]:
    """In-scope Bitext dev queries (with their relevant documents) and off-topic CLINC150 questions."""
    in_scope = [{"text": " ".join(q["text"].split()), "relevant": set(q["relevant_doc_ids"])}
                for q in read_jsonl(DATASETS / KB_DATASET / "queries_dev.jsonl")[:n]]
    with (DATASETS / "clinc150" / "dev.csv").open(encoding="utf-8") as fh:
        off_topic = [row["text"] for row in csv.DictReader(fh) if row["label"] == "oos"][:n]
    return in_scope, off_topic


def ask_all(api: InProcessApi, in_scope: list[dict[str, Any]], off_topic: list[str]) -> dict[str, Any]:
    """One conversation per question: the question, then a follow-up; latencies and what the answers cite."""
    first_s, follow_s, search_s = [], [], []
    answered, cited_relevant, origins = 0, 0, {}
    for warm in in_scope[:2]:
        api.ok("POST", f"{SESSIONS}/{api.ok('POST', SESSIONS, {})['id']}/messages", {"content": warm["text"]})
    for question in in_scope:
        started = time.perf_counter()
        api.ok("POST", "/api/kb/search", {"query": question["text"], "top_k": 6})
        search_s.append(time.perf_counter() - started)
        session = api.ok("POST", SESSIONS, {})["id"]
        started = time.perf_counter()
        answer = api.ok("POST", f"{SESSIONS}/{session}/messages", {"content": question["text"]})["answer"]
        first_s.append(time.perf_counter() - started)
        origins[answer["answer_source"]] = origins.get(answer["answer_source"], 0) + 1
        cited = {s["source"] for s in answer["sources"] if s["cited"]}
        answered += answer["answer_source"] != "none"
        cited_relevant += bool(cited & question["relevant"])
        started = time.perf_counter()
        api.ok("POST", f"{SESSIONS}/{session}/messages", {"content": "And how long does that take?"})
        follow_s.append(time.perf_counter() - started)
    no_match = 0
    for text in off_topic:
        session = api.ok("POST", SESSIONS, {})["id"]
        answer = api.ok("POST", f"{SESSIONS}/{session}/messages", {"content": text})["answer"]
        no_match += answer["answer_source"] == "none"
    n = len(in_scope)
    return {"first_question_ms": latency_ms(first_s), "follow_up_ms": latency_ms(follow_s),
            "kb_search_ms": latency_ms(search_s), "answer_sources": origins,
            "in_scope_answered": round(answered / n, 3), "in_scope_cites_relevant": round(cited_relevant / n, 3),
            "off_topic_no_match": round(no_match / len(off_topic), 3), "in_scope": n, "off_topic": len(off_topic)}


def report(data: dict[str, Any]) -> str:
    """The Markdown section."""
    rows = []
    for name, figures in data["paths"].items():
        first, search = figures["first_question_ms"], figures["kb_search_ms"]
        rows.append([name, f"{first['p50']} / {first['p95']}", f"{figures['follow_up_ms']['p50']}",
                     f"{search['p50']}", f"{ratio(first['p50'], search['p50'])}x",
                     f"{figures['in_scope_answered']:.0%}", f"{figures['in_scope_cites_relevant']:.0%}",
                     f"{figures['off_topic_no_match']:.0%}"])
    return "\n".join([
        "### The agents' copilot (`python -m bench.copilot`)",
        "",
        f"{data['kb_chunks']} Bitext KB passages; {data['paths']['passages']['in_scope']} Bitext dev questions (in "
        f"scope) and {data['paths']['passages']['off_topic']} CLINC150 `oos` questions (off topic), one conversation "
        "each plus a follow-up; in-process API on moto server, ONNX MiniLM. `llm` is the OpenAI-protocol test server "
        "answering at once (a hosted model adds its generation time). Measured "
        f"{data['measured_at']} on {data['machine']} (load average {data['load_average']} at the start).",
        "",
        table(["path", "ask p50 / p95 ms", "follow-up p50 ms", "KB search p50 ms (same run)", "ask / search",
               "in scope answered", "cites a relevant doc", "off topic: \"no match\""], rows),
        "",
        "An answer costs one KB search plus the session's GetItem, the conversation's Query and one transaction "
        "(with a ticket: its GetItem and one Query more); the follow-up searches with the previous question too. "
        "\"No match\" is what the relevance floor (cosine 0.40, bench/draft_floor.py) leaves an off-topic question.",
    ])


def main(argv: list[str] | None = None) -> int:
    """Set up, measure both paths, save, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=15 if quick() else 40)
    args = parser.parse_args(argv)
    setup_env()
    os.environ.pop("LLM_BASE_URL", None)
    os.environ.setdefault("EMBEDDER", "onnx")
    started = time.time()
    load_at_start = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    server = start_moto()
    from tests.utils.llm_server import FakeLlm

    llm = FakeLlm().start()
    try:
        reset_aws(server)
        api = InProcessApi(admin_api_key(Path(tempfile.mkdtemp(prefix="bench-copilot-"))))
        try:
            chunks = ingest(api)
            in_scope, off_topic = questions(args.questions)
            paths = {"passages": ask_all(api, in_scope, off_topic)}
            os.environ["LLM_BASE_URL"] = llm.base_url
            try:
                from chalicelib.config import reset_process_state

                reset_process_state()
                paths["llm"] = ask_all(api, in_scope, off_topic)
            finally:
                os.environ.pop("LLM_BASE_URL", None)
        finally:
            api.close()
    finally:
        llm.stop()
        server.stop()
    data = {"kb_chunks": chunks, "paths": paths, "seconds": round(time.time() - started), "machine": machine(),
            "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_average": load_at_start}
    path = save_json("copilot", data)
    write_section("copilot", report(data))
    for name, figures in paths.items():
        print(f"copilot ({name}): ask p50 {figures['first_question_ms']['p50']} ms vs search "
              f"{figures['kb_search_ms']['p50']} ms; answered {figures['in_scope_answered']}, cites relevant "
              f"{figures['in_scope_cites_relevant']}, off-topic no match {figures['off_topic_no_match']}", flush=True)
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
