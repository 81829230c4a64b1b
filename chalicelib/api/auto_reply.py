"""AI first-response routes: the policy, the requester's feedback on an answer, self-service answers."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import ADMIN, ANY_ROLE, STAFF, Call, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.schemas.auto_reply import (
    AiAnswerIn,
    AiAnswerOut,
    AiFeedbackIn,
    AutoReplyPolicyIn,
    AutoReplyPolicyOut,
    DeflectionIn,
    DeflectionOut,
)
from chalicelib.schemas.common import PathId
from chalicelib.schemas.tickets import TicketOut
from chalicelib.services import auto_reply

bp = Blueprint(__name__)


@endpoint(bp, "GET", "/api/ai/auto-reply", summary="AI auto-reply policy", tag="ai", authorizer=bearer_auth,
          response=AutoReplyPolicyOut, roles=STAFF, scope="ai")
def get_policy(_call: Call) -> dict[str, Any]:
    """Whether the AI answers new tickets on its own, which ones, and how sure it must be."""
    return auto_reply.get_policy()


@endpoint(bp, "PUT", "/api/ai/auto-reply", summary="Change the AI auto-reply policy", tag="ai",
          authorizer=bearer_auth, body=AutoReplyPolicyIn, response=AutoReplyPolicyOut, roles=ADMIN, scope="admin")
def put_policy(call: Call) -> dict[str, Any]:
    """Replaces the policy (audited); applies to tickets decided from now on."""
    return auto_reply.save_policy(call.body.model_dump(), call.principal.user_id)


@endpoint(bp, "POST", "/api/tickets/{ticket_id}/ai-feedback", summary="Say whether the AI's answer helped",
          tag="tickets", authorizer=bearer_auth, body=AiFeedbackIn, response=TicketOut, roles=ANY_ROLE,
          scope="tickets:write", errors=(404, 409))
def ai_feedback(call: Call, ticket_id: PathId) -> dict[str, Any]:
    """`helpful: true` resolves the ticket (resolved by AI); `false` reopens it for a person. Once per ticket."""
    return auto_reply.give_feedback(ticket_id=ticket_id, helpful=call.body.helpful,
                                    actor=call.principal)


@endpoint(bp, "POST", "/api/ai/answer", summary="Self-service answer", tag="ai", authorizer=bearer_auth,
          body=AiAnswerIn, response=AiAnswerOut, roles=ANY_ROLE, scope="tickets:read")
def answer(call: Call) -> dict[str, Any]:
    """Before a ticket exists: whether the knowledge base answers the question, and the public articles that may
    help either way."""
    return auto_reply.answer_question(question=call.body.question)


@endpoint(bp, "POST", "/api/ai/deflections", summary="Record a self-service deflection", tag="ai",
          authorizer=bearer_auth, body=DeflectionIn, response=DeflectionOut, status=201, roles=ANY_ROLE,
          scope="tickets:write")
def deflection(call: Call) -> dict[str, Any]:
    """"This answered my question": counted on the dashboard; no ticket is created."""
    return auto_reply.record_deflection(question=call.body.question, category=call.body.category)
