"""Operations: SLA clocks and the watcher, ratings, the timeline, merge, webhooks, analytics."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import boto3
import pytest
from chalice.local import LambdaContext

from chalicelib import faults
from chalicelib.clock import parse_iso, utcnow
from chalicelib.config import get_settings, reset_process_state
from chalicelib.handlers import ops as ops_handlers
from chalicelib.ops import sla_watch
from chalicelib.services import merge
from tests.utils.factories import make_ticket, make_user, make_user_with_token
from tests.utils.receiver import Receiver

CONTEXT = LambdaContext(function_name="helpdesk-dev-test", memory_size=256, max_runtime_ms=60_000)
ALWAYS_OPEN = {"targets": {p: {"first_response_s": 3600, "resolution_s": 4 * 3600}
                           for p in ("urgent", "high", "medium", "low")}, "business_hours": None}


@pytest.fixture(autouse=True)
def fresh_caches():
    reset_process_state()
    yield
    reset_process_state()


def drain(queue):
    settings = get_settings()
    sqs = boto3.client("sqs", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    url = sqs.get_queue_url(QueueName=settings.queue_name(queue))["QueueUrl"]
    out = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        out += batch
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for i, m in enumerate(batch)])
    return out


def as_event(messages):
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                                  "body": m["Body"], "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
                                  "eventSource": "aws:sqs", "eventSourceARN": "arn", "awsRegion": "us-east-1"}
                        for m in messages]}


def test_new_ticket_has_sla_due_times_from_the_policy(api):
    assert api.put("/api/sla/policy", ALWAYS_OPEN)[0] == 200
    ticket = make_ticket(make_user(password=None)["id"], priority="high")
    created = parse_iso(ticket["created_at"])
    assert parse_iso(ticket["first_response_due"]) - created == timedelta(hours=1)
    assert parse_iso(ticket["resolution_due"]) - created == timedelta(hours=4)
    assert ticket["sla_state"] == "ok" and not ticket["sla_paused"]


def test_sla_policy_is_validated_and_admin_only(api):
    agent = make_user_with_token(role="agent")
    assert api.as_(agent["token"]).put("/api/sla/policy", ALWAYS_OPEN)[0] == 403
    bad = {**ALWAYS_OPEN, "business_hours": {"timezone": "Mars/Olympus", "days": [0], "start": "09:00",
                                             "end": "17:00"}}
    status, body = api.put("/api/sla/policy", bad)
    assert status == 422 and body["details"][0]["field"].startswith("business_hours")
    backwards = {**ALWAYS_OPEN, "targets": {**ALWAYS_OPEN["targets"],
                                            "low": {"first_response_s": 7200, "resolution_s": 3600}}}
    assert api.put("/api/sla/policy", backwards)[0] == 422


def test_pending_pauses_the_clock_and_a_customer_reply_resumes_it(api):
    api.put("/api/sla/policy", ALWAYS_OPEN)
    requester = make_user_with_token()
    ticket = make_ticket(requester["id"])
    status, paused = api.put(f"/api/tickets/{ticket['id']}", {"status": "pending"})
    assert status == 200 and paused["sla_paused"]
    status, _ = api.as_(requester["token"]).post(f"/api/tickets/{ticket['id']}/replies", {"content": "here you go"})
    assert status == 201
    reopened = api.get(f"/api/tickets/{ticket['id']}")[1]
    assert reopened["status"] == "open" and not reopened["sla_paused"]
    assert parse_iso(reopened["resolution_due"]) >= parse_iso(ticket["resolution_due"])


def test_first_public_agent_reply_stops_the_first_response_target(api, admin):
    api.put("/api/sla/policy", ALWAYS_OPEN)
    ticket = make_ticket(make_user(password=None)["id"])
    api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "internal only", "internal": True})
    assert api.get(f"/api/tickets/{ticket['id']}")[1]["first_responded_at"] is None
    api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "Hello, looking into it"})
    answered = api.get(f"/api/tickets/{ticket['id']}")[1]
    assert answered["first_responded_at"] and answered["sla_state"] == "ok"


def test_the_watcher_alerts_at_risk_then_breached_once_each(api):
    api.put("/api/sla/policy", ALWAYS_OPEN)
    ticket = make_ticket(make_user(password=None)["id"], priority="urgent")
    created = parse_iso(ticket["created_at"])
    assert sla_watch.run(now=created + timedelta(minutes=30)) == {"at_risk": 0, "breached": 0, "stale": 0}
    assert sla_watch.run(now=created + timedelta(minutes=50))["at_risk"] == 1  # 75 % of the hour
    assert sla_watch.run(now=created + timedelta(minutes=50))["at_risk"] == 0  # fires once
    fired = sla_watch.run(now=created + timedelta(hours=5))
    assert fired["breached"] == 2  # first response and resolution
    assert sla_watch.run(now=created + timedelta(hours=6)) == {"at_risk": 0, "breached": 0, "stale": 0}
    _, timeline = api.get(f"/api/tickets/{ticket['id']}/events")
    types = [e["type"] for e in timeline["items"]]
    assert types.count("sla_breached") == 2 and "sla_at_risk" in types
    assert api.get(f"/api/tickets/{ticket['id']}")[1]["sla_state"] in ("ok", "breached")


def test_the_timeline_records_field_old_new_who_and_when(api, admin):
    ticket = make_ticket(make_user(password=None)["id"], priority="low")
    api.put(f"/api/tickets/{ticket['id']}", {"priority": "high", "status": "in_progress"})
    api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "on it"})
    status, timeline = api.get(f"/api/tickets/{ticket['id']}/events")
    assert status == 200
    kinds = [e["type"] for e in timeline["items"]]
    assert kinds[:3] == ["created", "updated", "reply"]
    update = timeline["items"][1]
    assert update["actor_id"] == admin["id"] and update["created_at"]
    assert {"field": "priority", "old": "low", "new": "high"} in update["changes"]
    requester = make_user_with_token()
    assert api.as_(requester["token"]).get(f"/api/tickets/{ticket['id']}/events")[0] == 403


def test_rating_rules(api):
    requester = make_user_with_token()
    ticket = make_ticket(requester["id"])
    as_requester = api.as_(requester["token"])
    path = f"/api/tickets/{ticket['id']}/rating"
    assert as_requester.post(path, {"score": 5})[0] == 409  # not resolved yet
    api.put(f"/api/tickets/{ticket['id']}", {"status": "resolved"})
    assert as_requester.post(path, {"score": 6})[0] == 422
    assert api.post(path, {"score": 5})[0] == 403  # only the requester
    status, rated = as_requester.post(path, {"score": 2, "comment": "slow"})
    assert status == 200 and rated["csat_score"] == 2
    assert as_requester.post(path, {"score": 4})[1]["csat_score"] == 4  # changeable
    api.put(f"/api/tickets/{ticket['id']}", {"status": "closed"})
    assert as_requester.post(path, {"score": 1})[0] == 409
    summary = api.get("/api/analytics/summary")[1]
    assert summary["csat"]["distribution"]["4"] == 1 and summary["csat"]["distribution"]["2"] == 0


def _thread(api, ticket_id):
    return [r["content"] for r in api.get(f"/api/tickets/{ticket_id}/replies?page_size=100")[1]["items"]]


def test_merge_keeps_every_reply_in_time_order(api):
    requester = make_user(password=None)
    survivor, duplicate = make_ticket(requester["id"]), make_ticket(requester["id"])
    for n, ticket in enumerate([survivor, duplicate, survivor, duplicate, duplicate]):
        api.post(f"/api/tickets/{ticket['id']}/replies", {"content": f"r{n}"})
    status, merged = api.post(f"/api/tickets/{duplicate['id']}/merge", {"into": survivor["id"]})
    assert status == 200 and merged["id"] == survivor["id"]
    # The duplicate's description is a message of the survivor's thread, at the duplicate's creation time.
    assert _thread(api, survivor["id"]) == ["Printer on fire\n\nIt is on fire.", "r0", "r1", "r2", "r3", "r4"]
    assert _thread(api, duplicate["id"]) == []
    closed = api.get(f"/api/tickets/{duplicate['id']}")[1]
    assert closed["status"] == "closed" and closed["merged_into"] == survivor["id"]
    assert "merged_into" in [e["type"] for e in api.get(f"/api/tickets/{duplicate['id']}/events")[1]["items"]]
    assert "merged_from" in [e["type"] for e in api.get(f"/api/tickets/{survivor['id']}/events")[1]["items"]]
    assert api.post(f"/api/tickets/{survivor['id']}/merge", {"into": survivor["id"]})[0] == 422


def test_a_merge_killed_half_way_is_finished_without_loss_or_duplicates(api):
    requester = make_user(password=None)
    survivor, duplicate = make_ticket(requester["id"]), make_ticket(requester["id"])
    for n in range(60):
        api.post(f"/api/tickets/{duplicate['id']}/replies", {"content": f"d{n:02d}"})
    faults.arm("merge.after_copy", after=1)  # dies after copying the second batch, before deleting it
    assert api.post(f"/api/tickets/{duplicate['id']}/merge", {"into": survivor["id"]})[0] == 500
    assert merge.sweep_merges() == 1
    assert _thread(api, survivor["id"]) == ["Printer on fire\n\nIt is on fire."] + [f"d{n:02d}" for n in range(60)]
    assert _thread(api, duplicate["id"]) == []
    assert merge.sweep_merges() == 0


def test_webhooks_are_signed_retried_and_never_carry_internal_notes(api, monkeypatch):
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "1")
    reset_process_state()
    receiver = Receiver(fail_first=1)
    try:
        status, hook = api.post("/api/webhooks", {"url": receiver.url, "events": ["ticket.created", "reply.created"]})
        assert status == 201 and hook["secret"].startswith("whsec_")
        assert "secret" not in api.get("/api/webhooks")[1][0]
        ticket = make_ticket(make_user(password=None)["id"])
        api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "secret note", "internal": True})
        api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "public answer"})
        events = drain("webhook-events")
        assert sorted(json.loads(m["Body"])["type"] for m in events) == ["reply.created", "ticket.created"]
        ops_handlers.webhook_fan_out(as_event(events), CONTEXT)
        deliveries = drain("webhook-deliveries")
        first = ops_handlers.webhook_deliver(as_event(deliveries), CONTEXT)
        assert len(first["batchItemFailures"]) == 1  # the receiver failed the first POST
        retry = [m for m in deliveries if m["MessageId"] == first["batchItemFailures"][0]["itemIdentifier"]]
        assert ops_handlers.webhook_deliver(as_event(retry), CONTEXT) == {"batchItemFailures": []}
        delivered = receiver.requests[1:]
        assert len(delivered) == 2
        for request in delivered:
            headers = {k.lower(): v for k, v in request["headers"].items()}
            expected = hmac.new(hook["secret"].encode(), headers["x-helpdesk-timestamp"].encode() + b"." +
                                request["body"], hashlib.sha256).hexdigest()
            assert headers["x-helpdesk-signature"] == f"sha256={expected}"
            assert b"secret note" not in request["body"]
    finally:
        receiver.stop()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "https://127.0.0.1/x", "https://10.1.2.3/x",
                                 "https://169.254.169.254/latest/meta-data", "ftp://example.com/x",
                                 "https://user:pw@example.com/x"])
def test_webhooks_refuse_private_or_odd_targets_in_production(api, monkeypatch, url):
    monkeypatch.delenv("WEBHOOKS_ALLOW_PRIVATE", raising=False)
    reset_process_state()
    status, body = api.post("/api/webhooks", {"url": url, "events": ["ticket.created"]})
    assert status == 422 and body["details"][0]["field"] == "url"


def test_analytics_summary_counts_the_day(api):
    api.put("/api/sla/policy", ALWAYS_OPEN)
    requester = make_user(password=None)
    tickets = [make_ticket(requester["id"], priority=p) for p in ("high", "high", "low")]
    api.post(f"/api/tickets/{tickets[0]['id']}/replies", {"content": "first answer"})
    api.put(f"/api/tickets/{tickets[0]['id']}", {"status": "resolved"})
    status, summary = api.get("/api/analytics/summary")
    assert status == 200, summary
    today = utcnow().date().isoformat()
    day = next(d for d in summary["days"] if d["date"] == today)
    assert day == {"date": today, "created": 3, "resolved": 1}
    assert summary["backlog"]["open_by_priority"] == {"low": 1, "medium": 0, "high": 1, "urgent": 0}
    assert summary["first_response"]["count"] == 1 and summary["resolution"]["count"] == 1
    assert summary["sla"]["resolution_by_priority"]["high"] == {"met": 1, "breached": 0, "attainment": 1.0}
    assert api.get("/api/analytics/summary?from=2026-12-01&to=2026-11-01")[0] == 422
    assert api.get("/api/analytics/summary?from=2020-01-01&to=2026-11-01")[0] == 422
