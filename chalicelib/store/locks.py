"""Writer leases on knowledge-base sources, held in DynamoDB with conditional writes.

Only one writer at a time replaces a source's chunks, so delete-then-append cannot leave two copies.
A lease outlives the longest Lambda run (KB_LOCK_TTL_S > function timeout): when it expires, its holder
has been stopped, so taking it over is safe.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.exceptions import DeleteError, UpdateError
from tenacity import Retrying, retry_if_result, stop_after_delay, wait_random_exponential

from chalicelib.config import get_settings
from chalicelib.errors import Unavailable
from chalicelib.models import bind_models
from chalicelib.models.kb import LOCK_PK, KbDocumentModel


class SourceBusy(Unavailable):
    """Another writer holds the source's lease for longer than we may wait."""


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def acquire(source: str, owner: str, ttl_s: int) -> bool:
    """Take the lease if it is free, expired or already ours."""
    bind_models()
    now = int(time.time())
    lease = KbDocumentModel(LOCK_PK, source)
    condition = (KbDocumentModel.lock_owner.does_not_exist() | (KbDocumentModel.lock_expires < now)
                 | (KbDocumentModel.lock_owner == owner))
    try:
        lease.update(actions=[KbDocumentModel.lock_owner.set(owner), KbDocumentModel.lock_expires.set(now + ttl_s)],
                     condition=condition)
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def release(source: str, owner: str) -> None:
    """Give the lease back (a no-op when it has meanwhile expired and passed to someone else)."""
    bind_models()
    try:
        KbDocumentModel(LOCK_PK, source).delete(condition=KbDocumentModel.lock_owner == owner)
    except DeleteError as exc:
        if not _conditional_failed(exc):
            raise


@contextmanager
def lease(source: str, wait_s: float = 60.0) -> Iterator[str]:
    """Hold the source's lease for the duration of the block, waiting up to `wait_s` for it."""
    owner = uuid.uuid4().hex
    ttl = get_settings().kb.lock_ttl_s
    waiting = Retrying(retry=retry_if_result(lambda taken: not taken), stop=stop_after_delay(wait_s),
                       wait=wait_random_exponential(multiplier=0.05, max=1.0), retry_error_callback=lambda _: False)
    if not waiting(acquire, source, owner, ttl):
        raise SourceBusy(f"another writer is updating {source!r}; try again shortly")
    try:
        yield owner
    finally:
        release(source, owner)
