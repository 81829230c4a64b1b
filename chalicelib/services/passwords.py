"""Password hashing with Argon2id (memory-hard), using argon2-cffi's RFC 9106 low-memory profile."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verifying against this when the user does not exist keeps the response time the same as for a wrong
    # password, so timing does not reveal which e-mails are registered. Made lazily: hashing costs ~50 ms.
    return _hasher.hash("not-a-real-password-only-for-timing")


def hash_password(password: str) -> str:
    """An Argon2id hash string that embeds its salt and parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same work when there is no hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
