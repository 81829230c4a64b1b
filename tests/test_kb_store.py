"""The LanceDB vector store against moto server (S3), including two writer processes at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter

import numpy as np
import pytest

from tests.utils.kb import ROOT


def _store():
    from chalicelib.rag.embeddings import get_embedder
    from chalicelib.rag.store import get_store

    embedder = get_embedder()
    return embedder, get_store(embedder.space)


def _rows(embedder, source, texts, heading=""):
    from chalicelib.rag.chunking import chunk_id

    vectors = embedder.embed(texts)
    return [{"id": chunk_id(source, i), "text": t, "vector": vectors[i], "source": source, "title": source,
             "heading": heading, "chunk_index": i, "created_at": "2026-01-01T00:00:00.000000Z",
             "metadata": {"source": source, "lang": "en"}} for i, t in enumerate(texts)]


def test_store_lives_in_the_kb_bucket_on_the_moto_server(kb_aws):
    from chalicelib.config import get_settings
    from tests.utils.kb import s3

    settings = get_settings()
    assert settings.kb_store_uri == "s3://helpdesk-dev-kb-store/lancedb"
    assert settings.kb_storage_options["endpoint"] == kb_aws.endpoint
    embedder, store = _store()
    store.add(_rows(embedder, "a.md", ["hello there"]))
    keys = [o["Key"] for o in s3(kb_aws.endpoint).list_objects_v2(Bucket="helpdesk-dev-kb-store")["Contents"]]
    assert keys and all(k.startswith("lancedb/chunks_hash.lance/") for k in keys)


def test_add_search_filter_delete_count(kb_aws):
    embedder, store = _store()
    store.add(_rows(embedder, "passwords.md", ["reset your password with the e-mailed link",
                                               "passwords expire after ninety days"], heading="Passwords"))
    store.add(_rows(embedder, "refunds.md", ["refunds reach your card within five days"]))
    assert store.count() == 3

    hits = store.vector_search(embedder.embed(["reset password link"])[0], 2)
    assert [h.metadata["source"] for h in hits] == ["passwords.md", "passwords.md"]
    assert hits[0].text.startswith("reset your password")
    assert 0 <= hits[0].distance < hits[1].distance <= 2
    assert hits[0].metadata["heading"] == "Passwords" and hits[0].metadata["lang"] == "en"

    only_refunds = store.vector_search(embedder.embed(["reset password link"])[0], 5, "source = 'refunds.md'")
    assert [h.metadata["source"] for h in only_refunds] == ["refunds.md"]

    store.delete_ids([hits[0].id])
    assert store.count() == 2
    assert hits[0].id not in {h.id for h in store.vector_search(embedder.embed(["reset password"])[0], 10)}


def test_hybrid_search_uses_the_full_text_index_and_keeps_cosine_distance(kb_aws):
    embedder, store = _store()
    texts = [f"general note number {i} about the help desk" for i in range(30)] + ["the VPN token is XK-42"]
    store.add(_rows(embedder, "notes.md", texts))
    query = "XK-42"
    vector = embedder.embed([query])[0]
    hits = store.hybrid_search(vector, query, 3)
    assert hits[0].text == "the VPN token is XK-42"
    assert hits[0].score > hits[1].score
    exact = 1.0 - float(np.dot(vector, embedder.embed([hits[0].text])[0]))
    assert hits[0].distance == pytest.approx(exact, abs=1e-4)


def test_where_clause_quotes_values_and_refuses_unknown_columns():
    from chalicelib.rag.store import where_clause

    assert where_clause({"source": "it's.md"}) == "source IN ('it''s.md')"
    assert where_clause({"title": ["a", "b"], "source": "x"}) == "source IN ('x') AND title IN ('a', 'b')"
    assert where_clause(None) is None
    with pytest.raises(ValueError):
        where_clause({"vector": "1"})


def _run_writers(kb_aws, groups, chunks):
    env = {**os.environ, "EMBEDDER": "hash", "CHUNKS": str(chunks), "START_AT": str(time.time() + 4),
           "AWS_ENDPOINT_URL": kb_aws.endpoint}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.utils.kb_writer", f"w{n}", *sources], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n, sources in enumerate(groups)]
    outputs = [p.communicate(timeout=180) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]


def _all_rows(store):
    table = store.table()
    return table.to_arrow().select(["id", "source", "metadata"]).to_pylist()


def test_two_writer_processes_at_once_lose_and_duplicate_nothing(kb_aws):
    """GIVEN two OS processes writing to the same table on the moto server at the same moment
    WHEN they write different sources (appends race) and then the same sources (replacements race)
    THEN every row is there exactly once."""
    _, store = _store()
    store.table()  # created once up front, as the deployed stack does on first use
    distinct = [[f"w0-{i}.md" for i in range(6)], [f"w1-{i}.md" for i in range(6)]]
    _run_writers(kb_aws, distinct, chunks=15)
    rows = _all_rows(store)
    ids = Counter(r["id"] for r in rows)
    assert len(rows) == 2 * 6 * 15, "an append was lost"
    assert max(ids.values()) == 1, "a row was duplicated"

    shared = [f"shared-{i}.md" for i in range(6)]
    _run_writers(kb_aws, [shared, list(reversed(shared))], chunks=15)
    rows = _all_rows(store)
    ids = Counter(r["id"] for r in rows)
    assert max(ids.values()) == 1, f"duplicated: {[i for i, n in ids.items() if n > 1][:5]}"
    per_source = Counter(r["source"] for r in rows)
    assert all(per_source[s] == 15 for s in shared), per_source
    assert len(rows) == 2 * 6 * 15 + 6 * 15
    for source in shared:  # each shared source holds one writer's complete version, never a mix
        writers = {json.loads(r["metadata"])["writer"] for r in rows if r["source"] == source}
        assert len(writers) == 1, (source, writers)

    from chalicelib.schemas.kb import KbListQuery
    from chalicelib.services import kb

    listed = kb.list_documents(query=KbListQuery(page_size=200))["items"]
    assert {d["source"]: d["chunk_count"] for d in listed} == dict.fromkeys([*sum(distinct, []), *shared], 15)


def test_maintenance_compacts_and_adds_the_vector_index_only_past_the_threshold(kb_aws):
    embedder, store = _store()
    for batch in range(3):
        store.add(_rows(embedder, f"doc-{batch}.md", [f"note {batch}-{i} about topic {i % 7}" for i in range(100)]))
    assert "optimize" in store.ensure_indexes(vector_index_min_rows=1_000)
    assert not store.has_vector_index(max_age_s=0)
    done = store.ensure_indexes(vector_index_min_rows=300)
    assert any(step.startswith("ivf_pq") for step in done) and store.has_vector_index(max_age_s=0)
    query = embedder.embed(["note 1-5 about topic 5"])[0]
    assert store.vector_search(query, 1, refine_factor=10)[0].text == "note 1-5 about topic 5"
    assert store.count() == 300
