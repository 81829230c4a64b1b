"""Sign-in throttling: after too many failed attempts for one e-mail, refuse for the rest of the window."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.errors import TooManyRequests
from chalicelib.models import bind_models
from chalicelib.models.throttle import ThrottleModel

MAX_FAILURES = 10
WINDOW_S = 15 * 60


def _key(email: str) -> str:
    return f"login|{email.strip().lower()}"


def check_login_allowed(email: str) -> None:
    """Raise TooManyRequests when this e-mail has used up its failed attempts (one GetItem)."""
    bind_models()
    try:
        record = ThrottleModel.get(_key(email), consistent_read=True)
    except DoesNotExist:
        return
    now = time.time()
    if record.window_ends > now and record.failures >= MAX_FAILURES:
        wait = int(record.window_ends - now) + 1
        raise TooManyRequests(f"too many failed sign-ins for this e-mail; try again in {wait} s")


def record_failure(email: str) -> None:
    """Count one failed attempt (one UpdateItem; a new window starts when the old one has ended)."""
    bind_models()
    now = time.time()
    key = _key(email)
    try:
        record = ThrottleModel.get(key, consistent_read=True)
        fresh = record.window_ends <= now
    except DoesNotExist:
        record, fresh = ThrottleModel(key), True
    if fresh:
        ends = now + WINDOW_S
        record.update(actions=[ThrottleModel.failures.set(1), ThrottleModel.window_ends.set(ends),
                               ThrottleModel.expires_at.set(datetime.fromtimestamp(ends + 60, UTC))])
    else:
        record.update(actions=[ThrottleModel.failures.add(1)])


def clear(email: str) -> None:
    """Forget the failures after a successful sign-in."""
    bind_models()
    ThrottleModel(_key(email)).delete()
