"""Replies: a thread in time order, validated authors, internal notes hidden from requesters."""

from __future__ import annotations

import pytest

from tests.utils.factories import make_ticket, make_user, token_for


@pytest.fixture
def ticket(aws):
    requester = make_user(name="Requester")
    return make_ticket(requester["id"]) | {"requester": requester}


def test_replies_come_back_in_chronological_order_with_authors(api, ticket):
    agent = make_user(role="agent")
    authors = [ticket["requester_id"], agent["id"], ticket["requester_id"]]
    for n, author in enumerate(authors):
        status, reply = api.post(f"/api/tickets/{ticket['id']}/replies", {"author_id": author, "content": f"reply {n}"})
        assert status == 201, reply
        assert reply["author_id"] == author and reply["ticket_id"] == ticket["id"]
    status, page = api.get(f"/api/tickets/{ticket['id']}/replies")
    assert status == 200
    assert [r["content"] for r in page["items"]] == ["reply 0", "reply 1", "reply 2"]
    assert [r["author_id"] for r in page["items"]] == authors


def test_reply_author_defaults_to_the_caller(api, ticket, admin):
    status, reply = api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "on it"})
    assert status == 201 and reply["author_id"] == admin["id"]


def test_reply_errors(api, ticket):
    path = f"/api/tickets/{ticket['id']}/replies"
    status, body = api.post(path, {"author_id": 999999, "content": "x"})
    assert status == 422 and body["details"][0]["field"] == "author_id"
    status, body = api.post(path, {"content": ""})
    assert status == 422 and body["details"][0]["field"] == "content"
    assert api.post("/api/tickets/999999/replies", {"content": "x"})[0] == 404
    assert api.get("/api/tickets/999999/replies")[0] == 404
    assert api.post("/api/tickets/abc/replies", {"content": "x"})[0] == 404


def test_thread_pages_with_a_cursor(api, ticket):
    for n in range(5):
        api.post(f"/api/tickets/{ticket['id']}/replies", {"content": f"r{n}"})
    _, first = api.get(f"/api/tickets/{ticket['id']}/replies?page_size=2")
    _, second = api.get(f"/api/tickets/{ticket['id']}/replies?page_size=2&cursor={first['next_cursor']}")
    _, third = api.get(f"/api/tickets/{ticket['id']}/replies?page_size=2&cursor={second['next_cursor']}")
    contents = [r["content"] for page in (first, second, third) for r in page["items"]]
    assert contents == ["r0", "r1", "r2", "r3", "r4"]
    assert third["next_cursor"] is None


def test_internal_notes_are_never_shown_to_the_requester(api, ticket):
    path = f"/api/tickets/{ticket['id']}/replies"
    api.post(path, {"content": "public answer"})
    api.post(path, {"content": "internal: customer is on the old plan", "internal": True})
    requester = api.as_(token_for(ticket["requester"]))
    status, page = requester.get(path)
    assert status == 200
    assert [r["content"] for r in page["items"]] == ["public answer"]
    _, staff_page = api.get(path)
    assert [r["internal"] for r in staff_page["items"]] == [False, True]


def test_requester_replies_only_as_themselves_and_never_internally(api, ticket):
    requester = api.as_(token_for(ticket["requester"]))
    path = f"/api/tickets/{ticket['id']}/replies"
    status, reply = requester.post(path, {"content": "any news?"})
    assert status == 201 and reply["author_id"] == ticket["requester_id"]
    other = make_user()
    assert requester.post(path, {"content": "as someone else", "author_id": other["id"]})[0] == 403
    assert requester.post(path, {"content": "sneaky", "internal": True})[0] == 403


def test_a_reply_entered_for_someone_else_records_who_really_posted_it(api, ticket):
    priya = make_user(role="agent", name="Priya")
    as_priya = api.as_(token_for(priya))
    path = f"/api/tickets/{ticket['id']}/replies"
    status, reply = as_priya.post(path, {"author_id": ticket["requester_id"], "content": "called in: still broken"})
    assert status == 201, reply
    assert (reply["author_id"], reply["posted_by"], reply["posted_by_name"]) == (ticket["requester_id"], priya["id"],
                                                                                 "Priya")
    _, own = as_priya.post(path, {"content": "looking into it"})
    assert own["posted_by"] is None and own["posted_by_name"] is None
    # The requester sees who entered it, too.
    _, page = api.as_(token_for(ticket["requester"])).get(path)
    assert [(r["author_id"], r["posted_by"], r["posted_by_name"]) for r in page["items"]] == [
        (ticket["requester_id"], priya["id"], "Priya"), (priya["id"], None, None)]
    # And so does the audit trail.
    _, events = api.get(f"/api/tickets/{ticket['id']}/events")
    entered = [e for e in events["items"] if e["type"] == "reply"]
    assert entered[0]["actor_id"] == priya["id"] and entered[0]["data"]["posted_by"] == priya["id"]
    assert entered[0]["data"]["author_id"] == ticket["requester_id"]
    assert "posted_by" not in entered[1]["data"]


def test_a_requester_naming_another_author_is_refused_naming_the_field(api, ticket):
    as_requester = api.as_(token_for(ticket["requester"]))
    status, body = as_requester.post(f"/api/tickets/{ticket['id']}/replies",
                                     {"content": "as someone else", "author_id": make_user()["id"]})
    assert status == 403 and [d["field"] for d in body["details"]] == ["author_id"]
    assert as_requester.get(f"/api/tickets/{ticket['id']}/replies")[1]["items"] == []
