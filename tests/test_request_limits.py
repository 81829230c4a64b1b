"""Every request body the schemas accept fits the platform: the largest valid body of each route, computed from
the schema's own limits, stays under the app's request-body limit, and that limit under what API Gateway and
Lambda deliver (so an oversized body gets the app's 413, not a platform error)."""

from __future__ import annotations

import math
from typing import Any

import pytest

# Lambda's synchronous invocation payload is 6 MB for the whole event: the body travels inside it as a JSON string
# (quotes and backslashes escaped again: up to twice its size) next to headers and the request context.
LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024
EVENT_ENVELOPE_BYTES = 64 * 1024  # headers (API Gateway allows ~10 kB), multiValueHeaders, requestContext
API_GATEWAY_PAYLOAD_BYTES = 10 * 1024 * 1024
BYTES_PER_CHAR = 4  # the longest UTF-8 encoding of one character (JSON escapes of control characters aside)
UNBOUNDED = math.inf
INT_DIGITS = 4300  # Python's limit on parsing an int from text: pydantic rejects longer numbers


def _filter_bytes() -> float:
    from chalicelib.schemas import kb

    per_key = 2 + kb.MAX_FILTER_VALUES * (kb.MAX_FILTER_VALUE_CHARS * BYTES_PER_CHAR + 3)
    return 2 + sum(len(key) + 3 + per_key + 1 for key in kb.FILTER_KEYS)


def _metadata_bytes() -> float:
    from chalicelib.schemas import kb

    return float(kb.MAX_METADATA_BYTES)


# Bounds a validator enforces that the JSON schema cannot say: (schema title, field) -> bytes as JSON.
VALIDATOR_BOUNDS = {("KbDocumentIn", "metadata"): _metadata_bytes, ("KbSearchIn", "filter"): _filter_bytes}


def _worst(schema: dict[str, Any], defs: dict[str, Any], owner: str = "", name: str = "") -> float:
    """The longest compact JSON text (bytes) a value valid under `schema` can have."""
    if "$ref" in schema:
        ref = defs[schema["$ref"].rsplit("/", 1)[1]]
        return _worst(ref, defs, owner, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return max(_worst(s, defs, owner, name) for s in schema[key])
    if "const" in schema:
        return len(str(schema["const"])) * BYTES_PER_CHAR + 2
    if "enum" in schema:
        return max(len(str(v)) * BYTES_PER_CHAR + 2 for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return max(_worst({**schema, "type": k}, defs, owner, name) for k in kind)
    if kind == "string":
        if "maxLength" in schema:
            return schema["maxLength"] * BYTES_PER_CHAR + 2
        return {"date-time": 40, "date": 12, "email": 320 * BYTES_PER_CHAR + 2}.get(schema.get("format", ""),
                                                                                    UNBOUNDED)
    if kind == "integer":
        bounds = [schema.get(k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")]
        known = [abs(int(b)) for b in bounds if b is not None]
        return max(len(str(b)) + 1 for b in known) if len(known) >= 2 else INT_DIGITS + 1
    if kind == "number":
        return 25
    if kind == "boolean":
        return 5
    if kind == "null":
        return 4
    if kind == "array":
        if "maxItems" not in schema:
            return UNBOUNDED
        return 2 + schema["maxItems"] * (_worst(schema.get("items", {}), defs, owner, name) + 1)
    if kind == "object" or "properties" in schema:
        bound = VALIDATOR_BOUNDS.get((owner, name))
        if bound:
            return bound()
        title = schema.get("title", owner)
        total = 2.0
        for prop, sub in schema.get("properties", {}).items():
            total += len(prop) + 3 + _worst(sub, defs, title, prop) + 1
        extra = schema.get("additionalProperties", True)
        if extra is not False and not schema.get("properties"):
            if "maxProperties" not in schema:
                return UNBOUNDED
            total += schema["maxProperties"] * (256 + 3 + _worst(extra if isinstance(extra, dict) else {}, defs) + 1)
        return total
    return UNBOUNDED  # any JSON value


def _bodies() -> list[tuple[str, type]]:
    import app  # noqa: F401  (registers the routes)
    from chalicelib.api.http import ROUTES

    return sorted({(f"{r.method} {r.path}", r.body) for r in ROUTES if r.body is not None}, key=lambda x: x[0])


def test_the_request_body_limit_fits_lambdas_payload_limit() -> None:
    from chalicelib.api.http import MAX_BODY_BYTES

    assert 2 * MAX_BODY_BYTES + EVENT_ENVELOPE_BYTES < LAMBDA_PAYLOAD_BYTES < API_GATEWAY_PAYLOAD_BYTES


@pytest.mark.parametrize(("route", "body"), _bodies(), ids=lambda v: v if isinstance(v, str) else "")
def test_the_largest_valid_body_of_each_route_fits_the_request_body_limit(route: str, body: type) -> None:
    from chalicelib.api.http import MAX_BODY_BYTES

    schema = body.model_json_schema()
    worst = _worst(schema, schema.get("$defs", {}), schema.get("title", ""))
    assert worst <= MAX_BODY_BYTES, (
        f"{route}: a valid {body.__name__} can be {worst:,.0f} bytes, the body limit is {MAX_BODY_BYTES:,}")


def test_an_oversized_body_gets_the_apps_413_naming_the_limit(api: Any) -> None:
    from chalicelib.api.http import MAX_BODY_BYTES

    status, body = api.post("/api/tickets", raw=b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}')
    assert status == 413 and body["error"] == "payload_too_large"
    assert f"{MAX_BODY_BYTES}" in body["message"] and "upload" in body["message"]
