"""The Chalice authorizer: turns a bearer token or API key into a principal for every protected route.

In AWS it runs as API Gateway's Lambda (TOKEN) authorizer; `chalice local` and the test client run the
same function in-process.
"""

from __future__ import annotations

from typing import Any

from chalice.app import AuthRequest, AuthResponse, Blueprint

from chalicelib.errors import Unauthorized
from chalicelib.log import logger
from chalicelib.services import auth

bp = Blueprint(__name__)

try:  # chalice.local exists in the local server and the test client, not in the Lambda runtime
    from chalice.local import NotAuthorizedError as _LocalNotAuthorized

    def _unauthorized(reason: str) -> Exception:
        body = ('{{"error":"unauthorized","message":"{}","details":[]}}'.format(reason.replace('"', "'"))).encode()
        return _LocalNotAuthorized({"Content-Type": "application/json"}, body)

except ImportError:  # pragma: no cover - Lambda

    def _unauthorized(reason: str) -> Exception:  # noqa: ARG001 - same signature as the local variant
        # API Gateway answers 401 only for this exact message; the reason goes to the log.
        return Exception("Unauthorized")


# API Gateway caches each token's result for this long: a revoked API key can work for up to a minute.
AUTH_CACHE_TTL_S = 60


@bp.authorizer(ttl_seconds=AUTH_CACHE_TTL_S)
def bearer_auth(auth_request: AuthRequest) -> AuthResponse:
    """Accept `Bearer <access token>` or `Bearer hdk_<api key>`."""
    try:
        principal = auth.authenticate(auth_request.token)
    except Unauthorized as exc:
        logger.info("authentication refused", extra={"reason": exc.message})
        raise _unauthorized(exc.message) from exc
    context: dict[str, Any] = {
        "user_id": str(principal.user_id),
        "role": principal.role,
        "via": principal.via,
        "scopes": " ".join(sorted(principal.scopes)),
        "key_id": principal.key_id or "",
    }
    return AuthResponse(routes=["*"], principal_id=str(principal.user_id), context=context)
