"""Knowledge-base bookkeeping: one record per ingested document, its entry in its collection's list, the
collections themselves (visibility and counts), and writer leases."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, NumberSetAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register

DOC_PK = "doc"
LOCK_PK = "lock"
COLLECTION_PK = "collection"
DEFAULT_COLLECTION = "default"


def collection_list_pk(collection: str) -> str:
    """The partition listing one collection's documents (`doc|<collection>`, sorted by source)."""
    return f"{DOC_PK}|{collection}"


@register
class KbDocumentModel(BaseModel):
    """`pk` is `doc` (every document: one Query lists it, `source` is the key), `doc|<collection>` (the same
    document's entry in its collection's list), `collection` (`source` holds the collection's name: visibility,
    description, counts) or `lock` (a writer's lease on a source)."""

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
    collection = UnicodeAttribute(null=True)  # a document's collection (absent: written before collections existed)
    visibility = UnicodeAttribute(null=True)  # a collection's: public | internal
    description = UnicodeAttribute(null=True)
    document_count = NumberAttribute(null=True)  # a collection's counts, kept in the documents' transactions
    lock_owner = UnicodeAttribute(null=True)
    lock_expires = NumberAttribute(null=True)
