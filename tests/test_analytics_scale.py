"""The dashboard's cost does not grow with the number of tickets: the same DynamoDB calls at two sizes.

Every ticket is created through the real service (one transaction of ~40 items each, which moto processes
in Python at ~25 ms), so the sizes are a trade-off: `make test` uses 300 and 3,000 tickets (about 90 s);
`make test-scale` runs the same test at 1,000 and 10,000 (`ANALYTICS_SCALE=1000,10000`, ~5 min on an idle
2-core machine).
"""

from __future__ import annotations

import json
import os
import time

import pytest

from chalicelib.principal import Principal
from chalicelib.schemas.tickets import ReplyCreate, TicketUpdate
from chalicelib.services import replies, tickets
from tests.utils.factories import make_ticket, make_user

pytestmark = pytest.mark.slow
PRIORITIES = ("low", "medium", "high", "urgent")
SMALL, LARGE = (int(n) for n in os.environ.get("ANALYTICS_SCALE", "300,3000").split(","))


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


def test_summary_calls_are_the_same_at_both_sizes(api, aws):
    requester = make_user(password=None)
    agent_user = make_user(role="agent", password=None)
    agent = Principal(user_id=agent_user["id"], role="agent")
    load(requester["id"], agent, 0, SMALL)
    calls_small, seconds_small, body_small = summary_cost(api, aws)
    load(requester["id"], agent, SMALL, LARGE - SMALL)
    calls_large, seconds_large, body_large = summary_cost(api, aws)
    report = {SMALL: {"calls": calls_small, "seconds": round(seconds_small, 3)},
              LARGE: {"calls": calls_large, "seconds": round(seconds_large, 3)}}
    print("\nanalytics summary cost: " + json.dumps(report))
    assert calls_small == calls_large
    assert sum(calls_large.values()) <= 4 and "Scan" not in calls_large
    assert body_small["totals"]["created"] == SMALL and body_large["totals"]["created"] == LARGE
    resolved = len(range(0, LARGE, 50))
    assert body_large["backlog"]["open_total"] == LARGE - resolved
    assert body_large["totals"]["resolved"] == resolved
