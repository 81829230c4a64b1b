"""Satisfaction (CSAT): the requester rates a resolved ticket 1-5; one rating per ticket, changeable until
the ticket is closed."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import now_iso
from chalicelib.errors import Conflict, Forbidden
from chalicelib.models.tickets import TicketModel
from chalicelib.principal import Principal
from chalicelib.services import tickets
from chalicelib.store import events, stats
from chalicelib.store.db import TransactionFailed, Tx


def rate(*, ticket_id: int, score: int, comment: str | None, actor: Principal) -> dict[str, Any]:
    """Store (or change) the requester's rating; the daily distribution moves with it."""
    ticket = tickets.get_ticket_model(ticket_id, actor)
    if int(ticket.requester_id) != actor.user_id:
        raise Forbidden("only the ticket's requester can rate it")
    if ticket.status == "closed":
        raise Conflict("this ticket is closed; its rating can no longer change", code="closed")
    if ticket.status != "resolved":
        raise Conflict("a ticket can be rated once it is resolved", code="not_resolved")
    now = now_iso()
    first_rated = ticket.csat_at or now
    tx = Tx()
    tx.update_fields("ticket", TicketModel, ticket_id,
                     [TicketModel.csat_score.set(score), TicketModel.csat_comment.set(comment or ""),
                      TicketModel.csat_at.set(first_rated)],
                     condition=TicketModel.status.is_in("resolved") & TicketModel.deleted_at.does_not_exist())
    previous = int(ticket.csat_score) if ticket.csat_score is not None else None
    if previous != score:
        if previous is not None:
            stats.bump(tx, first_rated[:10], f"csat|s={previous}", -1)
        stats.bump(tx, first_rated[:10], f"csat|s={score}")
    events.record(tx, ticket_id, "rated", actor.user_id, at=now,
                  changes=[{"field": "csat_score", "old": previous, "new": score}])
    try:
        tx.commit()
    except TransactionFailed as exc:
        raise Conflict("the ticket changed while rating it; reload and retry") from exc
    return tickets.get_ticket(ticket_id=ticket_id, actor=actor)
