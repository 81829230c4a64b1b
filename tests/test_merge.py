"""Merges that keep every message, land nothing on the closed duplicate, and never show one requester's
messages to another."""

from __future__ import annotations

from chalicelib import faults
from chalicelib.services import merge
from tests.utils.factories import make_ticket, make_user, make_user_with_token, token_for


def thread(api, ticket_id):
    status, page = api.get(f"/api/tickets/{ticket_id}/replies?page_size=100")
    assert status == 200, page
    return page["items"]


def test_a_reply_to_a_merged_ticket_is_409_naming_the_survivor_and_lands_nowhere(api):
    requester = make_user(name="Alice")
    survivor, duplicate = make_ticket(requester["id"]), make_ticket(requester["id"])
    assert api.post(f"/api/tickets/{duplicate['id']}/merge", {"into": survivor["id"]})[0] == 200
    before = thread(api, survivor["id"])
    for caller in (api, api.as_(token_for(requester))):
        status, body = caller.post(f"/api/tickets/{duplicate['id']}/replies", {"content": "late answer"})
        assert status == 409 and body["error"] == "merged", body
        assert str(survivor["id"]) in body["message"]
        assert body["details"] == [{"field": "ticket_id", "message": f"merged into {survivor['id']}"}]
    assert thread(api, duplicate["id"]) == [] and thread(api, survivor["id"]) == before


def test_the_duplicates_description_appears_in_the_survivors_thread_in_time_order(api):
    requester = make_user(name="Alice")
    survivor = make_ticket(requester["id"], title="VPN down", content="Since this morning")
    api.post(f"/api/tickets/{survivor['id']}/replies", {"content": "first answer"})
    duplicate = make_ticket(requester["id"], title="VPN still down", content="It drops every 5 minutes")
    api.post(f"/api/tickets/{duplicate['id']}/replies", {"content": "on the duplicate"})
    assert api.post(f"/api/tickets/{duplicate['id']}/merge", {"into": survivor["id"]})[0] == 200
    items = thread(api, survivor["id"])
    assert [r["content"] for r in items] == ["first answer", "VPN still down\n\nIt drops every 5 minutes",
                                             "on the duplicate"]
    description = items[1]
    assert description["author_id"] == requester["id"] and description["created_at"] == duplicate["created_at"]
    assert [r["merged_from"] for r in items] == [None, duplicate["id"], duplicate["id"]]
    as_requester = api.as_(token_for(requester))
    assert [r["content"] for r in thread(as_requester, survivor["id"])] == [r["content"] for r in items]


def test_merging_two_requesters_tickets_needs_an_admins_explicit_confirmation(api):
    alice, bob = make_user(name="Alice"), make_user(name="Bob")
    survivor, duplicate = make_ticket(alice["id"]), make_ticket(bob["id"])
    agent = api.as_(make_user_with_token(role="agent")["token"])
    path = f"/api/tickets/{duplicate['id']}/merge"
    for caller, body, expected in [(agent, {"into": survivor["id"]}, 409), (api, {"into": survivor["id"]}, 409),
                                   (agent, {"into": survivor["id"], "confirm_cross_requester": True}, 403)]:
        status, answer = caller.post(path, body)
        assert status == expected, (body, answer)
        field = "confirm_cross_requester" if expected == 403 else "into"
        assert [d["field"] for d in answer["details"]] == [field]
    assert api.get(f"/api/tickets/{duplicate['id']}")[1]["merged_into"] is None


def test_a_confirmed_cross_requester_merge_never_shows_one_requesters_messages_to_the_other(api, admin):
    alice, bob = make_user(name="Alice"), make_user(name="Bob")
    survivor = make_ticket(alice["id"], content="Alice's printer")
    api.post(f"/api/tickets/{survivor['id']}/replies", {"content": "to Alice"})
    duplicate = make_ticket(bob["id"], content="Bob's printer, with his home address")
    api.post(f"/api/tickets/{duplicate['id']}/replies", {"content": "to Bob"})
    api.post(f"/api/tickets/{duplicate['id']}/replies", {"content": "Bob's note", "internal": True})
    status, merged = api.post(f"/api/tickets/{duplicate['id']}/merge",
                              {"into": survivor["id"], "confirm_cross_requester": True})
    assert status == 200 and merged["id"] == survivor["id"], merged
    # Staff see everything on the survivor; Bob's messages are marked as hidden from its requester.
    staff_view = thread(api, survivor["id"])
    assert [(r["content"], r["hidden_from_requester"]) for r in staff_view] == [
        ("to Alice", False), ("Printer on fire\n\nBob's printer, with his home address", True), ("to Bob", True),
        ("Bob's note", True)]
    # Alice sees only her own conversation.
    as_alice, as_bob = api.as_(token_for(alice)), api.as_(token_for(bob))
    assert [r["content"] for r in thread(as_alice, survivor["id"])] == ["to Alice"]
    # Bob keeps his conversation on his (closed) ticket and is not pointed at Alice's.
    status, bobs = as_bob.get(f"/api/tickets/{duplicate['id']}")
    assert status == 200 and bobs["status"] == "closed" and bobs["merged_into"] is None
    assert [r["content"] for r in thread(as_bob, duplicate["id"])] == ["to Bob"]
    assert as_bob.get(f"/api/tickets/{survivor['id']}")[0] == 404
    status, body = as_bob.post(f"/api/tickets/{duplicate['id']}/replies", {"content": "more"})
    assert status == 409 and str(survivor["id"]) not in body["message"]
    # The confirmation is on the audit trail of both tickets.
    for ticket_id, kind in ((duplicate["id"], "merged_into"), (survivor["id"], "merged_from")):
        event = [e for e in api.get(f"/api/tickets/{ticket_id}/events")[1]["items"] if e["type"] == kind][0]
        assert event["actor_id"] == admin["id"]
        assert event["data"]["cross_requester"] is True and event["data"]["confirmed_by"] == admin["id"]


def test_a_cross_requester_merge_killed_half_way_is_finished_without_duplicates(api):
    alice, bob = make_user(), make_user()
    survivor, duplicate = make_ticket(alice["id"]), make_ticket(bob["id"])
    for n in range(30):
        api.post(f"/api/tickets/{duplicate['id']}/replies", {"content": f"d{n:02d}"})
    faults.arm("merge.after_copy", after=0)
    body = {"into": survivor["id"], "confirm_cross_requester": True}
    assert api.post(f"/api/tickets/{duplicate['id']}/merge", body)[0] == 500
    assert merge.sweep_merges() == 1 and merge.sweep_merges() == 0
    copied = [r["content"] for r in thread(api, survivor["id"])]
    assert copied == ["Printer on fire\n\nIt is on fire."] + [f"d{n:02d}" for n in range(30)]
    assert [r["content"] for r in thread(api, duplicate["id"])] == [f"d{n:02d}" for n in range(30)]
