"""A ticket's SLA: its clock state, the timers the watcher fires, the view clients see, and the statistics
recorded when a target is met or missed.

Each running target keeps two timers in the listing partition `sla-timer|` (sort key `<instant>#<id>#<kind>`):
`*_risk` at 75 % of the target and `*_due` at 100 %. The watcher queries that one partition for timers
whose instant has passed, so finding tickets about to breach never scans tickets. Timers are rewritten
whenever the clock changes (priority change, pause, resume, first response, resolution).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import parse_iso, to_iso
from chalicelib.models.listings import ListingModel
from chalicelib.models.tickets import TicketModel
from chalicelib.ops import policy
from chalicelib.ops.sla import PAUSED_STATUSES, Calendar, Clock, Target, state_of, worst
from chalicelib.store import stats
from chalicelib.store.db import Tx

TIMER_PK = "sla-timer|"
RISK_AT = 0.75
STOPPING_STATUSES = frozenset({"resolved", "closed"})


def initial(priority: str, created_at: str, status: str) -> dict[str, Any]:
    """The SLA record of a new ticket: its priority's targets, the calendar, a running (or paused) clock."""
    current = policy.get_policy()
    target = policy.target_for(priority, current)
    record = {"first_response_s": target.first_response_s, "resolution_s": target.resolution_s,
              "calendar": policy.calendar(current).to_dict(), "started_at": created_at, "paused_s": 0.0,
              "paused_since": created_at if status in PAUSED_STATUSES else None}
    return record


def _parts(record: dict[str, Any]) -> tuple[Clock, Calendar, Target]:
    clock = Clock(started_at=parse_iso(record["started_at"]), paused_s=float(record.get("paused_s") or 0.0),
                  paused_since=parse_iso(record["paused_since"]) if record.get("paused_since") else None)
    return clock, Calendar.from_dict(record.get("calendar")), Target(int(record["first_response_s"]),
                                                                      int(record["resolution_s"]))


def _store(record: dict[str, Any], clock: Clock) -> dict[str, Any]:
    return {**record, "paused_s": round(clock.paused_s, 3),
            "paused_since": to_iso(clock.paused_since) if clock.paused_since else None}


def reprioritised(record: dict[str, Any], priority: str) -> dict[str, Any]:
    """New targets for a new priority; the clock (and its pauses) carries on."""
    target = policy.target_for(priority)
    return {**record, "first_response_s": target.first_response_s, "resolution_s": target.resolution_s}


def status_changed(record: dict[str, Any], old: str, new: str, at: datetime) -> dict[str, Any]:
    """Pause when the ticket waits on the customer or is resolved/closed; resume when work starts again."""
    clock, calendar, _ = _parts(record)
    if new in PAUSED_STATUSES and old not in PAUSED_STATUSES:
        clock.pause(at)
    elif new not in PAUSED_STATUSES and old in PAUSED_STATUSES:
        clock.resume(calendar, at)
    return _store(record, clock)


def elapsed_at(record: dict[str, Any], at: datetime) -> float:
    """Working seconds counted by the clock up to `at`."""
    clock, calendar, _ = _parts(record)
    return clock.elapsed(calendar, at)


def timers(ticket: TicketModel, now: datetime) -> list[str]:
    """The timer sort keys that should exist for the ticket now."""
    record = ticket.sla
    if not record or record.get("paused_since") or ticket.deleted_at or ticket.merged_into:
        return []
    clock, calendar, target = _parts(record)
    alerts = set(ticket.sla_alerts or [])
    wanted = []
    running = [("fr", target.first_response_s, ticket.first_responded_at is None),
               ("res", target.resolution_s, ticket.resolved_at is None)]

    def key(seconds: int, kind: str) -> str:
        # whole seconds, so recomputing the same timer later gives the same key
        instant = clock.due(calendar, seconds, now).replace(microsecond=0)
        return f"{to_iso(instant)}#{int(ticket.id):015d}#{kind}"

    for kind, seconds, active in running:
        if not active:
            continue
        if f"{kind}:at_risk" not in alerts and f"{kind}:breached" not in alerts:
            wanted.append(key(int(seconds * RISK_AT), f"{kind}_risk"))
        if f"{kind}:breached" not in alerts:
            wanted.append(key(seconds, f"{kind}_due"))
    return wanted


def sync_timers(tx: Tx, ticket_id: int, old: list[str], new: list[str]) -> None:
    """Add the transaction items that replace a ticket's timers."""
    for key in sorted(set(old) - set(new)):
        tx.delete(f"timer-:{key}", ListingModel(TIMER_PK, key))
    for key in sorted(set(new) - set(old)):
        tx.put(f"timer+:{key}", ListingModel(TIMER_PK, key, id=ticket_id))


def view(ticket: TicketModel, now: datetime) -> dict[str, Any]:
    """The SLA fields of the API: due instants, the stopping events, and ok / at_risk / breached."""
    record = ticket.sla
    if not record:
        return {"first_response_due": None, "resolution_due": None, "first_responded_at": ticket.first_responded_at,
                "resolved_at": ticket.resolved_at, "sla_state": "ok", "sla_paused": False}
    clock, calendar, target = _parts(record)
    elapsed = clock.elapsed(calendar, now)
    fr_met = elapsed_at(record, parse_iso(ticket.first_responded_at)) if ticket.first_responded_at else None
    res_met = elapsed_at(record, parse_iso(ticket.resolved_at)) if ticket.resolved_at else None
    states = [state_of(elapsed, target.first_response_s, fr_met), state_of(elapsed, target.resolution_s, res_met)]
    return {
        "first_response_due": to_iso(clock.due(calendar, target.first_response_s, now)),
        "resolution_due": to_iso(clock.due(calendar, target.resolution_s, now)),
        "first_responded_at": ticket.first_responded_at,
        "resolved_at": ticket.resolved_at,
        "sla_state": worst(*states),
        "sla_paused": clock.paused_since is not None,
    }


def record_first_response(tx: Tx, ticket: TicketModel, at: datetime, responder_id: int) -> None:
    """Statistics for a first response: its wall-clock time and whether the target was met."""
    day = to_iso(at)[:10]
    seconds = (at - parse_iso(ticket.created_at)).total_seconds()
    stats.bump(tx, day, f"frt|b={stats.bucket(seconds)}")
    if ticket.sla:
        met = elapsed_at(ticket.sla, at) <= int(ticket.sla["first_response_s"])
        outcome = "met" if met else "breached"
        stats.bump(tx, day, f"sla_fr|p={ticket.priority}|{outcome}")
        stats.bump(tx, day, f"sla_fr|a={responder_id}|{outcome}")


def record_resolution(tx: Tx, ticket: TicketModel, at: datetime) -> None:
    """Statistics for a resolution: count, wall-clock time, and whether the target was met (per agent)."""
    day = to_iso(at)[:10]
    stats.bump(tx, day, "resolved")
    stats.bump(tx, day, f"resolved|p={ticket.priority}")
    seconds = (at - parse_iso(ticket.created_at)).total_seconds()
    stats.bump(tx, day, f"rt|b={stats.bucket(seconds)}")
    if ticket.sla:
        met = elapsed_at(ticket.sla, at) <= int(ticket.sla["resolution_s"])
        outcome = "met" if met else "breached"
        stats.bump(tx, day, f"sla_res|p={ticket.priority}|{outcome}")
        agent = int(ticket.assignee_id) if ticket.assignee_id is not None else 0
        stats.bump(tx, day, f"sla_res|a={agent}|{outcome}")


def stops(status: str) -> bool:
    """Whether a status ends the resolution target (resolved or closed)."""
    return status in STOPPING_STATUSES
