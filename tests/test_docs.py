"""Swagger UI at /docs links its assets and the OpenAPI document where the browser can fetch them: locally, on
API Gateway's own URL (stage prefix), and behind CloudFront (the viewer's path is the route's path)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from chalice.local import LambdaContext

API_HOST = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
VIEWER_HOST = "d111111abcdef8.cloudfront.net"
# What an edge-optimized API Gateway adds on every request, direct or not (it runs behind its own CloudFront).
EDGE_HEADERS = {
    "Via": "2.0 5f1e2c3d4b5a6978.cloudfront.net (CloudFront)",
    "X-Amz-Cf-Id": "Fo9gBzJ3K1qK3n5x0mLbF9JqZ1w2v3u4t5s6r7q8p9o0n1m2l3k4j5==",
    "CloudFront-Forwarded-Proto": "https",
    "CloudFront-Is-Desktop-Viewer": "true",
    "CloudFront-Viewer-Country": "DE",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "443",
}


def _proxy_event(path: str, headers: dict[str, str], stage: str = "api") -> dict[str, Any]:
    """An API Gateway REST proxy event as the stage `api` delivers it to the function."""
    resource, params = path, None
    if path.startswith("/docs/assets/"):
        resource, params = "/docs/assets/{name}", {"name": path.rsplit("/", 1)[1]}
    return {
        "resource": resource, "path": path, "httpMethod": "GET", "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": params,
        "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": resource, "httpMethod": "GET", "path": f"/{stage}{path}", "stage": stage,
                           "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "accountId": "123456789012",
                           "apiId": API_HOST.split(".")[0], "identity": {"sourceIp": "203.0.113.9"},
                           "protocol": "HTTP/1.1", "domainName": API_HOST},
    }


def _links(app: Any, event: dict[str, Any]) -> list[str]:
    response = app(event, LambdaContext("api_handler", 1024))
    assert response["statusCode"] == 200, response
    return re.findall(r'(?:href=|src=|url: )"([^"]+)"', response["body"])


@pytest.mark.usefixtures("aws")
def test_docs_behind_cloudfront_link_to_the_viewers_paths(app: Any) -> None:
    # GIVEN the request CloudFront forwards for https://<distribution>/docs: Host is the API's (the origin request
    # policy drops the viewer's), the viewer's host comes as X-Forwarded-Host, the origin path adds the stage
    headers = {"Host": API_HOST, "X-Forwarded-Host": VIEWER_HOST, "X-Forwarded-For": "198.51.100.7, 64.252.1.1",
               **EDGE_HEADERS, "Via": f"1.1 0a1b2c.cloudfront.net (CloudFront), {EDGE_HEADERS['Via']}"}
    # WHEN the page is rendered
    links = _links(app, _proxy_event("/docs", headers))
    # THEN its links are the paths the viewer's CloudFront behaviours send to the API (no /api prefix)
    assert links == ["/docs/assets/swagger-ui.css", "/docs/assets/swagger-ui-bundle.js", "/openapi.json"]


@pytest.mark.usefixtures("aws")
def test_docs_on_the_execute_api_url_keep_the_stage_prefix(app: Any) -> None:
    # GIVEN a direct call of https://<api>.execute-api.../api/docs (edge-optimized: CloudFront headers too)
    links = _links(app, _proxy_event("/docs", {"Host": API_HOST, **EDGE_HEADERS}))
    # THEN the links carry the stage, as every path on that host does
    assert links == ["/api/docs/assets/swagger-ui.css", "/api/docs/assets/swagger-ui-bundle.js",
                     "/api/openapi.json"]


@pytest.mark.usefixtures("aws")
def test_docs_on_a_custom_domain_have_no_stage_prefix(app: Any) -> None:
    links = _links(app, _proxy_event("/docs", {"Host": "help.example.com", **EDGE_HEADERS}))
    assert links[-1] == "/openapi.json"


@pytest.mark.usefixtures("aws")
def test_docs_assets_and_document_answer_on_the_linked_paths(app: Any) -> None:
    headers = {"Host": API_HOST, "X-Forwarded-Host": VIEWER_HOST, **EDGE_HEADERS}
    for path in _links(app, _proxy_event("/docs", headers)):
        response = app(_proxy_event(path, headers), LambdaContext("api_handler", 1024))
        assert response["statusCode"] == 200, path


def test_docs_locally_have_no_prefix(api: Any) -> None:
    status, page, headers = api.request("GET", "/docs")
    assert status == 200
    assert re.findall(r'(?:href=|src=|url: )"([^"]+)"', page) == [
        "/docs/assets/swagger-ui.css", "/docs/assets/swagger-ui-bundle.js", "/openapi.json"]
