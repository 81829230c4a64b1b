"""Knowledge base: ingest, search, delete chunks and list the ingested documents."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import STAFF, Call, Reply, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.schemas.kb import (
    KbDeleteIn,
    KbDeleteOut,
    KbDocumentPage,
    KbIngestIn,
    KbIngestOut,
    KbListQuery,
    KbSearchIn,
    KbSearchOut,
)

bp = Blueprint(__name__)


@endpoint(bp, "POST", "/api/kb/ingest", summary="Ingest documents into the knowledge base", tag="kb",
          authorizer=bearer_auth, body=KbIngestIn, response=KbIngestOut, status=201, roles=STAFF, scope="kb:write",
          errors=(400, 401, 403, 413, 422, 503))
def ingest(call: Call) -> Reply:
    """Chunks, embeds and stores each document; the same `metadata.source` again replaces its chunks."""
    from chalicelib.services import kb  # lazily: pulls in numpy and the embedder plumbing

    return Reply(kb.ingest(data=call.body), 201)


@endpoint(bp, "POST", "/api/kb/search", summary="Search the knowledge base", tag="kb", authorizer=bearer_auth,
          body=KbSearchIn, response=KbSearchOut, roles=STAFF, scope="kb:read", errors=(400, 401, 403, 404, 413, 422))
def search(call: Call) -> dict[str, Any]:
    """Hybrid search (cosine similarity, full-text matches blended in within a small margin); `distance` is the
    cosine distance; nothing beyond the relevance floor is returned (an empty list: no answer). Articles answering the
    search's category (`category`, the ticket's with `ticket_id`, else the query's predicted one) are preferred;
    `context` says which category was used and how sure it was."""
    from chalicelib.services import kb

    return kb.search(data=call.body, actor=call.principal, predict=True)


@endpoint(bp, "POST", "/api/kb/delete", summary="Delete knowledge-base chunks", tag="kb", authorizer=bearer_auth,
          body=KbDeleteIn, response=KbDeleteOut, roles=STAFF, scope="kb:write", errors=(400, 401, 403, 413, 422, 503))
def delete(call: Call) -> dict[str, Any]:
    """Removes chunks by id; unknown ids are listed in `not_found`."""
    from chalicelib.services import kb

    return kb.delete(data=call.body)


@endpoint(bp, "GET", "/api/kb/documents", summary="List ingested documents", tag="kb", authorizer=bearer_auth,
          query=KbListQuery, response=KbDocumentPage, roles=STAFF, scope="kb:read", errors=(401, 403, 422))
def list_documents(call: Call) -> dict[str, Any]:
    """Each source with its chunk count, ordered by source (one DynamoDB Query per page)."""
    from chalicelib.services import kb

    return kb.list_documents(query=call.query)
