"""Sign-in throttling: at most MAX_FAILURES attempts per e-mail in each fixed window.

An attempt takes its slot *before* the password is checked, with one conditional UpdateItem, so parallel
guesses cannot all pass a read-then-write check; a successful sign-in gives the slots back.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError

from chalicelib.errors import TooManyRequests
from chalicelib.models import bind_models
from chalicelib.models.throttle import ThrottleModel

MAX_FAILURES = 10
WINDOW_S = 15 * 60


def _window(now: float) -> tuple[int, float]:
    index = int(now // WINDOW_S)
    return index, float((index + 1) * WINDOW_S)


def _key(email: str, window: int) -> str:
    return f"login|{email.strip().lower()}|{window}"


def take_attempt(email: str) -> None:
    """Count one sign-in attempt for this e-mail, or raise TooManyRequests when the window is used up."""
    bind_models()
    now = time.time()
    window, ends = _window(now)
    record = ThrottleModel(_key(email, window))
    try:
        record.update(
            actions=[ThrottleModel.failures.add(1), ThrottleModel.window_ends.set(ends),
                     ThrottleModel.expires_at.set(datetime.fromtimestamp(ends + 60, UTC))],
            condition=ThrottleModel.failures.does_not_exist() | (ThrottleModel.failures < MAX_FAILURES),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        wait = int(ends - now) + 1
        raise TooManyRequests(f"too many failed sign-ins for this e-mail; try again in {wait} s") from exc


def clear(email: str) -> None:
    """Forget this window's attempts after a successful sign-in."""
    bind_models()
    ThrottleModel(_key(email, _window(time.time())[0])).delete()
