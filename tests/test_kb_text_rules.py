"""Document text follows the rules of every other text field: NUL is refused on the API path (422 naming the
field, nothing written) and an uploaded file containing it is recorded as failed, with the reason."""

from __future__ import annotations

from tests.test_kb_ingest_events import UPLOADS, _deliver, _documents, _search, client  # noqa: F401
from tests.utils.kb import receive, s3


def test_ingest_refuses_nul_in_document_text_and_writes_nothing(kb_aws, api):
    documents = [{"text": "Fine text.", "metadata": {"source": "fine.md"}},
                 {"text": "Before\u0000after.", "metadata": {"source": "nul.md"}}]
    status, body = api.post("/api/kb/ingest", {"documents": documents})
    assert status == 422, body
    assert [d["field"] for d in body["details"]] == ["documents.1.text"], body
    assert "NUL" in body["details"][0]["message"]
    assert api.get("/api/kb/documents")[1]["items"] == []


def test_an_uploaded_file_with_nul_is_recorded_as_failed_with_the_reason(client, kb_aws):  # noqa: F811
    receive(kb_aws.endpoint, "kb-ingest", 1)  # the bucket's s3:TestEvent
    bucket = s3(kb_aws.endpoint)
    bucket.put_object(Bucket=UPLOADS, Key="guide.md", Body=b"# Guide\n\nReset the router first.")
    _deliver(client, kb_aws.endpoint)
    assert _documents()["guide.md"]["status"] == "ready"

    bucket.put_object(Bucket=UPLOADS, Key="guide.md", Body=b"# Guide\n\nReset\x00 the modem first.")
    _deliver(client, kb_aws.endpoint)  # not a batch failure: retrying would fail the same way
    record = _documents()["guide.md"]
    assert record["status"] == "failed" and record["chunk_count"] == 0
    assert "NUL" in (record["error"] or "")
    assert [h for h in _search("router") if h["metadata"]["source"] == "guide.md"] == []

    bucket.put_object(Bucket=UPLOADS, Key="guide.md", Body=b"# Guide\n\nReset the modem first.")
    _deliver(client, kb_aws.endpoint)
    record = _documents()["guide.md"]
    assert record["status"] == "ready" and record["error"] is None and record["chunk_count"] == 1
