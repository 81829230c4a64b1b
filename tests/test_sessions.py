"""Sessions: one-use refresh tokens in families, per-request re-checks of the user, an atomic sign-in throttle."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from tests.utils.factories import make_ticket, make_user, make_user_with_token


def _sign_in(api: Any, user: dict[str, Any], password: str) -> dict[str, Any]:
    status, tokens = api.as_(None).post("/api/auth/login", {"email": user["email"], "password": password})
    assert status == 200, tokens
    return tokens


def _refresh(api: Any, token: str) -> tuple[int, Any]:
    return api.as_(None).post("/api/auth/refresh", {"refresh_token": token})


def _all_at_once(count: int, work: Callable[[], Any]) -> list[Any]:
    """Run `work` in `count` real threads released together; each result or raised exception, in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread raised
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_a_refresh_token_works_once_and_its_reuse_revokes_the_whole_family(api):
    user = make_user(role="agent", password="family-password")
    first = _sign_in(api, user, "family-password")
    other_device = _sign_in(api, user, "family-password")
    status, second = _refresh(api, first["refresh_token"])
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    assert api.as_(second["access_token"]).get("/api/auth/me")[0] == 200
    # GIVEN the first refresh token was rotated, WHEN someone presents it again (a stolen copy)
    status, body = _refresh(api, first["refresh_token"])
    # THEN it is refused and the token it was rotated into is dead too
    assert status == 401 and "already used" in body["message"]
    status, body = _refresh(api, second["refresh_token"])
    assert status == 401
    # AND another sign-in of the same user (another family) is untouched
    assert _refresh(api, other_device["refresh_token"])[0] == 200


def test_concurrent_refreshes_with_one_token_let_at_most_one_win(api):
    from chalicelib.errors import Unauthorized
    from chalicelib.services import auth

    user = make_user(role="agent", password="race-password")
    token = _sign_in(api, user, "race-password")["refresh_token"]
    results = _all_at_once(8, lambda: auth.refresh(refresh_token=token))
    winners = [r for r in results if isinstance(r, dict)]
    assert len(winners) <= 1, results
    assert all(isinstance(r, dict | Unauthorized) for r in results), results
    # Losing a race is reuse: the family is revoked, the winner's new token included.
    for winner in winners:
        assert _refresh(api, winner["refresh_token"])[0] == 401


def test_refresh_tokens_without_a_family_are_refused(api):
    import jwt

    from chalicelib.secrets import signing_key

    user = make_user(role="agent", password="legacy-password")
    legacy = _sign_in(api, user, "legacy-password")["refresh_token"]
    claims = jwt.decode(legacy, options={"verify_signature": False})
    del claims["fam"]
    forged = jwt.encode(claims, signing_key(), algorithm="HS256")
    assert _refresh(api, forged)[0] == 401


def test_a_demoted_agent_loses_staff_access_on_the_next_request(api):
    agent = make_user_with_token(role="agent")
    someone = make_user()
    ticket = make_ticket(someone["id"])
    as_agent = api.as_(agent["token"])
    assert as_agent.get("/api/users")[0] == 200
    assert as_agent.get(f"/api/tickets/{ticket['id']}")[0] == 200
    assert api.put(f"/api/users/{agent['id']}", {"role": "requester"})[0] == 200
    # The same, still unexpired access token now acts as a requester.
    assert as_agent.get("/api/users")[0] == 403
    assert as_agent.get(f"/api/tickets/{ticket['id']}")[0] == 404
    _, me = as_agent.get("/api/auth/me")
    assert me["user"]["role"] == "requester" and "users:write" not in me["scopes"]


def test_a_cached_authorizer_answer_is_rechecked_against_the_current_user(aws):
    """API Gateway may hand the view an authorizer result up to AUTH_CACHE_TTL_S old."""
    from chalicelib.errors import Unauthorized
    from chalicelib.models.users import UserModel
    from chalicelib.services import auth

    agent = make_user_with_token(role="agent")
    cached = auth.authenticate(f"Bearer {agent['token']}")
    assert auth.confirm_principal(cached).role == "agent"
    UserModel(agent["id"]).update(actions=[UserModel.role.set("requester")], add_version_condition=False)
    assert auth.confirm_principal(cached).role == "requester"
    UserModel(agent["id"]).update(actions=[UserModel.token_version.add(1)], add_version_condition=False)
    with pytest.raises(Unauthorized):
        auth.confirm_principal(cached)


def test_a_token_of_a_deleted_or_deactivated_user_is_refused(api):
    from chalicelib.models.users import UserModel

    gone, switched_off = make_user_with_token(role="agent"), make_user_with_token(role="agent")
    assert api.as_(gone["token"]).get("/api/tickets")[0] == 200
    UserModel(gone["id"]).delete(add_version_condition=False)
    UserModel(switched_off["id"]).update(actions=[UserModel.deactivated_at.set("2026-12-01T00:00:00.000000Z")],
                                         add_version_condition=False)
    status, body = api.as_(gone["token"]).get("/api/tickets")
    assert status == 401 and body["error"] == "unauthorized"
    assert api.as_(switched_off["token"]).get("/api/tickets")[0] == 401


def test_a_deactivated_user_cannot_sign_in_refresh_or_use_api_keys(api):
    from chalicelib.models.users import UserModel

    user = make_user(role="agent", password="deactivated-password")
    tokens = _sign_in(api, user, "deactivated-password")
    _, key = api.post("/api/auth/api-keys", {"name": "k", "user_id": user["id"], "scopes": ["tickets:read"]})
    assert api.as_(key["api_key"]).get("/api/tickets")[0] == 200
    UserModel(user["id"]).update(actions=[UserModel.deactivated_at.set("2026-12-01T00:00:00.000000Z")],
                                 add_version_condition=False)
    assert api.as_(None).post("/api/auth/login", {"email": user["email"],
                                                  "password": "deactivated-password"})[0] == 401
    assert _refresh(api, tokens["refresh_token"])[0] == 401
    assert api.as_(key["api_key"]).get("/api/tickets")[0] == 401


def test_sign_out_everywhere_ends_access_tokens_at_once(api):
    user = make_user(role="agent", password="signout-password")
    tokens = _sign_in(api, user, "signout-password")
    as_user = api.as_(tokens["access_token"])
    assert as_user.post("/api/auth/logout")[0] == 204
    status, body = as_user.get("/api/tickets")
    assert status == 401 and "signed out" in body["message"]


def test_the_recheck_costs_one_dynamodb_read_per_request(api, aws):
    agent = make_user_with_token(role="agent")
    as_agent = api.as_(agent["token"])
    as_agent.get("/api/auth/me")
    aws.middleware.calls.clear()
    as_agent.get("/api/auth/me")
    calls = {k: v for k, v in aws.middleware.calls.items() if k.startswith("dynamodb:")}
    # One GetItem for the re-check, one for the view's own read of the user.
    assert calls == {"dynamodb:GetItem": 2}, calls


def test_parallel_wrong_passwords_cannot_beat_the_lockout(aws):
    from chalicelib.errors import TooManyRequests, Unauthorized
    from chalicelib.services import auth, throttle

    user = make_user(role="agent", password="the-right-password")
    results = _all_at_once(14, lambda: auth.login(email=user["email"], password="a-wrong-guess"))
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {Unauthorized.__name__: throttle.MAX_FAILURES, TooManyRequests.__name__: 4}, results
    with pytest.raises(TooManyRequests):
        auth.login(email=user["email"], password="the-right-password")
