"""The ticket token in our subjects, `[#123-1a2b3c4d5e6f]`: the ticket id and an HMAC of it under the stage's
signing key, so a sender cannot put a reply onto a ticket by guessing or editing the number."""

from __future__ import annotations

import hashlib
import hmac
import re

from chalicelib.secrets import signing_key

_TOKEN = re.compile(r"\[#(\d{1,15})-([0-9a-f]{12})\]")


def _signature(ticket_id: int) -> str:
    key = signing_key().encode()
    return hmac.new(key, f"mail-ticket:{ticket_id}".encode(), hashlib.sha256).hexdigest()[:12]


def token(ticket_id: int) -> str:
    """The token for a ticket's subjects."""
    return f"[#{ticket_id}-{_signature(ticket_id)}]"


def ticket_from_subject(subject: str) -> int | None:
    """The ticket a subject's token names, only if its signature is right (None otherwise)."""
    for match in _TOKEN.finditer(subject):
        ticket_id = int(match.group(1))
        if hmac.compare_digest(match.group(2), _signature(ticket_id)):
            return ticket_id
    return None


def strip_token(subject: str) -> str:
    """The subject without any token-looking text."""
    return " ".join(_TOKEN.sub(" ", subject).split())
