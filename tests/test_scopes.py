"""Every protected route names the scope it needs, and a credential without that scope gets 403."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.utils.factories import make_user


def _concrete(path: str) -> str:
    for name, value in (("{ticket_id}", "1"), ("{user_id}", "1"), ("{key_id}", "abc"), ("{webhook_id}", "abc"),
                        ("{session_id}", "abc")):
        path = path.replace(name, value)
    return path


def test_every_protected_route_names_a_scope():
    import app  # noqa: F401 - registers every route
    from chalicelib.api.http import ROUTES

    unscoped = [(r.method, r.path) for r in ROUTES if not r.public and not r.scope]
    assert unscoped == []


def test_declaring_a_protected_route_without_a_scope_fails_at_import():
    from chalice.app import Blueprint

    from chalicelib.api.http import endpoint
    from chalicelib.api.security import bearer_auth

    with pytest.raises(ValueError, match="scope"):
        endpoint(Blueprint("scopeless"), "GET", "/api/scopeless", summary="x", tag="x", authorizer=bearer_auth)


def test_an_api_key_without_the_routes_scope_is_refused_on_every_route(api):
    from chalicelib.api.http import ROUTES
    from chalicelib.schemas.auth import ALL_SCOPES

    by_scope = defaultdict(list)
    for route in ROUTES:
        if not route.public:
            by_scope[route.scope].append(route)
    for scope, routes in by_scope.items():
        # An admin's key holding every scope an API key can hold, except this one.
        others = [s for s in ALL_SCOPES if s != scope]
        status, key = api.post("/api/auth/api-keys", {"name": f"all but {scope}", "scopes": others})
        assert status == 201, key
        as_key = api.as_(key["api_key"])
        for route in routes:
            status, body, _ = as_key.request(route.method, _concrete(route.path), body={} if route.body else None)
            assert status == 403, (route.method, route.path, status, body)
            assert body["error"] == "forbidden" and scope in body["message"], (route.path, body)


def test_a_kb_read_key_can_neither_read_users_nor_sign_its_owner_out(api, admin):
    _, key = api.post("/api/auth/api-keys", {"name": "kb only", "scopes": ["kb:read"]})
    as_key = api.as_(key["api_key"])
    assert as_key.get(f"/api/users/{admin['id']}")[0] == 403
    assert as_key.get("/api/auth/me")[0] == 403
    status, body = as_key.post("/api/auth/logout")
    assert status == 403 and "auth:session" in body["message"]
    assert api.get("/api/auth/me")[0] == 200  # the owner is still signed in
    # Nor can any key be given the session scope.
    status, body = api.post("/api/auth/api-keys", {"name": "session", "scopes": ["auth:session"]})
    assert status == 422 and body["details"][0]["field"].startswith("scopes")


def test_signed_in_people_keep_what_their_role_allows(api):
    from chalicelib.services import auth

    requester = make_user(password="requester-password")
    status, tokens = api.as_(None).post("/api/auth/login", {"email": requester["email"],
                                                            "password": "requester-password"})
    assert status == 200
    as_requester = api.as_(tokens["access_token"])
    status, me = as_requester.get("/api/auth/me")
    assert status == 200 and set(me["scopes"]) == auth.token_scopes("requester")
    assert as_requester.get(f"/api/users/{requester['id']}")[0] == 200
    assert as_requester.post("/api/auth/logout")[0] == 204
