"""PynamoDB models, one per table. Importing this package registers them all."""

from chalicelib.models import ai, api_keys, copilot, kb, listings, mail, ops, outbox, sessions, throttle, tickets, users  # noqa: F401,E501  (registration side effect)
from chalicelib.models.base import all_models, bind_models, unbind_models

__all__ = ["all_models", "bind_models", "unbind_models"]
