"""The knowledge base: ingest documents (chunk, embed, store) into collections, search, delete, list.

Every write to a source's chunks happens under that source's lease (store.locks) as
delete-then-append with deterministic ids, so a retried or concurrent ingest never leaves duplicates.
A source belongs to one collection at a time (ingesting it into another moves it). Searches take the caller's
audience: requesters' searches only ever see public collections (services/kb_collections.visible_collections).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib import faults
from chalicelib.clock import now_iso
from chalicelib.config import get_settings
from chalicelib.errors import Conflict, FieldError, PayloadTooLarge, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.kb import COLLECTION_PK, DEFAULT_COLLECTION, DOC_PK, KbDocumentModel, collection_list_pk
from chalicelib.principal import Principal
from chalicelib.rag.chunking import Chunk, chunk_id, chunk_text, first_heading, whole_text
from chalicelib.rag.embeddings import MODEL_SPACE, Embedder, get_embedder
from chalicelib.rag.store import VectorStore, get_store, ids_clause, quote
from chalicelib.schemas.kb import KbDeleteIn, KbIngestIn, KbListQuery, KbSearchIn
from chalicelib.services import kb_collections, kb_context
from chalicelib.services.kb_collections import Audience, CollectionMissing
from chalicelib.store import cursors
from chalicelib.store.db import TransactionFailed, Tx, chunked, query_once
from chalicelib.store.locks import lease

MAX_CHUNKS_PER_REQUEST = 2_000
HYBRID_CANDIDATES = 40
API_LEASE_WAIT_S = 20.0  # API Gateway gives up after 29 s: answer 503 (retry) before that
RECORDS_PER_TRANSACTION = 25  # up to 3 items per document plus the collections' counters: under 100
MAX_COLLECTION_DELETE_DOCUMENTS = 1_000  # a collection with more: delete its documents first (bounded requests)


@dataclass
class Document:
    """A document ready to be written: its chunks and their metadata."""

    source: str
    title: str
    metadata: dict[str, Any]
    chunks: list[Chunk]
    origin: str = "api"
    generation: str | None = None
    size_bytes: int = 0
    etag: str | None = None
    collection: str = DEFAULT_COLLECTION

    @property
    def ids(self) -> list[str]:
        """The chunk ids, in order."""
        return [chunk_id(self.source, c.index) for c in self.chunks]


def search_mode() -> str:
    """`hybrid` (vector similarity with BM25 blended in) or `vector` (KB_SEARCH_MODE)."""
    return get_settings().kb.search_mode


def relevance_floor(space: str) -> float:
    """The largest cosine distance a hit may have (measured per embedding space; KB_MAX_DISTANCE for MiniLM)."""
    settings = get_settings().kb
    return settings.max_distance if space == MODEL_SPACE else settings.hash_max_distance


def passage(chunk: Chunk, title: str) -> str:
    """The text that gets embedded: the chunk, preceded by its title and heading when it does not show them."""
    context = [part for part in (title, chunk.heading) if part and part not in chunk.text]
    return "\n".join([*dict.fromkeys(context), chunk.text])


def _services() -> tuple[Embedder, VectorStore]:
    embedder = get_embedder()
    return embedder, get_store(embedder.space)


def build_document(text: str, metadata: dict[str, Any], *, chunk: bool = True, chunk_size: int = 500,
                   chunk_overlap: int = 50, origin: str = "api", default_source: str | None = None,
                   collection: str = DEFAULT_COLLECTION) -> Document:
    """Chunk a text; the source defaults to a hash of the text, so the same text replaces itself."""
    source = str(metadata.get("source") or default_source or f"text-{hashlib.sha256(text.encode()).hexdigest()[:16]}")
    chunks = chunk_text(text, chunk_size, chunk_overlap) if chunk else whole_text(text)
    title = str(metadata.get("title") or first_heading(text) or source.rsplit("/", 1)[-1])
    return Document(source=source, title=title, metadata={**metadata, "source": source}, chunks=chunks,
                    origin=origin, size_bytes=len(text.encode("utf-8")), collection=collection)


def rows_for(document: Document, chunks: Sequence[Chunk], vectors: Any, created_at: str) -> list[dict[str, Any]]:
    """Store rows for some of a document's chunks."""
    return [{
        "id": chunk_id(document.source, c.index),
        "text": c.text,
        "search_text": passage(c, document.title),
        "vector": vectors[i],
        "source": document.source,
        "title": document.title,
        "heading": c.heading,
        "chunk_index": c.index,
        "created_at": created_at,
        "metadata": document.metadata,
        "collection": document.collection,
    } for i, c in enumerate(chunks)]


def embed_chunks(document: Document, chunks: Sequence[Chunk], embedder: Embedder | None = None) -> Any:
    """Vectors for chunks of a document, heading and title included."""
    embedder = embedder or get_embedder()
    return embedder.embed([passage(c, document.title) for c in chunks])


def get_record(source: str) -> KbDocumentModel | None:
    """A document's bookkeeping record (strongly consistent), if any."""
    bind_models()
    try:
        return KbDocumentModel.get(DOC_PK, source, consistent_read=True)
    except DoesNotExist:
        return None


def is_stale(record: KbDocumentModel | None, generation: str | None) -> bool:
    """True when a newer S3 event for this source was already applied."""
    return bool(generation and record is not None and record.generation and record.generation > generation)


def write_document(document: Document, vectors: Any, store: VectorStore | None = None,
                   embedder_name: str | None = None) -> bool:
    """Replace a source's chunks with these (under its lease). False when the write was stale and skipped."""
    return bool(write_documents([document], vectors, store, embedder_name))


def write_documents(documents: Sequence[Document], vectors: Any, store: VectorStore | None = None,
                    embedder_name: str | None = None, lease_wait_s: float = 60.0) -> list[str]:
    """Replace several sources' chunks in one delete and one append, holding every source's lease.

    Leases are taken in source order, so two writers with overlapping sets cannot deadlock. Returns the
    sources written (stale S3 events are skipped).
    """
    store = store or _services()[1]
    now = now_iso()
    offsets, total = [], 0
    for document in documents:
        offsets.append(total)
        total += len(document.chunks)
    by_source = {d.source: (d, offsets[n]) for n, d in enumerate(documents)}
    with ExitStack() as held:
        for source in sorted(by_source):
            held.enter_context(lease(source, lease_wait_s))
        records = {source: get_record(source) for source in by_source}
        fresh = [s for s in sorted(by_source) if not is_stale(records[s], by_source[s][0].generation)]
        if not fresh:
            return []
        existing = f"source IN ({', '.join(quote(s) for s in fresh)})"
        if store.count(existing):
            store.delete(existing)
        faults.checkpoint("kb.after_delete")
        rows = []
        for source in fresh:
            document, offset = by_source[source]
            rows += rows_for(document, document.chunks, vectors[offset:offset + len(document.chunks)], now)
        store.add(rows)
        faults.checkpoint("kb.after_append")
        try:
            save_records([(by_source[s][0], records[s]) for s in fresh], now, status="ready",
                         embedder_name=embedder_name)
        except CollectionMissing:
            # the collection was deleted while these were written: they go with it
            store.delete(f"source IN ({', '.join(quote(s) for s in fresh)})")
            for source in fresh:
                old = records[source]
                if old is not None:
                    drop_record(old)
            raise
    return fresh


def record_collection(record: KbDocumentModel | None) -> str | None:
    """The collection a document record belongs to (None: no record)."""
    if record is None:
        return None
    return str(record.collection or DEFAULT_COLLECTION)


class _Counts:
    """Document and chunk count changes per collection, applied in the records' transaction."""

    def __init__(self) -> None:
        self.deltas: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, collection: str | None, documents: int, chunks: int) -> None:
        if collection is not None:
            self.deltas[collection][0] += documents
            self.deltas[collection][1] += chunks

    def stage(self, tx: Tx) -> None:
        for name, (documents, chunks) in sorted(self.deltas.items()):
            if documents or chunks:
                tx.update_fields(f"collection:{name}", KbDocumentModel, COLLECTION_PK,
                                 [KbDocumentModel.document_count.add(documents),
                                  KbDocumentModel.chunk_count.add(chunks)],
                                 condition=kb_collections.counter_condition(name), range_key=name)


def _commit(tx: Tx, counts: _Counts, target: set[str]) -> None:
    counts.stage(tx)
    try:
        tx.commit()
    except TransactionFailed as exc:
        missing = [label.split(":", 1)[1] for label in exc.failed if label.startswith("collection:")]
        if missing:
            raise CollectionMissing(next((m for m in missing if m in target), missing[0])) from exc
        raise


def save_records(pairs: Sequence[tuple[Document, KbDocumentModel | None]], now: str, *, status: str,
                 embedder_name: str | None = None, jobs_total: int | None = None, error: str | None = None) -> None:
    """Write documents' bookkeeping records, their entries in their collections' lists and the collections'
    counts, in one transaction per 25 documents (caller holds the leases). CollectionMissing when a target
    collection no longer exists."""
    bind_models()
    for group in chunked(pairs, RECORDS_PER_TRANSACTION):
        tx, counts = Tx(), _Counts()
        for document, record in group:
            tx.put(f"doc:{document.source}", KbDocumentModel(
                DOC_PK, document.source, title=document.title, chunk_count=len(document.chunks), status=status,
                origin=document.origin, generation=document.generation, etag=document.etag, jobs_total=jobs_total,
                jobs_done=None, size_bytes=document.size_bytes, embedder=embedder_name, error=error,
                collection=document.collection,
                created_at=record.created_at if record is not None and record.created_at else now, updated_at=now))
            tx.put(f"list:{document.source}", KbDocumentModel(collection_list_pk(document.collection), document.source))
            before = record_collection(record)
            old_chunks = int(record.chunk_count or 0) if record is not None else 0
            if before is not None and before != document.collection:
                tx.delete(f"unlist:{document.source}", KbDocumentModel(collection_list_pk(before), document.source))
            counts.add(before, -1 if record is not None else 0, -old_chunks)
            counts.add(document.collection, 1, len(document.chunks))
        _commit(tx, counts, {d.collection for d, _ in group})


def save_record(document: Document, record: KbDocumentModel | None, now: str, *, status: str,
                embedder_name: str | None = None, jobs_total: int | None = None, error: str | None = None) -> None:
    """Write one document's bookkeeping record (caller holds the lease)."""
    save_records([(document, record)], now, status=status, embedder_name=embedder_name, jobs_total=jobs_total,
                 error=error)


def drop_record(record: KbDocumentModel) -> None:
    """Delete a document's record and its list entry; its collection's counts follow (caller holds the lease)."""
    tx, counts = Tx(), _Counts()
    collection = record_collection(record)
    tx.delete(f"doc:{record.source}", KbDocumentModel(DOC_PK, record.source), add_version_condition=False)
    tx.delete(f"unlist:{record.source}", KbDocumentModel(collection_list_pk(str(collection)), record.source))
    counts.add(collection, -1, -int(record.chunk_count or 0))
    _commit(tx, counts, set())


def set_chunk_count(record: KbDocumentModel, remaining: int) -> None:
    """A document lost some chunks: its record and its collection's count follow (caller holds the lease)."""
    tx, counts = Tx(), _Counts()
    tx.update_fields(f"doc:{record.source}", KbDocumentModel, DOC_PK,
                     [KbDocumentModel.chunk_count.set(remaining), KbDocumentModel.updated_at.set(now_iso())],
                     range_key=record.source)
    counts.add(record_collection(record), 0, remaining - int(record.chunk_count or 0))
    _commit(tx, counts, set())


def ingest(*, data: KbIngestIn) -> dict[str, Any]:
    """Chunk, embed and store documents into a collection; returns the chunk ids in document order."""
    documents = [build_document(d.text, d.metadata, chunk=data.chunk, chunk_size=data.chunk_size,
                                chunk_overlap=data.chunk_overlap, collection=data.collection) for d in data.documents]
    sources = [d.source for d in documents]
    duplicates = sorted({s for s in sources if sources.count(s) > 1})
    if duplicates:
        raise ValidationFailed("two documents have the same source",
                               [FieldError("documents", f"duplicate source {s!r}") for s in duplicates[:5]])
    total = sum(len(d.chunks) for d in documents)
    if total > MAX_CHUNKS_PER_REQUEST:
        raise PayloadTooLarge(f"these documents make {total} chunks; the limit per request is "
                              f"{MAX_CHUNKS_PER_REQUEST} (upload large files through kb_loader)")
    kb_collections.require_writable(data.collection)
    embedder, store = _services()
    vectors = embedder.embed([passage(c, d.title) for d in documents for c in d.chunks])
    write_documents(documents, vectors, store, embedder.name, API_LEASE_WAIT_S)
    return {"ids": [i for d in documents for i in d.ids],
            "documents": [{"source": d.source, "chunk_count": len(d.chunks)} for d in documents],
            "collection": data.collection}


def marked_internal(metadata: dict[str, Any]) -> bool:
    """A document flagged for agents only in its own metadata (`internal: true` or `visibility: internal`), whatever
    its collection."""
    return metadata.get("internal") in (True, "true") or str(metadata.get("visibility", "")).lower() == "internal"


def search(*, data: KbSearchIn, audience: Audience, actor: Principal | None = None,
           predict: bool = False) -> dict[str, Any]:
    """The chunks closest to the query, best first; none when nothing is within the relevance floor. Those answering
    the search's category are preferred (services/kb_context.py: the request's category, the ticket's, or with
    `predict` the query's own).

    `audience` is who will read the results: `requester` (self-service answers, AI first responses, anything
    mailed or drafted for a requester) sees public collections only and never a document marked internal;
    `agent` sees everything. This is the one place that rule is applied."""
    context = kb_context.resolve(query=data.query, category=data.category, ticket_id=data.ticket_id, actor=actor,
                                 predict=predict)
    visible = kb_collections.visible_collections(audience)
    if data.collection is not None:
        visible = {data.collection} if visible is None or data.collection in visible else set()
    if visible is not None and not visible:
        return {"results": [], "context": context.as_dict()}
    filters = dict(data.filter or {})
    if visible is not None:
        filters["collection"] = sorted(visible)
    top_k = max(data.top_k, kb_context.PREFER_CANDIDATES) if context.used else data.top_k
    if audience == "requester":
        top_k += data.top_k  # room for documents marked internal in their metadata, dropped below
    embedder, store = _services()
    vector = embedder.embed([data.query])[0]
    text = None if search_mode() == "vector" else data.query
    hits = store.search(vector, text, top_k, filters=filters, candidates=HYBRID_CANDIDATES,
                        margin=get_settings().kb.bm25_margin, max_distance=relevance_floor(embedder.space))
    results = [{"id": h.id, "content": h.text, "metadata": h.metadata, "distance": round(h.distance, 6),
                "score": round(h.score, 6)} for h in hits
               if audience == "agent" or not marked_internal(h.metadata)]
    return {"results": kb_context.prefer(results, context, data.top_k), "context": context.as_dict()}


def refresh_count(source: str, store: VectorStore) -> int:
    """Recount a source's chunks after a delete; drop its record when none are left (caller holds the lease)."""
    remaining = store.count(f"source = {quote(source)}")
    record = get_record(source)
    if record is not None:
        if remaining:
            set_chunk_count(record, remaining)
        else:
            drop_record(record)
    return remaining


def delete(*, data: KbDeleteIn) -> dict[str, Any]:
    """Delete chunks by id (only those of `collection` when named); their documents' counts follow."""
    _, store = _services()
    wanted = list(dict.fromkeys(data.ids))
    by_source: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(wanted), 500):
        for row in store.rows(ids_clause(wanted[start:start + 500]), ("id", "source", "collection")):
            if data.collection is None or row.get("collection") == data.collection:
                by_source[row["source"]].append(row["id"])
    deleted = 0
    for source, ids in sorted(by_source.items()):
        with lease(source, API_LEASE_WAIT_S):
            store.delete_ids(ids)
            refresh_count(source, store)
        deleted += len(ids)
    found = {i for ids in by_source.values() for i in ids}
    return {"deleted": deleted, "not_found": [i for i in wanted if i not in found]}


def delete_source(source: str, generation: str | None = None) -> bool:
    """Remove every chunk of a source and its record (a file deleted from the uploads bucket)."""
    _, store = _services()
    with lease(source):
        record = get_record(source)
        if is_stale(record, generation):
            return False
        if store.count(f"source = {quote(source)}"):
            store.delete(f"source = {quote(source)}")
        if record is not None:
            drop_record(record)
    return True


def delete_collection(*, name: str, delete_documents: bool) -> dict[str, Any]:
    """Delete a collection; one holding documents only with `delete_documents` (then its chunks and records go too).

    The collection is first flagged, so a write into it that races with the deletion fails its counter update and
    removes its own rows (write_documents). S3 objects a document came from stay in the uploads bucket."""
    if name == DEFAULT_COLLECTION:
        raise Conflict("the default collection cannot be deleted", [FieldError("name", "is the default")])
    record = kb_collections.get_record(name)
    if record is None:
        raise CollectionMissing(name)
    documents = int(record.document_count or 0)
    if documents > 0 and not delete_documents:
        raise Conflict(f"the collection holds {documents} documents: delete them first, or ask for "
                       "delete_documents=true", [FieldError("delete_documents", "the collection is not empty")])
    if documents > MAX_COLLECTION_DELETE_DOCUMENTS:
        raise Conflict(f"the collection holds {documents} documents; at most {MAX_COLLECTION_DELETE_DOCUMENTS} "
                       "are deleted with it: delete some first", [FieldError("delete_documents", "too many")])
    kb_collections.mark_deleting(name)
    _, store = _services()
    predicate = f"collection = {quote(name)}"
    chunks = store.count(predicate)
    if chunks:
        store.delete(predicate)
    deleted = 0
    start: dict[str, Any] | None = None
    while True:
        entries, start = query_once(KbDocumentModel, collection_list_pk(name), limit=100, start_key=start,
                                    keys_only=True)
        sources = [e.source for e in entries]
        records = list(KbDocumentModel.batch_get([(DOC_PK, s) for s in sources], consistent_read=True))
        with KbDocumentModel.batch_write() as batch:
            for doc in records:
                if record_collection(doc) == name:
                    batch.delete(doc)
                    deleted += 1
            for source in sources:
                batch.delete(KbDocumentModel(collection_list_pk(name), source))
        if start is None:
            break
    kb_collections.drop_record(name)
    return {"name": name, "documents_deleted": deleted, "chunks_deleted": chunks}


_CURSOR_SCOPE = "kb-document|"
_CURSOR_POSITION = {"source": cursors.Field(str, 1_100)}


def _cursor_scope(collection: str | None) -> str:
    return _CURSOR_SCOPE if collection is None else f"{_CURSOR_SCOPE}{collection}|"


def _encode_cursor(key: dict[str, Any], collection: str | None) -> str:
    return cursors.encode(_cursor_scope(collection), {"source": str(key["source"]["S"])})


def _decode_cursor(cursor: str, collection: str | None) -> dict[str, Any]:
    source = cursors.decode(cursor, _cursor_scope(collection), _CURSOR_POSITION)["source"]
    return {"pk": {"S": DOC_PK if collection is None else collection_list_pk(collection)}, "source": {"S": source}}


def document_dict(record: KbDocumentModel) -> dict[str, Any]:
    """The public view of a document record."""
    return {"source": record.source, "title": record.title, "collection": record_collection(record),
            "chunk_count": int(record.chunk_count or 0), "status": record.status, "origin": record.origin,
            "updated_at": record.updated_at, "etag": record.etag, "error": record.error}


def list_documents(*, query: KbListQuery) -> dict[str, Any]:
    """Ingested documents ordered by source: one DynamoDB Query per page (and, for one collection, one BatchGetItem
    per 100 of its list entries)."""
    start = _decode_cursor(query.cursor, query.collection) if query.cursor else None
    if query.collection is None:
        records, last = query_once(KbDocumentModel, DOC_PK, limit=query.page_size, start_key=start)
    else:
        entries, last = query_once(KbDocumentModel, collection_list_pk(query.collection), limit=query.page_size,
                                   start_key=start, keys_only=True)
        found = {r.source: r for r in KbDocumentModel.batch_get([(DOC_PK, e.source) for e in entries],
                                                                 consistent_read=True)}
        records = [found[e.source] for e in entries
                   if e.source in found and record_collection(found[e.source]) == query.collection]
    return {"items": [document_dict(r) for r in records],
            "next_cursor": _encode_cursor(last, query.collection) if last else None}
