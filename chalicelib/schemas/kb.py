"""Knowledge-base schemas: ingest, search, delete, the document list and collections."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StrictBool, StringConstraints, model_validator

from chalicelib.errors import FieldError, ValidationFailed
from chalicelib.rag.chunking import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE
from chalicelib.schemas.common import EntityId, Out, Strict, _check_text, _require_non_blank

# A request body is at most 1 MiB (api/http.MAX_BODY_BYTES, under Lambda's 6 MB payload): 20 documents of 12,000
# characters (up to 4 bytes each in UTF-8) and their metadata fit; longer files go through the uploads bucket.
MAX_DOCUMENTS = 20
MAX_TEXT_CHARS = 12_000
MAX_METADATA_KEYS = 20
MAX_METADATA_BYTES = 4_096
MAX_METADATA_VALUE_CHARS = 1_024
MAX_QUERY_CHARS = 2_000
MAX_TOP_K = 50
MAX_DELETE_IDS = 1_000
FILTER_KEYS = ("source", "title", "heading")
MAX_FILTER_VALUES = 20
MAX_FILTER_VALUE_CHARS = 1_024
MAX_CATEGORIES = 20
MAX_CATEGORY_CHARS = 100
# A taxonomy label: any printable text (`metadata.category` is one label, or a list of them).
CategoryLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CATEGORY_CHARS,
                                                 pattern=r"^[^\x00-\x1f\x7f]+$")]
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
COLLECTION_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
DEFAULT_COLLECTION = "default"
# A collection's name: lower-case letters, digits, `_` and `-`, starting with a letter or digit, up to 63.
CollectionName = Annotated[str, StringConstraints(min_length=1, max_length=63, pattern=COLLECTION_PATTERN)]
Visibility = Literal["public", "internal"]
CollectionField = Field(
    default=DEFAULT_COLLECTION, description="The collection (`default` unless named; it always exists and is public).")


def _check_metadata(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > MAX_METADATA_KEYS:
        raise ValueError(f"at most {MAX_METADATA_KEYS} keys")
    for key, item in value.items():
        if not _KEY.match(key):
            raise ValueError(f"key {key[:70]!r} must match {_KEY.pattern}")
        if key == "category" and isinstance(item, list):
            if not 1 <= len(item) <= MAX_CATEGORIES or not all(
                    isinstance(v, str) and 0 < len(v.strip()) <= MAX_CATEGORY_CHARS for v in item):
                raise ValueError(f"category: a label or a list of 1-{MAX_CATEGORIES} labels")
            continue
        if item is not None and not isinstance(item, str | int | float | bool):
            raise ValueError(f"{key}: values must be strings, numbers, booleans or null (metadata is flat, "
                             "except `category`, which may list several labels)")
        if isinstance(item, str):
            _check_text(item)
            if len(item) > MAX_METADATA_VALUE_CHARS:
                raise ValueError(f"{key}: at most {MAX_METADATA_VALUE_CHARS} characters")
    if "source" in value and (not isinstance(value["source"], str) or not value["source"].strip()):
        raise ValueError("source must be a non-empty string")
    if len(json.dumps(value, ensure_ascii=False).encode("utf-8")) > MAX_METADATA_BYTES:
        raise ValueError(f"at most {MAX_METADATA_BYTES} bytes as JSON")
    return value


Metadata = Annotated[dict[str, Any], AfterValidator(_check_metadata)]
def document_text_problem(text: str) -> str | None:
    """Why a document's text cannot be stored (the rules every other text field follows), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode (no lone surrogates)"
    return None


def _check_document_text(value: str) -> str:
    problem = document_text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


KbText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS),
                   AfterValidator(_check_document_text), AfterValidator(_require_non_blank)]


class KbStrict(Strict):
    """KB inputs: documents may be longer than ticket content."""

    model_config = ConfigDict(extra="forbid", str_max_length=MAX_TEXT_CHARS)


class KbDocumentIn(KbStrict):
    """One document; `metadata.source` names it (re-ingesting the same source replaces its chunks)."""

    text: KbText
    metadata: Metadata = Field(default_factory=dict)


class KbIngestIn(KbStrict):
    """Documents to chunk, embed and store, into one collection."""

    documents: list[KbDocumentIn] = Field(min_length=1, max_length=MAX_DOCUMENTS)
    collection: CollectionName = CollectionField
    chunk: StrictBool = True
    chunk_size: int = Field(default=DEFAULT_CHUNK_SIZE, ge=100, le=4_000, strict=True)
    chunk_overlap: int = Field(default=DEFAULT_CHUNK_OVERLAP, ge=0, le=2_000, strict=True)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> KbIngestIn:
        if self.chunk_overlap >= self.chunk_size:
            raise ValidationFailed("chunk_overlap must be smaller than chunk_size",
                                   [FieldError("chunk_overlap", "must be smaller than chunk_size")])
        return self


def _check_filter(value: dict[str, Any] | None) -> dict[str, Any] | None:
    problems = []
    for key, item in (value or {}).items():
        values = item if isinstance(item, list) else [item]
        if key not in FILTER_KEYS:
            problems.append(FieldError(f"filter.{key}", f"not filterable; use one of {', '.join(FILTER_KEYS)}"))
        elif not 1 <= len(values) <= MAX_FILTER_VALUES or not all(
                isinstance(v, str) and 0 < len(v) <= MAX_FILTER_VALUE_CHARS for v in values):
            problems.append(FieldError(f"filter.{key}",
                                       f"must be a non-empty string or a list of 1-{MAX_FILTER_VALUES} of them"))
    if problems:
        raise ValidationFailed("invalid filter: " + "; ".join(f"{p.field}: {p.message}" for p in problems), problems)
    return value


class KbSearchIn(KbStrict):
    """A question in natural language, how many chunks to return, and optional metadata filters."""

    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUERY_CHARS),
                     AfterValidator(_check_text)]
    top_k: int = Field(default=5, ge=1, le=MAX_TOP_K, strict=True)
    filter: dict[str, Any] | None = Field(
        default=None, description="Exact match on `source`, `title` or `heading` (a value or a list of values).")
    category: CategoryLabel | None = Field(
        default=None, description="Prefer the articles answering this taxonomy category.")
    ticket_id: EntityId | None = Field(
        default=None, description="Prefer the articles answering this ticket's category (the agents', else the AI's).")
    collection: CollectionName | None = Field(
        default=None, description="Search only this collection; by default every collection the caller may see.")

    @model_validator(mode="after")
    def _known_filters(self) -> KbSearchIn:
        _check_filter(self.filter)
        if self.category is not None and self.ticket_id is not None:
            raise ValidationFailed("give either category or ticket_id, not both",
                                   [FieldError("ticket_id", "not together with category")])
        return self


class KbDeleteIn(KbStrict):
    """Chunk ids to remove (only those in `collection` when one is named)."""

    ids: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(
        min_length=1, max_length=MAX_DELETE_IDS)
    collection: CollectionName | None = Field(
        default=None, description="Delete only chunks of this collection (others are reported as not found).")


class KbListQuery(KbStrict):
    """Paging for the document list."""

    model_config = ConfigDict(extra="ignore")

    page_size: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=2_000)] | None = None
    collection: CollectionName | None = Field(
        default=None, description="Only this collection's documents; by default every document.")


class KbIngestedDocument(Out):
    """What one ingested document became."""

    source: str
    chunk_count: int


class KbIngestOut(Out):
    """The new chunk ids, in document order."""

    ids: list[str]
    documents: list[KbIngestedDocument]
    collection: str


class KbHit(Out):
    """One matching chunk."""

    id: str
    content: str
    metadata: dict[str, Any]
    distance: float = Field(description="Cosine distance between the query and the chunk (0 = same direction).")
    score: float = Field(description="What the order is based on (higher is better): the cosine similarity, plus at "
                                     "most a small margin for full-text (BM25) matches, times the category preference.")


class KbSearchContext(Out):
    """The category the search preferred and how sure it was of it."""

    category: str | None = Field(description="The taxonomy category; null when none applied.")
    confidence: float | None = Field(description="1 for a given category or an agent's; else the classifier's.")
    source: Literal["request", "ticket", "predicted", "none"] = Field(
        description="Where the category came from: the request, the ticket, or predicted from the query.")
    used: bool = Field(description="Whether it re-ranked the results (a prediction under 0.3 is only reported).")


class KbSearchOut(Out):
    """Best chunks first; empty when no chunk is within the relevance floor (nothing in the KB answers the query)."""

    results: list[KbHit]
    context: KbSearchContext


class KbDeleteOut(Out):
    """How many chunks were removed, and the ids that did not exist."""

    deleted: int
    not_found: list[str]


class KbDocumentOut(Out):
    """An ingested document."""

    source: str
    title: str | None
    collection: str = Field(description="The collection the document belongs to.")
    chunk_count: int
    status: str
    origin: str
    updated_at: str | None
    etag: str | None = Field(default=None, description="The uploaded object's ETag (files from the uploads bucket).")
    error: str | None = Field(default=None, description="Why the document was not ingested (status `failed`).")


class KbDocumentPage(Out):
    """A page of documents, ordered by source."""

    items: list[KbDocumentOut]
    next_cursor: str | None


class KbCollectionIn(KbStrict):
    """A new collection: its name (never changes), who may read it, what it holds."""

    name: CollectionName
    visibility: Visibility = Field(description="`public`: requesters' answers may cite it; `internal`: agents only.")
    description: Annotated[str, StringConstraints(max_length=500), AfterValidator(_check_text)] = ""


class KbCollectionUpdateIn(KbStrict):
    """New visibility and description (`name`, when given, must be the collection's own)."""

    name: CollectionName | None = None
    visibility: Visibility
    description: Annotated[str, StringConstraints(max_length=500), AfterValidator(_check_text)] = ""


class KbCollectionDeleteQuery(KbStrict):
    """Whether to delete the collection's documents too (else a collection holding documents is not deleted)."""

    model_config = ConfigDict(extra="ignore")

    delete_documents: bool = False


class KbCollectionOut(Out):
    """A collection with its counts."""

    name: str
    visibility: Visibility
    description: str
    document_count: int = Field(description="Documents in the collection.")
    chunk_count: int = Field(description="Chunks (searchable passages) in the collection.")
    created_at: str | None
    updated_at: str | None


class KbCollectionList(Out):
    """Every collection, `default` first, then by name."""

    items: list[KbCollectionOut]


class KbCollectionDeleted(Out):
    """What deleting a collection removed."""

    name: str
    documents_deleted: int
    chunks_deleted: int
