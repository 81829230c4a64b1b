"""Authentication: signed access/refresh tokens for people, hashed API keys for integrators."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

import jwt
from pynamodb.exceptions import DoesNotExist

from chalicelib import secrets as secret_store
from chalicelib.clock import now_iso
from chalicelib.config import get_settings
from chalicelib.errors import FieldError, Forbidden, NotFound, Unauthorized, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.api_keys import ApiKeyModel
from chalicelib.models.listings import ListingModel
from chalicelib.models.users import UserModel
from chalicelib.principal import Principal
from chalicelib.schemas.auth import ALL_SCOPES, ApiKeyCreate
from chalicelib.services import passwords, throttle, users
from chalicelib.store import listing
from chalicelib.store.db import TransactionFailed, Tx, query_once

ALGORITHM = "HS256"
API_KEY_PREFIX = "hdk_"
API_KEY_KIND = "apikey"

# Which scopes each role can hold at most; an API key gets the intersection with what it asked for.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "admin": frozenset(ALL_SCOPES),
    "agent": frozenset(ALL_SCOPES) - {"admin", "users:write"},
    "requester": frozenset({"tickets:read", "tickets:write"}),
}


def _issuer() -> str:
    return f"helpdesk-{get_settings().stage}"


def _encode(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, secret_store.signing_key(), algorithm=ALGORITHM)


def issue_tokens(user: UserModel) -> dict[str, Any]:
    """A fresh access token (short-lived) and refresh token (bound to the user's token version)."""
    settings = get_settings()
    now = int(time.time())
    base = {"sub": str(int(user.id)), "iss": _issuer(), "iat": now}
    access = _encode({**base, "typ": "access", "role": user.role, "exp": now + settings.auth.access_token_ttl_s})
    refresh = _encode({
        **base,
        "typ": "refresh",
        "tv": int(user.token_version or 0),
        "jti": secrets.token_urlsafe(8),
        "exp": now + settings.auth.refresh_token_ttl_s,
    })
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": settings.auth.access_token_ttl_s,
        "user": users.to_dict(user),
    }


def _decode(token: str, expected_type: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret_store.signing_key(),
            algorithms=[ALGORITHM],
            issuer=_issuer(),
            options={"require": ["exp", "iat", "sub", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("invalid token") from exc
    if claims.get("typ") != expected_type:
        raise Unauthorized("wrong kind of token")
    return claims


def login(*, email: str, password: str) -> dict[str, Any]:
    """Check e-mail and password; the same error (and the same work) whether the e-mail exists or not."""
    throttle.check_login_allowed(email)
    user = users.find_by_email(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None:
        throttle.record_failure(email)
        raise Unauthorized("wrong e-mail or password")
    throttle.clear(email)
    return issue_tokens(user)


def refresh(*, refresh_token: str) -> dict[str, Any]:
    """Exchange a valid refresh token for a new pair; fails after a password change or sign-out everywhere."""
    claims = _decode(refresh_token, "refresh")
    try:
        user = users.get_user_model(int(claims["sub"]))
    except (NotFound, ValueError) as exc:
        raise Unauthorized("unknown user") from exc
    if int(claims.get("tv", -1)) != int(user.token_version or 0):
        raise Unauthorized("refresh token revoked")
    return issue_tokens(user)


def sign_out_everywhere(*, actor: Principal) -> None:
    """Invalidate every refresh token of the caller (access tokens expire on their own within minutes)."""
    bind_models()
    UserModel(actor.user_id).update(actions=[UserModel.token_version.add(1)], add_version_condition=False)


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def authenticate(authorization: str | None) -> Principal:
    """The caller behind an Authorization header value (`Bearer <jwt>` or `Bearer hdk_...`)."""
    if not authorization:
        raise Unauthorized("missing Authorization header")
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthorized("use 'Authorization: Bearer <token>'")
    if credential.startswith(API_KEY_PREFIX):
        return _authenticate_api_key(credential)
    claims = _decode(credential, "access")
    role = claims.get("role")
    if role not in ROLE_SCOPES:
        raise Unauthorized("invalid token")
    try:
        user_id = int(claims["sub"])
    except ValueError as exc:
        raise Unauthorized("invalid token") from exc
    return Principal(user_id=user_id, role=str(role), via="token", scopes=ROLE_SCOPES[str(role)])


def _authenticate_api_key(credential: str) -> Principal:
    body = credential[len(API_KEY_PREFIX):]
    key_id, _, secret = body.partition("_")
    if not key_id or not secret or len(key_id) > 40 or len(secret) > 200:
        raise Unauthorized("invalid API key")
    bind_models()
    try:
        key = ApiKeyModel.get(key_id, consistent_read=True)
    except DoesNotExist as exc:
        raise Unauthorized("invalid API key") from exc
    if not hmac.compare_digest(key.secret_hash, _hash_secret(secret)) or key.revoked_at is not None:
        raise Unauthorized("invalid API key")
    try:
        owner = UserModel.get(int(key.user_id), consistent_read=True)
    except DoesNotExist as exc:
        raise Unauthorized("API key owner no longer exists") from exc
    scopes = frozenset(key.scopes or []) & ROLE_SCOPES.get(owner.role, frozenset())
    return Principal(user_id=int(owner.id), role=owner.role, via="api_key", scopes=scopes, key_id=key_id)


def _key_to_dict(key: ApiKeyModel) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "name": key.name,
        "user_id": int(key.user_id),
        "scopes": list(key.scopes or []),
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }


def create_api_key(*, data: ApiKeyCreate, actor: Principal) -> dict[str, Any]:
    """Create an API key; the secret is returned once and only its hash is stored."""
    bind_models()
    owner_id = data.user_id or actor.user_id
    owner_role = users.get_user_model(owner_id).role
    allowed = ROLE_SCOPES.get(owner_role, frozenset())
    refused = [scope for scope in data.scopes if scope not in allowed]
    if refused:
        raise ValidationFailed(
            f"a {owner_role} cannot hold these scopes: {', '.join(refused)}",
            [FieldError("scopes", f"not allowed for role {owner_role}: {', '.join(refused)}")],
        )
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = now_iso()
    key = ApiKeyModel(key_id, secret_hash=_hash_secret(secret), user_id=owner_id, name=data.name,
                      scopes=sorted(set(data.scopes)), created_at=now, created_by=actor.user_id)
    tx = Tx()
    tx.put("key", key, condition=ApiKeyModel.key_id.does_not_exist())
    tx.put("listing", _key_listing(key))
    try:
        tx.commit()
    except TransactionFailed as exc:
        raise Forbidden("could not create the key; retry") from exc
    return {**_key_to_dict(key), "api_key": f"{API_KEY_PREFIX}{key_id}_{secret}"}


def _key_listing(key: ApiKeyModel) -> ListingModel:
    # Keys have string ids, so the id lives in the sort key and the numeric `id` attribute is unused.
    return ListingModel(listing.partition_key(API_KEY_KIND, {}), f"{key.created_at}#{key.key_id}", id=0)


def list_api_keys() -> list[dict[str, Any]]:
    """Every API key's metadata, newest first (admins have few keys: one bounded Query plus one BatchGet)."""
    bind_models()
    entries, _ = query_once(ListingModel, listing.partition_key(API_KEY_KIND, {}), limit=100, forward=False)
    ids = [entry.sk.split("#", 1)[1] for entry in entries]
    if not ids:
        return []
    found = {key.key_id: key for key in ApiKeyModel.batch_get(ids, consistent_read=True)}
    return [_key_to_dict(found[i]) for i in ids if i in found]


def revoke_api_key(*, key_id: str) -> dict[str, Any]:
    """Revoke a key; it stops working at once (API Gateway caches authorizer results for at most its TTL)."""
    bind_models()
    try:
        key = ApiKeyModel.get(key_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(f"API key {key_id} not found") from exc
    if key.revoked_at is None:
        key.update(actions=[ApiKeyModel.revoked_at.set(now_iso())])
    return _key_to_dict(key)
