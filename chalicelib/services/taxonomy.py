"""The taxonomy (categories) and the labelled examples the classifier learns from."""

from __future__ import annotations

import hashlib
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.ai import classifier
from chalicelib.ai.vectors import ticket_text
from chalicelib.clock import now_iso
from chalicelib.errors import FieldError, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.ai import DEFAULT_SET, ExampleModel, LabelModel
from chalicelib.schemas.ai import ExampleListQuery, ExamplesIn, LabelsIn
from chalicelib.services.classifier_state import bump_generation, get_state
from chalicelib.store import listing
from chalicelib.store.db import chunked, query_once


def _label_dict(label: LabelModel) -> dict[str, Any]:
    return {"name": label.name, "description": label.description or "", "created_at": label.created_at}


def list_labels() -> list[dict[str, Any]]:
    """The whole taxonomy (a few hundred labels at most: one Query)."""
    bind_models()
    labels, _ = query_once(LabelModel, DEFAULT_SET, limit=500)
    return [_label_dict(label) for label in labels]


def upsert_labels(*, data: LabelsIn) -> list[dict[str, Any]]:
    """Create or update categories; descriptions help the few-shot model, so the classifier retrains."""
    bind_models()
    wanted = {label.name: label for label in data.labels}  # a name sent twice: the last one wins
    reserved = [name for name in wanted if name.lower() in classifier.OUT_OF_SCOPE_LABELS]
    if reserved:  # checked before the batch: leaving `batch_write()` by an exception still writes its items
        raise ValidationFailed("out_of_scope is reserved", [FieldError("labels", f"{reserved[0]} is reserved")])
    existing = {label.name: label for label in LabelModel.batch_get([(DEFAULT_SET, n) for n in wanted])}
    now = now_iso()
    created = 0
    with LabelModel.batch_write() as writer:
        for label in wanted.values():
            created += label.name not in existing
            writer.save(LabelModel(DEFAULT_SET, label.name, description=label.description,
                                   created_at=existing[label.name].created_at if label.name in existing else now))
    bump_generation(new_examples=0, new_labels=created)
    return list_labels()


def label_exists(name: str) -> bool:
    """Whether `name` is a category of the taxonomy."""
    bind_models()
    try:
        LabelModel.get(DEFAULT_SET, name)
        return True
    except DoesNotExist:
        return False


def example_id(text: str) -> str:
    """Examples are keyed by their normalised text: the same text sent again replaces its label."""
    return "t" + hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()[:24]  # noqa: S324


def add_examples(*, data: ExamplesIn, source: str = "api") -> dict[str, Any]:
    """Store labelled examples (new labels join the taxonomy) and schedule retraining."""
    bind_models()
    batch: dict[str, tuple[str, str]] = {}
    for example in data.examples:
        batch[example_id(example.text)] = (example.text, example.label)
    existing = {
        item.example_id
        for keys in chunked([(DEFAULT_SET, i) for i in batch], 100)
        for item in ExampleModel.batch_get(keys, attributes_to_get=["set_id", "example_id"])
    }
    now = now_iso()
    with ExampleModel.batch_write() as writer:
        for identifier, (text, label) in batch.items():
            writer.save(ExampleModel(DEFAULT_SET, identifier, text=text, label=label, source=source, created_at=now))
    labels_added = _ensure_labels({label for _, label in batch.values()})
    generation = bump_generation(new_examples=len(set(batch) - existing), new_labels=len(labels_added))
    return {"received": len(data.examples), "new": len(set(batch) - existing), "labels_added": labels_added,
            "generation": generation, "status": get_state().status}


def _ensure_labels(names: set[str]) -> list[str]:
    names = {n for n in names if n.lower() not in classifier.OUT_OF_SCOPE_LABELS}
    known = {label.name for label in LabelModel.batch_get([(DEFAULT_SET, n) for n in names])} if names else set()
    missing = sorted(names - known)
    now = now_iso()
    with LabelModel.batch_write() as writer:
        for name in missing:
            writer.save(LabelModel(DEFAULT_SET, name, description="", created_at=now))
    return missing


def record_agent_correction(*, ticket_id: int, title: str, content: str, category: str) -> None:
    """An agent's category for a ticket becomes a training example (one per ticket: a re-correction replaces it)."""
    bind_models()
    ExampleModel(DEFAULT_SET, f"ticket-{ticket_id}", text=ticket_text(title, content), label=category,
                 source="agent", ticket_id=ticket_id, created_at=now_iso()).save()
    bump_generation(new_examples=1, new_labels=0)


def list_examples(*, query: ExampleListQuery) -> dict[str, Any]:
    """A page of examples (one Query)."""
    bind_models()
    start = None
    if query.cursor:
        sk, _ = listing.decode_cursor(query.cursor, scope=f"ai-example|set_id={DEFAULT_SET}")
        start = {"set_id": {"S": DEFAULT_SET}, "example_id": {"S": sk}}
    items, last = query_once(ExampleModel, DEFAULT_SET, limit=query.page_size, start_key=start)
    return {
        "items": [{"id": e.example_id, "text": e.text, "label": e.label, "source": e.source,
                   "ticket_id": int(e.ticket_id) if e.ticket_id is not None else None, "created_at": e.created_at}
                  for e in items],
        "page": query.page, "page_size": query.page_size, "total": get_state().examples,
        "next_cursor": listing.encode_cursor(last["example_id"]["S"], query.page + 1,
                                             scope=f"ai-example|set_id={DEFAULT_SET}") if last else None,
    }


def validate_category(name: str) -> None:
    """422 unless `name` is a category of the taxonomy."""
    if not label_exists(name):
        raise ValidationFailed(f"category {name!r} is not in the taxonomy",
                               [FieldError("category", "not a known category (see GET /api/ai/labels)")])
