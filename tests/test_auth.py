"""Authentication and authorization: tokens, API keys, roles and ownership."""

from __future__ import annotations

import time
from http.cookies import SimpleCookie

import jwt
import pytest

from tests.utils.factories import make_ticket, make_user, make_user_with_token


def test_every_route_but_the_public_ones_needs_a_token(api):
    from chalicelib.api.http import ROUTES

    anonymous = api.as_(None)
    for route in ROUTES:
        path = route.path.replace("{ticket_id}", "1").replace("{user_id}", "1").replace("{key_id}", "abc")
        if route.public:
            continue
        status, _, _ = anonymous.request(route.method, path, body={} if route.body else None)
        assert status == 401, (route.method, route.path, status)
    assert {r.path for r in ROUTES if r.public} == {"/health", "/api/auth/login", "/api/auth/refresh"}


def test_login_with_password_and_use_the_access_token(api):
    user = make_user(role="agent", password="s3cret-passw0rd")
    status, tokens = api.as_(None).post("/api/auth/login", {"email": user["email"], "password": "s3cret-passw0rd"})
    assert status == 200, tokens
    assert tokens["user"]["id"] == user["id"] and tokens["expires_in"] == 900
    status, me = api.as_(tokens["access_token"]).get("/api/auth/me")
    assert status == 200 and me["user"]["id"] == user["id"] and me["via"] == "token"


def test_wrong_password_and_unknown_email_look_the_same(api):
    user = make_user(role="agent", password="s3cret-passw0rd")
    anonymous = api.as_(None)
    wrong = anonymous.post("/api/auth/login", {"email": user["email"], "password": "nope"})
    unknown = anonymous.post("/api/auth/login", {"email": "ghost@example.com", "password": "nope"})
    assert wrong == unknown == (401, {"error": "unauthorized", "message": "wrong e-mail or password", "details": []})


def test_refresh_rotates_and_password_change_revokes(api):
    user = make_user(role="agent", password="first-password")
    anonymous = api.as_(None)
    _, tokens = anonymous.post("/api/auth/login", {"email": user["email"], "password": "first-password"})
    status, renewed = anonymous.post("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert status == 200 and renewed["access_token"]
    assert api.put(f"/api/users/{user['id']}", {"password": "second-password"})[0] == 200
    status, body = anonymous.post("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert status == 401 and "revoked" in body["message"]


def test_browser_sessions_keep_the_refresh_token_in_an_httponly_cookie(api):
    user = make_user(role="agent", password="cookie-password")
    anonymous = api.as_(None)
    status, body, headers = anonymous.request("POST", "/api/auth/login", {
        "email": user["email"], "password": "cookie-password", "refresh_delivery": "cookie"})
    assert status == 200 and body["refresh_token"] is None
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/api/auth" in cookie
    jar = SimpleCookie()
    jar.load(cookie)
    assert jar["hd_refresh"]["secure"]  # the test client is not a plain-HTTP localhost
    # Other cookies in the header do not hide ours.
    status, body, headers = anonymous.request(
        "POST", "/api/auth/refresh", {"refresh_delivery": "cookie"},
        headers={"cookie": f'theme="dark"; hd_refresh={jar["hd_refresh"].value}; lang=en'})
    assert status == 200 and body["access_token"] and "hd_refresh=" in headers["set-cookie"]
    assert anonymous.post("/api/auth/refresh", {})[0] == 401
    status, _, headers = anonymous.as_(body["access_token"]).request("POST", "/api/auth/logout")
    cleared = SimpleCookie()
    cleared.load(headers["set-cookie"])
    assert status == 204 and cleared["hd_refresh"].value == "" and cleared["hd_refresh"]["max-age"] == "0"


def test_expired_forged_and_refresh_tokens_are_refused(api, admin):
    from chalicelib.secrets import signing_key

    now = int(time.time())
    base = {"sub": str(admin["id"]), "role": "admin", "iss": "helpdesk-dev", "iat": now}
    expired = jwt.encode({**base, "typ": "access", "exp": now - 1}, signing_key(), algorithm="HS256")
    forged = jwt.encode({**base, "typ": "access", "exp": now + 60}, "another-key-of-sufficient-length-0123456789",
                        algorithm="HS256")
    none_alg = jwt.encode({**base, "typ": "access", "exp": now + 60}, None, algorithm="none")
    refresh = jwt.encode({**base, "typ": "refresh", "tv": 0, "exp": now + 60}, signing_key(), algorithm="HS256")
    for token in (expired, forged, none_alg, refresh, "garbage", "hdk_nope_nope"):
        status, body = api.as_(token).get("/api/tickets")
        assert status == 401, token


def test_requester_cannot_read_another_requesters_ticket(api):
    alice, bob = make_user_with_token(), make_user_with_token()
    ticket = make_ticket(bob["id"])
    as_alice = api.as_(alice["token"])
    assert as_alice.get(f"/api/tickets/{ticket['id']}")[0] == 404
    assert as_alice.get(f"/api/tickets/{ticket['id']}/replies")[0] == 404
    assert as_alice.post(f"/api/tickets/{ticket['id']}/replies", {"content": "hi"})[0] == 404
    _, page = as_alice.get("/api/tickets")
    assert page["items"] == []
    _, page = as_alice.get(f"/api/tickets?requester_id={bob['id']}")
    assert page["items"] == []
    assert as_alice.get(f"/api/users/{bob['id']}")[0] == 404
    assert as_alice.get(f"/api/users/{alice['id']}")[0] == 200


def test_requester_creates_tickets_only_for_themselves(api):
    alice, bob = make_user_with_token(), make_user()
    as_alice = api.as_(alice["token"])
    status, ticket = as_alice.post("/api/tickets", {"title": "mine", "content": "help"})
    assert status == 201 and ticket["requester_id"] == alice["id"]
    assert as_alice.post("/api/tickets", {"title": "t", "content": "c", "requester_id": bob["id"]})[0] == 403
    _, page = as_alice.get("/api/tickets")
    assert [t["id"] for t in page["items"]] == [ticket["id"]]


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/users", {"email": "x@example.com", "name": "X"}),
    ("GET", "/api/users", None),
    ("PUT", "/api/users/1", {"name": "X"}),
    ("POST", "/api/auth/api-keys", {"name": "k", "scopes": ["tickets:read"]}),
    ("GET", "/api/auth/api-keys", None),
    ("PUT", "/api/tickets/1", {"status": "closed"}),
    ("DELETE", "/api/tickets/1", None),
])
def test_requester_is_refused_admin_and_agent_routes(api, method, path, body):
    requester = make_user_with_token()
    status, _, _ = api.as_(requester["token"]).request(method, path, body)
    assert status == 403


def test_agents_cannot_manage_users_or_keys(api):
    agent = make_user_with_token(role="agent")
    as_agent = api.as_(agent["token"])
    assert as_agent.post("/api/users", {"email": "y@example.com", "name": "Y"})[0] == 403
    assert as_agent.get("/api/auth/api-keys")[0] == 403
    assert as_agent.get("/api/users")[0] == 200


def test_api_keys_are_shown_once_scoped_and_revocable(api):
    owner = make_user(role="agent")
    status, key = api.post("/api/auth/api-keys", {"name": "zapier", "user_id": owner["id"],
                                                  "scopes": ["tickets:read"]})
    assert status == 201 and key["api_key"].startswith("hdk_")
    _, listed = api.get("/api/auth/api-keys")
    assert key["key_id"] in {k["key_id"] for k in listed} and all("api_key" not in k for k in listed)
    integrator = api.as_(key["api_key"])
    assert integrator.get("/api/tickets")[0] == 200
    status, body = integrator.post("/api/tickets", {"title": "t", "content": "c", "requester_id": owner["id"]})
    assert status == 403 and "tickets:write" in body["message"]
    assert api.delete(f"/api/auth/api-keys/{key['key_id']}")[0] == 200
    assert integrator.get("/api/tickets")[0] == 401


def test_an_api_key_cannot_exceed_its_owners_role(api):
    requester = make_user()
    status, body = api.post("/api/auth/api-keys", {"name": "x", "user_id": requester["id"], "scopes": ["kb:write"]})
    assert status == 422 and body["details"][0]["field"] == "scopes"


def test_stored_api_key_is_only_a_hash(api):
    from chalicelib.models.api_keys import ApiKeyModel

    _, key = api.post("/api/auth/api-keys", {"name": "k", "scopes": ["tickets:read"]})
    stored = ApiKeyModel.get(key["key_id"])
    secret = key["api_key"].split("_", 2)[2]
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64


def test_logout_revokes_refresh_tokens(api):
    user = make_user(role="agent", password="logout-password")
    anonymous = api.as_(None)
    _, tokens = anonymous.post("/api/auth/login", {"email": user["email"], "password": "logout-password"})
    assert api.as_(tokens["access_token"]).post("/api/auth/logout")[0] == 204
    assert anonymous.post("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})[0] == 401


def test_repeated_failed_sign_ins_are_throttled_per_email(api):
    from chalicelib.services import throttle

    user = make_user(role="agent", password="the-right-password")
    anonymous = api.as_(None)
    for _ in range(throttle.MAX_FAILURES):
        assert anonymous.post("/api/auth/login", {"email": user["email"], "password": "wrong"})[0] == 401
    status, body = anonymous.post("/api/auth/login", {"email": user["email"], "password": "the-right-password"})
    assert status == 429 and "try again" in body["message"]
    # A successful sign-in gives the attempts back.
    forgetful = make_user(role="agent", password="forgetful-password")
    for _ in range(2):
        for _ in range(throttle.MAX_FAILURES - 1):
            assert anonymous.post("/api/auth/login", {"email": forgetful["email"], "password": "wrong"})[0] == 401
        assert anonymous.post("/api/auth/login", {"email": forgetful["email"],
                                                  "password": "forgetful-password"})[0] == 200
    other = make_user(role="agent", password="another-password")
    assert anonymous.post("/api/auth/login", {"email": other["email"], "password": "another-password"})[0] == 200


def test_logs_never_contain_passwords_tokens_or_bodies(api, capsys):
    user = make_user(role="agent", password="do-not-log-this-password")
    anonymous = api.as_(None)
    anonymous.post("/api/auth/login", {"email": user["email"], "password": "wrong-password-also-secret"})
    _, tokens = anonymous.post("/api/auth/login", {"email": user["email"], "password": "do-not-log-this-password"})
    as_user = api.as_(tokens["access_token"])
    as_user.post("/api/tickets", {"title": "private title text", "content": "very private body text"})
    as_user.get("/api/tickets/999999")
    api.as_("garbage-token-value").get("/api/tickets")
    logged = capsys.readouterr()
    output = logged.out + logged.err
    for secret in ("do-not-log-this-password", "wrong-password-also-secret", tokens["access_token"],
                   tokens["refresh_token"], "very private body text", "garbage-token-value"):
        assert secret not in output
