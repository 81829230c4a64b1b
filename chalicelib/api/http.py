"""Request parsing, validation, authorization and error mapping shared by every route.

Each view is declared with `endpoint(...)`, which records what it accepts and returns (the OpenAPI
document is built from these records), parses and validates the request with pydantic, checks the
caller's role and scope, and turns domain errors into JSON error bodies in one place.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice.app import Blueprint, CORSConfig, Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.config import ExtraValues

from chalicelib.config import load_settings
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
from chalicelib.services import auth

MAX_BODY_BYTES = 1_048_576
JSON_TYPES = ["application/json"]
ANY_ROLE = frozenset({"requester", "agent", "admin"})
STAFF = frozenset({"agent", "admin"})
ADMIN = frozenset({"admin"})
_INTERNAL = {"error": "internal", "message": "internal error; it has been logged", "details": []}
# A field the response schema does not declare is dropped (never leaked); tests/test_contract.py sets "forbid"
# so that a service returning one fails there instead of being cut silently.
UNDECLARED_FIELDS: ExtraValues | None = None


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
    path_params: dict[str, Any] = field(default_factory=dict)
    other_responses: dict[int, Any] = field(default_factory=dict)

    def body_types(self) -> dict[int, Any]:
        """Each success status this route answers with, and the type of its body (None: no body)."""
        return {self.status: None if self.status == 204 else self.response, **self.other_responses}


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

    Chalice needs the CORS config when a route is declared, so this one setting is read at import time, from the
    environment rather than the cached settings (`chalice package` imports the app once per stage in one process).
    """
    origin = load_settings().api.cors_origin
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
        raise PayloadTooLarge(f"request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES} (under Lambda's 6 MB "
                              "payload; upload large knowledge-base files to the uploads bucket instead)")
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


def path_param_types(view: Callable[..., Any], path: str) -> dict[str, Any]:
    """The type of each `{name}` in `path`, read from the view's annotation of the parameter of that name."""
    names = re.findall(r"{(\w+)}", path)
    hints = typing.get_type_hints(view, include_extras=True)
    declared = list(inspect.signature(view).parameters)[1:]  # after the Call
    if sorted(declared) != sorted(names) or any(name not in hints for name in names):
        raise TypeError(f"{view.__qualname__} must take exactly the annotated path parameters {names} of {path}")
    return {name: hints[name] for name in names}


def _path_values(adapters: dict[str, TypeAdapter[Any]], raw: dict[str, str]) -> dict[str, Any]:
    """The typed path parameters; one that does not fit its type is a 404 (no such resource can exist)."""
    values = {}
    for name, adapter in adapters.items():
        try:
            values[name] = adapter.validate_python(raw[name])
        except ValidationError as exc:
            raise NotFound(f"{name.removesuffix('_id').replace('_', ' ')} {raw[name]!r} not found") from exc
    return values


class ResponseDrift(Exception):
    """A view's result does not fit the route's declared response: a bug in the view or its service."""


def _serialiser(route: RouteSpec) -> Callable[[int, Any], Any]:
    adapters = {status: TypeAdapter(kind) for status, kind in route.body_types().items() if kind is not None}

    def serialise(status: int, result: Any) -> Any:
        if status == 204 and result is None:
            return None
        adapter = adapters.get(status)
        if adapter is None:
            raise ResponseDrift(f"{status} is not a documented status with a body")
        try:
            value = adapter.validate_python(result, extra=UNDECLARED_FIELDS)
            return adapter.dump_python(value, mode="json", by_alias=True)
        except ValidationError as exc:
            problems = [{"loc": ".".join(map(str, e["loc"])), "type": e["type"]} for e in exc.errors()[:10]]
            raise ResponseDrift(f"{exc.error_count()} problem(s): {problems}") from exc

    return serialise


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
            token_version=int(context["tv"]) if context.get("tv") else None,
            expires_at=int(context["exp"]) if context.get("exp") else None,
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
    other_responses: dict[int, Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a route: register it with Chalice and record it for the OpenAPI document.

    The view's annotations type the path parameters; every body it returns is validated against `response`
    (or `other_responses[status]`) and serialised through it, so the document and the runtime agree."""
    public = authorizer is None
    if not public and not scope:
        raise ValueError(f"{method} {path}: a protected route needs a scope=")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        path_params = path_param_types(view, path)
        spec = RouteSpec(method, path, summary, tag, body, query, response, status, roles, scope, public, errors,
                         description or (view.__doc__ or "").strip(), path_params, dict(other_responses or {}))
        ROUTES.append(spec)
        path_adapters = {name: TypeAdapter(kind) for name, kind in path_params.items()}
        serialise = _serialiser(spec)

        @functools.wraps(view)
        def handler(**params: str) -> Response:
            request = bp.current_request
            try:
                headers = {k.lower(): v for k, v in (request.headers or {}).items()}
                if ";" in str((request.context or {}).get("path", "")):
                    # chalice local routes with urlparse, which cuts ";..." off the last segment: /tickets/5;x
                    # would reach the view as 5. No route has a ";" in it, so such a path names nothing.
                    raise NotFound("no such resource")
                principal = _authorize(request, public, roles, scope)
                parsed_body = None
                if body is not None:
                    data = parse_json_body(request.raw_body, headers)
                    if data is None:
                        data = {}
                    parsed_body = validate(body, data)
                parsed_query = validate(query, dict(request.query_params or {})) if query is not None else None
                typed = _path_values(path_adapters, params)
                result = view(Call(principal, parsed_body, parsed_query, headers), **typed)
                reply = result if isinstance(result, Reply) else Reply(result)
                answer = reply.status or status
                return json_response(answer, serialise(answer, reply.body), reply.headers)
            except DomainError as exc:
                if exc.status >= 500:
                    logger.error("request failed", extra={"path": path, "error": exc.code})
                return error_response(exc)
            except ResponseDrift as exc:
                logger.error("response does not fit its schema", extra={"path": path, "method": method,
                                                                        "problem": str(exc)})
                return json_response(500, _INTERNAL)
            except Exception:  # a bug or an outage: log it, never leak internals to the client
                logger.exception("unhandled error", extra={"path": path, "method": method})
                return json_response(500, _INTERNAL)

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
    principal = auth.confirm_principal(principal_from(request))  # the authorizer's answer may be cached
    if principal.role not in roles:
        raise Forbidden(f"this needs one of the roles: {', '.join(sorted(roles))}")
    if scope is not None and scope not in principal.scopes:
        raise Forbidden(f"this needs the scope {scope!r}")
    return principal


__all__ = ["ADMIN", "ANY_ROLE", "STAFF", "Call", "Reply", "endpoint", "logger", "validate"]


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
