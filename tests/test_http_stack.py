"""The app over real HTTP: `chalice local` (the same server `make dev` runs) against moto in server mode."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.utils.factories import make_user_with_token
from tests.utils.servers import chalice_local


def call(url, method, path, body=None, token=None, raw=None, headers=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text, status, hdrs = response.read().decode(), response.status, dict(response.headers)
    except urllib.error.HTTPError as err:
        text, status, hdrs = err.read().decode(), err.code, dict(err.headers)
    return status, (json.loads(text) if text and text.lstrip()[:1] in "{[" else text), hdrs


def test_ticket_lifecycle_over_http(aws, server):
    admin = make_user_with_token(role="admin")
    token = admin["token"]
    status, user, _ = call(server, "POST", "/api/users", {"email": "http@example.com", "name": "Http"}, token)
    assert status == 201, user
    status, ticket, headers = call(server, "POST", "/api/tickets",
                                   {"title": "Over HTTP", "content": "hi", "tags": "a,b", "requester_id": user["id"]},
                                   token)
    assert status == 201 and ticket["tags"] == ["a", "b"]
    assert headers["Location"] == f"/api/tickets/{ticket['id']}"
    status, reply, _ = call(server, "POST", f"/api/tickets/{ticket['id']}/replies", {"content": "ack"}, token)
    assert status == 201
    status, page, _ = call(server, "GET", f"/api/tickets?requester_id={user['id']}", token=token)
    assert status == 200 and [t["id"] for t in page["items"]] == [ticket["id"]]
    status, _, _ = call(server, "PUT", f"/api/tickets/{ticket['id']}", {"status": "closed"}, token,
                        headers={"If-Match": '"1"'})
    assert status == 200
    assert call(server, "DELETE", f"/api/tickets/{ticket['id']}", token=token)[0] == 204
    assert call(server, "GET", f"/api/tickets/{ticket['id']}/replies", token=token)[0] == 404


def test_errors_over_http_are_json_with_the_field(aws, server):
    token = make_user_with_token(role="admin")["token"]
    status, body, _ = call(server, "POST", "/api/tickets", raw=b"{oops", token=token)
    assert status == 400 and body["error"] == "bad_request"
    status, body, _ = call(server, "POST", "/api/tickets", {"title": "t", "content": "c", "requester_id": 99999},
                           token)
    assert status == 422 and body["details"][0]["field"] == "requester_id"
    status, body, _ = call(server, "PATCH", "/api/tickets", {}, token)
    assert status in (403, 405) and isinstance(body, dict)


def test_public_routes_and_auth_over_http(aws, server):
    assert call(server, "GET", "/health")[0] == 200
    status, spec, _ = call(server, "GET", "/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.1")
    status, page, headers = call(server, "GET", "/docs")
    assert status == 200 and "swagger-ui" in page and headers["Content-Type"].startswith("text/html")
    assert call(server, "GET", "/docs/assets/swagger-ui-bundle.js")[0] == 200
    assert call(server, "GET", "/api/tickets")[0] == 401
    status, body, _ = call(server, "GET", "/api/tickets", token="not-a-token")
    assert status == 401 and body["error"] == "unauthorized"


def test_cors_allows_only_the_console_origin(aws):
    with chalice_local({"CORS_ORIGIN": "https://console.example.com"}) as url:
        status, _, headers = call(url, "OPTIONS", "/api/tickets",
                                  headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
        assert headers.get("Access-Control-Allow-Origin") == "https://console.example.com"
        status, _, headers = call(url, "GET", "/health", headers={"Origin": "https://console.example.com"})
        assert status == 200
        token = make_user_with_token(role="admin")["token"]
        status, _, headers = call(url, "GET", "/api/tickets", token=token,
                                  headers={"Origin": "https://console.example.com"})
        assert headers.get("Access-Control-Allow-Origin") == "https://console.example.com"
        assert "*" not in headers.get("Access-Control-Allow-Origin", "")


def test_without_a_console_origin_no_cors_headers_are_sent(aws, server):
    token = make_user_with_token(role="admin")["token"]
    _, _, headers = call(server, "GET", "/api/tickets", token=token, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers
