"""Webhooks: an admin registers URLs for events; deliveries are signed and sent from queues, never from the
request path.

Publishing puts one message on `webhook-events`; its consumer fans out one delivery message per subscribed
webhook onto `webhook-deliveries`, whose consumer POSTs it. A failed POST fails only that delivery, which
SQS retries and finally parks in the dead-letter queue. Each delivery is signed:
`X-Helpdesk-Signature: sha256=HMAC_SHA256(secret, "<timestamp>.<body>")`, and carries a stable
`X-Helpdesk-Delivery` id so receivers can drop duplicates (delivery is at-least-once).
Targets must be https URLs on public addresses; private, loopback and link-local targets are refused unless
WEBHOOKS_ALLOW_PRIVATE=1 (local development only). The check (ops.webhook_targets) runs at registration and
before every POST, and the POST connects to the address that check approved; redirects are never followed.
Internal notes are never published.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import urllib3
from pynamodb.exceptions import DoesNotExist

from chalicelib import aws
from chalicelib.clock import now_iso
from chalicelib.config import on_reset
from chalicelib.errors import NotFound
from chalicelib.log import logger
from chalicelib.models import bind_models
from chalicelib.models.listings import ListingModel
from chalicelib.models.ops import WebhookModel
from chalicelib.ops import webhook_targets
from chalicelib.store import listing
from chalicelib.store.db import batch_get, query_once

EVENTS = ("ticket.created", "ticket.updated", "reply.created", "sla.breached")
KIND = "webhook"
TIMEOUT_S = 5
TIMEOUT = urllib3.Timeout(connect=3.0, read=TIMEOUT_S)
BATCH_ATTEMPTS = 3
_SUBSCRIPTIONS_TTL_S = 60.0
_subscriptions: tuple[float, dict[str, list[str]]] | None = None


class DeliveryFailed(Exception):
    """A POST to a webhook target did not get a 2xx answer (the delivery will be retried)."""


def allow_private_targets() -> bool:
    """Local development may deliver to 127.0.0.1 and private networks."""
    return webhook_targets.allow_private_targets()


def check_target(url: str) -> None:
    """Refuse malformed or non-https URLs, and hosts that resolve to any non-public address (outside local
    development); a 422 naming `url`."""
    webhook_targets.check_url(url)


def _to_dict(hook: WebhookModel) -> dict[str, Any]:
    return {"id": hook.id, "url": hook.url, "events": list(hook.events), "active": bool(hook.active),
            "description": hook.description, "created_at": hook.created_at}


def register(*, url: str, events: list[str], description: str, actor_id: int) -> dict[str, Any]:
    """Register a webhook; its signing secret is returned once."""
    check_target(url)
    bind_models()
    hook_id = secrets.token_hex(8)
    secret = "whsec_" + secrets.token_urlsafe(32)
    hook = WebhookModel(hook_id, url=url, events=sorted(set(events)), secret=secret, active=True,
                        description=description, created_at=now_iso(), created_by=actor_id)
    hook.save(condition=WebhookModel.id.does_not_exist())
    ListingModel(listing.partition_key(KIND, {}), f"{hook.created_at}#{hook_id}", id=0).save()
    _forget_subscriptions()
    return {**_to_dict(hook), "secret": secret}


def list_webhooks() -> list[dict[str, Any]]:
    """Every registered webhook (one Query + one BatchGetItem)."""
    bind_models()
    entries, _ = query_once(ListingModel, listing.partition_key(KIND, {}), limit=100, forward=False)
    ids = [entry.sk.split("#", 1)[1] for entry in entries]
    found = batch_get(WebhookModel, ids)
    return [_to_dict(found[i]) for i in ids if i in found]


def delete(*, hook_id: str) -> None:
    """Remove a webhook (deliveries already queued for it are dropped)."""
    bind_models()
    try:
        hook = WebhookModel.get(hook_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(f"webhook {hook_id} not found") from exc
    ListingModel(listing.partition_key(KIND, {}), f"{hook.created_at}#{hook_id}").delete()
    hook.delete()
    _forget_subscriptions()


def _forget_subscriptions() -> None:
    global _subscriptions
    _subscriptions = None


def subscribers(event_type: str, *, fresh: bool = False) -> list[str]:
    """Ids of the active webhooks subscribed to an event (cached for a minute per process unless `fresh`)."""
    global _subscriptions
    if fresh or _subscriptions is None or time.monotonic() - _subscriptions[0] > _SUBSCRIPTIONS_TTL_S:
        table: dict[str, list[str]] = {}
        for hook in list_webhooks():
            if hook["active"]:
                for event in hook["events"]:
                    table.setdefault(event, []).append(hook["id"])
        _subscriptions = (time.monotonic(), table)
    return list(_subscriptions[1].get(event_type, []))


def _queue(logical: str) -> str:
    return aws.queue_url(logical)


def publish(event_type: str, data: dict[str, Any]) -> bool:
    """Queue an event for delivery when some webhook wants it (one SQS message; no HTTP in the request path)."""
    try:
        if not subscribers(event_type):
            return False
        event = {"id": "evt_" + secrets.token_hex(10), "type": event_type, "occurred_at": now_iso(), "data": data}
        aws.client("sqs").send_message(QueueUrl=_queue("webhook-events"), MessageBody=json.dumps(event))
        return True
    except Exception:  # a webhook problem must never fail the change that triggered it
        logger.exception("could not queue a webhook event", extra={"event": event_type})
        return False


def fan_out(event: dict[str, Any]) -> dict[str, Any]:
    """Queue handler: one delivery message per webhook subscribed to this event.

    Read fresh, not from this process's cache: a webhook registered in another process (another API container)
    must get the next event, not one a minute later (the fan-out is off the request path; one Query is cheap)."""
    hook_ids = subscribers(str(event["type"]), fresh=True)
    if hook_ids:
        entries = [{"Id": str(n), "MessageBody": json.dumps({"webhook_id": hook_id, "event": event})}
                   for n, hook_id in enumerate(hook_ids)]
        for start in range(0, len(entries), 10):
            _send_batch(_queue("webhook-deliveries"), entries[start:start + 10])
    return {"deliveries": len(hook_ids)}


def _send_batch(queue_url: str, entries: list[dict[str, str]]) -> None:
    """Send up to 10 messages; entries SQS reports as failed are sent again, and if some still fail this raises
    so the event is retried (a duplicate delivery is harmless: receivers dedupe on X-Helpdesk-Delivery)."""
    pending = entries
    for attempt in range(BATCH_ATTEMPTS):
        if attempt:
            time.sleep(0.05 * 2**attempt)
        failed = aws.client("sqs").send_message_batch(QueueUrl=queue_url, Entries=pending).get("Failed", [])
        failed_ids = {str(entry["Id"]) for entry in failed}
        pending = [entry for entry in pending if entry["Id"] in failed_ids]
        if not pending:
            return
    codes = sorted({str(entry.get("Code")) for entry in failed})
    raise DeliveryFailed(f"{len(pending)} delivery message(s) not queued: {', '.join(codes)}")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for a body."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def deliver(message: dict[str, Any]) -> dict[str, Any]:
    """Queue handler: POST one event to one webhook; raise (so SQS retries) unless it answers 2xx."""
    bind_models()
    try:
        hook = WebhookModel.get(str(message["webhook_id"]), consistent_read=True)
    except DoesNotExist:
        return {"skipped": "webhook deleted"}
    if not hook.active:
        return {"skipped": "webhook inactive"}
    try:
        target, address = webhook_targets.delivery_address(hook.url)
    except webhook_targets.TargetRefused as exc:
        raise DeliveryFailed(f"{hook.id}: target refused ({exc})") from exc
    event = message["event"]
    body = json.dumps(event, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json", "User-Agent": "helpdesk-webhooks/1",
        "X-Helpdesk-Event": str(event["type"]), "X-Helpdesk-Delivery": f"{event['id']}:{hook.id}",
        "X-Helpdesk-Timestamp": timestamp, "X-Helpdesk-Signature": sign(hook.secret, timestamp, body)}
    try:
        status = _post(target, address, body, headers)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise DeliveryFailed(f"{hook.id}: {type(exc).__name__}") from exc
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{hook.id}: HTTP {status}")
    return {"delivered": hook.id, "status": status}


def _post(target: webhook_targets.Target, address: webhook_targets.IPAddress, body: bytes,
          headers: dict[str, str]) -> int:
    """POST to the checked address itself (never a fresh DNS answer), TLS still verified against the host name;
    no redirects are followed and nothing is retried here (SQS retries)."""
    default_port = 443 if target.scheme == "https" else 80
    shown = f"[{target.host}]" if ":" in target.host else target.host
    host_header = shown if target.port == default_port else f"{shown}:{target.port}"
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(str(address), target.port, timeout=TIMEOUT, retries=False, maxsize=1,
                                           server_hostname=target.host, assert_hostname=target.host)
    else:
        pool = urllib3.HTTPConnectionPool(str(address), target.port, timeout=TIMEOUT, retries=False, maxsize=1)
    try:
        response = pool.urlopen("POST", target.request_uri, body=body, headers={**headers, "Host": host_header},
                                redirect=False, retries=False, preload_content=False)
        status = int(response.status)
        response.release_conn()
        return status
    finally:
        pool.close()


@on_reset
def reset_cache() -> None:
    """Forget the subscriptions (tests)."""
    _forget_subscriptions()
