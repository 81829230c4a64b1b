"""The AI first response's numbers for the dashboard, from the daily `ai_reply|…` counters."""

from __future__ import annotations

from typing import Any

from chalicelib.store import stats

_OUTCOMES = ("sent", "resolved", "reopened", "deflected")


def summary(per_day: dict[str, dict[str, int]], days: list[str]) -> dict[str, Any]:
    """AI answers sent, resolved by AI, reopened after AI, declined by reason, deflections; per category, per day."""
    counts = stats.by_prefix(per_day, "ai_reply|")
    by_category: dict[str, dict[str, int]] = {}
    for key, value in counts.items():
        outcome, _, category = key.partition("|c=")
        if category and outcome in _OUTCOMES:
            by_category.setdefault(category, dict.fromkeys(_OUTCOMES, 0))[outcome] += value
    return {
        **{outcome: counts.get(outcome, 0) for outcome in _OUTCOMES},
        "declined": {k[len("declined|r="):]: v for k, v in counts.items() if k.startswith("declined|r=")},
        "by_category": by_category,
        "days": [{"date": d, **{o: per_day.get(d, {}).get(f"ai_reply|{o}", 0) for o in _OUTCOMES}} for d in days],
    }
