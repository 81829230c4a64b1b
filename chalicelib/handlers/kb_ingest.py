"""Knowledge-base queues: uploads-bucket notifications (kb-ingest) and embedding jobs for large files (kb-embed)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Rate

from chalicelib.handlers.batch import process_sqs_batch, queue_name

bp = Blueprint(__name__)


def _handle_message(body: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.services import kb_ingest  # lazily: the embedder and LanceDB load only here

    return kb_ingest.handle_notification(body)


def _handle_job(body: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.services import kb_ingest

    return kb_ingest.run_embed_job(body)


@bp.on_sqs_message(queue=queue_name("kb-ingest"), batch_size=5, name="kb_ingest")
def kb_ingest(event: Any) -> Any:
    """S3 object created/removed in the uploads bucket -> ingest or remove that file's chunks."""
    return process_sqs_batch(event, _handle_message, "kb_ingest")


@bp.on_sqs_message(queue=queue_name("kb-embed"), batch_size=4, name="kb_embed")
def kb_embed(event: Any) -> Any:
    """One embedding job (a slice of a large file's chunks)."""
    return process_sqs_batch(event, _handle_job, "kb_embed")


@bp.schedule(Rate(1, unit=Rate.HOURS), name="kb_optimize")
def kb_optimize(_event: Any) -> dict[str, Any]:
    """Compact the chunk table, fold new rows into its indexes, add the vector index once the table is large."""
    from chalicelib.rag.embeddings import get_embedder
    from chalicelib.rag.store import get_store

    return {"done": get_store(get_embedder().space).ensure_indexes()}
