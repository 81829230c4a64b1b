"""Time in one place: ISO-8601 UTC strings that sort the same way as the instants they name."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """Fixed-width ISO-8601 with microseconds and a Z, so string order equals time order."""
    return moment.astimezone(UTC).strftime(_FORMAT)


def now_iso() -> str:
    """The current instant as a sortable ISO-8601 string."""
    return to_iso(utcnow())


def parse_iso(value: str) -> datetime:
    """Parse an ISO-8601 string (with Z or an offset) into an aware datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
