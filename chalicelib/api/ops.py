"""Operations routes: SLA policy, ratings, merge, the timeline, webhooks and the analytics summary."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import ADMIN, ANY_ROLE, STAFF, Call, Reply, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.ops import analytics, policy, webhooks
from chalicelib.schemas.common import PageOf, PathId, PathKey
from chalicelib.schemas.ops import (
    AnalyticsQuery,
    EventListQuery,
    EventOut,
    MergeIn,
    RatingIn,
    SlaPolicyIn,
    SlaPolicyOut,
    SummaryOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)
from chalicelib.schemas.tickets import TicketOut
from chalicelib.services import merge, ratings, tickets
from chalicelib.store import events

bp = Blueprint(__name__)


@endpoint(bp, "GET", "/api/sla/policy", summary="SLA policy", tag="sla", authorizer=bearer_auth,
          response=SlaPolicyOut, roles=STAFF, scope="tickets:read")
def get_policy(_call: Call) -> dict[str, Any]:
    """Targets per priority and the business hours the clocks count."""
    return policy.get_policy()


@endpoint(bp, "PUT", "/api/sla/policy", summary="Change the SLA policy", tag="sla", authorizer=bearer_auth,
          body=SlaPolicyIn, response=SlaPolicyOut, roles=ADMIN, scope="admin")
def put_policy(call: Call) -> dict[str, Any]:
    """Applies to tickets created or re-prioritised from now on."""
    return policy.save_policy(call.body.model_dump(), call.principal.user_id)


@endpoint(bp, "POST", "/api/tickets/{ticket_id}/rating", summary="Rate a resolved ticket", tag="tickets",
          authorizer=bearer_auth, body=RatingIn, response=TicketOut, roles=ANY_ROLE, scope="tickets:write",
          errors=(404, 409))
def rate(call: Call, ticket_id: PathId) -> dict[str, Any]:
    """The requester rates 1-5 (changeable until the ticket is closed)."""
    return ratings.rate(ticket_id=ticket_id, score=call.body.score, comment=call.body.comment,
                        actor=call.principal)


@endpoint(bp, "POST", "/api/tickets/{ticket_id}/merge", summary="Merge a duplicate into another ticket",
          tag="tickets", authorizer=bearer_auth, body=MergeIn, response=TicketOut, roles=STAFF,
          scope="tickets:write", errors=(403, 404, 409, 422))
def merge_ticket(call: Call, ticket_id: PathId) -> dict[str, Any]:
    """Replies and the description move to the survivor (`into`); this ticket is closed and points to it.
    Another requester's ticket: 409 unless an admin sends `confirm_cross_requester` (then copied, hidden from
    the survivor's requester)."""
    return merge.merge(source_id=ticket_id, target_id=call.body.into, actor=call.principal,
                       confirm_cross_requester=call.body.confirm_cross_requester)


@endpoint(bp, "GET", "/api/tickets/{ticket_id}/events", summary="A ticket's timeline", tag="tickets",
          authorizer=bearer_auth, query=EventListQuery, response=PageOf[EventOut], roles=STAFF,
          scope="tickets:read", errors=(404,))
def list_events(call: Call, ticket_id: PathId) -> dict[str, Any]:
    """Every change, oldest first: field, old and new value, who, when (AI and SLA events included)."""
    tid = ticket_id
    tickets.get_ticket_model(tid, call.principal)
    return events.list_events(tid, call.query.page_size, call.query.cursor)


@endpoint(bp, "POST", "/api/webhooks", summary="Register a webhook", tag="webhooks", authorizer=bearer_auth,
          body=WebhookIn, response=WebhookCreated, status=201, roles=ADMIN, scope="admin")
def register_webhook(call: Call) -> dict[str, Any]:
    """Deliveries are signed with the secret in this response (shown once)."""
    return webhooks.register(url=call.body.url, events=list(call.body.events),
                             description=call.body.description or "", actor_id=call.principal.user_id)


@endpoint(bp, "GET", "/api/webhooks", summary="List webhooks", tag="webhooks", authorizer=bearer_auth,
          response=list[WebhookOut], roles=ADMIN, scope="admin")
def list_webhooks(_call: Call) -> list[dict[str, Any]]:
    """Every webhook (without secrets)."""
    return webhooks.list_webhooks()


@endpoint(bp, "DELETE", "/api/webhooks/{webhook_id}", summary="Remove a webhook", tag="webhooks",
          authorizer=bearer_auth, status=204, roles=ADMIN, scope="admin", errors=(404,))
def delete_webhook(_call: Call, webhook_id: PathKey) -> Reply:
    """Stop sending to it."""
    webhooks.delete(hook_id=webhook_id)
    return Reply(None, 204)


@endpoint(bp, "GET", "/api/analytics/summary", summary="Dashboard numbers", tag="analytics", authorizer=bearer_auth,
          query=AnalyticsQuery, response=SummaryOut, roles=STAFF, scope="tickets:read")
def analytics_summary(call: Call) -> dict[str, Any]:
    """Trends, backlog, first-response and resolution times, SLA attainment, CSAT, AI usage (UTC days)."""
    return analytics.summary(start=call.query.start, end=call.query.end)
