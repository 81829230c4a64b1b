"""Integer ids from an atomic DynamoDB counter: one UpdateItem per id, no races."""

from __future__ import annotations

from chalicelib.models import bind_models
from chalicelib.models.listings import CounterModel


def next_id(kind: str) -> int:
    """Allocate the next integer id for `kind` (gaps are possible when a later write fails, reuse never)."""
    bind_models()
    counter = CounterModel(f"seq|{kind}")
    counter.update(actions=[CounterModel.value.add(1)])
    return int(counter.value)
