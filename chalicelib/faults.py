"""Named crash points for fault-injection tests: a test arms one, the code raises there.

Unarmed (always, outside tests) a checkpoint is one dict lookup.
"""

from __future__ import annotations

import threading


class InjectedFault(RuntimeError):
    """Raised at an armed checkpoint to simulate a crash."""


_armed: dict[str, int] = {}
_lock = threading.Lock()


def arm(name: str, after: int = 0) -> None:
    """Make checkpoint `name` raise once it has been passed `after` times."""
    with _lock:
        _armed[name] = after


def disarm_all() -> None:
    """Remove every armed checkpoint."""
    with _lock:
        _armed.clear()


def checkpoint(name: str) -> None:
    """Raise InjectedFault if a test armed this point and its count is used up."""
    if not _armed:
        return
    with _lock:
        remaining = _armed.get(name)
        if remaining is None:
            return
        if remaining <= 0:
            del _armed[name]
            raise InjectedFault(f"injected fault at {name}")
        _armed[name] = remaining - 1
