"""The SLA watcher (a schedule): fire the timers whose instant has passed.

It reads one listing partition (`sla-timer|`) up to now, so its cost follows the number of tickets about to
breach, never the number of tickets. Each timer fires once: its removal from the ticket's `sla_timers` is the
condition of the alert's transaction. Alerts: a log line, an event in the ticket's history, a daily
breach count, and a `sla.breached` webhook.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import to_iso, utcnow
from chalicelib.log import logger
from chalicelib.models import bind_models
from chalicelib.models.listings import ListingModel
from chalicelib.models.tickets import TicketModel
from chalicelib.ops import webhooks
from chalicelib.ops.ticket_sla import TIMER_PK
from chalicelib.store import events, stats
from chalicelib.store.db import TransactionFailed, Tx, batch_get, query_once

TARGET_NAMES = {"fr": "first_response", "res": "resolution"}


def run(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Fire every timer that is due; returns how many alerts of each kind were raised."""
    bind_models()
    moment = now or utcnow()
    due, _ = query_once(ListingModel, TIMER_PK, limit=limit, range_key_condition=ListingModel.sk < f"{to_iso(moment)}$")
    found = batch_get(TicketModel, sorted({int(timer.id) for timer in due}))
    fired = {"at_risk": 0, "breached": 0, "stale": 0}
    for timer in due:
        ticket = found.get(int(timer.id))
        if ticket is None or ticket.deleted_at or timer.sk not in (ticket.sla_timers or []):
            ListingModel(TIMER_PK, timer.sk).delete()
            fired["stale"] += 1
            continue
        if _fire(ticket, timer.sk, moment):
            fired["breached" if timer.sk.endswith("_due") else "at_risk"] += 1
    return fired


def _fire(ticket: TicketModel, key: str, moment: datetime) -> bool:
    instant, _, kind = key.split("#")
    short, level = kind.split("_")
    state = "breached" if level == "due" else "at_risk"
    target = TARGET_NAMES[short]
    remaining = [k for k in (ticket.sla_timers or []) if k != key]
    alerts = sorted(set(ticket.sla_alerts or []) | {f"{short}:{state}"})
    tx = Tx()
    tx.update_fields("ticket", TicketModel, int(ticket.id),
                     [TicketModel.sla_timers.set(remaining), TicketModel.sla_alerts.set(alerts)],
                     condition=TicketModel.sla_timers.contains(key))
    tx.delete("timer", ListingModel(TIMER_PK, key))
    events.record(tx, int(ticket.id), f"sla_{state}", None, at=to_iso(moment), data={"target": target, "due": instant})
    if state == "breached":
        stats.bump(tx, to_iso(moment)[:10], f"breach|{target}")
    try:
        tx.commit()
    except TransactionFailed:
        return False  # another run fired it first
    details: dict[str, Any] = {"ticket_id": int(ticket.id), "target": target, "due": instant,
                               "priority": ticket.priority, "assignee_id": ticket.assignee_id}
    logger.warning(f"SLA {state.replace('_', ' ')}", extra=details)
    if state == "breached":
        webhooks.publish("sla.breached", details)
    return True
