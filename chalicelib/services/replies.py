"""Replies: the thread of a ticket, oldest first; internal notes are for agents only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.clock import to_iso, utcnow
from chalicelib.config import get_settings
from chalicelib.db import TransactionFailed, Tx, query_once
from chalicelib.errors import Conflict, FieldError, Forbidden, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.models.users import UserModel
from chalicelib.ops import events, stats, ticket_sla, webhooks
from chalicelib.principal import Principal
from chalicelib.schemas.tickets import ReplyCreate, ReplyListQuery
from chalicelib.services import auto_reply, listing, tickets
from chalicelib.services.sequences import next_id
from chalicelib.services.tickets import get_ticket_model

KIND = "reply"


def to_dict(reply: ReplyModel, requester_id: int | None = None) -> dict[str, Any]:
    """The public view of a reply (replies stored without an origin read it from the author)."""
    origin = reply.origin or ("requester" if requester_id is not None and int(reply.author_id) == requester_id
                              else "agent")
    return {
        "id": int(reply.id),
        "ticket_id": int(reply.ticket_id),
        "author_id": int(reply.author_id),
        "content": reply.content,
        "internal": bool(reply.internal),
        "created_at": reply.created_at,
        "origin": origin,
        "citations": list(reply.citations or []),
    }


def add_reply(*, ticket_id: int, data: ReplyCreate, actor: Principal) -> dict[str, Any]:
    """Append a reply. In the same transaction: the author is checked, the ticket's first response is
    recorded (the first public reply by someone other than the requester stops that SLA target), a
    requester's reply to a ticket waiting on them reopens it, and the audit trail gets the event."""
    bind_models()
    author_id = data.author_id if data.author_id is not None else actor.user_id
    if not actor.is_staff:
        if author_id != actor.user_id:
            raise Forbidden("requesters can only reply as themselves")
        if data.internal:
            raise Forbidden("only agents can write internal notes")
    reply_id = next_id(KIND)
    for attempt in range(3):
        ticket = get_ticket_model(ticket_id, actor)  # 404 unless visible to the actor
        moment = utcnow()
        now = to_iso(moment)
        reply = ReplyModel(ticket_id, listing.sort_key(now, reply_id), id=reply_id, author_id=author_id,
                           content=data.content, internal=data.internal, created_at=now)
        from_requester = author_id == int(ticket.requester_id)
        reply.origin = "requester" if from_requester else "agent"
        first_response = (actor.is_staff and not data.internal and not from_requester
                          and ticket.first_responded_at is None)
        tx = Tx()
        tx.put("reply", reply, condition=ReplyModel.sk.does_not_exist())
        if author_id != actor.user_id or not actor.is_staff:
            tx.check("author", UserModel, author_id, UserModel.id.exists())
        if from_requester and ticket.status == "pending":
            auto_reply.stage_requester_reopen(tx, ticket, now)
            tickets.stage_update(tx, ticket, {"status": "open"}, actor)
        elif first_response:
            _stage_first_response(tx, ticket, moment, author_id)
        else:
            live = TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist()
            tx.check("ticket", TicketModel, ticket_id, live)
        if data.from_suggestion:
            stats.bump(tx, now[:10], "ai_draft_used")
        events.record(tx, ticket_id, "internal_note" if data.internal else "reply", actor.user_id or None, at=now,
                      data={"reply_id": reply_id, "author_id": author_id, "first_response": first_response})
        try:
            tx.commit()
            break
        except TransactionFailed as exc:
            if "author" in exc.failed:
                raise ValidationFailed("author_id: no user with this id",
                                       [FieldError("author_id", "no user with this id")]) from exc
            if attempt == 2:
                raise Conflict("the ticket kept changing while replying; retry") from exc
            # the ticket changed (or vanished) since it was read: read it again
    result = to_dict(reply)
    if not data.internal:
        webhooks.publish("reply.created", result)
    return result


def _stage_first_response(tx: Tx, ticket: TicketModel, moment: datetime, responder_id: int) -> None:
    old_timers = list(ticket.sla_timers or [])
    ticket.first_responded_at = to_iso(moment)
    ticket.sla_timers = ticket_sla.timers(ticket, moment)
    tx.update_fields("ticket", TicketModel, int(ticket.id),
                     [TicketModel.first_responded_at.set(ticket.first_responded_at),
                      TicketModel.sla_timers.set(list(ticket.sla_timers))],
                     condition=TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist()
                     & TicketModel.first_responded_at.does_not_exist())
    ticket_sla.sync_timers(tx, int(ticket.id), old_timers, list(ticket.sla_timers))
    ticket_sla.record_first_response(tx, ticket, moment, responder_id)


def _skip(ticket_id: int, offset: int, actor: Principal) -> str | None:
    """The sort key after which page N starts (keys-only reads, capped like every page-number skip)."""
    limit = get_settings().max_page_offset
    if offset > limit:
        raise ValidationFailed(f"page too deep for page numbers (offset {offset} > {limit}); use cursor",
                               [FieldError("page", "too deep for page-number paging; use cursor")])
    keys, last_key = query_once(ReplyModel, ticket_id, limit=offset,
                                filter_condition=None if actor.is_staff else _public_only(), keys_only=True)
    if len(keys) < offset and last_key is None:
        return None
    if len(keys) == offset:
        return str(keys[-1].sk)
    return str(last_key["sk"]["S"]) if last_key else None


def _public_only() -> Condition:
    """Replies that are not internal notes (pynamodb builds the condition from `==`)."""
    return ReplyModel.internal == False  # type: ignore[return-value]  # noqa: E712


def list_replies(*, ticket_id: int, query: ReplyListQuery, actor: Principal) -> dict[str, Any]:
    """A page of a ticket's thread, oldest first. Requesters never see internal notes."""
    bind_models()
    requester_id = int(get_ticket_model(ticket_id, actor).requester_id)
    start_sk = None
    page_number = query.page
    if query.cursor is not None:
        start_sk, page_number = listing.decode_cursor(query.cursor)
    elif query.page > 1:
        start_sk = _skip(ticket_id, (query.page - 1) * query.page_size, actor)
        if start_sk is None:
            return {"items": [], "page": query.page, "page_size": query.page_size, "total": None,
                    "next_cursor": None}
    start_key = {"ticket_id": {"N": str(ticket_id)}, "sk": {"S": start_sk}} if start_sk else None
    items, last_key = query_once(
        ReplyModel,
        ticket_id,
        limit=query.page_size + 1,
        start_key=start_key,
        filter_condition=None if actor.is_staff else _public_only(),
    )
    next_cursor = None
    if len(items) > query.page_size:
        items = items[: query.page_size]
        next_cursor = listing.encode_cursor(items[-1].sk, page_number + 1)
    elif last_key is not None:
        next_cursor = listing.encode_cursor(last_key["sk"]["S"], page_number + 1)
    return {
        "items": [to_dict(r, requester_id) for r in items],
        "page": page_number,
        "page_size": query.page_size,
        "total": None,
        "next_cursor": next_cursor,
    }
