"""Shared PynamoDB setup: every model's Meta is filled from the settings at first use."""

from __future__ import annotations

import threading
from typing import Any

from pynamodb.models import Model

from chalicelib.config import Settings, get_settings


class BaseModel(Model):
    """A model whose physical table name, region and endpoint come from the settings."""

    class Meta:
        abstract = True
        logical_name = ""
        billing_mode = "PAY_PER_REQUEST"
        connect_timeout_seconds = 5
        read_timeout_seconds = 30
        max_retry_attempts = 3


_bound_for: tuple[str, str, str | None] | None = None
_bind_lock = threading.Lock()
_REGISTRY: list[type[BaseModel]] = []


def register(model: type[Any]) -> type[Any]:
    """Class decorator: add a model to the set that bind_models() configures and infra creates."""
    _REGISTRY.append(model)
    return model


def all_models() -> list[type[BaseModel]]:
    """Every registered model, in registration order."""
    return list(_REGISTRY)


def bind_models(settings: Settings | None = None) -> None:
    """Point every model at its physical table for these settings (idempotent, cheap when unchanged)."""
    global _bound_for
    settings = settings or get_settings()
    key = (settings.resource_prefix, settings.region, settings.aws_endpoint_url)
    if _bound_for == key:
        return
    with _bind_lock:
        for model in _REGISTRY:
            meta = model.Meta
            setattr(meta, "table_name", settings.table_name(getattr(meta, "logical_name")))  # noqa: B009, B010
            setattr(meta, "region", settings.region)  # noqa: B010
            setattr(meta, "host", settings.aws_endpoint_url)  # noqa: B010
            model._connection = None
        _bound_for = key


def unbind_models() -> None:
    """Forget the binding so the next bind_models() reconfigures (tests)."""
    global _bound_for
    _bound_for = None
