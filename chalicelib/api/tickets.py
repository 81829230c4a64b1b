"""Tickets and their replies."""

from __future__ import annotations

import re
from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import STAFF, Call, Reply, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.errors import FieldError, ValidationFailed
from chalicelib.schemas.common import PageOf, PathId
from chalicelib.schemas.tickets import (
    ReplyCreate,
    ReplyListQuery,
    ReplyOut,
    TicketCreate,
    TicketDeleting,
    TicketListQuery,
    TicketOut,
    TicketUpdate,
)
from chalicelib.services import replies, tickets

bp = Blueprint(__name__)
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,15})"?$')


def _etag(ticket: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'"{ticket["version"]}"'}


def _if_match(call: Call) -> int | None:
    raw = call.headers.get("if-match")
    if raw is None or raw.strip() == "*":
        return None
    match = _ETAG.match(raw.strip())
    if not match:
        raise ValidationFailed("If-Match must be a ticket version such as \"3\"",
                               [FieldError("If-Match", "not a version")])
    return int(match.group(1))


@endpoint(bp, "POST", "/api/tickets", summary="Create a ticket", tag="tickets", authorizer=bearer_auth,
          body=TicketCreate, response=TicketOut, status=201, scope="tickets:write",
          errors=(400, 401, 403, 413, 422))
def create_ticket(call: Call) -> Reply:
    """Requester and assignee must exist; requesters open tickets for themselves."""
    ticket = tickets.create_ticket(data=call.body, actor=call.principal)
    return Reply(ticket, 201, {**_etag(ticket), "Location": f"/api/tickets/{ticket['id']}"})


@endpoint(bp, "GET", "/api/tickets", summary="List tickets", tag="tickets", authorizer=bearer_auth,
          query=TicketListQuery, response=PageOf[TicketOut], scope="tickets:read", errors=(401, 403, 422))
def list_tickets(call: Call) -> dict[str, Any]:
    """Newest first; filters combine; `page`/`page_size` or `cursor` for deep paging."""
    return tickets.list_tickets(query=call.query, actor=call.principal)


@endpoint(bp, "GET", "/api/tickets/{ticket_id}", summary="Get a ticket", tag="tickets", authorizer=bearer_auth,
          response=TicketOut, scope="tickets:read", errors=(401, 403, 404))
def get_ticket(call: Call, ticket_id: PathId) -> Reply:
    """The ticket, with its version as ETag."""
    ticket = tickets.get_ticket(ticket_id=ticket_id, actor=call.principal)
    return Reply(ticket, 200, _etag(ticket))


@endpoint(bp, "PUT", "/api/tickets/{ticket_id}", summary="Update a ticket", tag="tickets", authorizer=bearer_auth,
          body=TicketUpdate, response=TicketOut, roles=STAFF, scope="tickets:write",
          errors=(400, 401, 403, 404, 409, 413, 422))
def update_ticket(call: Call, ticket_id: PathId) -> Reply:
    """Partial update. Send `version` or `If-Match` to get a 409 instead of overwriting a concurrent edit.
    `content` is the requester's own words when they wrote the ticket: changing it is a 422 naming `content`
    (only text a staff member entered on a requester's behalf can be corrected)."""
    ticket = tickets.update_ticket(ticket_id=ticket_id, data=call.body, actor=call.principal,
                                   if_match=_if_match(call))
    return Reply(ticket, 200, _etag(ticket))


@endpoint(bp, "DELETE", "/api/tickets/{ticket_id}", summary="Delete a ticket and its replies", tag="tickets",
          authorizer=bearer_auth, status=204, other_responses={202: TicketDeleting}, roles=STAFF,
          scope="tickets:write", errors=(401, 403, 404, 409))
def delete_ticket(call: Call, ticket_id: PathId) -> Reply:
    """204 when done; 202 when a very long thread is still being removed in the background."""
    done = tickets.delete_ticket(ticket_id=ticket_id, actor=call.principal)
    return Reply(None, 204) if done else Reply({"status": "deleting"}, 202)


@endpoint(bp, "POST", "/api/tickets/{ticket_id}/replies", summary="Reply to a ticket", tag="replies",
          authorizer=bearer_auth, body=ReplyCreate, response=ReplyOut, status=201, scope="tickets:write",
          errors=(400, 401, 403, 404, 409, 413, 422))
def add_reply(call: Call, ticket_id: PathId) -> dict[str, Any]:
    """The author must exist; requesters reply as themselves on their own tickets. A merged ticket takes no
    replies: 409 `merged`, naming the surviving ticket."""
    return replies.add_reply(ticket_id=ticket_id, data=call.body, actor=call.principal)


@endpoint(bp, "GET", "/api/tickets/{ticket_id}/replies", summary="List a ticket's replies", tag="replies",
          authorizer=bearer_auth, query=ReplyListQuery, response=PageOf[ReplyOut], scope="tickets:read",
          errors=(401, 403, 404, 422))
def list_replies(call: Call, ticket_id: PathId) -> dict[str, Any]:
    """Oldest first. Requesters never see internal notes."""
    return replies.list_replies(ticket_id=ticket_id, query=call.query, actor=call.principal)
