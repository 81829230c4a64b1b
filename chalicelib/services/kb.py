"""The knowledge base: ingest documents (chunk, embed, store), search, delete, list.

Every write to a source's chunks happens under that source's lease (store.locks) as
delete-then-append with deterministic ids, so a retried or concurrent ingest never leaves duplicates.
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
from chalicelib.errors import FieldError, PayloadTooLarge, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.kb import DOC_PK, KbDocumentModel
from chalicelib.principal import Principal
from chalicelib.rag.chunking import Chunk, chunk_id, chunk_text, first_heading, whole_text
from chalicelib.rag.embeddings import MODEL_SPACE, Embedder, get_embedder
from chalicelib.rag.store import VectorStore, get_store, ids_clause, quote
from chalicelib.schemas.kb import KbDeleteIn, KbIngestIn, KbListQuery, KbSearchIn
from chalicelib.services import kb_context
from chalicelib.store import cursors
from chalicelib.store.db import query_once
from chalicelib.store.locks import lease

MAX_CHUNKS_PER_REQUEST = 2_000
HYBRID_CANDIDATES = 40
API_LEASE_WAIT_S = 20.0  # API Gateway gives up after 29 s: answer 503 (retry) before that


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
                   chunk_overlap: int = 50, origin: str = "api", default_source: str | None = None) -> Document:
    """Chunk a text; the source defaults to a hash of the text, so the same text replaces itself."""
    source = str(metadata.get("source") or default_source or f"text-{hashlib.sha256(text.encode()).hexdigest()[:16]}")
    chunks = chunk_text(text, chunk_size, chunk_overlap) if chunk else whole_text(text)
    title = str(metadata.get("title") or first_heading(text) or source.rsplit("/", 1)[-1])
    return Document(source=source, title=title, metadata={**metadata, "source": source}, chunks=chunks,
                    origin=origin, size_bytes=len(text.encode("utf-8")))


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
        for source in fresh:
            save_record(by_source[source][0], records[source], now, status="ready", embedder_name=embedder_name)
    return fresh


def save_record(document: Document, record: KbDocumentModel | None, now: str, *, status: str,
                embedder_name: str | None = None, jobs_total: int | None = None, error: str | None = None) -> None:
    """Write the document's bookkeeping record (caller holds the lease)."""
    bind_models()
    KbDocumentModel(
        DOC_PK, document.source, title=document.title, chunk_count=len(document.chunks), status=status,
        origin=document.origin, generation=document.generation, etag=document.etag, jobs_total=jobs_total,
        jobs_done=None,
        size_bytes=document.size_bytes, embedder=embedder_name, error=error,
        created_at=record.created_at if record is not None and record.created_at else now, updated_at=now,
    ).save()


def ingest(*, data: KbIngestIn) -> dict[str, Any]:
    """Chunk, embed and store documents; returns the chunk ids in document order."""
    documents = [build_document(d.text, d.metadata, chunk=data.chunk, chunk_size=data.chunk_size,
                                chunk_overlap=data.chunk_overlap) for d in data.documents]
    sources = [d.source for d in documents]
    duplicates = sorted({s for s in sources if sources.count(s) > 1})
    if duplicates:
        raise ValidationFailed("two documents have the same source",
                               [FieldError("documents", f"duplicate source {s!r}") for s in duplicates[:5]])
    total = sum(len(d.chunks) for d in documents)
    if total > MAX_CHUNKS_PER_REQUEST:
        raise PayloadTooLarge(f"these documents make {total} chunks; the limit per request is "
                              f"{MAX_CHUNKS_PER_REQUEST} (upload large files through kb_loader)")
    embedder, store = _services()
    vectors = embedder.embed([passage(c, d.title) for d in documents for c in d.chunks])
    write_documents(documents, vectors, store, embedder.name, API_LEASE_WAIT_S)
    return {"ids": [i for d in documents for i in d.ids],
            "documents": [{"source": d.source, "chunk_count": len(d.chunks)} for d in documents]}


def search(*, data: KbSearchIn, actor: Principal | None = None, predict: bool = False) -> dict[str, Any]:
    """The chunks closest to the query, best first; none when nothing is within the relevance floor. Those answering
    the search's category are preferred (services/kb_context.py: the request's category, the ticket's, or with
    `predict` the query's own)."""
    context = kb_context.resolve(query=data.query, category=data.category, ticket_id=data.ticket_id, actor=actor,
                                 predict=predict)
    top_k = max(data.top_k, kb_context.PREFER_CANDIDATES) if context.used else data.top_k
    embedder, store = _services()
    vector = embedder.embed([data.query])[0]
    text = None if search_mode() == "vector" else data.query
    hits = store.search(vector, text, top_k, filters=data.filter, candidates=HYBRID_CANDIDATES,
                        margin=get_settings().kb.bm25_margin, max_distance=relevance_floor(embedder.space))
    results = [{"id": h.id, "content": h.text, "metadata": h.metadata, "distance": round(h.distance, 6),
                "score": round(h.score, 6)} for h in hits]
    return {"results": kb_context.prefer(results, context, data.top_k), "context": context.as_dict()}


def refresh_count(source: str, store: VectorStore) -> int:
    """Recount a source's chunks after a delete; drop its record when none are left (caller holds the lease)."""
    remaining = store.count(f"source = {quote(source)}")
    record = get_record(source)
    if record is not None:
        if remaining:
            record.update(actions=[KbDocumentModel.chunk_count.set(remaining),
                                   KbDocumentModel.updated_at.set(now_iso())])
        else:
            record.delete()
    return remaining


def delete(*, data: KbDeleteIn) -> dict[str, Any]:
    """Delete chunks by id; their documents' counts follow."""
    _, store = _services()
    wanted = list(dict.fromkeys(data.ids))
    by_source: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(wanted), 500):
        for row in store.rows(ids_clause(wanted[start:start + 500])):
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
            record.delete()
    return True


_CURSOR_SCOPE = "kb-document|"
_CURSOR_POSITION = {"source": cursors.Field(str, 1_100)}


def _encode_cursor(key: dict[str, Any]) -> str:
    return cursors.encode(_CURSOR_SCOPE, {"source": str(key["source"]["S"])})


def _decode_cursor(cursor: str) -> dict[str, Any]:
    source = cursors.decode(cursor, _CURSOR_SCOPE, _CURSOR_POSITION)["source"]
    return {"pk": {"S": DOC_PK}, "source": {"S": source}}


def document_dict(record: KbDocumentModel) -> dict[str, Any]:
    """The public view of a document record."""
    return {"source": record.source, "title": record.title, "chunk_count": int(record.chunk_count or 0),
            "status": record.status, "origin": record.origin, "updated_at": record.updated_at, "etag": record.etag,
            "error": record.error}


def list_documents(*, query: KbListQuery) -> dict[str, Any]:
    """Ingested documents ordered by source: one DynamoDB Query per page."""
    start = _decode_cursor(query.cursor) if query.cursor else None
    records, last = query_once(KbDocumentModel, DOC_PK, limit=query.page_size, start_key=start)
    return {"items": [document_dict(r) for r in records], "next_cursor": _encode_cursor(last) if last else None}
