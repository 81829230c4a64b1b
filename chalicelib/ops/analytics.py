"""The dashboard's numbers, from the daily aggregates (chalicelib/store/stats.py) and the listing counters.

Cost: one Query per month in the range (more only past 1 MB of aggregates in a month) for the trends,
one BatchGetItem for the backlog counters, and one BatchGetItem for the agents' names. Nothing here
reads tickets, so the cost does not grow with their number.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalicelib.clock import utcnow
from chalicelib.config import get_settings
from chalicelib.errors import FieldError, ValidationFailed
from chalicelib.models.listings import CounterModel
from chalicelib.models.users import UserModel
from chalicelib.ops import auto_reply_stats
from chalicelib.schemas.tickets import PRIORITIES, STATUSES
from chalicelib.store import listing, stats
from chalicelib.store.db import batch_get

MAX_DAYS = 366
OPEN_STATUSES = ("open", "in_progress", "pending")


def _range(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or utcnow().date()
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValidationFailed("from must not be after to", [FieldError("from", "after to")])
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(f"at most {MAX_DAYS} days at a time", [FieldError("from", "range too long")])
    return start, end


def _backlog() -> dict[str, Any]:
    """Current counts by status, and by priority among unresolved tickets (one BatchGetItem of counters)."""
    shards = get_settings().tables.count_shards
    partitions: dict[str, str] = {f"status:{s}": listing.partition_key("ticket", {"status": s}) for s in STATUSES}
    for status in OPEN_STATUSES:
        for priority in PRIORITIES:
            partitions[f"{status}:{priority}"] = listing.partition_key("ticket", {"status": status,
                                                                                  "priority": priority})
    names = {f"count|{pk}|{shard}": label for label, pk in partitions.items() for shard in range(shards)}
    found = batch_get(CounterModel, list(names))
    totals: dict[str, int] = dict.fromkeys(partitions, 0)
    for name, item in found.items():
        totals[names[name]] += int(item.value)
    by_priority = {p: sum(max(0, totals[f"{s}:{p}"]) for s in OPEN_STATUSES) for p in PRIORITIES}
    return {"by_status": {s: max(0, totals[f"status:{s}"]) for s in STATUSES}, "open_by_priority": by_priority,
            "open_total": sum(by_priority.values())}


def _attainment(counts: dict[str, int], prefix: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for key, value in counts.items():
        if not key.startswith(prefix):
            continue
        group, outcome = key[len(prefix):].rsplit("|", 1)
        entry = groups.setdefault(group, {"met": 0, "breached": 0})
        entry[outcome] = entry.get(outcome, 0) + value
    for entry in groups.values():
        total = entry["met"] + entry["breached"]
        entry["attainment"] = round(entry["met"] / total, 4) if total else None
    return groups


def summary(*, start: date | None, end: date | None) -> dict[str, Any]:
    """Trends, backlog, response and resolution times, SLA attainment, satisfaction and AI usage."""
    start, end = _range(start, end)
    per_day, queries = stats.read(start, end)
    counts = stats.by_prefix(per_day, "")
    frt, rt = stats.histogram_of(per_day, "frt"), stats.histogram_of(per_day, "rt")
    by_agent = _attainment(counts, "sla_res|a=")
    agent_ids = [int(a) for a in by_agent if a.isdigit() and int(a) > 0]
    names = {int(u.id): u.name for u in batch_get(UserModel, agent_ids).values()} if agent_ids else {}
    csat = {str(s): counts.get(f"csat|s={s}", 0) for s in range(1, 6)}
    rated = sum(csat.values())
    suggested = counts.get("ai_suggested", 0)
    ai_mix = {k[len("ai|c="):]: v for k, v in counts.items() if k.startswith("ai|c=")}
    return {
        "from": start.isoformat(), "to": end.isoformat(),
        "days": [{"date": d, "created": per_day.get(d, {}).get("created", 0),
                  "resolved": per_day.get(d, {}).get("resolved", 0)} for d in stats.all_days(start, end)],
        "totals": {"created": counts.get("created", 0), "resolved": counts.get("resolved", 0)},
        "backlog": _backlog(),
        "first_response": {"count": sum(frt.values()), "median_s": stats.percentile(frt, 0.5),
                           "p90_s": stats.percentile(frt, 0.9)},
        "resolution": {"count": sum(rt.values()), "median_s": stats.percentile(rt, 0.5),
                       "p90_s": stats.percentile(rt, 0.9)},
        "sla": {
            "resolution_by_priority": _attainment(counts, "sla_res|p="),
            "first_response_by_priority": _attainment(counts, "sla_fr|p="),
            "resolution_by_agent": [{"agent_id": int(a), "name": names.get(int(a)) if a.isdigit() else None,
                                     **entry} for a, entry in sorted(by_agent.items()) if a.isdigit()],
            "breaches": {"first_response": counts.get("breach|first_response", 0),
                         "resolution": counts.get("breach|resolution", 0)},
        },
        "csat": {"count": rated, "average": round(sum(int(s) * n for s, n in csat.items()) / rated, 3)
                 if rated else None, "distribution": csat},
        "ai": {"category_mix": ai_mix, "suggestions": suggested,
               "category_accepted": counts.get("ai_category_accepted", 0),
               "drafts_used": counts.get("ai_draft_used", 0),
               "acceptance_rate": round((counts.get("ai_category_accepted", 0) + counts.get("ai_draft_used", 0))
                                        / suggested, 4) if suggested else None,
               "auto_reply": auto_reply_stats.summary(per_day, stats.all_days(start, end))},
        "cost": {"stat_queries": queries},
    }
