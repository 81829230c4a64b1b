"""Merge a duplicate ticket into another: its replies move over (they keep their time, so the survivor's
thread stays in time order), the duplicate is closed and points to the survivor, and both timelines say so.

Crash-safe: step 1 (one transaction) closes the duplicate, records `merged_into`, writes both events and a
marker in `ticket-merging|`; step 2 copies replies in batches (idempotent puts with the same keys) and
deletes each batch from the duplicate; step 3 removes the marker. A crash anywhere is finished by running
the merge again or by the sweeper, with nothing lost or duplicated.
"""

from __future__ import annotations

from typing import Any

from chalicelib import faults
from chalicelib.clock import now_iso
from chalicelib.db import TransactionFailed, Tx, query_once
from chalicelib.errors import Conflict, FieldError, NotFound, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.listings import ListingModel
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.ops import events
from chalicelib.principal import Principal
from chalicelib.services import tickets

MERGING_PK = "ticket-merging|"
BATCH = 25


def merge(*, source_id: int, target_id: int, actor: Principal) -> dict[str, Any]:
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
        _start(source, target_id, actor)
    elif int(source.merged_into) != target_id:
        raise Conflict(f"ticket {source_id} is already merged into {int(source.merged_into)}")
    finish(source_id, target_id)
    return tickets.get_ticket(ticket_id=target_id, actor=actor)


def _start(source: TicketModel, target_id: int, actor: Principal) -> None:
    now = now_iso()
    tx = Tx()
    changes: dict[str, Any] = {"merged_into": target_id}
    if source.status != "closed":
        changes["status"] = "closed"
    tickets.stage_update(tx, source, changes, actor, count_resolution=False)
    tx.check("target", TicketModel, target_id, TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist()
             & TicketModel.merged_into.does_not_exist())
    tx.put("marker", ListingModel(MERGING_PK, f"{int(source.id):015d}", id=target_id))
    events.record(tx, int(source.id), "merged_into", actor.user_id or None, at=now, data={"into": target_id})
    events.record(tx, target_id, "merged_from", actor.user_id or None, at=now, data={"from": int(source.id)})
    try:
        tx.commit()
    except TransactionFailed as exc:
        if "target" in exc.failed:
            raise Conflict(f"ticket {target_id} changed (deleted or merged) meanwhile") from exc
        raise Conflict("the ticket changed while merging; retry") from exc


def finish(source_id: int, target_id: int) -> None:
    """Move every remaining reply of the duplicate to the survivor, then remove the marker (idempotent)."""
    while True:
        replies, _ = query_once(ReplyModel, source_id, limit=BATCH)
        if not replies:
            break
        with ReplyModel.batch_write() as writer:
            for reply in replies:
                writer.save(ReplyModel(target_id, reply.sk, id=reply.id, author_id=reply.author_id,
                                       content=reply.content, internal=reply.internal, created_at=reply.created_at,
                                       origin=reply.origin, citations=reply.citations))
        faults.checkpoint("merge.after_copy")
        with ReplyModel.batch_write() as writer:
            for reply in replies:
                writer.delete(reply)
        faults.checkpoint("merge.after_batch")
    ListingModel(MERGING_PK, f"{source_id:015d}").delete()


def sweep_merges(limit: int = 20) -> int:
    """Finish merges a crash left half done."""
    bind_models()
    markers, _ = query_once(ListingModel, MERGING_PK, limit=limit)
    for marker in markers:
        finish(int(marker.sk), int(marker.id))
    return len(markers)
