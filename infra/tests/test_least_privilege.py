"""Each function's role grants the tables, buckets and queues its code reaches: no more, no fewer.

The entry points come from the Chalice app itself (its event sources, authorizer and routes), and what they reach
from the call graph of the source (infra/code_access.py), so moving or renaming a module changes nothing here.
test_template.py checks that the synthesized roles grant exactly what infra/resources.py declares; this test
checks the declarations against the code.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from infra import code_access, resources

os.environ.setdefault("STAGE", "dev")
os.environ.setdefault("RESOURCE_PREFIX", "helpdesk-dev")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
API_HANDLER, API_ML = "api_handler", "api_ml"


def _entries() -> dict[str, list[str]]:
    """Function name -> the `module.function` strings Lambda runs in it."""
    import app as app_module

    app = app_module.app
    entries: dict[str, list[str]] = {e.name: [e.handler_string] for e in app.event_sources}
    entries.update({a.name: [a.handler_string] for a in app.builtin_auth_handlers})
    for path, methods in app.routes.items():
        function = API_ML if path.startswith(resources.IMAGE_ROUTE_PREFIXES) else API_HANDLER
        for route in methods.values():
            view = route.view_function
            entries.setdefault(function, []).append(f"{view.__module__}.{view.__name__}")
            if hasattr(view, "__wrapped__"):  # the request wrapper (parsing, authorization, error mapping) runs too
                wrapper = view.__code__.co_qualname.split(".")[0]
                entries[function].append(f"{view.__globals__['__name__']}.{wrapper}")
    return entries


@pytest.fixture(scope="module")
def reached() -> dict[str, dict[str, set[str]]]:
    from chalicelib.models import all_models

    models = {m.__name__: m.Meta.logical_name for m in all_models()}
    tables = {t.logical for t in resources.tables()}
    buckets = {b.logical for b in resources.buckets()}
    queues = {q.logical for q in resources.queues()}
    return {name: code_access.resources_of(entries, models, tables, buckets, queues)
            for name, entries in _entries().items()}


def test_every_function_of_the_app_has_a_role_and_every_role_a_function(reached: dict[str, Any]) -> None:
    assert set(reached) == {f.name for f in resources.functions()}


@pytest.mark.parametrize("fdef", resources.functions(), ids=lambda f: f.name)
def test_each_role_grants_exactly_the_resources_its_code_reaches(fdef: resources.FunctionDef,
                                                                 reached: dict[str, dict[str, set[str]]]) -> None:
    code = reached[fdef.name]
    # A bucket that notifies the function's queue names itself in each event: the code never spells it.
    from_events = {b.logical for b in resources.buckets() if b.notify_queue and b.notify_queue == fdef.source_queue}
    assert set(fdef.tables) == code["tables"], (
        f"{fdef.name}: role grants {sorted(set(fdef.tables) - code['tables'])} the code does not use, "
        f"lacks {sorted(code['tables'] - set(fdef.tables))}")
    assert set(fdef.buckets) == code["buckets"] | from_events, fdef.name
    assert set(fdef.queues) == code["queues"], fdef.name


def test_the_analysis_follows_calls_into_other_modules_and_local_imports() -> None:
    from chalicelib.models import all_models

    models = {m.__name__: m.Meta.logical_name for m in all_models()}
    # sweep_merges -> services.merge.sweep_merges -> finish(): listings (markers), replies (copied) and the
    # duplicate ticket (is it another requester's?), nothing else
    merges = code_access.reach("chalicelib.handlers.ops", "sweep_merges", models)
    assert merges.tables == {"listings", "replies", "tickets"}
    assert ("chalicelib.services.merge", "finish") in merges.functions
    # health walks every model: the API handler may read every table
    health = code_access.reach("chalicelib.services.health", "check", models)
    assert health.tables == set(models.values())
