"""The Chalice authorizer: turns a bearer token or API key into a principal for every protected route.

In AWS it runs as API Gateway's Lambda (TOKEN) authorizer; `chalice local` and the test client run the
same function in-process.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.app import AuthRequest, AuthResponse, Blueprint

from chalicelib.errors import Unauthorized
from chalicelib.log import logger
from chalicelib.services import auth

bp = Blueprint(__name__)

# Sent on every response: the app's own, Chalice's (405, 415), and the local gateway's (see local_gateway.py).
# Production's API Gateway responses need the same set (docs/SECURITY.md, "Response headers").
SECURITY_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
# The one HTML page (Swagger UI at /docs) runs its own script and inline bootstrap from this origin.
HTML_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def with_security_headers(headers: dict[str, Any]) -> dict[str, Any]:
    """`headers` plus the security headers it does not set itself (an HTML page gets the HTML policy)."""
    present = {name.lower() for name in headers}
    is_html = any(name.lower() == "content-type" and str(value).startswith("text/html")
                  for name, value in headers.items())
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:
            headers[name] = HTML_CSP if is_html and name == "Content-Security-Policy" else value
    return headers


def error_json(code: str, message: str) -> bytes:
    """An error body in the API's shape, for answers built outside the views."""
    return json.dumps({"error": code, "message": message, "details": []}, separators=(",", ":")).encode()


try:  # chalice.local exists in the local server and the test client, not in the Lambda runtime
    from chalice.local import NotAuthorizedError as _LocalNotAuthorized

    def _unauthorized(reason: str) -> Exception:
        headers = with_security_headers({"Content-Type": "application/json"})
        return _LocalNotAuthorized(headers, error_json("unauthorized", reason))

except ImportError:  # pragma: no cover - Lambda

    def _unauthorized(reason: str) -> Exception:  # noqa: ARG001 - same signature as the local variant
        # API Gateway answers 401 only for this exact message; the reason goes to the log.
        return Exception("Unauthorized")


# API Gateway caches each token's result for this long. That is safe: the authorizer only checks signatures
# and key hashes, and every request then re-reads the user (and key) in the view (auth.confirm_principal),
# so revocations, demotions and deactivations bite on the next request whatever this cache holds.
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
        "tv": "" if principal.token_version is None else str(principal.token_version),
        "exp": "" if principal.expires_at is None else str(principal.expires_at),
    }
    return AuthResponse(routes=["*"], principal_id=str(principal.user_id), context=context)
