"""S3 -> SQS -> Lambda ingest with real payloads: files are uploaded to the moto bucket, the notifications are
received from the queue and handed to the Chalice handlers exactly as Lambda's event source mapping would."""

from __future__ import annotations

import json

import pytest

from tests.utils.kb import bodies, lambda_event, receive, s3

UPLOADS = "helpdesk-dev-kb-uploads"


@pytest.fixture
def client(kb_aws, app):
    from chalice.test import Client

    from tests.utils.kb import ROOT

    with Client(app, stage_name="dev", project_dir=str(ROOT)) as test_client:
        yield test_client


def _invoke(client, name, messages, endpoint, queue):
    response = client.lambda_.invoke(name, lambda_event(messages, endpoint, queue))
    return response.payload


def _deliver(client, endpoint, want=1):
    """Receive the bucket's notifications and run them through the kb_ingest handler."""
    messages = receive(endpoint, "kb-ingest", want)
    assert len(messages) >= want
    payload = _invoke(client, "kb_ingest", messages, endpoint, "kb-ingest")
    assert payload == {"batchItemFailures": []}, payload
    return messages


def _documents():
    from chalicelib.schemas.kb import KbListQuery
    from chalicelib.services import kb

    return {d["source"]: d for d in kb.list_documents(query=KbListQuery(page_size=200))["items"]}


def _search(query, **filters):
    from chalicelib.schemas.kb import KbSearchIn
    from chalicelib.services import kb

    return kb.search(data=KbSearchIn(query=query, top_k=10, filter=filters or None), audience="agent")["results"]


def test_first_message_is_the_s3_test_event_and_is_skipped(client, kb_aws):
    messages = receive(kb_aws.endpoint, "kb-ingest", 1)
    assert bodies(messages)[0].get("Event") == "s3:TestEvent" and "Records" not in bodies(messages)[0]
    payload = _invoke(client, "kb_ingest", messages, kb_aws.endpoint, "kb-ingest")
    assert payload == {"batchItemFailures": []}


def test_uploaded_file_becomes_searchable_and_removal_drops_it(client, kb_aws):
    receive(kb_aws.endpoint, "kb-ingest", 1)  # the s3:TestEvent
    key = "guides/vpn guide (ü).md"
    s3(kb_aws.endpoint).put_object(Bucket=UPLOADS, Key=key,
                                   Body=b"# VPN\n\nConnect with the VPN client, then sign in.")
    messages = _deliver(client, kb_aws.endpoint)
    record = bodies(messages)[0]["Records"][0]
    assert record["eventName"].startswith("ObjectCreated")
    assert record["s3"]["object"]["key"] != key  # URL-encoded on the wire
    hits = _search("vpn client")
    assert hits and hits[0]["metadata"]["source"] == key and hits[0]["metadata"]["title"] == "VPN"
    assert _documents()[key]["origin"] == "s3" and _documents()[key]["chunk_count"] == 1

    s3(kb_aws.endpoint).delete_object(Bucket=UPLOADS, Key=key)
    messages = _deliver(client, kb_aws.endpoint)
    assert bodies(messages)[0]["Records"][0]["eventName"].startswith("ObjectRemoved")
    assert _search("vpn client") == [] and key not in _documents()


def test_overwriting_a_file_replaces_its_chunks(client, kb_aws):
    receive(kb_aws.endpoint, "kb-ingest", 1)
    bucket = s3(kb_aws.endpoint)
    long_text = "# Policy\n\n" + "\n\n".join(f"Rule {i}: tickets are answered in order." for i in range(40))
    bucket.put_object(Bucket=UPLOADS, Key="policy.txt", Body=long_text.encode())
    _deliver(client, kb_aws.endpoint)
    assert _documents()["policy.txt"]["chunk_count"] > 2
    bucket.put_object(Bucket=UPLOADS, Key="policy.txt", Body=b"# Policy\n\nOne rule now.")
    _deliver(client, kb_aws.endpoint)
    assert _documents()["policy.txt"]["chunk_count"] == 1
    assert [h["content"] for h in _search("rule", source="policy.txt")] == ["# Policy\n\nOne rule now."]


def test_a_stale_event_does_not_undo_a_newer_one(client, kb_aws):
    receive(kb_aws.endpoint, "kb-ingest", 1)
    bucket = s3(kb_aws.endpoint)
    bucket.put_object(Bucket=UPLOADS, Key="late.md", Body=b"first version")
    older = receive(kb_aws.endpoint, "kb-ingest", 1)
    bucket.delete_object(Bucket=UPLOADS, Key="late.md")
    _deliver(client, kb_aws.endpoint)  # the removal arrives first
    sequencers = [bodies(older)[0]["Records"][0]["s3"]["object"].get("sequencer")]
    payload = _invoke(client, "kb_ingest", older, kb_aws.endpoint, "kb-ingest")  # then the older create
    assert payload == {"batchItemFailures": []}
    assert "late.md" not in _documents(), sequencers


def test_events_older_than_the_applied_one_are_ignored_by_sequencer(client, kb_aws):
    from chalicelib.services import kb_ingest

    receive(kb_aws.endpoint, "kb-ingest", 1)
    s3(kb_aws.endpoint).put_object(Bucket=UPLOADS, Key="seq.md", Body=b"# Seq\n\nVersion two.")
    body = bodies(receive(kb_aws.endpoint, "kb-ingest", 1))[0]

    def with_sequencer(value, event=None):
        copy = json.loads(json.dumps(body))
        copy["Records"][0]["s3"]["object"]["sequencer"] = value
        if event:
            copy["Records"][0]["eventName"] = event
        return copy

    assert kb_ingest.handle_notification(with_sequencer("0062F1A2B3C4D5E6F7"))["objects"][0]["stale"] is False
    # An older removal (shorter sequencer: compared right-padded with zeros) must not delete the newer version.
    assert kb_ingest.handle_notification(with_sequencer("0062F1A2B3C4D5E6F", "ObjectRemoved:Delete"))[
        "objects"][0]["removed"] is False
    assert kb_ingest.handle_notification(with_sequencer("0062F1A2B3C4D5E6F0"))["objects"][0]["stale"] is True
    assert _documents()["seq.md"]["chunk_count"] == 1
    assert kb_ingest.handle_notification(with_sequencer("0062f1a2b3c4d5e6f8", "ObjectRemoved:Delete"))[
        "objects"][0]["removed"] is True
    assert "seq.md" not in _documents()


def test_large_file_fans_out_into_embedding_jobs(client, kb_aws):
    from chalicelib.services import kb_ingest

    receive(kb_aws.endpoint, "kb-ingest", 1)
    paragraphs = [f"Paragraph {i} of the handbook explains topic number {i} in enough words to matter." for i in
                  range(400)]
    s3(kb_aws.endpoint).put_object(Bucket=UPLOADS, Key="handbook.md",
                                   Body=("# Handbook\n\n" + "\n\n".join(paragraphs)).encode())
    _deliver(client, kb_aws.endpoint)
    doc = _documents()["handbook.md"]
    assert doc["status"] == "ingesting" and doc["chunk_count"] > kb_ingest.INLINE_MAX_CHUNKS
    jobs = receive(kb_aws.endpoint, "kb-embed", 3)
    assert len(jobs) == -(-doc["chunk_count"] // kb_ingest.JOB_CHUNKS)
    first, rest = jobs[:1], jobs[1:]
    assert _invoke(client, "kb_embed", first, kb_aws.endpoint, "kb-embed") == {"batchItemFailures": []}
    assert _documents()["handbook.md"]["status"] == "ingesting"
    for start in range(0, len(rest), 4):
        assert _invoke(client, "kb_embed", rest[start:start + 4], kb_aws.endpoint, "kb-embed") == {
            "batchItemFailures": []}
    assert _documents()["handbook.md"]["status"] == "ready"

    # A job delivered again as a new message (at-least-once) replaces its chunks instead of adding copies.
    again = [{**first[0], "MessageId": "redelivered-1"}]
    assert _invoke(client, "kb_embed", again, kb_aws.endpoint, "kb-embed") == {"batchItemFailures": []}
    from chalicelib.rag.embeddings import get_embedder
    from chalicelib.rag.store import get_store

    table = get_store(get_embedder().space).table()
    ids = table.to_arrow().column("id").to_pylist()
    assert len(ids) == len(set(ids)) == doc["chunk_count"]


def test_one_bad_record_fails_alone(client, kb_aws):
    receive(kb_aws.endpoint, "kb-ingest", 1)
    s3(kb_aws.endpoint).put_object(Bucket=UPLOADS, Key="good.md", Body=b"# Good\n\nFine content.")
    good = receive(kb_aws.endpoint, "kb-ingest", 1)
    broken_body = json.loads(good[0]["Body"])
    broken_body["Records"][0]["s3"]["bucket"]["name"] = "no-such-bucket-here"
    bad = [{**good[0], "MessageId": "bad-1", "Body": json.dumps(broken_body)}]
    payload = _invoke(client, "kb_ingest", good + bad, kb_aws.endpoint, "kb-ingest")
    assert payload == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    assert "good.md" in _documents()


def test_other_file_types_are_not_delivered(client, kb_aws):
    receive(kb_aws.endpoint, "kb-ingest", 1)
    s3(kb_aws.endpoint).put_object(Bucket=UPLOADS, Key="logo.png", Body=b"\x89PNG")
    assert receive(kb_aws.endpoint, "kb-ingest", 1, timeout_s=2) == []


def test_the_hourly_optimize_schedule_runs_through_the_app(client, kb_aws):
    receive(kb_aws.endpoint, "kb-ingest", 1)
    s3(kb_aws.endpoint).put_object(Bucket=UPLOADS, Key="opt.md", Body=b"# Opt\n\nSomething to index.")
    _deliver(client, kb_aws.endpoint)
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=[])
    payload = client.lambda_.invoke("kb_optimize", event).payload
    assert "optimize" in payload["done"]
    assert _search("something to index")[0]["metadata"]["source"] == "opt.md"
