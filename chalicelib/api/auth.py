"""Sign-in, token refresh, who-am-I and API keys."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import ADMIN, Call, Reply, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.config import get_settings
from chalicelib.errors import Unauthorized
from chalicelib.schemas.auth import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, LoginIn, MeOut, RefreshIn, TokensOut
from chalicelib.schemas.common import PathKey
from chalicelib.services import auth, users

bp = Blueprint(__name__)


REFRESH_COOKIE = "hd_refresh"


def _is_local(call: Call) -> bool:
    host = call.headers.get("host", "")
    return call.headers.get("x-forwarded-proto", "https") != "https" or "127.0.0.1" in host or "localhost" in host


def _session_cookie(value: str, max_age: int, call: Call) -> str:
    """The Set-Cookie value for the refresh token (an empty value with Max-Age=0 clears it)."""
    jar = SimpleCookie()
    jar[REFRESH_COOKIE] = value
    morsel = jar[REFRESH_COOKIE]
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    morsel["path"] = "/api/auth"
    morsel["max-age"] = max_age
    morsel["secure"] = not _is_local(call)  # browsers drop Secure cookies on plain-HTTP localhost
    return morsel.OutputString()


def _deliver(tokens: dict[str, Any], delivery: str, call: Call) -> Reply:
    if delivery != "cookie":
        return Reply(tokens)
    cookie = _session_cookie(tokens["refresh_token"], get_settings().auth.refresh_token_ttl_s, call)
    return Reply({**tokens, "refresh_token": None}, headers={"Set-Cookie": cookie})


def _cookie(call: Call, name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(call.headers.get("cookie", ""))
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None and morsel.value else None


@endpoint(bp, "POST", "/api/auth/login", summary="Sign in", tag="auth", body=LoginIn, response=TokensOut,
          errors=(400, 401, 422, 429))
def login(call: Call) -> Reply:
    """Exchange e-mail and password for an access token (15 min) and a refresh token (7 days)."""
    tokens = auth.login(email=str(call.body.email), password=call.body.password)
    return _deliver(tokens, call.body.refresh_delivery, call)


@endpoint(bp, "POST", "/api/auth/refresh", summary="Refresh tokens", tag="auth", body=RefreshIn,
          response=TokensOut, errors=(400, 401, 422))
def refresh(call: Call) -> Reply:
    """Exchange a refresh token (body, or the httpOnly cookie) for a new pair."""
    token = call.body.refresh_token or _cookie(call, REFRESH_COOKIE)
    if not token:
        raise Unauthorized("no refresh token (send refresh_token or the session cookie)")
    return _deliver(auth.refresh(refresh_token=token), call.body.refresh_delivery, call)


@endpoint(bp, "GET", "/api/auth/me", summary="Who am I", tag="auth", authorizer=bearer_auth, response=MeOut,
          scope="users:read", errors=(401, 403))
def me(call: Call) -> dict[str, Any]:
    """The signed-in user (or the API key's owner) and the scopes in effect."""
    return {"user": users.get_user(user_id=call.principal.user_id), "via": call.principal.via,
            "scopes": sorted(call.principal.scopes)}


@endpoint(bp, "POST", "/api/auth/logout", summary="Sign out everywhere", tag="auth", authorizer=bearer_auth,
          status=204, scope=auth.SESSION_SCOPE, errors=(401, 403))
def logout(call: Call) -> Reply:
    """Revoke every refresh token of the caller and clear the session cookie."""
    auth.sign_out_everywhere(actor=call.principal)
    return Reply(None, 204, {"Set-Cookie": _session_cookie("", 0, call)})


@endpoint(bp, "POST", "/api/auth/api-keys", summary="Create an API key", tag="auth", authorizer=bearer_auth,
          body=ApiKeyCreate, response=ApiKeyCreated, status=201, roles=ADMIN, scope="admin",
          errors=(400, 401, 403, 404, 422))
def create_api_key(call: Call) -> dict[str, Any]:
    """Create a key for an integrator; the secret is in this response only."""
    return auth.create_api_key(data=call.body, actor=call.principal)


@endpoint(bp, "GET", "/api/auth/api-keys", summary="List API keys", tag="auth", authorizer=bearer_auth,
          response=list[ApiKeyOut], roles=ADMIN, scope="admin", errors=(401, 403))
def list_api_keys(_call: Call) -> list[dict[str, Any]]:
    """Every key's metadata, newest first."""
    return auth.list_api_keys()


@endpoint(bp, "DELETE", "/api/auth/api-keys/{key_id}", summary="Revoke an API key", tag="auth",
          authorizer=bearer_auth, response=ApiKeyOut, roles=ADMIN, scope="admin", errors=(401, 403, 404))
def revoke_api_key(_call: Call, key_id: PathKey) -> dict[str, Any]:
    """Revoke a key (idempotent)."""
    return auth.revoke_api_key(key_id=key_id)
