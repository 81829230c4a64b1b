"""Unknown routes, missing tokens and every other answer: the API's error shape, nothing echoed, and the
security headers a JSON API sends, both in-process and over HTTP against `chalice local`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.utils.factories import make_user_with_token

EXPECTED_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
SECRET_KEY_HEADER = "Bearer hdk_0123456789ab_this-secret-must-never-be-echoed"


def _assert_secure(headers: dict[str, str], what: Any, html: bool = False) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, value in EXPECTED_HEADERS.items():
        if html and name == "content-security-policy":
            assert "frame-ancestors 'none'" in lowered[name] and "default-src 'none'" in lowered[name], what
            continue
        assert lowered.get(name) == value, (what, name, lowered.get(name))
    assert lowered.get("strict-transport-security", "").startswith("max-age="), what


def _requests(admin_token: str) -> list[tuple[str, str, dict[str, str], bytes | None, int]]:
    """(method, path, headers, body, expected status) covering each kind of answer."""
    bearer = {"Authorization": f"Bearer {admin_token}"}
    json_ct = {"Content-Type": "application/json"}
    return [
        ("GET", "/health", {}, None, 200),
        ("GET", "/api/tickets", bearer, None, 200),
        ("GET", "/api/tickets", {}, None, 401),  # no Authorization header: the gateway answers
        ("GET", "/api/tickets", {"Authorization": "Bearer not-a-token"}, None, 401),  # the authorizer refuses
        ("GET", "/api/tickets/999999", bearer, None, 404),
        ("POST", "/api/tickets", {**bearer, **json_ct}, b"{oops", 400),
        ("POST", "/api/tickets", {**bearer, "Content-Type": "text/plain"}, b"hi", 415),  # Chalice's own
        ("PATCH", "/api/tickets", {**bearer, **json_ct}, b"{}", 405),  # Chalice's own
        ("GET", "/api/no/such/route/at/all", {"Authorization": SECRET_KEY_HEADER}, None, 404),
        ("DELETE", "/nope", {}, None, 404),
        ("POST", "/api/auth/logout", bearer, None, 204),
    ]


def _check_answers(send: Any, token: str) -> None:
    for method, path, headers, body, expected in _requests(token):
        status, text, got = send(method, path, headers, body)
        what = (method, path, status, text[:200])
        assert status == expected, what
        _assert_secure(got, what)
        assert "this-secret-must-never-be-echoed" not in text + json.dumps(got), what
        if status >= 400:
            parsed = json.loads(text)
            assert set(parsed) == {"error", "message", "details"} and isinstance(parsed["details"], list), what
        if status == 404 and path.startswith(("/api/no", "/nope")):
            assert json.loads(text)["error"] == "route_not_found", what


def _in_process(api: Any) -> Any:
    def send(method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, str, dict]:
        response = api.client.http.request(method, path, headers=headers, body=body or b"")
        return response.status_code, (response.body or b"").decode(), dict(response.headers)

    return send


def _over_http(url: str) -> Any:
    def send(method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, str, dict]:
        request = urllib.request.Request(url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), dict(err.headers)

    return send


def test_every_kind_of_answer_is_shaped_and_carries_the_security_headers_in_process(api):
    token = make_user_with_token(role="admin")["token"]
    _check_answers(_in_process(api), token)


def test_unknown_routes_answer_404_and_never_echo_the_credential(api):
    status, body, headers = api.as_(None).request("GET", "/api/users/1/secrets/x",
                                                  headers={"authorization": SECRET_KEY_HEADER})
    assert status == 404 and body == {"error": "route_not_found", "message": "no such route", "details": []}
    assert "never-be-echoed" not in json.dumps(headers)


def test_a_missing_token_answers_401_in_the_error_shape(api):
    status, body, _ = api.as_(None).request("GET", "/api/users")
    assert status == 401 and body["error"] == "unauthorized" and "Authorization" in body["message"]
    assert body["details"] == []


def test_the_docs_page_gets_a_policy_that_lets_swagger_ui_run(api):
    status, _, headers = api.as_(None).request("GET", "/docs")
    assert status == 200
    _assert_secure(headers, "/docs", html=True)
    assert "script-src 'self'" in headers["content-security-policy"]


def test_every_kind_of_answer_is_shaped_and_carries_the_security_headers_over_http(aws, server):
    token = make_user_with_token(role="admin")["token"]
    _check_answers(_over_http(server), token)
