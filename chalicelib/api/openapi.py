"""The OpenAPI 3.1 document, generated from the routes' own pydantic schemas (chalicelib.api.http.ROUTES)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from chalicelib.api.http import MAX_BODY_BYTES, ROUTES, RouteSpec
from chalicelib.schemas.common import MAX_ID, ErrorBody

REF = "#/components/schemas/{model}"
STRING_PATH_PARAMS = frozenset({"key_id", "source_id"})
_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Malformed request",
    401: "Not signed in (missing, expired or invalid credentials)", 403: "Not allowed for this caller",
    404: "Not found", 409: "Conflict (duplicate or stale version)", 413: "Payload too large",
    415: "Unsupported media type", 422: "Invalid fields", 429: "Too many requests", 503: "Unavailable",
}


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def ref(self, annotation: Any, mode: str) -> dict[str, Any]:
        schema = TypeAdapter(annotation).json_schema(mode=mode, ref_template=REF)  # type: ignore[arg-type]
        for name, definition in schema.pop("$defs", {}).items():
            self.components.setdefault(name, definition)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and "properties" in schema:
            name = annotation.__name__
            self.components.setdefault(name, schema)
            return {"$ref": REF.format(model=name)}
        return schema


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Query parameters are strings or absent, never JSON null: drop the null branch pydantic adds."""
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if not options:
        return schema
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default") or (k == "default" and v is not None)}
    return {**rest, **options[0]} if len(options) == 1 else {**rest, "anyOf": options}


def _error_response(status: int, schemas: _Schemas) -> dict[str, Any]:
    # The gateway's own 401/403/404s have this shape too (GatewayResponses in AWS, api/local_gateway.py locally).
    schema = schemas.ref(ErrorBody, "serialization")
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


def _operation(route: RouteSpec, schemas: _Schemas) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": route.summary,
        "description": route.description,
        "tags": [route.tag],
        "operationId": operation_id(route.method, route.path),
    }
    parameters: list[dict[str, Any]] = []
    for name in route.path_params:
        schema: dict[str, Any] = (
            {"type": "string", "minLength": 1, "maxLength": 40}
            if name in STRING_PATH_PARAMS
            else {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
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
            "content": {"application/json": {"schema": schemas.ref(route.body, "validation")}},
        }
    responses: dict[str, Any] = {}
    if route.status == 204:
        responses["204"] = {"description": _REASONS[204]}
        if route.method == "DELETE" and route.path == "/api/tickets/{ticket_id}":
            responses["202"] = {"description": "Accepted; replies are still being removed", "content": {
                "application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}
    else:
        success: dict[str, Any] = {"description": _REASONS.get(route.status, "OK")}
        if route.response is not None:
            success["content"] = {"application/json": {"schema": schemas.ref(route.response, "serialization")}}
        links = _links(route)
        if links:
            success["links"] = links
        responses[str(route.status)] = success
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
        responses[str(status)] = _error_response(status, schemas)
    op["responses"] = responses
    if not route.public:
        op["security"] = [{"bearer": []}]
        op["x-required-scope"] = route.scope
        op["description"] = f"{route.description}\n\nNeeds the scope `{route.scope}`.".strip()
    return op


def _component_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name.replace("[", "_").replace("]", "")).strip("_")


def _rename_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (REF.format(model=_component_name(value.rsplit("/", 1)[1])) if key == "$ref" else _rename_refs(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(item) for item in node]
    return node


@lru_cache(maxsize=1)
def build_spec() -> dict[str, Any]:
    """The whole document (built once per process)."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas)
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
        "paths": _rename_refs(paths),
        "components": {
            "schemas": {_component_name(k): _rename_refs(v) for k, v in schemas.components.items()},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token from /api/auth/login, or an API key (hdk_...).",
                }
            },
        },
    }
