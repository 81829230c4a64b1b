"""Outbound mail is promised in the transaction of what it tells about (an agent's public reply, the AI's first
response, a resolution): an outbox promise of kind `mail`, sent to the mail-out queue after the commit; the
schedule re-sends a promise whose message was lost. The mail_send consumer completes it.

The queue is named here rather than in the outbox's kind table, so only the functions that promise mail reach it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.clock import now_iso, to_iso, utcnow
from chalicelib.log import logger
from chalicelib.models import bind_models
from chalicelib.models.outbox import OutboxModel
from chalicelib.store import outbox
from chalicelib.store.db import Tx, query_once

KIND = "mail"
MAIL_QUEUE = "mail-out"


def stage(tx: Tx, *, event: str, ticket_id: int, reply_id: int | None = None,
          reply_sk: str | None = None) -> dict[str, Any]:
    """Promise a mail about `event` ("reply" | "resolved") on this ticket; the message goes after the commit."""
    key = f"{event}#{ticket_id}#{reply_id if reply_id is not None else tx.token}"
    payload = {"event": event, "ticket_id": ticket_id, "reply_id": reply_id, "reply_sk": reply_sk, "key": key}
    outbox.add(tx, KIND, key, payload)
    tx.after_commit(lambda: send(payload))
    return payload


def send(payload: dict[str, Any]) -> bool:
    """Put the promise on the mail-out queue; False (logged) when that fails: redeliver() will retry."""
    try:
        aws.client("sqs").send_message(QueueUrl=aws.queue_url(MAIL_QUEUE), MessageBody=json.dumps(payload))
        return True
    except (BotoCoreError, ClientError) as exc:
        logger.warning("mail promise send failed; the schedule will retry", extra={"error": str(exc)})
        return False


def redeliver(older_than_s: int = 60, limit: int = 100) -> int:
    """Send again every mail promise older than `older_than_s` (one Query; bounded by `limit`)."""
    bind_models()
    cutoff = to_iso(utcnow() - timedelta(seconds=older_than_s))
    promises, _ = query_once(OutboxModel, KIND, limit=limit)
    sent = 0
    for promise in promises:
        if promise.created_at > cutoff:
            continue
        if int(promise.attempts or 0) >= outbox.MAX_ATTEMPTS:
            logger.error("mail promise abandoned after retries", extra={"key": promise.key})
            promise.delete()
            continue
        if send(dict(promise.payload)):
            promise.update(actions=[OutboxModel.attempts.add(1), OutboxModel.created_at.set(now_iso())])
            sent += 1
    return sent
