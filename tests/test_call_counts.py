"""Every request costs a bounded number of DynamoDB calls, whatever the tables hold (counted on the wire,
at the moto server), and no request path ever scans."""

from __future__ import annotations

import json
import os

import pytest

from chalicelib.principal import SYSTEM
from chalicelib.schemas.tickets import ReplyCreate
from chalicelib.services import replies
from tests.utils.factories import make_ticket, make_user


def ddb_calls(aws, fn):
    aws.middleware.calls.clear()
    fn()
    return {k.split(":", 1)[1]: v for k, v in aws.middleware.calls.items() if k.startswith("dynamodb:")}


def measure(api, aws, requester, agent):
    ticket = make_ticket(requester["id"], status="open", priority="high")
    tid = ticket["id"]
    replies.add_reply(ticket_id=tid, data=ReplyCreate(content="hello", author_id=agent["id"]), actor=SYSTEM)
    routes = {
        "GET /health": lambda: api.get("/health"),
        "POST /api/users": lambda: api.post("/api/users", {"email": f"n{os.urandom(4).hex()}@example.com",
                                                           "name": "N"}),
        "GET /api/users": lambda: api.get("/api/users?page_size=50"),
        "GET /api/users/{id}": lambda: api.get(f"/api/users/{requester['id']}"),
        "POST /api/tickets": lambda: api.post("/api/tickets", {"title": "t", "content": "c",
                                                               "requester_id": requester["id"]}),
        "GET /api/tickets": lambda: api.get("/api/tickets?page_size=50"),
        "GET /api/tickets (3 filters)": lambda: api.get(
            f"/api/tickets?status=open&priority=high&requester_id={requester['id']}&page_size=50"),
        "GET /api/tickets?page=3": lambda: api.get("/api/tickets?page=3&page_size=20"),
        "GET /api/tickets/{id}": lambda: api.get(f"/api/tickets/{tid}"),
        "PUT /api/tickets/{id}": lambda: api.put(f"/api/tickets/{tid}", {"status": "in_progress"}),
        "POST /api/tickets/{id}/replies": lambda: api.post(f"/api/tickets/{tid}/replies", {"content": "x"}),
        "GET /api/tickets/{id}/replies": lambda: api.get(f"/api/tickets/{tid}/replies"),
        "DELETE /api/tickets/{id} (2 replies)": lambda: api.delete(f"/api/tickets/{tid}"),
    }
    return {name: ddb_calls(aws, fn) for name, fn in routes.items()}


def test_dynamodb_calls_per_request_do_not_grow_with_the_tables(api, aws):
    requester = make_user(password=None)
    agent = make_user(role="agent", password=None)
    for _ in range(70):
        make_ticket(requester["id"], status="open", priority="high")
    small = measure(api, aws, requester, agent)
    for _ in range(500):
        make_ticket(requester["id"], status="open", priority="high")
    large = measure(api, aws, requester, agent)
    report = {name: sum(ops.values()) for name, ops in large.items()}
    print("\nDynamoDB calls per request:\n" + json.dumps({k: large[k] for k in large}, indent=1))
    for name in small:
        assert small[name] == large[name], (name, small[name], large[name])
        assert "Scan" not in large[name], name
    recheck = 1  # every authenticated request re-reads its caller once (docs/SECURITY.md)
    assert report["GET /api/tickets"] <= 3 + recheck
    assert report["GET /api/tickets (3 filters)"] <= 3 + recheck
    assert report["GET /api/tickets?page=3"] <= 4 + recheck
    assert report["GET /api/tickets/{id}"] == 1 + recheck
    assert report["POST /api/tickets"] == 2 + recheck
    assert report["PUT /api/tickets/{id}"] == 2 + recheck
    assert report["GET /health"] == 1


@pytest.mark.parametrize("path", ["chalicelib", "app.py"])
def test_no_scan_anywhere_in_the_application_code(path):
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent / path
    files = [root] if root.is_file() else list(root.rglob("*.py"))
    offenders = [f"{f}:{n}" for f in files for n, line in enumerate(f.read_text().splitlines(), 1)
                 if re.search(r"\.scan\(|\bScan\b", line) and not line.strip().startswith("#")]
    assert offenders == []
