"""The knowledge-base API: ingest, search, delete, list, and every input limit."""

from __future__ import annotations

import pytest

DOCS = [
    {"text": "# Resetting your password\n\nIf you cannot log in, open the sign-in page and choose \"Forgot password\"."
             "\nWe e-mail a reset link that is valid for 30 minutes. Check your spam folder if it does not arrive.\n",
     "metadata": {"source": "faq/password.md", "team": "identity"}},
    {"text": "# Refunds\n\nRefunds are issued to the original payment method within 5 business days\n"
             "after the returned item reaches our warehouse in Rotterdam.\n",
     "metadata": {"source": "faq/refunds.md"}},
]


def _ingest(api, docs=DOCS, **extra):
    status, body = api.post("/api/kb/ingest", {"documents": docs, **extra})
    assert status == 201, body
    return body


def test_ingest_search_delete_roundtrip(kb_aws, api):
    body = _ingest(api)
    assert len(body["ids"]) == len(set(body["ids"])) == 2
    assert body["documents"] == [{"source": "faq/password.md", "chunk_count": 1},
                                 {"source": "faq/refunds.md", "chunk_count": 1}]

    status, found = api.post("/api/kb/search", {"query": "reset link for my password", "top_k": 2})
    assert status == 200, found
    first = found["results"][0]
    assert set(first) >= {"id", "content", "metadata", "distance"}
    assert "reset link" in first["content"] and first["id"] == body["ids"][0]
    assert first["metadata"]["source"] == "faq/password.md"
    assert first["metadata"]["team"] == "identity" and first["metadata"]["heading"] == "Resetting your password"
    assert isinstance(first["distance"], float) and 0 <= first["distance"] <= 2

    status, deleted = api.post("/api/kb/delete", {"ids": [body["ids"][0], "nope-00000"]})
    assert status == 200 and deleted == {"deleted": 1, "not_found": ["nope-00000"]}
    status, found = api.post("/api/kb/search", {"query": "reset link for my password", "top_k": 10})
    assert body["ids"][0] not in {h["id"] for h in found["results"]}
    status, listed = api.get("/api/kb/documents")
    assert [d["source"] for d in listed["items"]] == ["faq/refunds.md"]  # no chunks left: no document


def test_reingesting_a_source_replaces_its_chunks(kb_aws, api):
    long_text = "# Guide\n\n" + " ".join(f"Step {i} explains one more thing." for i in range(60))
    first = _ingest(api, [{"text": long_text, "metadata": {"source": "guide.md"}}], chunk_size=200, chunk_overlap=20)
    again = _ingest(api, [{"text": long_text, "metadata": {"source": "guide.md"}}], chunk_size=200, chunk_overlap=20)
    assert first["ids"] == again["ids"] and len(first["ids"]) > 5
    shorter = _ingest(api, [{"text": "# Guide\n\nNow it is short.", "metadata": {"source": "guide.md"}}])
    assert len(shorter["ids"]) == 1
    status, listed = api.get("/api/kb/documents")
    assert [(d["source"], d["chunk_count"]) for d in listed["items"]] == [("guide.md", 1)]
    status, found = api.post("/api/kb/search", {"query": "guide: step explains, now it is short", "top_k": 50})
    assert [h["id"] for h in found["results"]] == shorter["ids"]


def test_documents_without_source_are_keyed_by_content(kb_aws, api):
    one = _ingest(api, [{"text": "Plain text without a name."}], chunk=False)
    two = _ingest(api, [{"text": "Plain text without a name."}], chunk=False)
    assert one["ids"] == two["ids"]
    assert one["documents"][0]["source"].startswith("text-")


def test_search_filters_by_metadata(kb_aws, api):
    _ingest(api)
    status, found = api.post("/api/kb/search", {"query": "password reset or refunds", "top_k": 5,
                                                "filter": {"source": "faq/refunds.md"}})
    assert status == 200 and [h["metadata"]["source"] for h in found["results"]] == ["faq/refunds.md"]
    status, found = api.post("/api/kb/search", {"query": "password reset or refunds", "top_k": 5,
                                                "filter": {"source": ["faq/refunds.md", "faq/password.md"]}})
    assert len(found["results"]) == 2


def test_document_list_pages_with_a_cursor(kb_aws, api):
    _ingest(api, [{"text": f"Document {n}.", "metadata": {"source": f"doc-{n}.md"}} for n in range(3)])
    status, page = api.get("/api/kb/documents?page_size=2")
    assert status == 200 and [d["source"] for d in page["items"]] == ["doc-0.md", "doc-1.md"]
    assert page["items"][0]["chunk_count"] == 1 and page["items"][0]["status"] == "ready"
    status, rest = api.get(f"/api/kb/documents?page_size=2&cursor={page['next_cursor']}")
    assert [d["source"] for d in rest["items"]] == ["doc-2.md"] and rest["next_cursor"] is None
    status, body = api.get("/api/kb/documents?cursor=bogus")
    assert status == 422 and body["details"][0]["field"] == "cursor"


def _search(query="refund", top_k=5, **extra):
    return {"query": query, "top_k": top_k, **extra}


@pytest.mark.parametrize(("path", "payload", "field"), [
    ("/api/kb/search", _search(query=""), "query"),
    ("/api/kb/search", _search(query="   "), "query"),
    ("/api/kb/search", _search(top_k=0), "top_k"),
    ("/api/kb/search", _search(top_k=-1), "top_k"),
    ("/api/kb/search", _search(top_k=51), "top_k"),
    ("/api/kb/search", _search(top_k="5"), "top_k"),
    ("/api/kb/search", _search(query="q" * 2001), "query"),
    ("/api/kb/search", _search(filter={"vector": "x"}), "filter.vector"),
    ("/api/kb/search", _search(filter={"source": {"nested": 1}}), "filter.source"),
    ("/api/kb/search", _search(filter={"source": []}), "filter.source"),
    ("/api/kb/search", _search(filter={"title": [1]}), "filter.title"),
    ("/api/kb/search", {"top_k": 5}, "query"),
    ("/api/kb/ingest", {"documents": []}, "documents"),
    ("/api/kb/ingest", {}, "documents"),
    ("/api/kb/ingest", {"documents": [{"text": "   "}]}, "documents.0.text"),
    ("/api/kb/ingest", {"documents": [{"text": "x" * 200_001}]}, "documents.0.text"),
    ("/api/kb/ingest", {"documents": [{"text": "ok"}] * 101}, "documents"),
    ("/api/kb/ingest", {"documents": [{"text": "ok", "metadata": {"a": {"b": 1}}}]}, "documents.0.metadata"),
    ("/api/kb/ingest", {"documents": [{"text": "ok", "metadata": {"tags": ["a"]}}]}, "documents.0.metadata"),
    ("/api/kb/ingest", {"documents": [{"text": "ok", "metadata": {f"k{i}": i for i in range(21)}}]},
     "documents.0.metadata"),
    ("/api/kb/ingest", {"documents": [{"text": "ok", "metadata": {"k": "v" * 1025}}]}, "documents.0.metadata"),
    ("/api/kb/ingest", {"documents": [{"text": "ok", "metadata": {"source": ""}}]}, "documents.0.metadata"),
    ("/api/kb/ingest", {"documents": [{"text": "ok", "metadata": "flat"}]}, "documents.0.metadata"),
    ("/api/kb/ingest", {"documents": [{"text": "ok"}], "chunk_size": 500, "chunk_overlap": 500}, "chunk_overlap"),
    ("/api/kb/ingest", {"documents": [{"text": "ok"}], "chunk_size": 99}, "chunk_size"),
    ("/api/kb/ingest", {"documents": [{"text": "ok"}], "chunk_size": 4001}, "chunk_size"),
    ("/api/kb/ingest", {"documents": [{"text": "ok"}], "chunk_overlap": -1}, "chunk_overlap"),
    ("/api/kb/ingest", {"documents": [{"text": "ok"}], "surprise": 1}, "surprise"),
    ("/api/kb/delete", {"ids": []}, "ids"),
    ("/api/kb/delete", {"ids": [""]}, "ids.0"),
    ("/api/kb/delete", {}, "ids"),
])
def test_bad_input_is_a_422_naming_the_field(kb_aws, api, path, payload, field):
    status, body = api.post(path, payload)
    assert status == 422, body
    assert body["error"] == "validation_error"
    assert field in [d["field"] for d in body["details"]], body


def test_oversized_requests_are_413(kb_aws, api):
    status, body = api.post("/api/kb/ingest", {"documents": [{"text": "y " * 600_000}]})
    assert status == 413, body
    many = [{"text": "Sentence here. " * 800, "metadata": {"source": f"big-{n}.md"}} for n in range(20)]
    status, body = api.post("/api/kb/ingest", {"documents": many, "chunk_size": 100, "chunk_overlap": 0})
    assert status == 413 and "chunks" in body["message"], body


def test_duplicate_sources_in_one_request_are_refused(kb_aws, api):
    docs = [{"text": "a", "metadata": {"source": "same.md"}}, {"text": "b", "metadata": {"source": "same.md"}}]
    status, body = api.post("/api/kb/ingest", {"documents": docs})
    assert status == 422 and body["details"][0]["field"] == "documents"


def test_requesters_cannot_use_the_kb(kb_aws, api):
    from tests.utils.factories import make_user_with_token

    requester = api.as_(make_user_with_token("requester")["token"])
    assert requester.post("/api/kb/search", _search())[0] == 403
    assert requester.post("/api/kb/ingest", {"documents": DOCS})[0] == 403
    assert requester.get("/api/kb/documents")[0] == 403
    assert api.as_(None).post("/api/kb/search", _search())[0] == 401


def test_with_the_real_model_the_paraphrase_finds_the_right_chunk(kb_aws, api, monkeypatch):
    from tests.utils.kb import onnx_model_path, reset_kb_caches

    monkeypatch.setenv("EMBEDDER", "onnx")
    monkeypatch.setenv("ONNX_MODEL_PATH", str(onnx_model_path()))
    reset_kb_caches()
    _ingest(api)
    status, found = api.post("/api/kb/search", {"query": "when is my money returned", "top_k": 2})
    assert status == 200 and "Rotterdam" in found["results"][0]["content"], found
    status, found = api.post("/api/kb/search", {"query": "how do I reset my password", "top_k": 2})
    assert "reset link" in found["results"][0]["content"]
    reset_kb_caches()


def test_a_source_held_by_another_writer_is_a_503_and_an_expired_lease_is_taken_over(kb_aws, api, monkeypatch):
    from chalicelib.services import kb
    from chalicelib.store import locks as kb_locks

    monkeypatch.setattr(kb, "API_LEASE_WAIT_S", 0.3)
    doc = [{"text": "Busy document.", "metadata": {"source": "busy.md"}}]
    assert kb_locks.acquire("busy.md", "another-writer", ttl_s=60)
    status, body = api.post("/api/kb/ingest", {"documents": doc})
    assert status == 503 and body["error"] == "unavailable", body
    assert api.get("/api/kb/documents")[1]["items"] == []

    kb_locks.release("busy.md", "another-writer")
    assert kb_locks.acquire("busy.md", "crashed-writer", ttl_s=-1)  # its holder died long ago
    assert api.post("/api/kb/ingest", {"documents": doc})[0] == 201
    assert kb_locks.acquire("busy.md", "next", ttl_s=60)  # the ingest released the lease it took over
    kb_locks.release("busy.md", "next")
