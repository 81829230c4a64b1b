"""The classifier's state item: the example generation, the live model's version, the training lease."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import parse_iso, utcnow
from chalicelib.models import bind_models
from chalicelib.models.ai import ClassifierStateModel
from chalicelib.store import outbox

STATE_KEY = "classifier"
TRAINING_LEASE_S = 15 * 60


def get_state() -> ClassifierStateModel:
    """The classifier's state item (a fresh one when nothing was ever stored)."""
    bind_models()
    try:
        return ClassifierStateModel.get(STATE_KEY, consistent_read=True)
    except DoesNotExist:
        return ClassifierStateModel(STATE_KEY)


def bump_generation(new_examples: int, new_labels: int) -> int:
    state = ClassifierStateModel(STATE_KEY)
    state.update(actions=[ClassifierStateModel.generation.add(1),
                          ClassifierStateModel.examples.add(new_examples),
                          ClassifierStateModel.labels.add(new_labels)])
    generation = int(state.generation)
    outbox.send("train", {"generation": generation})
    return generation


def classifier_status() -> dict[str, Any]:
    """What GET /api/ai/classifier reports."""
    state = get_state()
    status = state.status if state.status in ("ready", "training") else "untrained"
    if status == "ready" and not state.version:
        status = "untrained"
    metrics = dict(state.metrics) if state.metrics else None
    return {
        "status": status, "examples": int(state.examples or 0), "labels": int(state.labels or 0),
        "trained_at": state.trained_at, "version": state.version, "kind": (metrics or {}).get("kind"),
        "metrics": metrics, "pending_generation": int(state.generation or 0) > int(state.trained_generation or 0),
        "error": state.error,
    }


def ensure_training_scheduled() -> bool:
    """Schedule: when examples changed and no training runs (or a lease expired), ask for one."""
    state = get_state()
    behind = int(state.generation or 0) > int(state.trained_generation or 0)
    stale = state.status == "training" and state.training_started_at is not None and \
        (utcnow() - parse_iso(state.training_started_at)).total_seconds() > TRAINING_LEASE_S
    if (behind and state.status != "training") or stale:
        return outbox.send("train", {"generation": int(state.generation or 0)})
    return False
