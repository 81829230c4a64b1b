"""The transactional outbox: a change and the promise of follow-up work are written in one transaction.

`add(tx, ...)` puts the promise next to the change; after commit, `send(...)` puts the message on the
kind's queue. If the send fails or the process dies in between, the promise is still in the table and
`redeliver()` (a schedule) sends it again. The consumer removes the promise with `complete(tx, ...)` in the
same transaction as its own write, only if no newer promise replaced it.
"""

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
from chalicelib.store.db import Tx, query_once

# kind -> logical queue name
QUEUES = {"classify": "classify", "train": "train", "auto_reply": "auto-reply"}
MAX_ATTEMPTS = 10


def add(tx: Tx, kind: str, key: str, payload: dict[str, Any], version: int = 0) -> None:
    """Promise work of `kind` for `key`, replacing an older promise for the same key."""
    tx.put(f"outbox:{kind}", OutboxModel(kind, key, payload=payload, version=version, created_at=now_iso(),
                                          attempts=0))


def complete(tx: Tx, kind: str, key: str, version: int) -> None:
    """Remove the promise if it is not newer than the work just done (inside the consumer's transaction)."""
    tx.delete(f"outbox-done:{kind}", OutboxModel(kind, key),
              condition=OutboxModel.key.does_not_exist() | (OutboxModel.version <= version))


def _queue_url(kind: str) -> str:
    return aws.queue_url(QUEUES[kind])


def send(kind: str, payload: dict[str, Any]) -> bool:
    """Put the message on the queue now; False (logged) when that fails: redeliver() will retry."""
    try:
        aws.client("sqs").send_message(QueueUrl=_queue_url(kind), MessageBody=json.dumps(payload))
        return True
    except (BotoCoreError, ClientError) as exc:
        logger.warning("outbox send failed; the schedule will retry", extra={"kind": kind, "error": str(exc)})
        return False


def redeliver(kind: str, older_than_s: int = 60, limit: int = 100) -> int:
    """Send again every promise of `kind` older than `older_than_s` (one Query; bounded by `limit`)."""
    bind_models()
    cutoff = to_iso(utcnow() - timedelta(seconds=older_than_s))
    promises, _ = query_once(OutboxModel, kind, limit=limit)
    sent = 0
    for promise in promises:
        if promise.created_at > cutoff:
            continue
        if int(promise.attempts or 0) >= MAX_ATTEMPTS:
            logger.error("outbox promise abandoned after retries", extra={"kind": kind, "key": promise.key})
            promise.delete()
            continue
        if send(kind, dict(promise.payload)):
            promise.update(actions=[OutboxModel.attempts.add(1), OutboxModel.created_at.set(now_iso())])
            sent += 1
    return sent
