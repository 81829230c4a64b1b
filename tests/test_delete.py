"""Cascade delete: nothing orphaned, even when the function dies half way."""

from __future__ import annotations

import pytest

from chalicelib import faults
from chalicelib.errors import Conflict
from chalicelib.models.listings import ListingModel
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.principal import Principal
from chalicelib.schemas.tickets import ReplyCreate
from chalicelib.services import replies, tickets
from tests.utils.factories import make_ticket, make_user


def add_replies(ticket_id, count):
    agent = make_user(role="agent", password=None)
    for n in range(count):
        replies.add_reply(ticket_id=ticket_id, data=ReplyCreate(content=f"reply {n}"),
                          actor=Principal(user_id=agent["id"], role="agent"))


@pytest.fixture
def ticket(aws):
    requester = make_user(password=None)
    return make_ticket(requester["id"], status="open", priority="high")


def leftovers(ticket_id):
    """Everything that still refers to the ticket."""
    remaining_replies = ReplyModel.count(ticket_id, consistent_read=True)
    ticket_rows = TicketModel.count(ticket_id, consistent_read=True)
    markers = ListingModel.count(tickets.DELETING_PK, consistent_read=True)
    return remaining_replies, ticket_rows, markers


def test_delete_ticket_removes_its_replies(api, ticket):
    add_replies(ticket["id"], 7)
    status, _ = api.delete(f"/api/tickets/{ticket['id']}")
    assert status == 204
    assert leftovers(ticket["id"]) == (0, 0, 0)
    assert api.get(f"/api/tickets/{ticket['id']}")[0] == 404
    assert api.get(f"/api/tickets/{ticket['id']}/replies")[0] == 404
    _, page = api.get("/api/tickets?status=open&priority=high")
    assert page["items"] == [] and page["total"] == 0
    assert api.delete(f"/api/tickets/{ticket['id']}")[0] == 404


def test_delete_killed_half_way_is_finished_by_a_retry(api, ticket):
    add_replies(ticket["id"], 60)
    faults.arm("delete.after_reply_batch", after=1)
    status, _ = api.delete(f"/api/tickets/{ticket['id']}")
    assert status == 500  # the injected crash
    remaining, rows, markers = leftovers(ticket["id"])
    assert 0 < remaining < 60 and rows == 1 and markers == 1
    assert api.get(f"/api/tickets/{ticket['id']}")[0] == 404, "a half-deleted ticket is already invisible"
    status, _ = api.delete(f"/api/tickets/{ticket['id']}")
    assert status == 204
    assert leftovers(ticket["id"]) == (0, 0, 0)


def test_delete_killed_before_any_reply_is_finished_by_the_sweeper(api, ticket):
    add_replies(ticket["id"], 3)
    faults.arm("delete.after_mark")
    assert api.delete(f"/api/tickets/{ticket['id']}")[0] == 500
    assert leftovers(ticket["id"]) == (3, 1, 1)
    assert tickets.sweep_deletes() == 1
    assert leftovers(ticket["id"]) == (0, 0, 0)


def test_no_reply_can_attach_to_a_ticket_being_deleted(api, ticket):
    faults.arm("delete.after_mark")
    api.delete(f"/api/tickets/{ticket['id']}")
    status, _ = api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "too late"})
    assert status == 404
    assert tickets.sweep_deletes() == 1
    assert leftovers(ticket["id"]) == (0, 0, 0)


def test_long_threads_are_finished_in_the_background(api, ticket, monkeypatch):
    monkeypatch.setenv("DELETE_BATCH_LIMIT", "25")
    from chalicelib.config import reset_process_state
    reset_process_state()
    try:
        add_replies(ticket["id"], 60)
        status, body = api.delete(f"/api/tickets/{ticket['id']}")
        assert status == 202 and body == {"status": "deleting"}
        while tickets.sweep_deletes() == 0:
            pass
        assert leftovers(ticket["id"]) == (0, 0, 0)
    finally:
        monkeypatch.delenv("DELETE_BATCH_LIMIT")
        reset_process_state()


def test_finishing_a_delete_that_was_never_started_removes_nothing_and_says_so(api, ticket):
    # GIVEN a live ticket with replies (no delete marked)
    add_replies(ticket["id"], 3)
    # WHEN the last step of a delete runs for it (its transaction's condition fails)
    with pytest.raises(Conflict):
        tickets.finish_delete(ticket["id"], ticket["created_at"])
    # THEN nothing was removed and nothing claims to be finished
    assert leftovers(ticket["id"]) == (3, 1, 0)
    assert api.get(f"/api/tickets/{ticket['id']}")[0] == 200


def test_finishing_a_delete_another_run_completed_is_done(api, ticket):
    faults.arm("delete.after_mark")
    api.delete(f"/api/tickets/{ticket['id']}")
    assert tickets.sweep_deletes() == 1
    assert tickets.finish_delete(ticket["id"], ticket["created_at"]) is True
    assert leftovers(ticket["id"]) == (0, 0, 0)
