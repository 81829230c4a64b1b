"""Users: create (admins), list and read (agents; requesters only themselves), update (admins)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import ADMIN, STAFF, Call, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.errors import NotFound
from chalicelib.schemas.common import PageOf, PathId
from chalicelib.schemas.users import UserCreate, UserListQuery, UserOut, UserUpdate
from chalicelib.services import users

bp = Blueprint(__name__)


@endpoint(bp, "POST", "/api/users", summary="Create a user", tag="users", authorizer=bearer_auth, body=UserCreate,
          response=UserOut, status=201, roles=ADMIN, scope="users:write", errors=(400, 401, 403, 409, 413, 422))
def create_user(call: Call) -> dict[str, Any]:
    """E-mail must be unique (case-insensitive)."""
    return users.create_user(data=call.body)


@endpoint(bp, "GET", "/api/users", summary="List users", tag="users", authorizer=bearer_auth, query=UserListQuery,
          response=PageOf[UserOut], roles=STAFF, scope="users:read", errors=(401, 403, 422))
def list_users(call: Call) -> dict[str, Any]:
    """Newest first; filter by role."""
    return users.list_users(query=call.query)


@endpoint(bp, "GET", "/api/users/{user_id}", summary="Get a user", tag="users", authorizer=bearer_auth,
          response=UserOut, scope="users:read", errors=(401, 403, 404))
def get_user(call: Call, user_id: PathId) -> dict[str, Any]:
    """Agents see anyone; requesters only themselves."""
    uid = user_id
    if not call.principal.is_staff and uid != call.principal.user_id:
        raise NotFound(f"user {uid} not found")
    return users.get_user(user_id=uid)


@endpoint(bp, "PUT", "/api/users/{user_id}", summary="Update a user", tag="users", authorizer=bearer_auth,
          body=UserUpdate, response=UserOut, roles=ADMIN, scope="users:write", errors=(400, 401, 403, 404, 409, 422))
def update_user(call: Call, user_id: PathId) -> dict[str, Any]:
    """Change name, role or password (a new password signs the user out everywhere)."""
    return users.update_user(user_id=user_id, data=call.body, actor_id=call.principal.user_id)
