"""A knowledge-base ingest killed half way: a retry leaves each chunk exactly once, nothing orphaned."""

from __future__ import annotations

import pytest

from chalicelib import faults
from chalicelib.rag.embeddings import get_embedder
from chalicelib.rag.store import get_store

LONG = "# Travel policy\n\n" + "\n\n".join(
    f"Rule {n}: book trains for trips under five hours and keep every receipt for the expense report."
    for n in range(12))
DOC = {"text": LONG, "metadata": {"source": "policies/travel.md"}}


def rows_of(source):
    return get_store(get_embedder().space).count(f"source = '{source}'")


@pytest.mark.parametrize("point", ["kb.after_delete", "kb.after_append"])
def test_a_retried_ingest_after_a_crash_leaves_every_chunk_once(kb_aws, api, point):
    status, first = api.post("/api/kb/ingest", {"documents": [DOC], "chunk_size": 200, "chunk_overlap": 20})
    assert status == 201
    chunks = len(first["ids"])
    assert chunks > 3 and rows_of("policies/travel.md") == chunks
    faults.arm(point)
    changed = {**DOC, "text": LONG.replace("trains", "trains or buses")}
    status, _ = api.post("/api/kb/ingest", {"documents": [changed], "chunk_size": 200, "chunk_overlap": 20})
    assert status == 500  # the injected crash, inside the source's lease
    after_crash = rows_of("policies/travel.md")
    status, retried = api.post("/api/kb/ingest", {"documents": [changed], "chunk_size": 200, "chunk_overlap": 20})
    assert status == 201
    # the crash left the old rows deleted (and nothing new yet), or exactly the new rows: never both
    assert after_crash == (0 if point == "kb.after_delete" else len(retried["ids"]))
    assert rows_of("policies/travel.md") == len(retried["ids"])
    found = api.post("/api/kb/search", {"query": "book trains or buses", "top_k": 50})[1]["results"]
    ids = [r["id"] for r in found if r["metadata"]["source"] == "policies/travel.md"]
    assert len(ids) == len(set(ids)) and all("buses" in r["content"] for r in found
                                              if r["metadata"]["source"] == "policies/travel.md" and "Rule" in
                                              r["content"])
    _, documents = api.get("/api/kb/documents")
    record = next(d for d in documents["items"] if d["source"] == "policies/travel.md")
    assert record["chunk_count"] == len(retried["ids"]) and record["status"] == "ready"
