"""Authentication: signed access/refresh tokens for people, hashed API keys for integrators."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import jwt
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.transactions import TransactGet

from chalicelib import secrets as secret_store
from chalicelib.clock import now_iso
from chalicelib.config import get_settings
from chalicelib.errors import FieldError, Forbidden, NotFound, Unauthorized, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.api_keys import ApiKeyModel
from chalicelib.models.listings import ListingModel
from chalicelib.models.sessions import RefreshFamilyModel
from chalicelib.models.users import UserModel
from chalicelib.principal import Principal
from chalicelib.schemas.auth import ALL_SCOPES, ApiKeyCreate
from chalicelib.services import passwords, throttle, users
from chalicelib.store import listing
from chalicelib.store.db import TransactionFailed, Tx, connection, query_once

ALGORITHM = "HS256"
API_KEY_PREFIX = "hdk_"
API_KEY_KIND = "apikey"

# Which scopes each role can hold at most; an API key gets the intersection with what it asked for.
# Requesters hold users:read for their own record only (the views refuse anyone else's).
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "admin": frozenset(ALL_SCOPES),
    "agent": frozenset(ALL_SCOPES) - {"admin", "users:write"},
    "requester": frozenset({"tickets:read", "tickets:write", "users:read"}),
}
# Managing one's own session (sign out everywhere) belongs to signed-in people: no API key can hold it.
SESSION_SCOPE = "auth:session"


def token_scopes(role: str) -> frozenset[str]:
    """The scopes a signed-in user of this role holds."""
    return ROLE_SCOPES.get(role, frozenset()) | {SESSION_SCOPE}


def _issuer() -> str:
    return f"helpdesk-{get_settings().stage}"


def _encode(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, secret_store.signing_key(), algorithm=ALGORITHM)


def _start_family(user: UserModel, jti: str, expires: int) -> str:
    family = RefreshFamilyModel(secrets.token_urlsafe(12), user_id=int(user.id), current_jti=jti,
                                created_at=now_iso(), expires_at=_ttl(expires))
    try:
        family.save(condition=RefreshFamilyModel.family_id.does_not_exist())
    except PutError as exc:  # a 96-bit random id collided: refuse rather than share a family
        raise Unauthorized("could not start a session; sign in again") from exc
    return str(family.family_id)


def _ttl(expires: int) -> datetime:
    # DynamoDB's TTL removes a family an hour after its last refresh token expired.
    return datetime.fromtimestamp(expires + 3600, UTC)


def issue_tokens(user: UserModel, *, family_id: str | None = None, jti: str | None = None) -> dict[str, Any]:
    """A fresh access token (short-lived) and refresh token (one use, in a family, bound to token_version).

    Without `family_id` this is a new sign-in and starts a family; a rotation passes the family and the
    `jti` it has just recorded as current."""
    bind_models()
    settings = get_settings()
    now = int(time.time())
    version = int(user.token_version or 0)
    base = {"sub": str(int(user.id)), "iss": _issuer(), "iat": now, "tv": version}
    access = _encode({**base, "typ": "access", "role": user.role, "exp": now + settings.auth.access_token_ttl_s})
    refresh_exp = now + settings.auth.refresh_token_ttl_s
    jti = jti or secrets.token_urlsafe(12)
    family_id = family_id or _start_family(user, jti, refresh_exp)
    refresh = _encode({**base, "typ": "refresh", "fam": family_id, "jti": jti, "exp": refresh_exp})
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
    throttle.take_attempt(email)
    user = users.find_by_email(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.deactivated_at is not None:
        raise Unauthorized("wrong e-mail or password")
    throttle.clear(email)
    return issue_tokens(user)


def refresh(*, refresh_token: str) -> dict[str, Any]:
    """Exchange a refresh token for a new pair, once: a second use of the same token revokes its family.

    Rotation is one conditional UpdateItem on the family (current_jti must still be the presented jti), so
    of two concurrent refreshes with one token at most one wins; the other counts as reuse (OAuth 2.0
    Security BCP, refresh token rotation)."""
    claims = _decode(refresh_token, "refresh")
    family_id, jti = claims.get("fam"), claims.get("jti")
    if not isinstance(family_id, str) or not isinstance(jti, str) or not family_id or not jti:
        raise Unauthorized("refresh token revoked; sign in again")
    try:
        user = _active_user(int(claims["sub"]))
    except ValueError as exc:
        raise Unauthorized("unknown user") from exc
    if claims.get("tv") != int(user.token_version or 0):
        raise Unauthorized("refresh token revoked; sign in again")
    new_jti = secrets.token_urlsafe(12)
    expires = int(time.time()) + get_settings().auth.refresh_token_ttl_s
    family = RefreshFamilyModel(family_id)
    try:
        family.update(
            actions=[RefreshFamilyModel.current_jti.set(new_jti), RefreshFamilyModel.rotated_at.set(now_iso()),
                     RefreshFamilyModel.expires_at.set(_ttl(expires))],
            condition=(RefreshFamilyModel.current_jti == jti) & RefreshFamilyModel.revoked_at.does_not_exist()
            & (RefreshFamilyModel.user_id == int(user.id)),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        _revoke_family(family_id, "reuse")
        raise Unauthorized("refresh token already used; this session has been revoked, sign in again") from exc
    return issue_tokens(user, family_id=family_id, jti=new_jti)


def _revoke_family(family_id: str, reason: str) -> None:
    try:
        RefreshFamilyModel(family_id).update(
            actions=[RefreshFamilyModel.revoked_at.set(now_iso()), RefreshFamilyModel.revoked_reason.set(reason)],
            condition=RefreshFamilyModel.family_id.exists() & RefreshFamilyModel.revoked_at.does_not_exist(),
        )
    except UpdateError as exc:  # unknown family, or revoked already
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def _active_user(user_id: int) -> UserModel:
    """The user's current record (one consistent GetItem); Unauthorized when gone or deactivated."""
    bind_models()
    try:
        user = UserModel.get(user_id, consistent_read=True)
    except DoesNotExist as exc:
        raise Unauthorized("this account no longer exists") from exc
    if user.deactivated_at is not None:
        raise Unauthorized("this account has been deactivated")
    return user


def sign_out_everywhere(*, actor: Principal) -> None:
    """Invalidate every token of the caller: refresh tokens at once, access tokens on their next request."""
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
    version = claims.get("tv")
    if role not in ROLE_SCOPES or not isinstance(version, int):
        raise Unauthorized("invalid token")
    try:
        user_id = int(claims["sub"])
    except ValueError as exc:
        raise Unauthorized("invalid token") from exc
    return Principal(user_id=user_id, role=str(role), via="token", scopes=token_scopes(str(role)),
                     token_version=version, expires_at=int(claims["exp"]))


def confirm_principal(claimed: Principal) -> Principal:
    """The caller as the records say *now*: re-checks what the (cached) authorizer vouched for.

    API Gateway caches the authorizer's answer per token, so every request checks here that the user still
    exists, is active and has the same token_version (one consistent GetItem), or for an API key that the
    key is not revoked and its owner is active (one TransactGetItems). Role and scopes come from the
    current record, so a demotion bites on the next request. Nothing is cached in the function."""
    if claimed.expires_at is not None and claimed.expires_at <= time.time():
        raise Unauthorized("token expired")
    if claimed.via == "api_key" and claimed.key_id:
        return _confirm_api_key(claimed.key_id, claimed.user_id)
    if claimed.via != "token" or claimed.token_version is None:
        raise Unauthorized("authentication required")
    user = _active_user(claimed.user_id)
    if int(user.token_version or 0) != claimed.token_version:
        raise Unauthorized("this session has been signed out; sign in again")
    return Principal(user_id=int(user.id), role=user.role, via="token", scopes=token_scopes(user.role),
                     token_version=claimed.token_version, expires_at=claimed.expires_at)


def _confirm_api_key(key_id: str, owner_id: int) -> Principal:
    bind_models()
    try:
        with TransactGet(connection=connection()) as read:
            key_future = read.get(ApiKeyModel, key_id)
            owner_future = read.get(UserModel, owner_id)
        key, owner = key_future.get(), owner_future.get()
    except DoesNotExist as exc:  # an outage (TransactGetError) is a 5xx, not a reason to refuse the key
        raise Unauthorized("invalid API key") from exc
    if key.revoked_at is not None or int(key.user_id) != int(owner.id):
        raise Unauthorized("invalid API key")
    if owner.deactivated_at is not None:
        raise Unauthorized("this account has been deactivated")
    scopes = frozenset(key.scopes or []) & ROLE_SCOPES.get(owner.role, frozenset())
    return Principal(user_id=int(owner.id), role=owner.role, via="api_key", scopes=scopes, key_id=key_id)


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
    if owner.deactivated_at is not None:
        raise Unauthorized("this account has been deactivated")
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
