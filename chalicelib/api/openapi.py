"""The OpenAPI 3.1 document, generated from the routes' own pydantic schemas (chalicelib.api.http.ROUTES)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode

from chalicelib.api.http import MAX_BODY_BYTES, ROUTES, RouteSpec
from chalicelib.schemas.common import ErrorBody

REF = "#/components/schemas/{model}"
_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Malformed request",
    401: "Not signed in (missing, expired or invalid credentials)", 403: "Not allowed for this caller",
    404: "Not found", 409: "Conflict (duplicate or stale version)", 413: "Payload too large",
    415: "Unsupported media type", 422: "Invalid fields", 429: "Too many requests", 503: "Unavailable",
}


class _ComponentNames(GenerateJsonSchema):
    def normalize_name(self, name: str) -> str:
        # `PageOf[TicketOut]` -> `PageOf_TicketOut` (pydantic would keep a trailing underscore)
        return super().normalize_name(name.replace("[", "_").replace("]", ""))


Bodies = dict[tuple[int, int | str], dict[str, Any]]


def _bodies() -> tuple[Bodies, dict[str, Any]]:
    """Every request and response body schema in one pydantic pass (keyed by route index and status or "body"),
    and the components they share."""
    inputs: list[tuple[tuple[int, int | str], JsonSchemaMode, TypeAdapter[Any]]] = [
        ((-1, "error"), "serialization", TypeAdapter(ErrorBody))]
    for index, route in enumerate(ROUTES):
        if route.body is not None:
            inputs.append(((index, "body"), "validation", TypeAdapter(route.body)))
        inputs += [((index, status), "serialization", TypeAdapter(kind))
                   for status, kind in route.body_types().items() if kind is not None]
    keyed, defs = TypeAdapter.json_schemas(inputs, ref_template=REF, schema_generator=_ComponentNames)
    return {key: schema for (key, _mode), schema in keyed.items()}, defs.get("$defs", {})


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Query parameters are strings or absent, never JSON null: drop the null branch pydantic adds."""
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if not options:
        return schema
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default") or (k == "default" and v is not None)}
    return {**rest, **options[0]} if len(options) == 1 else {**rest, "anyOf": options}


def _error_response(status: int, bodies: Bodies) -> dict[str, Any]:
    # The gateway's own 401/403/404s have this shape too (GatewayResponses in AWS, api/local_gateway.py locally).
    schema = bodies[(-1, "error")]
    return {"description": _REASONS.get(status, "Error"), "content": {"application/json": {"schema": schema}}}


def operation_id(method: str, path: str) -> str:
    """A stable operation id such as `get_api_tickets_ticket_id`."""
    return method.lower() + "_" + re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")


# Where a created resource's id can be used next (OpenAPI links: clients and fuzzers follow them).
_LINKS: dict[tuple[str, str], tuple[str, str, list[tuple[str, str]]]] = {
    ("POST", "/api/tickets"): ("id", "ticket_id", [
        ("GET", "/api/tickets/{ticket_id}"), ("PUT", "/api/tickets/{ticket_id}"),
        ("DELETE", "/api/tickets/{ticket_id}"), ("GET", "/api/tickets/{ticket_id}/replies"),
        ("POST", "/api/tickets/{ticket_id}/replies")]),
    ("POST", "/api/users"): ("id", "user_id", [("GET", "/api/users/{user_id}"), ("PUT", "/api/users/{user_id}")]),
    ("POST", "/api/auth/api-keys"): ("key_id", "key_id", [("DELETE", "/api/auth/api-keys/{key_id}")]),
}


def _links(route: RouteSpec) -> dict[str, Any]:
    found = _LINKS.get((route.method, route.path))
    if not found:
        return {}
    field, param, targets = found
    known = {(r.method, r.path) for r in ROUTES}
    return {
        operation_id(method, path): {"operationId": operation_id(method, path),
                                     "parameters": {param: f"$response.body#/{field}"}}
        for method, path in targets if (method, path) in known
    }


def _operation(index: int, route: RouteSpec, bodies: Bodies) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": route.summary,
        "description": route.description,
        "tags": [route.tag],
        "operationId": operation_id(route.method, route.path),
    }
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": TypeAdapter(kind).json_schema()}
        for name, kind in route.path_params.items()
    ]
    if route.query is not None:
        query_schema = route.query.model_json_schema(mode="validation", ref_template=REF)
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": name in required,
                               "schema": _without_null(prop)})
    if route.method == "PUT" and route.path.startswith("/api/tickets/"):
        parameters.append({"name": "If-Match", "in": "header", "required": False,
                           "schema": {"type": "string", "pattern": r'^(W/)?"?[0-9]{1,15}"?$'},
                           "description": "The ticket version you edited (its ETag)."})
    if parameters:
        op["parameters"] = parameters
    if route.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": bodies[(index, "body")]}},
        }
    responses: dict[str, Any] = {}
    for status, kind in sorted(route.body_types().items()):
        success: dict[str, Any] = {"description": _REASONS.get(status, "OK")}
        if kind is not None:
            success["content"] = {"application/json": {"schema": bodies[(index, status)]}}
        links = _links(route) if status == route.status else {}
        if links:
            success["links"] = links
        responses[str(status)] = success
    statuses = set(route.errors)
    if route.body is not None:
        statuses |= {400, 413, 415, 422}
    if route.query is not None:
        statuses.add(422)
    if route.path_params:
        statuses.add(404)
    if not route.public:
        statuses |= {401, 403}
    for status in sorted(statuses):
        responses[str(status)] = _error_response(status, bodies)
    op["responses"] = responses
    if not route.public:
        op["security"] = [{"bearer": []}]
        op["x-required-scope"] = route.scope
        op["description"] = f"{route.description}\n\nNeeds the scope `{route.scope}`.".strip()
    return op


@lru_cache(maxsize=1)
def build_spec() -> dict[str, Any]:
    """The whole document (built once per process)."""
    bodies, components = _bodies()
    paths: dict[str, dict[str, Any]] = {}
    for index, route in enumerate(ROUTES):
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(index, route, bodies)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Help desk API",
            "version": "1.0.0",
            "description": (
                "Tickets, replies, users, knowledge base and AI suggestions. JSON in and out; errors are "
                "`{error, message, details: [{field, message}]}`. Request bodies are limited to "
                f"{MAX_BODY_BYTES} bytes."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token from /api/auth/login, or an API key (hdk_...).",
                }
            },
        },
    }
