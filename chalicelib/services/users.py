"""Users: create with a unique e-mail, read, list, update."""

from __future__ import annotations

import unicodedata
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import now_iso
from chalicelib.errors import Conflict, FieldError, NotFound, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.users import UniqueModel, UserModel
from chalicelib.schemas.users import UserCreate, UserListQuery, UserUpdate
from chalicelib.services import passwords
from chalicelib.store import listing
from chalicelib.store.db import TransactionFailed, Tx
from chalicelib.store.sequences import next_id

KIND = "user"


def canonical_email(email: str) -> str:
    """The one stored form of an address: NFKC (look-alikes such as full-width letters fold to ASCII), then the
    validator's normal form (NFC local part, Unicode domain, so IDNA A-labels match U-labels), lower-cased.
    Raises ValidationFailed naming `email` when the folded address is not valid."""
    folded = unicodedata.normalize("NFKC", email.strip())
    try:
        normalised = str(validate_email(folded, check_deliverability=False, globally_deliverable=False).normalized)
    except EmailNotValidError as exc:
        raise ValidationFailed(f"email: not a valid e-mail address: {exc}",
                               [FieldError("email", "not a valid e-mail address")]) from exc
    return unicodedata.normalize("NFKC", normalised.lower())


def _email_key(email: str) -> str:
    return f"email#{email}"


def to_dict(user: UserModel) -> dict[str, Any]:
    """The public view of a user."""
    return {
        "id": int(user.id),
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def create_user(*, data: UserCreate) -> dict[str, Any]:
    """Create a user; the e-mail claim, the user and its listings are written in one transaction."""
    bind_models()
    email = canonical_email(str(data.email))
    user_id = next_id(KIND)
    now = now_iso()
    user = UserModel(
        user_id,
        email=email,
        name=data.name,
        role=data.role,
        password_hash=passwords.hash_password(data.password) if data.password else None,
        created_at=now,
        updated_at=now,
    )
    tx = Tx()
    tx.put("email", UniqueModel(_email_key(email), owner_id=user_id), condition=UniqueModel.key.does_not_exist())
    tx.put("user", user, condition=UserModel.id.does_not_exist())
    listing.add_membership(tx, KIND, user_id, now, {"role": data.role})
    try:
        tx.commit()
    except TransactionFailed as exc:
        if "email" in exc.failed:
            raise Conflict("a user with this e-mail already exists",
                           [FieldError("email", "already registered")], code="duplicate") from exc
        raise
    return to_dict(user)


def get_user_model(user_id: int) -> UserModel:
    """The stored user, or NotFound."""
    bind_models()
    try:
        return UserModel.get(user_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(f"user {user_id} not found") from exc


def get_user(*, user_id: int) -> dict[str, Any]:
    """A user by id."""
    return to_dict(get_user_model(user_id))


def find_by_email(email: str) -> UserModel | None:
    """The user who owns this e-mail, if any (two GetItems: the claim, then the user)."""
    bind_models()
    try:
        key = _email_key(canonical_email(email))
    except ValidationFailed:
        return None
    try:
        claim = UniqueModel.get(key, consistent_read=True)
    except DoesNotExist:
        return None
    try:
        return UserModel.get(int(claim.owner_id), consistent_read=True)
    except DoesNotExist:
        return None


def list_users(*, query: UserListQuery) -> dict[str, Any]:
    """A page of users, newest first, optionally by role."""
    filters = {"role": query.role} if query.role else {}
    pk = listing.partition_key(KIND, filters)
    page = listing.read_page(pk, page=query.page, page_size=query.page_size, cursor=query.cursor)
    users = listing.load_in_order(UserModel, page.ids)
    return {
        "items": [to_dict(u) for u in users],
        "page": query.page if query.cursor is None else listing.decode_cursor(query.cursor, scope=pk)[1],
        "page_size": query.page_size,
        "total": listing.count(pk),
        "next_cursor": page.next_cursor,
    }


def update_user(*, user_id: int, data: UserUpdate, actor_id: int | None = None) -> dict[str, Any]:
    """Change a user's name, role or password. Nobody can take away their own admin role, and the last
    admin cannot be demoted: the help desk would have no one left to manage it."""
    user = get_user_model(user_id)
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        raise ValidationFailed("nothing to update", [FieldError("body", "send at least one field")])
    old_role = user.role
    if old_role == "admin" and changes.get("role") not in (None, "admin"):
        if user_id == actor_id:
            raise Conflict("you cannot remove your own admin role; ask another admin",
                           [FieldError("role", "own admin role")], code="own_role")
        if listing.count(listing.partition_key(KIND, {"role": "admin"})) <= 1:
            raise Conflict("this is the last admin; make someone else admin first",
                           [FieldError("role", "last admin")], code="last_admin")
    tx = Tx()
    if "name" in changes and changes["name"] is not None:
        user.name = changes["name"]
    if "role" in changes and changes["role"] is not None:
        user.role = changes["role"]
    if "password" in changes and changes["password"] is not None:
        user.password_hash = passwords.hash_password(changes["password"])
        user.token_version = int(user.token_version or 0) + 1
    user.updated_at = now_iso()
    tx.put("user", user)
    if user.role != old_role:
        listing.change_membership(tx, KIND, int(user.id), user.created_at, {"role": old_role}, {"role": user.role})
    try:
        tx.commit()
    except TransactionFailed as exc:
        raise Conflict("the user was changed concurrently; retry") from exc
    return to_dict(user)
