"""Give `chalice local` (and chalice.test.Client) the gateway responses production's API Gateway is given.

Both run chalice's LocalGateway, which answers some requests itself, before any of our code runs: an
unknown route gets a 403 whose message repeats the whole Authorization header (API key secret included),
a missing Authorization header a bare `{"message": "Unauthorized"}`. In AWS the same cases are API
Gateway's MISSING_AUTHENTICATION_TOKEN and UNAUTHORIZED gateway responses, which the stack rewrites; this
module does the same rewrite locally: the API's error shape, 404 for an unknown route, the security headers,
and nothing echoed.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.security import error_json, with_security_headers

ROUTE_NOT_FOUND = "route_not_found"
_NO_ROUTE_MARKERS = (b"Missing Authentication Token", b"Authorization header requires")


def _rewrite(exc: Any, not_found: type[Exception]) -> Exception:
    kind: type[Exception] = type(exc)
    headers = with_security_headers({"Content-Type": "application/json"})
    body = bytes(exc.body or b"")
    if exc.CODE == 403 and any(marker in body for marker in _NO_ROUTE_MARKERS):
        return not_found(headers, error_json(ROUTE_NOT_FOUND, "no such route"))
    if body.lstrip().startswith(b'{"error"'):  # already ours (the authorizer's refusal)
        return kind({**exc.headers, **headers}, body)
    if exc.CODE == 401:
        return kind(headers, error_json("unauthorized", "authentication required: send "
                                                             "'Authorization: Bearer <token or API key>'"))
    return kind(headers, error_json("forbidden", "access denied"))


def install() -> None:
    """Wrap LocalGateway.handle_request once; a no-op where chalice.local does not exist (Lambda)."""
    try:
        from chalice import local
    except ImportError:  # pragma: no cover - the Lambda runtime ships only chalice.app
        return
    gateway = local.LocalGateway
    if getattr(gateway, "_helpdesk_gateway_responses", False):
        return
    original = gateway.handle_request

    class RouteNotFoundError(local.LocalGatewayException):
        CODE = 404

    def handle_request(self: Any, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        try:
            response = original(self, method, path, headers, body)
        except local.LocalGatewayException as exc:
            raise _rewrite(exc, RouteNotFoundError) from exc
        response["headers"] = with_security_headers(dict(response.get("headers") or {}))  # CORS preflight
        return response

    setattr(gateway, "handle_request", handle_request)  # noqa: B010 - mypy refuses assigning to a method
    setattr(gateway, "_helpdesk_gateway_responses", True)  # noqa: B010
