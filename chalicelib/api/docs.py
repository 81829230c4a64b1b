"""GET /openapi.json and the Swagger UI at /docs (assets served from the swagger-ui-py package)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api.openapi import build_spec

bp = Blueprint(__name__)

_ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "application/javascript"}
_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Help desk API</title>
<link rel="stylesheet" href="{base}/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{base}/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({{url: "{base}/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
persistAuthorization: false}});</script>
</body></html>"""


def render_page(base: str) -> str:
    """The Swagger UI page with its links under `base` (infra/ hashes its inline script for the CSP)."""
    return _PAGE.format(base=base)


def _static_dir() -> Path:
    import swagger_ui

    return Path(swagger_ui.__file__).resolve().parent / "static"


def base_path(headers: dict[str, str], context: dict[str, Any]) -> str:
    """The prefix the browser must put before a route's path to reach it.

    Called on API Gateway's own host (`<id>.execute-api...`), the stage name prefixes every path (`/api/docs`).
    Behind CloudFront the viewer's path is already the route's path (the distribution's origin path adds the
    stage) and its viewer-request function passes the viewer's host on as X-Forwarded-Host. An edge-optimized
    API sends `Via` and `CloudFront-*` headers on direct calls too, so those cannot tell the two apart.
    Locally there is no stage prefix either.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    stage = str(context.get("stage") or "")
    host = lowered.get("host", "").split(":")[0].lower()
    forwarded = lowered.get("x-forwarded-host", "").split(",")[0].strip().split(":")[0].lower()
    direct = ".execute-api." in host and forwarded in ("", host)
    return f"/{stage}" if stage and direct else ""


def _base_path() -> str:
    request = bp.current_request
    return base_path(dict(request.headers or {}), dict(request.context or {}))


@bp.route("/openapi.json", methods=["GET"])
def openapi_json() -> Response:
    """The OpenAPI 3.1 document."""
    return Response(body=json.dumps(build_spec()), status_code=200, headers={"Content-Type": "application/json"})


@bp.route("/docs", methods=["GET"])
def docs_page() -> Response:
    """Swagger UI."""
    return Response(body=render_page(_base_path()), status_code=200,
                    headers={"Content-Type": "text/html; charset=utf-8"})


@bp.route("/docs/assets/{name}", methods=["GET"])
def docs_asset(name: str) -> Response:
    """Swagger UI's script and stylesheet."""
    if name not in _ASSETS:
        return Response(body=json.dumps({"error": "not_found", "message": "no such asset", "details": []}),
                        status_code=404, headers={"Content-Type": "application/json"})
    body = (_static_dir() / name).read_text(encoding="utf-8")
    return Response(body=body, status_code=200,
                    headers={"Content-Type": _ASSETS[name], "Cache-Control": "public, max-age=86400"})
