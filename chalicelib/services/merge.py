"""Merge a duplicate ticket into another: its replies move over (they keep their time, so the survivor's
thread stays in time order), its description becomes a message in the survivor's thread, the duplicate is
closed and points to the survivor, and both timelines say so.

Crash-safe: step 1 (one transaction) closes the duplicate, records `merged_into`, writes the description
message, both events and a marker in `ticket-merging|`; step 2 copies replies in batches (idempotent puts with
the same keys) and deletes each batch from the duplicate; step 3 removes the marker. A crash anywhere is
finished by running the merge again or by the sweeper, with nothing lost or duplicated.

Two requesters' tickets merge only when an admin confirms it (`confirm_cross_requester`, on both audit
events). Then nothing of one requester is shown to the other: the duplicate's messages are *copied* to the
survivor marked `hidden_from_requester` (staff see them, the survivor's requester does not), the duplicate
keeps its own thread for its requester, and that requester is not pointed at a ticket they cannot open.
"""

from __future__ import annotations

from typing import Any

from chalicelib import faults
from chalicelib.clock import now_iso
from chalicelib.errors import Conflict, FieldError, NotFound, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.listings import ListingModel
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.principal import Principal
from chalicelib.services import replies, tickets
from chalicelib.store import events, listing
from chalicelib.store.db import TransactionFailed, Tx, query_once
from chalicelib.store.sequences import next_id

MERGING_PK = "ticket-merging|"
BATCH = 25


def merge(*, source_id: int, target_id: int, actor: Principal,
          confirm_cross_requester: bool = False) -> dict[str, Any]:
    """Merge ticket `source_id` into `target_id`; returns the survivor."""
    if source_id == target_id:
        raise ValidationFailed("a ticket cannot be merged into itself", [FieldError("into", "same ticket")])
    bind_models()
    try:
        target = tickets.get_ticket_model(target_id)
    except NotFound as exc:
        raise ValidationFailed(f"ticket {target_id} not found", [FieldError("into", "no such ticket")]) from exc
    if target.merged_into is not None:
        raise Conflict(f"ticket {target_id} was itself merged into {int(target.merged_into)}; merge into that one",
                       [FieldError("into", f"merged into {int(target.merged_into)}")])
    source = tickets.get_ticket_model(source_id)
    if source.merged_into is None:
        cross = int(source.requester_id) != int(target.requester_id)
        if cross:
            _check_cross_requester(source, target, actor, confirm_cross_requester)
        _start(source, target, actor, cross)
    elif int(source.merged_into) != target_id:
        raise Conflict(f"ticket {source_id} is already merged into {int(source.merged_into)}")
    finish(source_id, target_id)
    return tickets.get_ticket(ticket_id=target_id, actor=actor)


def _check_cross_requester(source: TicketModel, target: TicketModel, actor: Principal, confirmed: bool) -> None:
    if confirmed and not actor.is_admin:
        raise tickets.forbidden_field("confirm_cross_requester",
                                      "only an admin can confirm merging two requesters' tickets")
    if not confirmed:
        raise Conflict(f"ticket {int(source.id)} belongs to another requester than ticket {int(target.id)}; "
                       "an admin can merge them with confirm_cross_requester (neither requester will see the "
                       "other's messages)",
                       [FieldError("into", "another requester's ticket")], code="cross_requester")


def _start(source: TicketModel, target: TicketModel, actor: Principal, cross: bool) -> None:
    now = now_iso()
    target_id = int(target.id)
    tx = Tx()
    changes: dict[str, Any] = {"merged_into": target_id}
    if cross:
        changes["merge_confirmed_by"] = actor.user_id
    if source.status != "closed":
        changes["status"] = "closed"
    tickets.stage_update(tx, source, changes, actor, count_resolution=False)
    tx.check("target", TicketModel, target_id, TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist()
             & TicketModel.merged_into.does_not_exist() & (TicketModel.requester_id == int(target.requester_id)))
    tx.put("marker", ListingModel(MERGING_PK, f"{int(source.id):015d}", id=target_id))
    description_id = next_id(replies.KIND)
    tx.put("description", ReplyModel(
        target_id, listing.sort_key(source.created_at, description_id), id=description_id,
        author_id=int(source.requester_id), content=f"{source.title}\n\n{source.content}", internal=False,
        created_at=source.created_at, merged_from=int(source.id), hidden_from_requester=True if cross else None,
        posted_by=_int(source.created_by)), condition=ReplyModel.sk.does_not_exist())
    audit = {"cross_requester": True, "confirmed_by": actor.user_id} if cross else {}
    events.record(tx, int(source.id), "merged_into", actor.user_id or None, at=now, data={"into": target_id, **audit})
    events.record(tx, target_id, "merged_from", actor.user_id or None, at=now, data={"from": int(source.id), **audit})
    try:
        tx.commit()
    except TransactionFailed as exc:
        if "target" in exc.failed:
            raise Conflict(f"ticket {target_id} changed (deleted, merged or its requester) meanwhile") from exc
        raise Conflict("the ticket changed while merging; retry") from exc


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def finish(source_id: int, target_id: int) -> None:
    """Bring every reply of the duplicate to the survivor, then remove the marker (idempotent).

    A same-requester merge moves the replies (copy a batch, then delete it from the duplicate); a confirmed
    cross-requester merge copies them, hidden from the survivor's requester, and leaves the duplicate's thread."""
    bind_models()
    try:
        shared = tickets.is_shared_merge(TicketModel.get(source_id, consistent_read=True))
    except TicketModel.DoesNotExist:
        shared = False
    start_key = None
    while True:
        batch, last_key = query_once(ReplyModel, source_id, limit=BATCH, start_key=start_key)
        if not batch:
            break
        with ReplyModel.batch_write() as writer:
            for reply in batch:
                copy = ReplyModel(target_id, reply.sk, **_copied(reply))
                copy.merged_from = reply.merged_from if reply.merged_from is not None else source_id
                if shared:
                    copy.hidden_from_requester = True
                writer.save(copy)
        faults.checkpoint("merge.after_copy")
        if shared:
            if last_key is None:
                break
            start_key = last_key
            continue
        with ReplyModel.batch_write() as writer:
            for reply in batch:
                writer.delete(reply)
        faults.checkpoint("merge.after_batch")
    ListingModel(MERGING_PK, f"{source_id:015d}").delete()


def _copied(reply: ReplyModel) -> dict[str, Any]:
    """Every attribute of a reply but its key (so fields added later move with it)."""
    keys = ("ticket_id", "sk")
    return {name: getattr(reply, name) for name in ReplyModel.get_attributes() if name not in keys}


def sweep_merges(limit: int = 20) -> int:
    """Finish merges a crash left half done."""
    bind_models()
    markers, _ = query_once(ListingModel, MERGING_PK, limit=limit)
    for marker in markers:
        finish(int(marker.sk), int(marker.id))
    return len(markers)
