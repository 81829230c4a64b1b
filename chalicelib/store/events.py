"""The audit trail: every change to a ticket, written in the same transaction as the change."""

from __future__ import annotations

import secrets
from typing import Any

from chalicelib.clock import now_iso
from chalicelib.models import bind_models
from chalicelib.models.ops import EventModel
from chalicelib.store import listing
from chalicelib.store.db import Tx, query_once


def record(tx: Tx, ticket_id: int, type_: str, actor_id: int | None, changes: list[dict[str, Any]] | None = None,
           data: dict[str, Any] | None = None, at: str | None = None) -> None:
    """Add an event to the transaction (never a separate write: the trail cannot miss a committed change)."""
    when = at or now_iso()
    tx.put(f"event:{type_}", EventModel(ticket_id, f"{when}#{secrets.token_hex(3)}", type=type_, actor_id=actor_id,
                                        changes=changes or None, data=data or None, created_at=when))


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-level changes between two views of a ticket."""
    return [{"field": name, "old": before.get(name), "new": after.get(name)}
            for name in after if before.get(name) != after.get(name)]


def to_dict(event: EventModel) -> dict[str, Any]:
    """The public view of an event."""
    return {"type": event.type, "actor_id": int(event.actor_id) if event.actor_id is not None else None,
            "changes": event.changes or [], "data": event.data or {}, "created_at": event.created_at}


def list_events(ticket_id: int, page_size: int, cursor: str | None) -> dict[str, Any]:
    """A page of a ticket's timeline, oldest first (one Query)."""
    bind_models()
    start = None
    page = 1
    scope = f"event|ticket_id={ticket_id}"
    if cursor:
        sk, page = listing.decode_cursor(cursor, scope=scope)
        start = {"ticket_id": {"N": str(ticket_id)}, "sk": {"S": sk}}
    items, last = query_once(EventModel, ticket_id, limit=page_size, start_key=start)
    return {"items": [to_dict(e) for e in items], "page": page, "page_size": page_size, "total": None,
            "next_cursor": listing.encode_cursor(last["sk"]["S"], page + 1, scope=scope) if last else None}
