"""Tickets: create, read, list with filters, partial update with optimistic locking, cascade delete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from tenacity import Retrying, retry_if_exception, stop_after_attempt

from chalicelib import faults
from chalicelib.clock import now_iso, parse_iso, to_iso, utcnow
from chalicelib.config import get_settings
from chalicelib.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from chalicelib.models import bind_models
from chalicelib.models.listings import ListingModel
from chalicelib.models.ops import EventModel
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.models.users import UserModel
from chalicelib.ops import ticket_sla, webhooks
from chalicelib.principal import STAFF_ROLES, Principal
from chalicelib.schemas.tickets import TicketCreate, TicketListQuery, TicketUpdate
from chalicelib.services import taxonomy
from chalicelib.store import events, listing, mail_notify, outbox, stats
from chalicelib.store.db import TransactionFailed, Tx, chunked, query_once, set_actions
from chalicelib.store.sequences import next_id

KIND = "ticket"
DELETING_PK = "ticket-deleting|"
_DIM_NAMES = ("status", "priority", "requester_id", "assignee_id")


def dims(ticket: TicketModel) -> dict[str, Any]:
    """The values a ticket is listed by."""
    return {
        "status": ticket.status,
        "priority": ticket.priority,
        "requester_id": int(ticket.requester_id),
        "assignee_id": int(ticket.assignee_id) if ticket.assignee_id is not None else None,
    }


def to_dict(ticket: TicketModel) -> dict[str, Any]:
    """The public view of a ticket (SLA fields computed for this instant)."""
    return {**_fields(ticket), **ticket_sla.view(ticket, utcnow()), "merged_into": _int(ticket.merged_into),
            "csat_score": _int(ticket.csat_score), "csat_comment": ticket.csat_comment, "csat_at": ticket.csat_at,
            "created_by": _int(ticket.created_by), "channel": ticket.channel or "web",
            "attachments": list(ticket.attachments or [])}


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


# Triage belongs to staff: a requester who sends any of these (even the default value) gets a 422 naming it.
STAFF_ONLY_ON_CREATE = ("status", "priority", "assignee_id")

AUDITED = ("title", "content", "status", "priority", "tags", "requester_id", "assignee_id", "category")


def _fields(ticket: TicketModel) -> dict[str, Any]:
    return {
        "id": int(ticket.id),
        "title": ticket.title,
        "content": ticket.content,
        "status": ticket.status,
        "priority": ticket.priority,
        "tags": list(ticket.tags or []),
        "requester_id": int(ticket.requester_id),
        "assignee_id": int(ticket.assignee_id) if ticket.assignee_id is not None else None,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "version": int(ticket.version or 0),
        "category": ticket.category,
        "ai_category": ticket.ai_category,
        "ai_confidence": float(ticket.ai_confidence) if ticket.ai_confidence is not None else None,
        "ai_priority": ticket.ai_priority,
        "ai_tags": list(ticket.ai_tags) if ticket.ai_tags is not None else None,
        "ai_out_of_scope": ticket.ai_out_of_scope,
        "ai_alternatives": list(ticket.ai_alternatives) if ticket.ai_alternatives else None,
        "ai_model": ticket.ai_model,
        "ai_classified_at": ticket.ai_classified_at,
        "ai_response": dict(ticket.ai_response) if ticket.ai_response else None,
    }


def forbidden_field(name: str, message: str) -> Forbidden:
    """A 403 that names the field the caller may not set."""
    error = Forbidden(message)
    error.details = [FieldError(name, message)]
    return error


def _check_user(tx: Tx, label: str, user_id: int, staff_only: bool = False) -> None:
    condition = UserModel.id.exists()
    if staff_only:
        condition = condition & UserModel.role.is_in(*sorted(STAFF_ROLES))
    tx.check(label, UserModel, user_id, condition)


def _people_errors(failed: list[str]) -> list[FieldError]:
    errors = []
    if "requester" in failed:
        errors.append(FieldError("requester_id", "no user with this id"))
    if "assignee" in failed:
        errors.append(FieldError("assignee_id", "no agent or admin with this id"))
    return errors


def create_ticket(*, data: TicketCreate, actor: Principal, channel: str | None = None,
                  stage: Callable[[Tx, TicketModel], None] | None = None) -> dict[str, Any]:
    """Create a ticket and list it, in one transaction that also checks the requester and assignee exist.
    `channel` records how it came in ("email"); `stage` adds the caller's own items to the transaction."""
    bind_models()
    requester_id = data.requester_id
    if not actor.is_staff:
        if requester_id not in (None, actor.user_id):
            raise forbidden_field("requester_id", "requesters can only open tickets for themselves")
        triage = [name for name in STAFF_ONLY_ON_CREATE if name in data.model_fields_set]
        if triage:
            raise ValidationFailed(f"requesters cannot set {', '.join(triage)}; the help desk sets them",
                                   [FieldError(name, "set by the help desk, not by requesters") for name in triage])
        requester_id = actor.user_id
    if requester_id is None:
        requester_id = actor.user_id
    ticket_id = next_id(KIND)
    moment = utcnow()
    now = to_iso(moment)
    ticket = TicketModel(
        ticket_id,
        title=data.title,
        content=data.content,
        status=data.status,
        priority=data.priority,
        tags=list(data.tags),
        requester_id=requester_id,
        assignee_id=data.assignee_id,
        created_at=now,
        updated_at=now,
        sla=ticket_sla.initial(data.priority, now, data.status),
        resolved_at=now if ticket_sla.stops(data.status) else None,
        created_by=actor.user_id if actor.user_id and actor.user_id != requester_id else None,
        channel=channel,
    )
    ticket.sla_timers = ticket_sla.timers(ticket, moment)
    tx = Tx()
    tx.put("ticket", ticket, condition=TicketModel.id.does_not_exist())
    ticket_sla.sync_timers(tx, ticket_id, [], list(ticket.sla_timers))
    events.record(tx, ticket_id, "created", actor.user_id or None, at=now,
                  data={**{k: v for k, v in _fields(ticket).items() if k in AUDITED},
                        **({"created_by": int(ticket.created_by)} if ticket.created_by else {})})
    stats.bump(tx, now[:10], "created")
    stats.bump(tx, now[:10], f"created|p={data.priority}")
    if data.assignee_id == requester_id:  # one check per item: DynamoDB refuses two on the same user
        _check_user(tx, "assignee", requester_id, staff_only=True)
    else:
        _check_user(tx, "requester", requester_id)
        if data.assignee_id is not None:
            _check_user(tx, "assignee", data.assignee_id, staff_only=True)
    listing.add_membership(tx, KIND, ticket_id, now, dims(ticket))
    promise = {"ticket_id": ticket_id, "version": 1}
    outbox.add(tx, "classify", str(ticket_id), promise, version=1)
    if stage is not None:
        stage(tx, ticket)
    try:
        tx.commit()
    except TransactionFailed as exc:
        errors = _people_errors(exc.failed)
        if errors:
            raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors) from exc
        raise
    outbox.send("classify", promise)
    result = to_dict(ticket)
    webhooks.publish("ticket.created", result)
    return result


def get_ticket_model(ticket_id: int, actor: Principal | None = None) -> TicketModel:
    """The live ticket, or NotFound (also for a ticket being deleted, or one the actor may not see)."""
    bind_models()
    try:
        ticket = TicketModel.get(ticket_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(f"ticket {ticket_id} not found") from exc
    if ticket.deleted_at is not None:
        raise NotFound(f"ticket {ticket_id} not found")
    if actor is not None and not actor.is_staff and int(ticket.requester_id) != actor.user_id:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def get_ticket(*, ticket_id: int, actor: Principal) -> dict[str, Any]:
    """A ticket by id, if the actor may see it."""
    return view_for(get_ticket_model(ticket_id, actor), actor)


def is_shared_merge(ticket: TicketModel) -> bool:
    """Whether this duplicate was merged into another requester's ticket (an admin confirmed it)."""
    return ticket.merged_into is not None and ticket.merge_confirmed_by is not None


def view_for(ticket: TicketModel, actor: Principal) -> dict[str, Any]:
    """The ticket as this caller sees it: a requester is not pointed at another requester's ticket."""
    view = to_dict(ticket)
    if not actor.is_staff and is_shared_merge(ticket):
        view["merged_into"] = None
    return view


def list_tickets(*, query: TicketListQuery, actor: Principal) -> dict[str, Any]:
    """A page of tickets matching every given filter, newest first; requesters only see their own."""
    filters: dict[str, Any] = {}
    for name in _DIM_NAMES:
        value = getattr(query, name)
        if value is not None:
            filters[name] = None if value == "none" else value
    if not actor.is_staff:
        if filters.get("requester_id", actor.user_id) != actor.user_id:
            return _page([], query, 0, None, listing.partition_key(KIND, filters))
        filters["requester_id"] = actor.user_id
    pk = listing.partition_key(KIND, filters)
    page = listing.read_page(pk, page=query.page, page_size=query.page_size, cursor=query.cursor)
    tickets = [t for t in listing.load_in_order(TicketModel, page.ids) if t.deleted_at is None]
    return _page([view_for(t, actor) for t in tickets], query, listing.count(pk), page.next_cursor, pk)


def _page(
    items: list[dict[str, Any]], query: TicketListQuery, total: int | None, cursor: str | None, pk: str
) -> dict[str, Any]:
    page_number = listing.decode_cursor(query.cursor, scope=pk)[1] if query.cursor else query.page
    return {"items": items, "page": page_number, "page_size": query.page_size, "total": total, "next_cursor": cursor}


def update_ticket(
    *, ticket_id: int, data: TicketUpdate, actor: Principal, if_match: int | None = None
) -> dict[str, Any]:
    """Apply a partial update. With an expected version, a concurrent edit makes this a 409, never a lost update."""
    if not actor.is_staff:
        raise Forbidden("only agents can edit tickets")
    changes = data.model_dump(exclude_unset=True)
    expected = changes.pop("version", None)
    if if_match is not None:
        if expected is not None and expected != if_match:
            raise ValidationFailed("version and If-Match disagree", [FieldError("version", "differs from If-Match")])
        expected = if_match
    if not changes:
        raise ValidationFailed("nothing to update", [FieldError("body", "send at least one field to change")])
    if changes.get("category") is not None:
        taxonomy.validate_category(changes["category"])

    def attempt() -> dict[str, Any]:
        ticket = get_ticket_model(ticket_id)
        if expected is not None and int(ticket.version) != expected:
            raise _stale(ticket)
        _check_customer_words(ticket, changes)
        try:
            old_category = ticket.category
            _apply_update(ticket, changes, actor)
            _after_update(ticket, changes, old_category)
            result = to_dict(ticket)
            webhooks.publish("ticket.updated", result)
            return result
        except TransactionFailed as exc:
            errors = _people_errors(exc.failed)
            if errors:
                raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors) from exc
            if "ticket" in exc.failed and expected is not None:
                raise _stale(get_ticket_model(ticket_id)) from exc
            raise  # retried below when the ticket changed since it was read

    moved = retry_if_exception(lambda exc: isinstance(exc, TransactionFailed) and "ticket" in exc.failed)
    try:
        return Retrying(retry=moved, stop=stop_after_attempt(3), reraise=True)(attempt)
    except TransactionFailed as exc:
        if "ticket" not in exc.failed:
            raise
        raise _stale(get_ticket_model(ticket_id)) from exc


def written_by_requester(ticket: TicketModel) -> bool:
    """Whether the ticket's first message is the requester's own words (portal, e-mail or API as the
    requester), rather than text a staff member entered on their behalf (`created_by` set)."""
    return ticket.created_by is None


def _check_customer_words(ticket: TicketModel, changes: dict[str, Any]) -> None:
    """What a customer wrote is a record: staff change the title and the fields, never the content. Sending
    the content unchanged is allowed (a form that posts every field); a different one is a 422 naming it."""
    if "content" in changes and changes["content"] != ticket.content and written_by_requester(ticket):
        raise ValidationFailed(
            "content: the requester's own message cannot be edited; change the title or add an internal note",
            [FieldError("content", "written by the requester; it cannot be edited")])


def _after_update(ticket: TicketModel, changes: dict[str, Any], old_category: str | None) -> None:
    if "title" in changes or "content" in changes:
        outbox.send("classify", {"ticket_id": int(ticket.id), "version": int(ticket.version)})
    if changes.get("category") is not None and changes["category"] != old_category:
        taxonomy.record_agent_correction(ticket_id=int(ticket.id), title=ticket.title, content=ticket.content,
                                         category=changes["category"])


def _apply_update(ticket: TicketModel, changes: dict[str, Any], actor: Principal) -> None:
    tx = Tx()
    stage_update(tx, ticket, changes, actor)
    tx.commit()


def stage_update(tx: Tx, ticket: TicketModel, changes: dict[str, Any], actor: Principal,
                 count_resolution: bool = True, condition: Condition | None = None) -> None:
    """Add a ticket update to a transaction: only the changed attributes (UpdateItem, so fields written by
    others such as AI results survive), guarded by the ticket's version.

    The same transaction moves the ticket between listings, updates its SLA clock and timers, appends the
    audit event and, on resolution, the daily statistics. `ticket` is updated in place."""
    before = dims(ticket)
    before_fields = _fields(ticket)
    old_timers = list(ticket.sla_timers or [])
    moment = utcnow()
    values = {name: list(value) if name == "tags" else value for name, value in changes.items()}
    values["updated_at"] = _later_than(ticket.updated_at)
    record = dict(ticket.sla) if ticket.sla else ticket_sla.initial(ticket.priority, ticket.created_at, ticket.status)
    if "priority" in changes and changes["priority"] != ticket.priority:
        record = ticket_sla.reprioritised(record, changes["priority"])
    resolving = False
    if "status" in changes and changes["status"] != ticket.status:
        record = ticket_sla.status_changed(record, ticket.status, changes["status"], moment)
        if ticket_sla.stops(changes["status"]) and not ticket_sla.stops(ticket.status):
            values["resolved_at"] = to_iso(moment)
            resolving = True
        elif ticket_sla.stops(ticket.status) and not ticket_sla.stops(changes["status"]):
            values["resolved_at"] = None
    values["sla"] = record
    for name, value in values.items():
        setattr(ticket, name, value)
    values["sla_timers"] = ticket.sla_timers = ticket_sla.timers(ticket, moment)
    live = TicketModel.deleted_at.does_not_exist()
    tx.update("ticket", ticket, set_actions(TicketModel, values),
              condition=live & condition if condition is not None else live)
    ticket_sla.sync_timers(tx, int(ticket.id), old_timers, list(ticket.sla_timers))
    audited = events.diff({k: before_fields[k] for k in AUDITED},
                          {k: v for k, v in _fields(ticket).items() if k in AUDITED})
    if audited:
        events.record(tx, int(ticket.id), "updated", actor.user_id or None, changes=audited)
    if resolving and count_resolution:
        ticket_sla.record_resolution(tx, ticket, moment)
        if actor.user_id != int(ticket.requester_id):  # the requester who resolved it needs no notice
            mail_notify.stage(tx, event="resolved", ticket_id=int(ticket.id))
    if changes.get("category") is not None and changes["category"] == ticket.ai_category \
            and before_fields.get("category") != changes["category"]:
        stats.bump(tx, to_iso(moment)[:10], "ai_category_accepted")
    new_requester = changes.get("requester_id") if changes.get("requester_id") != before["requester_id"] else None
    new_assignee = changes.get("assignee_id") if changes.get("assignee_id") != before["assignee_id"] else None
    if new_assignee is not None:
        _check_user(tx, "assignee", new_assignee, staff_only=True)
    if new_requester is not None and new_requester != new_assignee:
        _check_user(tx, "requester", new_requester)
    listing.change_membership(tx, KIND, int(ticket.id), ticket.created_at, before, dims(ticket))
    if "title" in changes or "content" in changes:
        version = int(ticket.version) + 1
        outbox.add(tx, "classify", str(ticket.id), {"ticket_id": int(ticket.id), "version": version}, version=version)


def _stale(current: TicketModel) -> Conflict:
    return Conflict(
        f"ticket {int(current.id)} was changed by someone else (now at version {int(current.version)}); "
        "reload it and apply your change again",
        [FieldError("version", f"stale; current version is {int(current.version)}")],
        code="version_conflict",
    )


def _later_than(previous: str) -> str:
    """Now, but never earlier than or equal to the previous timestamp (clocks can step backwards)."""
    now = now_iso()
    if now > previous:
        return now
    return to_iso(parse_iso(previous) + timedelta(microseconds=1))


def delete_ticket(*, ticket_id: int, actor: Principal) -> bool:
    """Delete a ticket and its replies. Returns True when finished, False when replies remain for the sweeper.

    The ticket is first marked deleted and unlisted in one transaction (it disappears at once, and no new
    reply can attach to it), then its replies are removed in batches, then the ticket itself. A crash at
    any point leaves a marker in the `ticket-deleting` list that a re-run or the sweeper picks up.
    """
    if not actor.is_staff:
        raise Forbidden("only agents can delete tickets")
    bind_models()
    try:
        ticket = TicketModel.get(ticket_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(f"ticket {ticket_id} not found") from exc
    if ticket.deleted_at is None:
        _mark_deleted(ticket)
    faults.checkpoint("delete.after_mark")
    return _finish_delete(ticket_id, ticket.created_at)


def _mark_deleted(ticket: TicketModel) -> None:
    now = now_iso()
    tx = Tx()
    tx.update("ticket", ticket, [TicketModel.deleted_at.set(now), TicketModel.sla_timers.remove()],
              condition=TicketModel.deleted_at.does_not_exist())
    listing.remove_membership(tx, KIND, int(ticket.id), ticket.created_at, dims(ticket))
    ticket_sla.sync_timers(tx, int(ticket.id), list(ticket.sla_timers or []), [])
    tx.put("marker", ListingModel(DELETING_PK, listing.sort_key(ticket.created_at, int(ticket.id)), id=int(ticket.id)))
    try:
        tx.commit()
    except TransactionFailed as exc:
        raise Conflict("the ticket changed while it was being deleted; retry") from exc
    ticket.deleted_at = now


def finish_delete(ticket_id: int, created_at: str, limit: int | None = None) -> bool:
    """Finish the delete of a ticket marked deleted (see `delete_ticket`); True when nothing is left.

    A ticket that is already gone counts as finished; one that was never marked deleted is a Conflict and
    keeps its replies."""
    bind_models()
    try:
        ticket = TicketModel.get(ticket_id, consistent_read=True)
    except DoesNotExist:
        ListingModel(DELETING_PK, listing.sort_key(created_at, ticket_id)).delete()
        return True
    if ticket.deleted_at is None:
        raise Conflict(f"ticket {ticket_id} is not being deleted")
    return _finish_delete(ticket_id, created_at, limit)


def _finish_delete(ticket_id: int, created_at: str, limit: int | None = None) -> bool:
    """Remove up to `limit` replies of a ticket marked deleted; when none remain, remove the ticket and marker."""
    budget = limit or get_settings().tables.delete_batch_limit
    for model in (ReplyModel, EventModel):
        budget -= _drain(model, ticket_id, budget)
        if budget <= 0 and model.count(ticket_id, limit=1, consistent_read=True) > 0:
            return False
    tx = Tx()
    tx.delete("ticket", TicketModel(ticket_id), condition=TicketModel.deleted_at.exists(), add_version_condition=False)
    tx.delete("marker", ListingModel(DELETING_PK, listing.sort_key(created_at, ticket_id)))
    try:
        tx.commit()
    except TransactionFailed as exc:
        if TicketModel.count(ticket_id, limit=1, consistent_read=True) == 0:
            return True  # another run removed it (and the marker) first
        if "ticket" in exc.failed and "ConditionalCheckFailed" in exc.codes:
            raise Conflict(f"ticket {ticket_id} is not being deleted") from exc
        return False  # still there (e.g. conflicts outlasted the retries): the marker stays for the sweeper
    return True


def _drain(model: Any, ticket_id: int, budget: int) -> int:
    """Delete up to `budget` items of a ticket's partition in batches of 25; returns how many went."""
    removed = 0
    while removed < budget:
        keys, _ = query_once(model, ticket_id, limit=min(100, budget - removed), keys_only=True)
        if not keys:
            break
        for batch in chunked(keys, 25):
            with model.batch_write() as writer:
                for item in batch:
                    writer.delete(item)
            removed += len(batch)
            faults.checkpoint("delete.after_reply_batch")
    return removed


def sweep_deletes(max_tickets: int = 20) -> int:
    """Finish deletes that a crash or the per-request limit left behind. Returns how many were completed."""
    bind_models()
    done = 0
    for marker in ListingModel.query(DELETING_PK, limit=max_tickets, consistent_read=True):
        created_at = marker.sk.split("#", 1)[0]
        if finish_delete(int(marker.id), created_at):
            done += 1
    return done
