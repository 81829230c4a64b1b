"""Knowledge base: ingest, search, delete chunks, list the ingested documents, manage collections."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import STAFF, Call, Reply, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.schemas.kb import (
    CollectionName,
    KbCollectionDeleted,
    KbCollectionDeleteQuery,
    KbCollectionIn,
    KbCollectionList,
    KbCollectionOut,
    KbCollectionUpdateIn,
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
          errors=(400, 401, 403, 404, 413, 422, 503))
def ingest(call: Call) -> Reply:
    """Chunks, embeds and stores each document in `collection` (404 when it does not exist); the same
    `metadata.source` again replaces its chunks (and moves it when the collection differs)."""
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

    return kb.search(data=call.body, audience="agent", actor=call.principal, predict=True)


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


@endpoint(bp, "GET", "/api/kb/collections", summary="List knowledge-base collections", tag="kb",
          authorizer=bearer_auth, response=KbCollectionList, roles=STAFF, scope="kb:read", errors=(401, 403))
def list_collections(_call: Call) -> dict[str, Any]:
    """Every collection with its visibility and counts; `default` always exists and is public."""
    from chalicelib.services import kb_collections

    return kb_collections.list_collections()


@endpoint(bp, "POST", "/api/kb/collections", summary="Create a knowledge-base collection", tag="kb",
          authorizer=bearer_auth, body=KbCollectionIn, response=KbCollectionOut, status=201, roles=STAFF,
          scope="kb:write", errors=(401, 403, 409, 422))
def create_collection(call: Call) -> Reply:
    """`public` collections may be cited to requesters; `internal` ones only ever reach agents."""
    from chalicelib.services import kb_collections

    return Reply(kb_collections.create_collection(data=call.body), 201)


@endpoint(bp, "PUT", "/api/kb/collections/{name}", summary="Update a knowledge-base collection", tag="kb",
          authorizer=bearer_auth, body=KbCollectionUpdateIn, response=KbCollectionOut, roles=STAFF,
          scope="kb:write", errors=(401, 403, 404, 422))
def update_collection(call: Call, name: CollectionName) -> dict[str, Any]:
    """New visibility and description; the name never changes (`default` stays public)."""
    from chalicelib.services import kb_collections

    return kb_collections.update_collection(name=name, data=call.body)


@endpoint(bp, "DELETE", "/api/kb/collections/{name}", summary="Delete a knowledge-base collection", tag="kb",
          authorizer=bearer_auth, query=KbCollectionDeleteQuery, response=KbCollectionDeleted, roles=STAFF,
          scope="kb:write", errors=(401, 403, 404, 409, 422))
def delete_collection(call: Call, name: CollectionName) -> dict[str, Any]:
    """A collection holding documents is refused (409) unless `delete_documents=true`, which deletes them too."""
    from chalicelib.services import kb

    return kb.delete_collection(name=name, delete_documents=call.query.delete_documents)
