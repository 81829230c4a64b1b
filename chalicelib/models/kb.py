"""Knowledge-base bookkeeping: one record per ingested document, and writer leases."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, NumberSetAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register

DOC_PK = "doc"
LOCK_PK = "lock"


@register
class KbDocumentModel(BaseModel):
    """`pk` is `doc` (the document list: one Query lists it) or `lock` (a writer's lease on a source)."""

    class Meta(BaseModel.Meta):
        logical_name = "kb-documents"
        table_name = "kb-documents"

    pk = UnicodeAttribute(hash_key=True)
    source = UnicodeAttribute(range_key=True)
    title = UnicodeAttribute(null=True)
    chunk_count = NumberAttribute(default=0)
    status = UnicodeAttribute(default="ready")  # ready | ingesting | failed
    error = UnicodeAttribute(null=True)  # why a failed upload was not ingested
    origin = UnicodeAttribute(default="api")  # api | s3
    generation = UnicodeAttribute(null=True)  # the S3 event sequencer that produced these chunks
    etag = UnicodeAttribute(null=True)  # the uploaded object's ETag (kb_loader --wait matches it)
    jobs_total = NumberAttribute(null=True)
    jobs_done = NumberSetAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    embedder = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    lock_owner = UnicodeAttribute(null=True)
    lock_expires = NumberAttribute(null=True)
