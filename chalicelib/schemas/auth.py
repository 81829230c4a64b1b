"""Sign-in, tokens and API keys."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.schemas.common import Email, EntityId, Name, Out, Strict
from chalicelib.schemas.users import UserOut

Scope = Literal["tickets:read", "tickets:write", "users:read", "users:write", "kb:read", "kb:write", "ai", "admin"]
ALL_SCOPES: tuple[str, ...] = Scope.__args__  # type: ignore[attr-defined]


RefreshDelivery = Literal["body", "cookie"]


class LoginIn(Strict):
    """E-mail and password. Browsers ask for `refresh_delivery: "cookie"` (see TokensOut)."""

    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    refresh_delivery: RefreshDelivery = "body"


class RefreshIn(Strict):
    """A refresh token from a previous sign-in; browsers send none and rely on the httpOnly cookie."""

    refresh_token: Annotated[str, StringConstraints(min_length=10, max_length=4096)] | None = None
    refresh_delivery: RefreshDelivery = "body"


class TokensOut(Out):
    """A short-lived access token and a longer-lived refresh token.

    With `refresh_delivery: "cookie"` the refresh token is not in the body: it is set as an httpOnly,
    SameSite=Strict cookie scoped to /api/auth, so page scripts can never read it."""

    access_token: str
    refresh_token: str | None
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
    user: UserOut


class MeOut(Out):
    """Who the caller is."""

    user: UserOut
    via: Literal["token", "api_key"]
    scopes: list[str]


class ApiKeyCreate(Strict):
    """A new API key acting for `user_id` (default: the admin creating it) limited to `scopes`."""

    name: Name
    user_id: EntityId | None = None
    scopes: list[Scope] = Field(min_length=1, max_length=len(ALL_SCOPES))


class ApiKeyOut(Out):
    """An API key's metadata (never its secret)."""

    key_id: str
    name: str
    user_id: int
    scopes: list[str]
    created_at: str
    revoked_at: str | None


class ApiKeyCreated(ApiKeyOut):
    """The new key, with its secret: shown once, never again."""

    api_key: str
