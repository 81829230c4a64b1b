"""Who is calling: built by the authorizer, passed to services that enforce ownership."""

from __future__ import annotations

from dataclasses import dataclass, field

STAFF_ROLES = frozenset({"agent", "admin"})


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a signed-in user or an API key acting for its owner."""

    user_id: int
    role: str
    via: str = "token"
    scopes: frozenset[str] = field(default_factory=frozenset)
    key_id: str | None = None
    # From an access token: the user's token_version when it was issued, and when it expires (epoch seconds).
    token_version: int | None = None
    expires_at: int | None = None

    @property
    def is_staff(self) -> bool:
        """Agents and admins see every ticket; requesters only their own."""
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        """Admins manage users, API keys and settings."""
        return self.role == "admin"


SYSTEM = Principal(user_id=0, role="admin", via="system")
