"""KB search as a warm function serves it: the in-memory snapshot's freshness, the fusion and the relevance floor."""

from __future__ import annotations

import time

import pytest

from tests.utils.kb import onnx_model_path, reset_kb_caches

LAMP_KB = [  # Refunds means what the query asks without sharing a word with it; Registration shares three
    {"text": "# Refunds\n\nIf a purchased light arrived damaged or stopped working, you can request a full refund: "
             "we repay the price to your card.",
     "metadata": {"source": "refunds.md"}},
    {"text": "# Product registration\n\nThe customer types the serial number from the back of the lamp base into "
             "the account page.",
     "metadata": {"source": "registration.md"}},
    {"text": "# Shipping\n\nParcels leave our warehouse within two days and arrive in three to five days.",
     "metadata": {"source": "shipping.md"}},
]


@pytest.fixture
def onnx_kb(kb_aws, monkeypatch):
    """The KB with the real MiniLM embedder (ONNX) and the three policy articles ingested."""
    monkeypatch.setenv("EMBEDDER", "onnx")
    monkeypatch.setenv("ONNX_MODEL_PATH", str(onnx_model_path()))
    reset_kb_caches()
    from chalicelib.schemas.kb import KbIngestIn
    from chalicelib.services import kb

    kb.ingest(data=KbIngestIn.model_validate({"documents": LAMP_KB}))
    yield kb
    reset_kb_caches()


def _search(kb, query, top_k=5):
    from chalicelib.schemas.kb import KbSearchIn

    return kb.search(data=KbSearchIn(query=query, top_k=top_k), audience="agent")["results"]


def test_a_clearly_closer_vector_match_is_not_demoted_by_keyword_overlap(onnx_kb):
    """GIVEN an article sharing three of the query's words and a Refunds article that means what the query asks
    WHEN an agent asks about money back for a broken lamp
    THEN Refund ranks first: BM25 only reorders hits whose similarities are within the margin."""
    results = _search(onnx_kb, "customer wants money back for a broken lamp")
    assert results[0]["metadata"]["source"] == "refunds.md", [(r["metadata"]["source"], r["distance"])
                                                             for r in results]
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_nonsense_and_off_topic_queries_get_an_empty_answer(onnx_kb):
    assert _search(onnx_kb, "zxqv blorf") == []
    assert _search(onnx_kb, "what is the capital of mongolia") == []
    assert _search(onnx_kb, "how long does shipping take")[0]["metadata"]["source"] == "shipping.md"


def test_every_hit_is_within_the_relevance_floor(onnx_kb, monkeypatch):
    from chalicelib.config import get_settings

    floor = get_settings().kb.max_distance
    loose = _search(onnx_kb, "customer wants money back for a broken lamp", top_k=10)
    assert loose and all(r["distance"] <= floor for r in loose)
    monkeypatch.setenv("KB_MAX_DISTANCE", "2")
    reset_kb_caches()
    assert len(_search(onnx_kb, "customer wants money back for a broken lamp", top_k=10)) == 3


def test_the_hash_fallback_embedder_also_answers_nonsense_with_nothing(kb_aws, api):
    status, _ = api.post("/api/kb/ingest", {"documents": LAMP_KB})
    assert status == 201
    status, found = api.post("/api/kb/search", {"query": "zxqv blorf", "top_k": 5})
    assert status == 200 and found["results"] == []
    status, found = api.post("/api/kb/search", {"query": "request a full refund to my card", "top_k": 5})
    assert found["results"][0]["metadata"]["source"] == "refunds.md"


def _rows(embedder, source, texts):
    from chalicelib.rag.chunking import chunk_id

    vectors = embedder.embed(texts)
    return [{"id": chunk_id(source, i), "text": t, "vector": vectors[i], "source": source, "title": source,
             "heading": "", "chunk_index": i, "created_at": "2026-01-01T00:00:00.000000Z", "metadata": {}}
            for i, t in enumerate(texts)]


def test_a_write_by_another_store_instance_is_seen_after_the_check_interval(kb_aws, monkeypatch):
    """GIVEN two store instances on the same S3 table (two warm functions), the reader's snapshot loaded
    WHEN the other one appends and then deletes rows
    THEN the reader serves its snapshot until the check interval passes, then sees each change."""
    monkeypatch.setenv("KB_CACHE_CHECK_S", "0.5")
    reset_kb_caches()
    from chalicelib.rag.embeddings import get_embedder
    from chalicelib.rag.store import VectorStore, store_location

    embedder = get_embedder()
    reader = VectorStore(store_location(), embedder.space)
    writer = VectorStore(store_location(), embedder.space)
    writer.add(_rows(embedder, "passwords.md", ["reset your password with the e-mailed link"]))
    query = "vpn token rotation"
    vector = embedder.embed([query])[0]
    assert [h.metadata["source"] for h in reader.search(vector, query, 5)] == ["passwords.md"]
    first = reader.snapshot()

    writer.add(_rows(embedder, "vpn.md", ["the vpn token rotation happens every month"]))
    assert reader.snapshot() is first, "the snapshot is re-checked only after the interval"
    deadline = time.monotonic() + 5
    while reader.search(vector, query, 1)[0].metadata["source"] != "vpn.md":
        assert time.monotonic() < deadline, "another instance's append was not seen within 5 s"
        time.sleep(0.1)

    writer.delete("source = 'vpn.md'")
    deadline = time.monotonic() + 5
    while any(h.metadata["source"] == "vpn.md" for h in reader.search(vector, query, 5)):
        assert time.monotonic() < deadline, "another instance's delete was not seen within 5 s"
        time.sleep(0.1)
    assert reader.snapshot().size == 1


def test_a_store_sees_its_own_write_on_the_next_search(kb_aws, monkeypatch):
    monkeypatch.setenv("KB_CACHE_CHECK_S", "3600")
    reset_kb_caches()
    from chalicelib.rag.embeddings import get_embedder
    from chalicelib.rag.store import get_store

    embedder = get_embedder()
    store = get_store(embedder.space)
    store.add(_rows(embedder, "a.md", ["printer jams on the second floor"]))
    vector = embedder.embed(["printer jams"])[0]
    assert len(store.search(vector, "printer jams", 5)) == 1
    store.add(_rows(embedder, "b.md", ["printer jams again: call facilities"]))
    assert {h.metadata["source"] for h in store.search(vector, "printer jams", 5)} == {"a.md", "b.md"}


def test_search_filters_apply_to_the_snapshot(kb_aws):
    from chalicelib.rag.embeddings import get_embedder
    from chalicelib.rag.store import get_store

    embedder = get_embedder()
    store = get_store(embedder.space)
    store.add(_rows(embedder, "a.md", ["printer jams on the second floor"]))
    store.add(_rows(embedder, "b.md", ["printer jams again on the third floor"]))
    vector = embedder.embed(["printer jams"])[0]
    hits = store.search(vector, "printer jams", 5, filters={"source": ["b.md"]})
    assert [h.metadata["source"] for h in hits] == ["b.md"]
    with pytest.raises(ValueError):
        store.search(vector, None, 5, filters={"vector": "x"})
