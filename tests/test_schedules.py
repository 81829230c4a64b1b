"""Scheduled functions run from the event EventBridge sends, under the local dispatcher as in Lambda."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from devstack.dispatcher import Dispatcher, schedule_interval_s, scheduled_event


def _schedules(app: Any) -> list[str]:
    return [source.name for source in app.event_sources if hasattr(source, "schedule_expression")]


def test_every_rate_schedule_is_run_locally(app):
    names = _schedules(app)
    assert {"sla_watch", "sweep_deletes", "sweep_merges", "ai_housekeeping", "kb_optimize"} <= set(names)
    for source in app.event_sources:
        if source.name in names:
            assert schedule_interval_s(source.schedule_expression.to_string()) is not None, source.name


IDLE_RESULTS = {
    "sla_watch": {"at_risk": 0, "breached": 0, "stale": 0},
    "sweep_deletes": {"completed": 0},
    "sweep_merges": {"finished": 0},
    "ai_housekeeping": {"redelivered": 0, "training": False, "auto_reply": 0},
    "kb_optimize": {"done": ["optimize"]},
}


@pytest.mark.parametrize("name", sorted(IDLE_RESULTS))
def test_each_schedule_accepts_the_scheduled_event(kb_aws, app, name, monkeypatch):
    """EventBridge's event goes through Chalice's wrapper into the handler, which does its (idle) round and
    returns its JSON summary without logging an error."""
    from chalicelib.config import get_settings
    from chalicelib.log import logger

    failures: list[str] = []
    monkeypatch.setattr(logger, "exception", lambda message, *a, **k: failures.append(message))
    settings = get_settings()
    dispatcher = Dispatcher(app, settings)
    result = app.handler_map[name](scheduled_event(settings, name), dispatcher._context(name))
    assert result == IDLE_RESULTS[name]
    assert json.loads(json.dumps(result)) == result
    assert failures == []


def test_the_dispatcher_runs_the_sla_watcher_without_errors(aws, app, monkeypatch):
    """The dispatcher's own timer thread calls the handler; a failure would only be logged, so count calls."""
    from chalicelib.config import get_settings
    from chalicelib.log import logger

    failures: list[str] = []
    monkeypatch.setattr(logger, "exception", lambda message, *a, **k: failures.append(message))
    ran = threading.Event()
    original = app.handler_map["sla_watch"]

    def watched(event: Any, context: Any) -> Any:
        result = original(event, context)
        ran.set()
        return result

    monkeypatch.setitem(app.handler_map, "sla_watch", watched)
    dispatcher = Dispatcher(app, get_settings(), schedule_scale=0.005)  # every 0.3 s
    dispatcher.start()
    try:
        deadline = time.time() + 20
        while not ran.is_set() and time.time() < deadline and not failures:
            time.sleep(0.1)
    finally:
        dispatcher.stop()
    assert failures == []
    assert ran.is_set()
