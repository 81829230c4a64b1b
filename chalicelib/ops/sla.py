"""SLA clocks in business time: pure functions, no I/O.

A clock counts seconds inside the calendar's working hours (all hours for a 24x7 calendar) while the
ticket is not paused (pending = waiting on the customer; resolved/closed = stopped). A target is met when
the counted time at the event is within the target. Due instants are where the counted time will reach
the target if the clock keeps running from now on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

AT_RISK_FRACTION = 0.25  # "at risk" when less than a quarter of the target is left
PAUSED_STATUSES = frozenset({"pending", "resolved", "closed"})


@dataclass(frozen=True)
class Calendar:
    """Working hours: days (0 = Monday) and a daily window in a time zone; None window = 24 hours."""

    timezone: str = "UTC"
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: time | None = time(9, 0)
    end: time | None = time(17, 0)

    @classmethod
    def always(cls) -> Calendar:
        """24x7."""
        return cls(timezone="UTC", days=(0, 1, 2, 3, 4, 5, 6), start=None, end=None)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Calendar:
        """From the stored form ({"timezone", "days", "start": "09:00", "end": "17:00"}; None = 24x7)."""
        if not data:
            return cls.always()
        start, end = data.get("start"), data.get("end")
        return cls(timezone=str(data.get("timezone") or "UTC"), days=tuple(sorted(int(d) for d in data["days"])),
                   start=time.fromisoformat(start) if start else None, end=time.fromisoformat(end) if end else None)

    def to_dict(self) -> dict[str, Any] | None:
        """The stored form."""
        if self == Calendar.always():
            return None
        return {"timezone": self.timezone, "days": list(self.days),
                "start": self.start.strftime("%H:%M") if self.start else None,
                "end": self.end.strftime("%H:%M") if self.end else None}

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def _windows(self, day: datetime) -> list[tuple[datetime, datetime]]:
        """Working intervals (UTC) of the local calendar day that contains `day`."""
        local = day.astimezone(self.zone)
        if local.weekday() not in self.days:
            return []
        midnight = datetime.combine(local.date(), time(0, 0), tzinfo=self.zone)
        if self.start is None or self.end is None:
            next_midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 0), tzinfo=self.zone)
            opening, closing = midnight, next_midnight
        else:
            opening = datetime.combine(local.date(), self.start, tzinfo=self.zone)
            closing = datetime.combine(local.date(), self.end, tzinfo=self.zone)
        return [(opening.astimezone(UTC), closing.astimezone(UTC))] if closing > opening else []

    def _days_from(self, moment: datetime) -> Any:
        local = moment.astimezone(self.zone)
        day = datetime.combine(local.date(), time(12, 0), tzinfo=self.zone)
        while True:
            yield day
            day = datetime.combine(day.date() + timedelta(days=1), time(12, 0), tzinfo=self.zone)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Working seconds between two instants."""
        if end <= start:
            return 0.0
        total = 0.0
        for day in self._days_from(start):
            if datetime.combine(day.date(), time(0, 0), tzinfo=self.zone).astimezone(UTC) > end:
                break
            for opening, closing in self._windows(day):
                lo, hi = max(opening, start), min(closing, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
        return total

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant when `seconds` of working time have passed after `start`."""
        remaining = max(0.0, seconds)
        if not self.days:
            return start + timedelta(seconds=remaining)
        for count, day in enumerate(self._days_from(start)):
            if count > 3700:  # ten years: a calendar that never opens
                break
            for opening, closing in self._windows(day):
                lo = max(opening, start)
                if closing <= lo:
                    continue
                available = (closing - lo).total_seconds()
                if remaining <= available:
                    return lo + timedelta(seconds=remaining)
                remaining -= available
        return start + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Target:
    """First-response and resolution targets, in seconds of working time."""

    first_response_s: int
    resolution_s: int


@dataclass
class Clock:
    """What a ticket's SLA clock has counted so far (stored on the ticket)."""

    started_at: datetime
    paused_s: float = 0.0  # working seconds spent paused
    paused_since: datetime | None = None

    def elapsed(self, calendar: Calendar, at: datetime) -> float:
        """Working seconds counted (pauses excluded) up to `at`."""
        end = min(at, self.paused_since) if self.paused_since else at
        return max(0.0, calendar.business_seconds(self.started_at, end) - self.paused_s)

    def pause(self, at: datetime) -> None:
        """Stop counting (entering pending/resolved/closed)."""
        if self.paused_since is None:
            self.paused_since = at

    def resume(self, calendar: Calendar, at: datetime) -> None:
        """Count again, remembering how much working time the pause lasted."""
        if self.paused_since is not None:
            self.paused_s += calendar.business_seconds(self.paused_since, at)
            self.paused_since = None

    def due(self, calendar: Calendar, target_s: int, now: datetime) -> datetime:
        """When the counted time reaches `target_s` if the clock runs from now (or from now on, if paused)."""
        remaining = target_s - self.elapsed(calendar, now)
        anchor = max(now, self.paused_since) if self.paused_since else now
        return calendar.add_business_seconds(anchor, remaining) if remaining > 0 else \
            calendar.add_business_seconds(self.started_at, target_s + self.paused_s)


def state_of(elapsed_s: float, target_s: int, met_at_elapsed: float | None) -> str:
    """ok / at_risk / breached for one target, given the counted time now and at the event if it happened."""
    if met_at_elapsed is not None:
        return "ok" if met_at_elapsed <= target_s else "breached"
    if elapsed_s > target_s:
        return "breached"
    if target_s - elapsed_s < AT_RISK_FRACTION * target_s:
        return "at_risk"
    return "ok"


def worst(*states: str) -> str:
    """The worst of several states."""
    order = {"ok": 0, "at_risk": 1, "breached": 2}
    return max(states, key=lambda s: order[s]) if states else "ok"
