"""User schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.schemas.common import PARTIAL_UPDATE, Email, Name, Out, PageQuery, Strict, optional_not_null

Role = Literal["requester", "agent", "admin"]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]


class UserCreate(Strict):
    """A new user. Only admins may create agents or admins, or set a password."""

    email: Email
    name: Name
    role: Role = "requester"
    password: Password | None = Field(default=None, description="Lets the user sign in; at least 8 characters.")


class UserUpdate(Strict):
    """A partial update of a user (admins only)."""

    model_config = PARTIAL_UPDATE

    name: Name = optional_not_null()
    role: Role = optional_not_null()
    password: Password = optional_not_null()


class UserOut(Out):
    """A user as the API shows it (never the password hash)."""

    id: int
    email: str
    name: str
    role: Role
    created_at: str
    updated_at: str


class UserListQuery(PageQuery):
    """Filters for GET /api/users."""

    role: Role | None = None
