"""Factories that create real records through the services (no fakes)."""

from __future__ import annotations

import itertools
from typing import Any

_counter = itertools.count(1)


def make_user(
    role: str = "requester", name: str | None = None, password: str | None = "correct horse battery"
) -> dict[str, Any]:
    """Create a user through the service layer."""
    from chalicelib.schemas.users import UserCreate
    from chalicelib.services import users

    n = next(_counter)
    return users.create_user(data=UserCreate(email=f"user{n}-{role}@example.com", name=name or f"User {n}",
                                             role=role, password=password))


def token_for(user: dict[str, Any]) -> str:
    """A fresh access token for a user."""
    from chalicelib.services import auth, users

    return str(auth.issue_tokens(users.get_user_model(user["id"]))["access_token"])


def make_user_with_token(role: str = "requester") -> dict[str, Any]:
    """A user plus an access token for it."""
    user = make_user(role=role)
    return {**user, "token": token_for(user)}


def make_ticket(requester_id: int, **fields: Any) -> dict[str, Any]:
    """Create a ticket through the service layer, as an admin."""
    from chalicelib.principal import SYSTEM
    from chalicelib.schemas.tickets import TicketCreate
    from chalicelib.services import tickets

    data = {"title": "Printer on fire", "content": "It is on fire.", "requester_id": requester_id, **fields}
    return tickets.create_ticket(data=TicketCreate(**data), actor=SYSTEM)
