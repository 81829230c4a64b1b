"""The SLA policy: targets per priority and the business-hours calendar, editable by an admin."""

from __future__ import annotations

import time
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import now_iso
from chalicelib.config import on_reset
from chalicelib.models import bind_models
from chalicelib.models.ops import SettingModel
from chalicelib.ops.sla import Calendar, Target

NAME = "sla-policy"
MINUTE, HOUR = 60, 3600
DEFAULT_POLICY: dict[str, Any] = {
    "targets": {
        "urgent": {"first_response_s": 30 * MINUTE, "resolution_s": 4 * HOUR},
        "high": {"first_response_s": 2 * HOUR, "resolution_s": 8 * HOUR},
        "medium": {"first_response_s": 8 * HOUR, "resolution_s": 24 * HOUR},
        "low": {"first_response_s": 24 * HOUR, "resolution_s": 72 * HOUR},
    },
    "business_hours": {"timezone": "UTC", "days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"},
}
_CACHE_S = 30.0
_cache: tuple[float, dict[str, Any]] | None = None


def get_policy() -> dict[str, Any]:
    """The current policy (the defaults until an admin saves one); cached for 30 s per process."""
    global _cache
    if _cache is not None and time.monotonic() - _cache[0] < _CACHE_S:
        return _cache[1]
    bind_models()
    try:
        stored = SettingModel.get(NAME, consistent_read=True)
        policy = {**DEFAULT_POLICY, **dict(stored.value), "updated_at": stored.updated_at}
    except DoesNotExist:
        policy = {**DEFAULT_POLICY, "updated_at": None}
    _cache = (time.monotonic(), policy)
    return policy


def save_policy(policy: dict[str, Any], actor_id: int) -> dict[str, Any]:
    """Store a new policy (applies to tickets created or re-prioritised from now on)."""
    global _cache
    bind_models()
    SettingModel(NAME, value=policy, updated_at=now_iso(), updated_by=actor_id).save()
    _cache = None
    return get_policy()


def target_for(priority: str, policy: dict[str, Any] | None = None) -> Target:
    """The targets of a priority."""
    targets = (policy or get_policy())["targets"][priority]
    return Target(first_response_s=int(targets["first_response_s"]), resolution_s=int(targets["resolution_s"]))


def calendar(policy: dict[str, Any] | None = None) -> Calendar:
    """The business-hours calendar (24x7 when the policy sets none)."""
    return Calendar.from_dict((policy or get_policy()).get("business_hours"))


@on_reset
def reset_cache() -> None:
    """Forget the cached policy (tests)."""
    global _cache
    _cache = None
