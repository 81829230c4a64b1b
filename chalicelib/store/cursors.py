"""Opaque paging cursors, the only codec the API uses.

A cursor is `<payload>.<tag>`, both base64url without padding. The payload is a small JSON object (the position
in one listing); the tag is HMAC-SHA256 over the listing's scope and the payload, keyed with a key derived from
the stage's secret. So a client cannot forge or edit a position, and a cursor issued by one listing (tickets with
some filters, one ticket's replies, the KB documents...) is refused by every other. After the tag checks out the
payload is still validated field by field: a cursor is input, and a key rotation must not turn into a 5xx.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib import secrets as secret_store
from chalicelib.errors import FieldError, ValidationFailed

MAX_CURSOR_CHARS = 2_000
MAX_TEXT_CHARS = 400
MAX_INT = 10**9
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEY_LABEL = b"helpdesk/cursor/v1"


@dataclass(frozen=True)
class Field:
    """One field a cursor payload must carry: a string of bounded length, or a bounded positive integer."""

    kind: type[str] | type[int]
    max_chars: int = MAX_TEXT_CHARS


def _invalid(reason: str) -> ValidationFailed:
    return ValidationFailed("invalid cursor", [FieldError("cursor", f"not a cursor issued by this list ({reason})")])


@lru_cache(maxsize=4)
def _derived_key(secret: str) -> bytes:
    # A key of its own, so a cursor tag can never double as any other MAC made with the stage secret.
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def _tag(scope: str, payload: bytes) -> bytes:
    key = _derived_key(secret_store.signing_key())
    return hmac.new(key, scope.encode() + b"\x00" + payload, hashlib.sha256).digest()


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    if not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(scope: str, position: Mapping[str, str | int]) -> str:
    """A signed cursor for `position` in the listing named by `scope`."""
    payload = json.dumps(dict(position), separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64encode(payload)}.{_b64encode(_tag(scope, payload))}"


def decode(cursor: str, scope: str, fields: Mapping[str, Field]) -> dict[str, Any]:
    """The position in a cursor made by `encode` for this scope; anything else is a 422 naming `cursor`."""
    if not isinstance(cursor, str) or not 0 < len(cursor) <= MAX_CURSOR_CHARS or cursor.count(".") != 1:
        raise _invalid("malformed")
    encoded_payload, encoded_tag = cursor.split(".")
    try:
        payload, tag = _b64decode(encoded_payload), _b64decode(encoded_tag)
    except (ValueError, binascii.Error) as exc:
        raise _invalid("malformed") from exc
    if not hmac.compare_digest(tag, _tag(scope, payload)):
        raise _invalid("bad signature or another list's cursor")
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise _invalid("unreadable") from exc
    if not isinstance(data, dict) or set(data) != set(fields):
        raise _invalid("unexpected fields")
    for name, spec in fields.items():
        _check(data[name], spec)
    return data


def _check(value: Any, spec: Field) -> None:
    if spec.kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_INT:
            raise _invalid("bad number")
        return
    if not isinstance(value, str) or not 0 < len(value) <= spec.max_chars or _CONTROL.search(value):
        raise _invalid("bad position")
