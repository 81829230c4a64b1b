"""AI first-response routes: the policy, the requester's feedback on an answer, self-service answers."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import ADMIN, STAFF, Call, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.schemas.auto_reply import AutoReplyPolicyIn, AutoReplyPolicyOut
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
