"""The local admin: created once, its password and API key kept in the local state directory."""

from __future__ import annotations

import secrets
from pathlib import Path

from chalicelib.errors import Unauthorized
from chalicelib.principal import Principal
from chalicelib.schemas.auth import ALL_SCOPES, ApiKeyCreate
from chalicelib.schemas.users import UserCreate
from chalicelib.services import auth, users

ADMIN_EMAIL = "admin@example.com"


def _write_private(path: Path, value: str) -> None:
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)


def ensure_admin(state_dir: Path) -> tuple[str, str]:
    """Make sure the local admin exists and `admin-token` holds a working admin API key.

    Returns (e-mail, password). The password is generated on first start and kept in `admin-password`.
    """
    password_file = state_dir / "admin-password"
    token_file = state_dir / "admin-token"
    user = users.find_by_email(ADMIN_EMAIL)
    if user is None:
        password = secrets.token_urlsafe(12)
        created = users.create_user(data=UserCreate(email=ADMIN_EMAIL, name="Local Admin", role="admin",
                                                    password=password))
        user_id = int(created["id"])
        _write_private(password_file, password)
    else:
        user_id = int(user.id)
        password = password_file.read_text(encoding="utf-8").strip() if password_file.exists() else "(unknown)"
    token = token_file.read_text(encoding="utf-8").strip() if token_file.exists() else ""
    try:
        if not token:
            raise Unauthorized("no token yet")
        principal = auth.authenticate(f"Bearer {token}")
        if principal.role != "admin":
            raise Unauthorized("not an admin key")
    except Unauthorized:
        actor = Principal(user_id=user_id, role="admin", via="system", scopes=frozenset(ALL_SCOPES))
        key = auth.create_api_key(data=ApiKeyCreate(name="local admin (make dev)", scopes=list(ALL_SCOPES)),
                                  actor=actor)
        _write_private(token_file, key["api_key"])
    return ADMIN_EMAIL, password
