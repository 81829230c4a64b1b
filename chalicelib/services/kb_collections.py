"""Knowledge-base collections: named sets of documents, each `public` or `internal`, with their counts.

A collection is one record in the kb-documents table (`pk=collection`, `source`=its name). `default` exists
without a record (public, created on its first count). Requesters' answers only ever draw on public collections:
`visible_collections` is the one place that decides, and services/kb.search applies it to every search.
A document's collection is on its record and on each of its chunks (the chunk table's `collection` column); the
collection's counts change in the same transaction as the document records (services/kb.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.clock import now_iso
from chalicelib.errors import Conflict, FieldError, NotFound, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.kb import COLLECTION_PK, DEFAULT_COLLECTION, KbDocumentModel
from chalicelib.schemas.kb import KbCollectionIn, KbCollectionUpdateIn
from chalicelib.store.db import query_once

MAX_COLLECTIONS = 100
DELETING = "deleting"
Audience = Literal["agent", "requester"]


class CollectionMissing(NotFound):
    """The named collection does not exist (or is being deleted)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no collection named {name!r}")
        self.name = name


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def get_record(name: str) -> KbDocumentModel | None:
    """A collection's record (strongly consistent), if any."""
    bind_models()
    try:
        return KbDocumentModel.get(COLLECTION_PK, name, consistent_read=True)
    except KbDocumentModel.DoesNotExist:
        return None


def collection_dict(name: str, record: KbDocumentModel | None) -> dict[str, Any]:
    """The public view of a collection (`default` without a record: public, empty)."""
    if record is None:
        return {"name": name, "visibility": "public", "description": "", "document_count": 0, "chunk_count": 0,
                "created_at": None, "updated_at": None}
    return {"name": name, "visibility": record.visibility or ("public" if name == DEFAULT_COLLECTION else "internal"),
            "description": record.description or "", "document_count": max(0, int(record.document_count or 0)),
            "chunk_count": max(0, int(record.chunk_count or 0)), "created_at": record.created_at,
            "updated_at": record.updated_at}


def _records() -> list[KbDocumentModel]:
    records, _ = query_once(KbDocumentModel, COLLECTION_PK, limit=MAX_COLLECTIONS + 1)
    return [r for r in records if r.status != DELETING]


def list_collections() -> dict[str, Any]:
    """Every collection with its counts, `default` first (one Query)."""
    records = {r.source: r for r in _records()}
    names = [DEFAULT_COLLECTION, *sorted(n for n in records if n != DEFAULT_COLLECTION)]
    return {"items": [collection_dict(n, records.get(n)) for n in names]}


def visible_collections(audience: Audience) -> set[str] | None:
    """The collections an audience may read: None (all) for agents; for requesters only the public ones.

    Default-deny: a collection is public only when its record says so (`default` unless its record says
    otherwise), so chunks of a collection without a record never reach a requester."""
    if audience == "agent":
        return None
    records = {r.source: r for r in _records()}
    visible = {n for n, r in records.items() if r.visibility == "public"}
    default = records.get(DEFAULT_COLLECTION)
    if default is None or default.visibility in (None, "public"):
        visible.add(DEFAULT_COLLECTION)
    return visible


def require_writable(name: str) -> None:
    """404 unless documents may be written into this collection now."""
    if name == DEFAULT_COLLECTION:
        return
    record = get_record(name)
    if record is None or record.status == DELETING:
        raise CollectionMissing(name)


def counter_condition(name: str) -> Any:
    """The condition a collection's counter update carries: it exists and is not being deleted."""
    if name == DEFAULT_COLLECTION:
        return None
    return KbDocumentModel.visibility.exists() & (KbDocumentModel.status != DELETING)


def create_collection(*, data: KbCollectionIn) -> dict[str, Any]:
    """A new collection; 409 when the name is taken (`default` always is) or there are already too many."""
    if data.name == DEFAULT_COLLECTION:
        raise Conflict("the default collection always exists", [FieldError("name", "already exists")])
    if len(_records()) >= MAX_COLLECTIONS:
        raise Conflict(f"at most {MAX_COLLECTIONS} collections", [FieldError("name", "too many collections")])
    bind_models()
    now = now_iso()
    record = KbDocumentModel(COLLECTION_PK, data.name, visibility=data.visibility, description=data.description,
                             document_count=0, chunk_count=0, created_at=now, updated_at=now)
    try:
        record.save(condition=KbDocumentModel.pk.does_not_exist())
    except PutError as exc:
        if _conditional_failed(exc):
            raise Conflict(f"a collection named {data.name!r} exists", [FieldError("name", "already exists")]) \
                from exc
        raise
    return collection_dict(data.name, record)


def update_collection(*, name: str, data: KbCollectionUpdateIn) -> dict[str, Any]:
    """Change a collection's visibility and description (the name stays)."""
    if data.name is not None and data.name != name:
        raise ValidationFailed("a collection cannot be renamed", [FieldError("name", f"must be {name!r}")])
    if name == DEFAULT_COLLECTION and data.visibility != "public":
        raise ValidationFailed("the default collection is public", [FieldError("visibility", "must be public")])
    bind_models()
    now = now_iso()
    record = KbDocumentModel(COLLECTION_PK, name)
    actions: list[Any] = [KbDocumentModel.visibility.set(data.visibility),
                          KbDocumentModel.description.set(data.description), KbDocumentModel.updated_at.set(now)]
    condition = None
    if name == DEFAULT_COLLECTION:
        actions.append(KbDocumentModel.created_at.set(KbDocumentModel.created_at | now))
    else:
        condition = KbDocumentModel.visibility.exists() & (KbDocumentModel.status != DELETING)
    try:
        record.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if _conditional_failed(exc):
            raise CollectionMissing(name) from exc
        raise
    return collection_dict(name, get_record(name))


def mark_deleting(name: str) -> KbDocumentModel:
    """Flag the collection so no new document can join it (writers' counter updates check the flag)."""
    bind_models()
    record = get_record(name)
    if record is None:
        raise CollectionMissing(name)
    record.update(actions=[KbDocumentModel.status.set(DELETING), KbDocumentModel.updated_at.set(now_iso())],
                  condition=KbDocumentModel.visibility.exists())
    return record


def drop_record(name: str) -> None:
    """Remove the collection's record (its documents are gone)."""
    bind_models()
    KbDocumentModel(COLLECTION_PK, name).delete()
