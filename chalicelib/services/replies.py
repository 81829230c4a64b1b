"""Replies: the thread of a ticket, oldest first; internal notes are for agents only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.expressions.condition import Condition
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from chalicelib.clock import to_iso, utcnow
from chalicelib.config import get_settings
from chalicelib.errors import Conflict, FieldError, Forbidden, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.models.users import UserModel
from chalicelib.ops import ticket_sla, webhooks
from chalicelib.principal import Principal
from chalicelib.schemas.tickets import ReplyCreate, ReplyListQuery
from chalicelib.services import attachments, auto_reply, tickets
from chalicelib.services.tickets import get_ticket_model
from chalicelib.store import events, kb_links, listing, mail_notify, stats
from chalicelib.store.db import TransactionFailed, Tx, query_once
from chalicelib.store.sequences import next_id

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
        "posted_by": int(reply.posted_by) if reply.posted_by is not None else None,
        "posted_by_name": reply.posted_by_name,
        "merged_from": int(reply.merged_from) if reply.merged_from is not None else None,
        "hidden_from_requester": bool(reply.hidden_from_requester),
        "origin": origin,
        "citations": list(reply.citations or []),
        "attachments": list(reply.attachments or []),
    }


def add_reply(*, ticket_id: int, data: ReplyCreate, actor: Principal,
              stage: Callable[[Tx, ReplyModel], None] | None = None) -> dict[str, Any]:
    """Append a reply. In the same transaction: the author is checked, the ticket's first response is
    recorded (the first public reply by someone other than the requester stops that SLA target), a
    requester's reply to a ticket waiting on them reopens it, the referenced attachments are bound to it, a
    public staff reply is promised to the requester by e-mail, and the audit trail gets the event. `stage`
    adds the caller's own items (the inbound mail's dedupe record) to the same transaction."""
    bind_models()
    author_id = data.author_id if data.author_id is not None else actor.user_id
    if not actor.is_staff:
        if author_id != actor.user_id:
            raise tickets.forbidden_field("author_id", "requesters can only reply as themselves")
        if data.internal:
            raise Forbidden("only agents can write internal notes")
    # Staff entering a message for someone else (a phone call, a letter): the reply says who really posted it.
    posted_by = actor.user_id if actor.user_id and author_id != actor.user_id else None
    posted_by_name = _name_of(posted_by) if posted_by is not None else None
    reply_id = next_id(KIND)

    def attempt() -> ReplyModel:
        ticket = get_ticket_model(ticket_id, actor)  # 404 unless visible to the actor
        if ticket.merged_into is not None:
            raise _merged(ticket, actor)
        moment = utcnow()
        now = to_iso(moment)
        reply: ReplyModel = ReplyModel(ticket_id, listing.sort_key(now, reply_id), id=reply_id, author_id=author_id,
                                       content=data.content, internal=data.internal, created_at=now,
                                       posted_by=posted_by, posted_by_name=posted_by_name)
        from_requester = author_id == int(ticket.requester_id)
        reply.origin = "requester" if from_requester else "agent"
        tx = Tx()
        bound = attachments.stage_bind(tx, attachment_ids=list(data.attachment_ids), ticket_id=ticket_id,
                                       reply_id=reply_id, actor=actor, internal=data.internal)
        reply.attachments = bound or None
        first_response = (actor.is_staff and not data.internal and not from_requester
                          and ticket.first_responded_at is None)
        tx.put("reply", reply, condition=ReplyModel.sk.does_not_exist())
        if author_id != actor.user_id or not actor.is_staff:
            tx.check("author", UserModel, author_id, UserModel.id.exists())
        if from_requester and ticket.status == "pending":
            auto_reply.stage_requester_reopen(tx, ticket, now)
            tickets.stage_update(tx, ticket, {"status": "open"}, actor)
        elif first_response:
            _stage_first_response(tx, ticket, moment, author_id)
        else:
            live = TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist() \
                & TicketModel.merged_into.does_not_exist()
            tx.check("ticket", TicketModel, ticket_id, live)
        if data.from_suggestion:
            stats.bump(tx, now[:10], "ai_draft_used")
            category = ticket.category or (None if ticket.ai_out_of_scope else ticket.ai_category)
            if category and data.cited_sources and actor.is_staff and not data.internal:
                kb_links.stage_learn(tx, str(category), data.cited_sources)
        events.record(tx, ticket_id, "internal_note" if data.internal else "reply", actor.user_id or None, at=now,
                      data={"reply_id": reply_id, "author_id": author_id, "first_response": first_response,
                            **({"posted_by": posted_by} if posted_by is not None else {})})
        if actor.is_staff and not data.internal and not from_requester:
            mail_notify.stage(tx, event="reply", ticket_id=ticket_id, reply_id=reply_id, reply_sk=str(reply.sk))
        if stage is not None:
            stage(tx, reply)
        try:
            tx.commit()
        except TransactionFailed as exc:
            if "author" in exc.failed:
                raise ValidationFailed("author_id: no user with this id",
                                       [FieldError("author_id", "no user with this id")]) from exc
            raise  # the ticket changed (or vanished) since it was read: read it again
        return reply

    try:
        reply = Retrying(retry=retry_if_exception_type(TransactionFailed), stop=stop_after_attempt(3),
                         reraise=True)(attempt)
    except TransactionFailed as exc:
        raise Conflict("the ticket kept changing while replying; retry") from exc
    result = to_dict(reply)
    if not data.internal:
        webhooks.publish("reply.created", result)
    return result


def _merged(ticket: TicketModel, actor: Principal) -> Conflict:
    """A merged ticket takes no replies (they would land on a closed duplicate): say where the thread went."""
    survivor = int(ticket.merged_into)
    if not actor.is_staff and tickets.is_shared_merge(ticket):
        return Conflict(f"ticket {int(ticket.id)} was closed by a merge; open a new ticket if you still need help",
                        [FieldError("ticket_id", "closed by a merge")], code="merged")
    return Conflict(f"ticket {int(ticket.id)} was merged into ticket {survivor}; reply there",
                    [FieldError("ticket_id", f"merged into {survivor}")], code="merged")


def _name_of(user_id: int) -> str | None:
    """A user's name now (one GetItem), kept on replies they enter for someone else."""
    try:
        return str(UserModel.get(user_id, consistent_read=True, attributes_to_get=["name"]).name)
    except UserModel.DoesNotExist:
        return None


def _stage_first_response(tx: Tx, ticket: TicketModel, moment: datetime, responder_id: int) -> None:
    old_timers = list(ticket.sla_timers or [])
    ticket.first_responded_at = to_iso(moment)
    ticket.sla_timers = ticket_sla.timers(ticket, moment)
    tx.update_fields("ticket", TicketModel, int(ticket.id),
                     [TicketModel.first_responded_at.set(ticket.first_responded_at),
                      TicketModel.sla_timers.set(list(ticket.sla_timers))],
                     condition=TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist()
                     & TicketModel.merged_into.does_not_exist() & TicketModel.first_responded_at.does_not_exist())
    ticket_sla.sync_timers(tx, int(ticket.id), old_timers, list(ticket.sla_timers))
    ticket_sla.record_first_response(tx, ticket, moment, responder_id)


def _skip(ticket_id: int, offset: int, actor: Principal) -> str | None:
    """The sort key after which page N starts (keys-only reads, capped like every page-number skip)."""
    limit = get_settings().tables.max_page_offset
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
    """Replies a requester may see: not internal notes, nor another requester's messages a merge brought here
    (pynamodb builds the condition from `==`)."""
    public = ReplyModel.internal == False  # type: ignore[comparison-overlap]  # noqa: E712
    return public & ReplyModel.hidden_from_requester.does_not_exist()  # type: ignore[no-any-return,operator]


def list_replies(*, ticket_id: int, query: ReplyListQuery, actor: Principal) -> dict[str, Any]:
    """A page of a ticket's thread, oldest first. Requesters never see internal notes."""
    bind_models()
    requester_id = int(get_ticket_model(ticket_id, actor).requester_id)
    start_sk = None
    page_number = query.page
    scope = f"reply|ticket_id={ticket_id}|staff={actor.is_staff}"
    if query.cursor is not None:
        start_sk, page_number = listing.decode_cursor(query.cursor, scope=scope)
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
        next_cursor = listing.encode_cursor(items[-1].sk, page_number + 1, scope=scope)
    elif last_key is not None:
        next_cursor = listing.encode_cursor(last_key["sk"]["S"], page_number + 1, scope=scope)
    return {
        "items": [to_dict(r, requester_id) for r in items],
        "page": page_number,
        "page_size": query.page_size,
        "total": None,
        "next_cursor": next_cursor,
    }
