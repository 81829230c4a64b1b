"""KB collections through the API: create, list with counts, update, delete (refused while documents remain unless
asked), `collection` on ingest, search, delete and the document list; S3 uploads pick theirs from object metadata."""

from __future__ import annotations

import json

import pytest

from tests.utils.factories import make_user_with_token

RUNBOOK = {"text": "# VPN token rotation\n\nRotate the VPN token from the admin console every month.\n",
           "metadata": {"source": "runbooks/vpn.md"}}
HELP = {"text": "# Password resets\n\nChoose Forgot password on the sign-in page; the link lasts 30 minutes.\n",
        "metadata": {"source": "help/reset.md"}}
LONG = {"text": "# Printers\n\n" + "\n\n".join(f"Step {i}: the printer on floor {i} needs toner of kind {i}. " * 4
                                             for i in range(6)),
        "metadata": {"source": "runbooks/printers.md"}}


def create(api, name="runbooks", visibility="internal", description="How agents fix things"):
    status, body = api.post("/api/kb/collections", {"name": name, "visibility": visibility,
                                                    "description": description})
    assert status == 201, body
    return body


def collections(api):
    status, body = api.get("/api/kb/collections")
    assert status == 200, body
    return {c["name"]: c for c in body["items"]}


def ingest(api, documents, collection=None):
    payload = {"documents": documents, **({"collection": collection} if collection else {})}
    status, body = api.post("/api/kb/ingest", payload)
    assert status == 201, body
    return body


def test_default_always_exists_and_new_collections_are_listed_with_their_counts(kb_aws, api):
    assert list(collections(api).values()) == [{"name": "default", "visibility": "public", "description": "",
                                                "document_count": 0, "chunk_count": 0, "created_at": None,
                                                "updated_at": None}]
    made = create(api)
    assert made["name"] == "runbooks" and made["visibility"] == "internal" and made["document_count"] == 0
    body = ingest(api, [RUNBOOK, LONG], "runbooks")
    assert body["collection"] == "runbooks"
    ingest(api, [HELP])
    listed = collections(api)
    assert list(listed) == ["default", "runbooks"]
    chunks = sum(d["chunk_count"] for d in body["documents"])
    assert (listed["runbooks"]["document_count"], listed["runbooks"]["chunk_count"]) == (2, chunks)
    assert (listed["default"]["document_count"], listed["default"]["chunk_count"]) == (1, 1)


def test_counts_follow_reingests_moves_and_deletes(kb_aws, api):
    create(api)
    first = ingest(api, [LONG], "runbooks")
    assert collections(api)["runbooks"]["chunk_count"] == first["documents"][0]["chunk_count"] > 2
    shorter = {**LONG, "text": "# Printers\n\nCall facilities.\n"}
    ingest(api, [shorter], "runbooks")
    assert (collections(api)["runbooks"]["document_count"], collections(api)["runbooks"]["chunk_count"]) == (1, 1)
    moved = ingest(api, [shorter])  # the same source into default: it moves
    listed = collections(api)
    assert (listed["runbooks"]["document_count"], listed["runbooks"]["chunk_count"]) == (0, 0)
    assert (listed["default"]["document_count"], listed["default"]["chunk_count"]) == (1, 1)
    _, documents = api.get("/api/kb/documents?collection=runbooks")
    assert documents["items"] == []
    _, documents = api.get("/api/kb/documents?collection=default")
    assert [(d["source"], d["collection"]) for d in documents["items"]] == [("runbooks/printers.md", "default")]
    status, deleted = api.post("/api/kb/delete", {"ids": moved["ids"]})
    assert status == 200 and deleted["deleted"] == 1
    assert collections(api)["default"]["document_count"] == 0 and collections(api)["default"]["chunk_count"] == 0


def test_collection_scopes_search_delete_and_the_document_list(kb_aws, api):
    create(api)
    runbook = ingest(api, [RUNBOOK], "runbooks")
    helps = ingest(api, [HELP])
    status, found = api.post("/api/kb/search", {"query": "rotate the vpn token in the admin console"})
    assert status == 200 and found["results"][0]["metadata"]["source"] == "runbooks/vpn.md"
    assert found["results"][0]["metadata"]["collection"] == "runbooks", "agents see internal collections"
    status, found = api.post("/api/kb/search", {"query": "rotate the vpn token in the admin console",
                                                "collection": "default"})
    assert status == 200 and all(h["metadata"]["collection"] == "default" for h in found["results"])
    assert "runbooks/vpn.md" not in [h["metadata"]["source"] for h in found["results"]]
    _, page = api.get("/api/kb/documents?collection=runbooks&page_size=1")
    assert [d["source"] for d in page["items"]] == ["runbooks/vpn.md"] and page["next_cursor"] is None
    _, everything = api.get("/api/kb/documents")
    assert {d["source"]: d["collection"] for d in everything["items"]} == {"runbooks/vpn.md": "runbooks",
                                                                           "help/reset.md": "default"}
    status, body = api.post("/api/kb/delete", {"ids": runbook["ids"] + helps["ids"], "collection": "default"})
    assert status == 200 and body == {"deleted": 1, "not_found": runbook["ids"]}
    assert collections(api)["runbooks"]["document_count"] == 1


def test_the_document_list_of_one_collection_pages_with_a_cursor_bound_to_it(kb_aws, api):
    create(api)
    docs = [{"text": f"# Note {i}\n\nRunbook note number {i}.\n", "metadata": {"source": f"rb/{i}.md"}}
            for i in range(5)]
    ingest(api, docs, "runbooks")
    ingest(api, [HELP])
    seen, cursor = [], None
    while True:
        status, page = api.get("/api/kb/documents?collection=runbooks&page_size=2"
                               + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200 and len(page["items"]) <= 2
        seen += [d["source"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"rb/{i}.md" for i in range(5)]
    status, page = api.get("/api/kb/documents?page_size=2")
    status, body = api.get(f"/api/kb/documents?collection=runbooks&cursor={page['next_cursor']}")
    assert status == 422, "a cursor of another list is refused"


def test_updates_change_visibility_and_description_but_never_the_name(kb_aws, api):
    create(api)
    status, body = api.put("/api/kb/collections/runbooks", {"visibility": "public", "description": "Shared"})
    assert status == 200 and body["visibility"] == "public" and body["description"] == "Shared"
    status, body = api.put("/api/kb/collections/runbooks", {"name": "other", "visibility": "public"})
    assert status == 422 and body["details"][0]["field"] == "name"
    status, body = api.put("/api/kb/collections/default", {"visibility": "internal"})
    assert status == 422 and body["details"][0]["field"] == "visibility"
    status, body = api.put("/api/kb/collections/default", {"visibility": "public", "description": "Help centre"})
    assert status == 200 and body["description"] == "Help centre" and body["created_at"]
    assert api.put("/api/kb/collections/missing", {"visibility": "public"})[0] == 404


@pytest.mark.parametrize("name", ["", "Runbooks", "-x", "a b", "a/b", "x" * 64, "ünïcode", 7])
def test_a_bad_name_is_a_422_naming_it(kb_aws, api, name):
    status, body = api.post("/api/kb/collections", {"name": name, "visibility": "internal"})
    assert status == 422 and body["details"][0]["field"] == "name", body
    status, body = api.post("/api/kb/ingest", {"documents": [HELP], "collection": name})
    assert status == 422 and body["details"][0]["field"] == "collection", body
    assert collections(api).keys() == {"default"}


def test_other_bad_input_is_a_4xx_naming_the_field(kb_aws, api):
    status, body = api.post("/api/kb/collections", {"name": "x", "visibility": "secret"})
    assert status == 422 and body["details"][0]["field"] == "visibility"
    status, body = api.post("/api/kb/collections", {"name": "x", "visibility": "public", "extra": 1})
    assert status == 422 and body["details"][0]["field"] == "extra"
    create(api)
    status, body = api.post("/api/kb/collections", {"name": "runbooks", "visibility": "public"})
    assert status == 409 and body["details"][0]["field"] == "name"
    status, body = api.post("/api/kb/collections", {"name": "default", "visibility": "public"})
    assert status == 409
    status, body = api.post("/api/kb/ingest", {"documents": [HELP], "collection": "nowhere"})
    assert status == 404 and "nowhere" in body["message"]
    assert api.get("/api/kb/documents")[1]["items"] == [], "nothing written"


def test_deleting_a_collection_with_documents_needs_delete_documents(kb_aws, api):
    create(api)
    ingest(api, [RUNBOOK, LONG], "runbooks")
    ingest(api, [HELP])
    status, body = api.delete("/api/kb/collections/runbooks")
    assert status == 409 and body["details"][0]["field"] == "delete_documents"
    status, body = api.delete("/api/kb/collections/runbooks?delete_documents=true")
    assert status == 200 and body["documents_deleted"] == 2 and body["chunks_deleted"] > 2
    assert list(collections(api)) == ["default"]
    status, found = api.post("/api/kb/search", {"query": "rotate the vpn token printer toner", "top_k": 20})
    assert all(h["metadata"]["collection"] == "default" for h in found["results"])
    assert [d["source"] for d in api.get("/api/kb/documents")[1]["items"]] == ["help/reset.md"]
    assert api.delete("/api/kb/collections/runbooks")[0] == 404
    assert api.delete("/api/kb/collections/default")[0] == 409
    create(api)  # the name is free again, and the new collection starts empty
    assert collections(api)["runbooks"]["document_count"] == 0
    assert api.delete("/api/kb/collections/runbooks")[0] == 200, "an empty collection needs no flag"


def test_requesters_cannot_reach_any_collection_route(kb_aws, api):
    create(api)
    requester = api.as_(make_user_with_token()["token"])
    assert requester.get("/api/kb/collections")[0] == 403
    assert requester.post("/api/kb/collections", {"name": "mine", "visibility": "public"})[0] == 403
    assert requester.put("/api/kb/collections/runbooks", {"visibility": "public"})[0] == 403
    assert requester.delete("/api/kb/collections/runbooks")[0] == 403
    assert requester.post("/api/kb/search", {"query": "vpn"})[0] == 403
    assert collections(api)["runbooks"]["visibility"] == "internal"


def _upload(kb_aws, key, body, metadata):
    from chalicelib.config import get_settings
    from tests.utils.kb import s3

    s3(kb_aws.endpoint).put_object(Bucket=get_settings().bucket_name("kb-uploads"), Key=key, Body=body.encode(),
                                   Metadata=metadata)


def _notify(key):
    from chalicelib.config import get_settings
    from chalicelib.services import kb_ingest

    record = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": get_settings().bucket_name("kb-uploads")},
                                                       "object": {"key": key, "sequencer": "0A"}}}
    return kb_ingest.handle_notification(json.loads(json.dumps({"Records": [record]})))


def test_an_upload_names_its_collection_in_its_metadata(kb_aws, api):
    create(api)
    _upload(kb_aws, "ops/vpn.md", RUNBOOK["text"], {"collection": "runbooks"})
    _upload(kb_aws, "ops/reset.md", HELP["text"], {})
    _upload(kb_aws, "ops/lost.md", HELP["text"], {"collection": "nowhere"})
    for key in ("ops/vpn.md", "ops/reset.md", "ops/lost.md"):
        _notify(key)
    documents = {d["source"]: d for d in api.get("/api/kb/documents")[1]["items"]}
    assert documents["ops/vpn.md"]["collection"] == "runbooks" and documents["ops/vpn.md"]["status"] == "ready"
    assert documents["ops/reset.md"]["collection"] == "default"
    assert documents["ops/lost.md"]["status"] == "failed" and "nowhere" in documents["ops/lost.md"]["error"]
    assert collections(api)["runbooks"]["document_count"] == 1
    status, found = api.post("/api/kb/search", {"query": "rotate the vpn token", "collection": "runbooks"})
    assert [h["metadata"]["source"] for h in found["results"]] == ["ops/vpn.md"]


def test_kb_loader_puts_files_in_the_named_collection(kb_aws, api, tmp_path, capsys):
    from kb_loader.cli import main

    (tmp_path / "vpn.md").write_text(RUNBOOK["text"])
    assert main([str(tmp_path), "--prefix", "ops", "--collection", "nowhere"]) == 1
    assert "no collection named 'nowhere'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--collection", "Bad Name"])
    create(api)
    assert main([str(tmp_path), "--prefix", "ops", "--collection", "runbooks"]) == 0
    assert "collection runbooks" in capsys.readouterr().out
    _notify("ops/vpn.md")
    [document] = api.get("/api/kb/documents?collection=runbooks")[1]["items"]
    assert document["source"] == "ops/vpn.md"


def test_a_chunk_table_made_before_collections_gets_the_column_with_every_row_in_default(tmp_path):
    import lancedb
    import pyarrow as pa

    from chalicelib.rag.store import StoreLocation, VectorStore, _schema

    old_schema = pa.schema([f for f in _schema(4) if f.name != "collection"])
    row = {"id": "a-0", "text": "old row", "search_text": "old row", "vector": [1.0, 0.0, 0.0, 0.0], "source": "a.md",
           "title": "A", "heading": "", "chunk_index": 0, "created_at": "2026-01-01", "metadata": "{}"}
    lancedb.connect(str(tmp_path)).create_table("chunks_test", pa.Table.from_pylist([row], schema=old_schema))
    store = VectorStore(StoreLocation(str(tmp_path), {}, "chunks", 50_000), "test", dim=4)
    assert store.rows("id = 'a-0'", ("id", "collection")) == [{"id": "a-0", "collection": "default"}]
    [hit] = store.search([1.0, 0.0, 0.0, 0.0], None, 5, filters={"collection": ["default"]})
    assert hit.metadata["collection"] == "default"
