"""The agents' copilot chat: sessions of one's own, questions answered from the KB and resolved tickets."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import STAFF, Call, Reply, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.schemas.common import PathKey
from chalicelib.schemas.copilot import (
    CopilotListQuery,
    CopilotQuestionIn,
    CopilotSessionDetail,
    CopilotSessionIn,
    CopilotSessionOut,
    CopilotSessionPage,
    CopilotTurnOut,
)
from chalicelib.services import copilot

bp = Blueprint(__name__)


@endpoint(bp, "POST", "/api/ai/chat/sessions", summary="Start a copilot conversation", tag="ai",
          authorizer=bearer_auth, body=CopilotSessionIn, response=CopilotSessionOut, status=201, roles=STAFF,
          scope="ai", errors=(401, 403, 422))
def create_session(call: Call) -> Reply:
    """A new conversation of the caller's, optionally about a ticket (then the ticket is the context)."""
    return Reply(copilot.create_session(data=call.body, actor=call.principal), 201)


@endpoint(bp, "GET", "/api/ai/chat/sessions", summary="List my copilot conversations", tag="ai",
          authorizer=bearer_auth, query=CopilotListQuery, response=CopilotSessionPage, roles=STAFF, scope="ai",
          errors=(401, 403, 422))
def list_sessions(call: Call) -> dict[str, Any]:
    """The caller's own conversations, newest first (one DynamoDB Query per page)."""
    return copilot.list_sessions(query=call.query, actor=call.principal)


@endpoint(bp, "GET", "/api/ai/chat/sessions/{session_id}", summary="A copilot conversation", tag="ai",
          authorizer=bearer_auth, response=CopilotSessionDetail, roles=STAFF, scope="ai", errors=(401, 403, 404))
def get_session(call: Call, session_id: PathKey) -> dict[str, Any]:
    """The conversation with its messages, oldest first; another agent's conversation is a 404."""
    return copilot.get_session(session_id=session_id, actor=call.principal)


@endpoint(bp, "POST", "/api/ai/chat/sessions/{session_id}/messages", summary="Ask the copilot", tag="ai",
          authorizer=bearer_auth, body=CopilotQuestionIn, response=CopilotTurnOut, status=201, roles=STAFF,
          scope="ai", errors=(401, 403, 404, 409, 413, 422))
def ask(call: Call, session_id: PathKey) -> Reply:
    """An answer grounded in the knowledge base (public and internal articles) and similar resolved tickets, cited
    as `[n]`; the session's earlier turns are the conversation and the ticket (`ticket_id`, else the session's) the
    context. Without an LLM, or when it fails, the answer is the closest passages; when nothing is close enough it
    says so (`answer_source: none`)."""
    return Reply(copilot.ask(session_id=session_id, data=call.body, actor=call.principal), 201)
