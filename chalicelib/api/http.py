"""Request parsing, validation, authorization and error mapping shared by every route.

Each view is declared with `endpoint(...)`, which records what it accepts and returns (the OpenAPI
document is built from these records), parses and validates the request with pydantic, checks the
caller's role and scope, and turns domain errors into JSON error bodies in one place.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice.app import Blueprint, CORSConfig, Response
from pydantic import BaseModel, ValidationError

from chalicelib.config import get_settings
from chalicelib.errors import (
    BadRequest,
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    ValidationFailed,
)
from chalicelib.log import logger
from chalicelib.principal import Principal

MAX_BODY_BYTES = 1_048_576
JSON_TYPES = ["application/json"]
_ID_PATTERN = re.compile(r"^[1-9][0-9]{0,15}$")
ANY_ROLE = frozenset({"requester", "agent", "admin"})
STAFF = frozenset({"agent", "admin"})
ADMIN = frozenset({"admin"})


@dataclass
class RouteSpec:
    """What one route accepts and returns; the OpenAPI generator reads these."""

    method: str
    path: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    roles: frozenset[str]
    scope: str | None
    public: bool
    errors: tuple[int, ...]
    description: str = ""
    path_params: dict[str, str] = field(default_factory=dict)


ROUTES: list[RouteSpec] = []


@dataclass
class Call:
    """What a view gets: the parsed body and query, the caller, path ids and raw headers."""

    principal: Principal
    body: Any
    query: Any
    headers: dict[str, str]


@dataclass
class Reply:
    """A view's result when it needs a status or headers other than the route's default."""

    body: Any
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def cors_config() -> CORSConfig | None:
    """CORS for the console's origin only (CORS_ORIGIN per stage); none when unset.

    Chalice needs the CORS config when a route is declared, so this one setting is read at import time.
    """
    origin = get_settings().api.cors_origin
    if not origin:
        return None
    return CORSConfig(
        allow_origin=origin,
        allow_headers=["Authorization", "Content-Type", "If-Match"],
        expose_headers=["ETag"],
        max_age=600,
        allow_credentials=True,
    )


def error_body(error: DomainError) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {
        "error": error.code,
        "message": error.message,
        "details": [{"field": d.field, "message": d.message} for d in error.details],
    }


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (204 has no body)."""
    all_headers: dict[str, str | list[str]] = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    all_headers.update(headers or {})
    if status == 204:
        return Response(body="", status_code=204, headers={"Cache-Control": "no-store", **(headers or {})})
    return Response(body=json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=status,
                    headers=all_headers)


def error_response(error: DomainError) -> Response:
    """A JSON error response."""
    return json_response(error.status, error_body(error))


def _pydantic_details(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    details = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err.get("loc", ()))
        name = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or "body")
        message = str(err.get("msg", "invalid"))
        if err.get("type") == "extra_forbidden":
            message = "unknown field"
        details.append(FieldError(name, message))
    return details


def validate(model: type[BaseModel], data: Any, prefix: str = "") -> Any:
    """Validate `data` against `model`, raising ValidationFailed with one detail per bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = _pydantic_details(exc, prefix)
        summary = "; ".join(f"{d.field}: {d.message}" for d in details[:5])
        raise ValidationFailed(f"invalid request: {summary}", details) from exc


def parse_json_body(raw: bytes | str | None, headers: dict[str, str]) -> Any:
    """The decoded JSON body: 413 when too large, 400 when not JSON."""
    raw = raw.encode("utf-8") if isinstance(raw, str) else (raw or b"")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}")
    if not raw.strip():
        return None
    content_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        raise BadRequest(f"send JSON with Content-Type: application/json (got {content_type})",
                         [FieldError("Content-Type", "must be application/json")])
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(f"malformed JSON: {exc}"[:300], [FieldError("body", "not valid JSON")]) from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def path_id(raw: str, what: str) -> int:
    """A positive integer id from the path; anything else is a 404 (the resource cannot exist)."""
    if not _ID_PATTERN.match(raw or ""):
        raise NotFound(f"{what} {raw!r} not found")
    return int(raw)


def principal_from(request: Any) -> Principal:
    """The caller, from the context the authorizer attached to the request."""
    context = (request.context or {}).get("authorizer") or {}
    try:
        return Principal(
            user_id=int(context["user_id"]),
            role=str(context["role"]),
            via=str(context.get("via", "token")),
            scopes=frozenset(filter(None, str(context.get("scopes", "")).split(" "))),
            key_id=context.get("key_id") or None,
        )
    except (KeyError, ValueError) as exc:
        raise Unauthorized("authentication required") from exc


def endpoint(
    bp: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    authorizer: Any = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    roles: frozenset[str] = ANY_ROLE,
    scope: str | None = None,
    errors: tuple[int, ...] = (),
    description: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a route: register it with Chalice and record it for the OpenAPI document."""
    public = authorizer is None

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        path_params = dict.fromkeys(re.findall(r"{(\w+)}", path), "integer")
        ROUTES.append(RouteSpec(method, path, summary, tag, body, query, response, status, roles, scope, public,
                                errors, description or (view.__doc__ or "").strip(), path_params))

        @functools.wraps(view)
        def handler(**params: str) -> Response:
            request = bp.current_request
            try:
                headers = {k.lower(): v for k, v in (request.headers or {}).items()}
                principal = _authorize(request, public, roles, scope)
                parsed_body = None
                if body is not None:
                    data = parse_json_body(request.raw_body, headers)
                    if data is None:
                        data = {}
                    parsed_body = validate(body, data)
                parsed_query = validate(query, dict(request.query_params or {})) if query is not None else None
                result = view(Call(principal, parsed_body, parsed_query, headers), **params)
                if isinstance(result, Reply):
                    return json_response(result.status or status, result.body, result.headers)
                return json_response(status, result)
            except DomainError as exc:
                if exc.status >= 500:
                    logger.error("request failed", extra={"path": path, "error": exc.code})
                return error_response(exc)
            except Exception:  # a bug or an outage: log it, never leak internals to the client
                logger.exception("unhandled error", extra={"path": path, "method": method})
                return json_response(500, {"error": "internal", "message": "internal error; it has been logged",
                                           "details": []})

        route_kwargs: dict[str, Any] = {"methods": [method], "cors": cors_config()}
        if authorizer is not None:
            route_kwargs["authorizer"] = authorizer
        if body is not None:
            route_kwargs["content_types"] = JSON_TYPES
        bp.route(path, **route_kwargs)(handler)
        return view

    return decorate


def _authorize(request: Any, public: bool, roles: frozenset[str], scope: str | None) -> Principal:
    if public:
        return Principal(user_id=0, role="anonymous", via="none")
    principal = principal_from(request)
    if principal.role not in roles:
        raise Forbidden(f"this needs one of the roles: {', '.join(sorted(roles))}")
    if scope is not None and scope not in principal.scopes:
        raise Forbidden(f"this needs the scope {scope!r}")
    return principal


__all__ = ["ADMIN", "ANY_ROLE", "STAFF", "Call", "Reply", "endpoint", "logger", "path_id", "validate"]


def normalise_gateway_error(response: Response) -> Response:
    """Rewrite Chalice's own error bodies ({"Code", "Message"}: 405, 415, ...) into our error shape."""
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body and "Message" in body:
        code = re.sub(r"(?<!^)(?=[A-Z])", "_", str(body["Code"])).lower().removesuffix("_error")
        details = []
        if response.status_code == 415:
            details = [{"field": "Content-Type", "message": "must be application/json"}]
        response.body = json.dumps({"error": code, "message": str(body["Message"]), "details": details})
        response.headers["Content-Type"] = "application/json"
    return response
