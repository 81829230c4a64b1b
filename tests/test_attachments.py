"""Attachments through the API: presigned uploads with type and size limits, bound once to the uploader's next
reply, downloadable only by whoever may read that reply."""

from __future__ import annotations

from typing import Any

import requests

from tests.utils.factories import make_ticket, make_user_with_token


def _upload(api: Any, ticket_id: int, data: bytes = b"hello", content_type: str = "text/plain",
            size: int | None = None) -> str:
    status, created = api.post(f"/api/tickets/{ticket_id}/attachments",
                               {"filename": "notes.txt", "content_type": content_type, "size": size or len(data)})
    assert status == 201, created
    form = created["upload"]
    response = requests.post(form["url"], data=form["fields"], files={"file": ("notes.txt", data)}, timeout=10)
    assert response.status_code < 300, response.text
    return str(created["attachment"]["id"])


def test_types_and_sizes_outside_the_limits_are_refused_naming_the_field(api: Any) -> None:
    requester = make_user_with_token()
    ticket = make_ticket(requester["id"])
    for body, field in (({"filename": "x.html", "content_type": "text/html", "size": 3}, "content_type"),
                        ({"filename": "x.svg", "content_type": "image/svg+xml", "size": 3}, "content_type"),
                        ({"filename": "big.pdf", "content_type": "application/pdf", "size": 16 * 1024 * 1024}, "size"),
                        ({"filename": "../../etc/passwd", "content_type": "text/plain", "size": 3}, "filename"),
                        ({"filename": "a.txt", "content_type": "text/plain", "size": 0}, "size")):
        status, error = api.post(f"/api/tickets/{ticket['id']}/attachments", body)
        assert status == 422, (body, error)
        assert field in [d["field"] for d in error["details"]], error


def test_a_requester_attaches_to_their_own_ticket_only_and_sees_only_public_files(api: Any) -> None:
    owner, other = make_user_with_token(), make_user_with_token()
    ticket = make_ticket(owner["id"])
    as_owner, as_other = api.as_(owner["token"]), api.as_(other["token"])
    assert as_other.post(f"/api/tickets/{ticket['id']}/attachments",
                         {"filename": "a.txt", "content_type": "text/plain", "size": 3})[0] == 404
    mine = _upload(as_owner, ticket["id"], b"mine")
    status, reply = as_owner.post(f"/api/tickets/{ticket['id']}/replies", {"content": "file", "attachment_ids": [mine]})
    assert status == 201 and reply["attachments"] == [{"id": mine, "filename": "notes.txt",
                                                       "content_type": "text/plain", "size": 4}]
    assert as_owner.get(f"/api/attachments/{mine}")[0] == 200
    assert as_other.get(f"/api/attachments/{mine}")[0] == 404
    # an agent's file on an internal note stays with the agents
    note_file = _upload(api, ticket["id"], b"internal")
    assert api.post(f"/api/tickets/{ticket['id']}/replies",
                    {"content": "note", "internal": True, "attachment_ids": [note_file]})[0] == 201
    assert api.get(f"/api/attachments/{note_file}")[0] == 200
    assert as_owner.get(f"/api/attachments/{note_file}")[0] == 404
    assert as_owner.get("/api/attachments/" + "0" * 32)[0] == 404
    assert as_owner.get("/api/attachments/not-an-id")[0] == 404


def test_an_upload_binds_once_to_its_uploaders_reply_after_it_arrived(api: Any) -> None:
    owner = make_user_with_token()
    ticket = make_ticket(owner["id"])
    as_owner = api.as_(owner["token"])
    agents = _upload(api, ticket["id"])
    status, error = as_owner.post(f"/api/tickets/{ticket['id']}/replies",
                                  {"content": "steal", "attachment_ids": [agents]})
    assert status == 422 and error["details"][0]["field"] == "attachment_ids"
    status, created = as_owner.post(f"/api/tickets/{ticket['id']}/attachments",
                                    {"filename": "a.txt", "content_type": "text/plain", "size": 3})
    never_uploaded = created["attachment"]["id"]
    status, error = as_owner.post(f"/api/tickets/{ticket['id']}/replies",
                                  {"content": "x", "attachment_ids": [never_uploaded]})
    assert status == 422 and "not been uploaded" in error["message"]
    assert as_owner.get(f"/api/tickets/{ticket['id']}/replies")[1]["items"] == []  # nothing half-written
    mine = _upload(as_owner, ticket["id"])
    assert as_owner.post(f"/api/tickets/{ticket['id']}/replies", {"content": "1", "attachment_ids": [mine]})[0] == 201
    status, error = as_owner.post(f"/api/tickets/{ticket['id']}/replies", {"content": "2", "attachment_ids": [mine]})
    assert status == 422 and "already" in error["message"]
    other_ticket = make_ticket(owner["id"])
    fresh = _upload(as_owner, ticket["id"])
    status, error = as_owner.post(f"/api/tickets/{other_ticket['id']}/replies",
                                  {"content": "3", "attachment_ids": [fresh]})
    assert status == 422


def test_a_file_larger_than_announced_is_not_bound(api: Any) -> None:
    ticket = make_ticket(make_user_with_token()["id"])
    status, created = api.post(f"/api/tickets/{ticket['id']}/attachments",
                               {"filename": "a.txt", "content_type": "text/plain", "size": 3})
    form = created["upload"]
    requests.post(form["url"], data=form["fields"], files={"file": ("a.txt", b"much longer than three")}, timeout=10)
    status, error = api.post(f"/api/tickets/{ticket['id']}/replies",
                             {"content": "x", "attachment_ids": [created["attachment"]["id"]]})
    # S3 refuses the upload (content-length-range); moto may not, and then the size check on binding does
    assert status == 422, error
