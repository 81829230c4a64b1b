"""The dashboard's cost does not grow with the number of tickets: 1,000 and 10,000 tickets, same calls.

Slow on purpose (10,000 real ticket creations through the service, about 5 minutes on 2 cores); it runs
in `make test` in its own xdist worker. Deselect locally with `-m "not slow"`.
"""

from __future__ import annotations

import json
import time

import pytest

from chalicelib.principal import Principal
from chalicelib.schemas.tickets import ReplyCreate, TicketUpdate
from chalicelib.services import replies, tickets
from tests.utils.factories import make_ticket, make_user

pytestmark = pytest.mark.slow
PRIORITIES = ("low", "medium", "high", "urgent")


def summary_cost(api, aws):
    aws.middleware.calls.clear()
    started = time.perf_counter()
    status, body = api.get("/api/analytics/summary")
    elapsed = time.perf_counter() - started
    assert status == 200, body
    calls = {k.split(":", 1)[1]: v for k, v in aws.middleware.calls.items() if k.startswith("dynamodb:")}
    return calls, elapsed, body


def load(requester_id, agent, start, count):
    for n in range(start, start + count):
        ticket = make_ticket(requester_id, priority=PRIORITIES[n % 4], title=f"Ticket {n}")
        if n % 50 == 0:  # some answered and resolved, so the histograms and SLA counters fill too
            replies.add_reply(ticket_id=ticket["id"], data=ReplyCreate(content="on it"), actor=agent)
            tickets.update_ticket(ticket_id=ticket["id"], data=TicketUpdate(status="resolved"), actor=agent)


def test_summary_calls_are_the_same_at_1k_and_10k_tickets(api, aws):
    requester = make_user(password=None)
    agent_user = make_user(role="agent", password=None)
    agent = Principal(user_id=agent_user["id"], role="agent")
    load(requester["id"], agent, 0, 1_000)
    calls_1k, seconds_1k, body_1k = summary_cost(api, aws)
    load(requester["id"], agent, 1_000, 9_000)
    calls_10k, seconds_10k, body_10k = summary_cost(api, aws)
    report = {"1k": {"calls": calls_1k, "seconds": round(seconds_1k, 3)},
              "10k": {"calls": calls_10k, "seconds": round(seconds_10k, 3)}}
    print("\nanalytics summary cost: " + json.dumps(report))
    assert calls_1k == calls_10k
    assert sum(calls_10k.values()) <= 4 and "Scan" not in calls_10k
    assert body_10k["totals"]["created"] == 10_000 and body_1k["totals"]["created"] == 1_000
    assert body_10k["backlog"]["open_total"] == 10_000 - 200
