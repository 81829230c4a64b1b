"""Daily aggregates maintained on the write path, so the dashboard reads only the days it shows.

Items live in one partition per month (`2026-11`) with keys `<day>|<metric>#<shard>`. Busy counters
(tickets created/resolved) are spread over shards so concurrent transactions rarely touch the same item.
Durations are kept as histograms with buckets a factor 2^(1/4) apart (one minute to about a year), from
which medians and p90s are estimated within about 10 %.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta

from chalicelib.models import bind_models
from chalicelib.models.ops import StatModel
from chalicelib.store.db import Tx, query_once

SHARDED = ("created", "resolved")
SHARDS = 4
BUCKET_BASE_S = 60.0
BUCKET_FACTOR = 2 ** 0.25
MAX_BUCKET = 76  # 60 s * 2^(76/4) ~ 1 year


def _key(day: str, metric: str) -> tuple[str, str]:
    shard = random.randrange(SHARDS) if metric.split("|", 1)[0] in SHARDED else 0
    return day[:7], f"{day}|{metric}#{shard}"


def bump(tx: Tx, day: str, metric: str, amount: int = 1) -> None:
    """Add `amount` to a day's metric inside a transaction."""
    month, key = _key(day, metric)
    tx.update(f"stat:{metric}", StatModel(month, key), [StatModel.value.add(amount)])


def bump_now(day: str, metric: str, amount: int = 1) -> None:
    """Add to a metric outside a transaction (a counter tied to no ticket write, such as a deflection)."""
    bind_models()
    month, key = _key(day, metric)
    StatModel(month, key).update(actions=[StatModel.value.add(amount)])


def bucket(seconds: float) -> int:
    """The histogram bucket of a duration."""
    if seconds <= BUCKET_BASE_S:
        return 0
    return min(MAX_BUCKET, int(math.log(seconds / BUCKET_BASE_S, BUCKET_FACTOR)) + 1)


def bucket_value(index: int) -> float:
    """A representative duration of a bucket (its geometric middle)."""
    if index == 0:
        return BUCKET_BASE_S / 2
    low = BUCKET_BASE_S * BUCKET_FACTOR ** (index - 1)
    return low * math.sqrt(BUCKET_FACTOR)


def percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """The duration below which `fraction` of the observations fall, estimated from a histogram."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = fraction * total
    seen = 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen >= rank:
            return round(bucket_value(index), 1)
    return round(bucket_value(max(histogram)), 1)


def read(start: date, end: date) -> tuple[dict[str, dict[str, int]], int]:
    """Every metric of every day in [start, end]: {day: {metric: value}}, and the number of Query calls made.

    One Query per month touched (more only past 1 MB per month), whatever the number of tickets.
    """
    bind_models()
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    calls = 0
    month = date(start.year, start.month, 1)
    while month <= end:
        low, high = max(start, month).isoformat(), end.isoformat()
        start_key = None
        while True:
            items, start_key = query_once(StatModel, month.isoformat()[:7], limit=5000, start_key=start_key,
                                          range_key_condition=StatModel.key.between(f"{low}|", f"{high}|~"))
            calls += 1
            for item in items:
                day, rest = item.key.split("|", 1)
                per_day[day][rest.rsplit("#", 1)[0]] += int(item.value)
            if start_key is None:
                break
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return {day: dict(metrics) for day, metrics in per_day.items()}, calls


def all_days(start: date, end: date) -> list[str]:
    """Every day in the range, as ISO dates."""
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def histogram_of(per_day: dict[str, dict[str, int]], prefix: str) -> dict[int, int]:
    """Merge the `<prefix>|b=<bucket>` counters of every day."""
    merged: dict[int, int] = defaultdict(int)
    for metrics in per_day.values():
        for metric, value in metrics.items():
            if metric.startswith(prefix + "|b="):
                merged[int(metric.rsplit("=", 1)[1])] += value
    return dict(merged)


def summed(per_day: dict[str, dict[str, int]], metric: str) -> int:
    """A metric summed over the days."""
    return sum(metrics.get(metric, 0) for metrics in per_day.values())


def by_prefix(per_day: dict[str, dict[str, int]], prefix: str) -> dict[str, int]:
    """{suffix: total} for every metric `<prefix><suffix>`."""
    out: dict[str, int] = defaultdict(int)
    for metrics in per_day.values():
        for metric, value in metrics.items():
            if metric.startswith(prefix):
                out[metric[len(prefix):]] += value
    return dict(out)
