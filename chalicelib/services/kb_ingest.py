"""Batch ingest through S3: object notifications become chunks; large files fan out into embedding jobs.

An object's collection is its `collection` user metadata (`x-amz-meta-collection`, set by `kb_loader --collection`),
`default` without it; an object naming a collection that does not exist is recorded as failed with the reason.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.clock import now_iso
from chalicelib.log import logger
from chalicelib.models.kb import DEFAULT_COLLECTION, KbDocumentModel
from chalicelib.rag.chunking import Chunk, chunk_id
from chalicelib.rag.embeddings import get_embedder
from chalicelib.rag.store import get_store, ids_clause, quote
from chalicelib.schemas.kb import COLLECTION_PATTERN, document_text_problem
from chalicelib.services import kb, kb_collections
from chalicelib.store.db import chunked
from chalicelib.store.locks import lease

SUFFIXES = (".md", ".txt")
MAX_OBJECT_BYTES = 10 * 1024 * 1024
INLINE_MAX_CHUNKS = 64  # more than this: split into embedding jobs on the kb-embed queue
JOB_CHUNKS = 32
EMBED_QUEUE = "kb-embed"


def generation_of(sequencer: str | None) -> str | None:
    """S3's per-key event sequencer, right-padded with zeros (as S3 documents) so string order is event order."""
    return sequencer.upper().ljust(64, "0") if sequencer else None


def _queue_url(logical: str) -> str:
    return aws.queue_url(logical)


def handle_notification(body: dict[str, Any]) -> dict[str, Any]:
    """One SQS message from the uploads bucket: ingest created objects, drop removed ones."""
    if body.get("Event") == "s3:TestEvent" or "Records" not in body:
        return {"skipped": "test event"}
    done: list[dict[str, Any]] = []
    for record in body["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        bucket = record["s3"]["bucket"]["name"]
        event = str(record.get("eventName", ""))
        generation = generation_of(record["s3"]["object"].get("sequencer"))
        if not key.lower().endswith(SUFFIXES):
            done.append({"key": key, "skipped": "not .md or .txt"})
        elif event.startswith("ObjectRemoved"):
            done.append({"key": key, "removed": kb.delete_source(key, generation)})
        elif event.startswith("ObjectCreated"):
            done.append({"key": key, **ingest_object(bucket, key, generation)})
        else:
            done.append({"key": key, "skipped": event})
    return {"objects": done}


def object_collection(metadata: dict[str, str]) -> tuple[str, str | None]:
    """The collection an uploaded object names in its metadata, and why it cannot be used (None: it can)."""
    name = str(metadata.get("collection") or DEFAULT_COLLECTION).strip()
    if not re.fullmatch(COLLECTION_PATTERN, name):
        return name, f"names an invalid collection {name[:70]!r}"
    try:
        kb_collections.require_writable(name)
    except kb_collections.CollectionMissing:
        return name, f"names the collection {name!r}, which does not exist"
    return name, None


def ingest_object(bucket: str, key: str, generation: str | None) -> dict[str, Any]:
    """Read an uploaded file and ingest it: inline when small, else through embedding jobs."""
    s3 = aws.client("s3")
    try:
        obj = s3.get_object(Bucket=bucket, Key=key)
        if int(obj["ContentLength"]) > MAX_OBJECT_BYTES:
            obj["Body"].close()
            logger.warning("kb upload too large", extra={"key": key, "bytes": obj["ContentLength"]})
            return {"skipped": f"larger than {MAX_OBJECT_BYTES} bytes"}
        raw = obj["Body"].read()
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchKey":
            return {"skipped": "object no longer exists"}  # deleted since: its removal event follows
        raise
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    etag = str(obj.get("ETag", "")).strip('"') or None
    collection, unusable = object_collection(obj.get("Metadata") or {})
    text_problem = document_text_problem(text)
    problem = f"the object {unusable}" if unusable else f"text {text_problem}" if text_problem else None
    if problem is not None:
        logger.warning("kb upload refused", extra={"key": key, "reason": problem})
        return {"failed": problem, "recorded": record_failure(bucket, key, generation, etag, len(raw), problem,
                                                               DEFAULT_COLLECTION if unusable else collection)}
    document = kb.build_document(text, {"source": key, "bucket": bucket}, origin="s3",
                                 collection=collection) if text.strip() else None
    if document is None or not document.chunks:
        return {"removed_empty": kb.delete_source(key, generation)}
    document.generation = generation
    document.etag = etag
    if len(document.chunks) <= INLINE_MAX_CHUNKS:
        embedder = get_embedder()
        vectors = kb.embed_chunks(document, document.chunks, embedder)
        try:
            written = kb.write_document(document, vectors, get_store(embedder.space), embedder.name)
        except kb_collections.CollectionMissing as exc:  # deleted after the check above
            reason = f"the object names the collection {exc.name!r}, which does not exist"
            return {"failed": reason, "recorded": record_failure(bucket, key, generation, etag, len(raw), reason)}
        return {"chunks": len(document.chunks), "stale": not written}
    return {"chunks": len(document.chunks), "jobs": plan_jobs(document)}


def record_failure(bucket: str, key: str, generation: str | None, etag: str | None, size_bytes: int,
                   reason: str, collection: str = DEFAULT_COLLECTION) -> bool:
    """Record an upload that cannot be ingested as `failed` with its reason, dropping the chunks of the version it
    replaces (they no longer match the file); False when a newer event already won."""
    document = kb.Document(source=key, title=key.rsplit("/", 1)[-1], metadata={"source": key, "bucket": bucket},
                           chunks=[], origin="s3", generation=generation, size_bytes=size_bytes, etag=etag,
                           collection=collection)
    store = get_store(get_embedder().space)
    with lease(key):
        record = kb.get_record(key)
        if kb.is_stale(record, generation):
            return False
        if store.count(f"source = {quote(key)}"):
            store.delete(f"source = {quote(key)}")
        kb.save_record(document, record, now_iso(), status="failed", error=reason)
    return True


def plan_jobs(document: kb.Document) -> int:
    """Record the document as ingesting and queue one embedding job per slice of chunks."""
    jobs = list(chunked(document.chunks, JOB_CHUNKS))
    with lease(document.source):
        record = kb.get_record(document.source)
        if kb.is_stale(record, document.generation):
            return 0
        kb.save_record(document, record, now_iso(), status="ingesting", jobs_total=len(jobs))
    messages = [json.dumps({
        "source": document.source, "generation": document.generation, "title": document.title,
        "metadata": document.metadata, "chunk_count": len(document.chunks), "job": n, "jobs_total": len(jobs),
        "size_bytes": document.size_bytes, "etag": document.etag, "collection": document.collection,
        "chunks": [{"index": c.index, "text": c.text, "heading": c.heading} for c in job],
    }) for n, job in enumerate(jobs)]
    sqs = aws.client("sqs")
    for group in chunked(enumerate(messages), 10):
        response = sqs.send_message_batch(QueueUrl=_queue_url(EMBED_QUEUE),
                                          Entries=[{"Id": str(n), "MessageBody": body} for n, body in group])
        if response.get("Failed"):
            raise RuntimeError(f"could not queue embedding jobs: {response['Failed']}")
    return len(jobs)


def run_embed_job(job: dict[str, Any]) -> dict[str, Any]:
    """Embed one slice of a large document and store it; the last job marks the document ready."""
    chunks = [Chunk(int(c["index"]), str(c["text"]), str(c["heading"])) for c in job["chunks"]]
    document = kb.Document(source=job["source"], title=job["title"], metadata=job["metadata"], chunks=chunks,
                           origin="s3", generation=job.get("generation"), size_bytes=int(job.get("size_bytes", 0)),
                           etag=job.get("etag"), collection=str(job.get("collection") or DEFAULT_COLLECTION))
    embedder = get_embedder()
    store = get_store(embedder.space)
    vectors = kb.embed_chunks(document, chunks, embedder)
    ids = [chunk_id(document.source, c.index) for c in chunks]
    with lease(document.source):
        record = kb.get_record(document.source)
        if record is None or record.generation != document.generation:
            return {"skipped": "superseded by a newer upload or a delete"}
        if store.count(ids_clause(ids)):  # a retried job: replace what its first run stored
            store.delete_ids(ids)
        store.add(kb.rows_for(document, chunks, vectors, now_iso()))
        record.update(actions=[KbDocumentModel.jobs_done.add({int(job["job"])}),
                               KbDocumentModel.updated_at.set(now_iso())])
        if len(record.jobs_done or ()) >= int(job["jobs_total"]):
            tail = f"source = {quote(document.source)} AND chunk_index >= {int(job['chunk_count'])}"
            if store.count(tail):  # the previous version of the file had more chunks
                store.delete(tail)
            record.update(actions=[KbDocumentModel.status.set("ready"), KbDocumentModel.embedder.set(embedder.name)])
    return {"source": document.source, "job": job["job"], "chunks": len(chunks)}
