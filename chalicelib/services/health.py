"""Health: one BatchGetItem that touches every table (a missing table fails the whole call)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.config import get_settings
from chalicelib.errors import Unavailable
from chalicelib.models import all_models, bind_models


def check() -> dict[str, Any]:
    """Probe every table with a key that does not exist: cheap, and proves each is reachable."""
    bind_models()
    request: dict[str, Any] = {}
    for model in all_models():
        key: dict[str, Any] = {}
        for attr in (model._hash_key_attribute(), model._range_key_attribute()):
            if attr is not None:
                key[attr.attr_name] = {attr.attr_type: "0" if attr.attr_type == "N" else "__health__"}
        request[str(getattr(model.Meta, "table_name"))] = {"Keys": [key]}  # noqa: B009
    try:
        aws.client("dynamodb").batch_get_item(RequestItems=request)
    except (ClientError, BotoCoreError) as exc:
        raise Unavailable(f"tables unreachable: {type(exc).__name__}") from exc
    return {"status": "ok", "tables": len(request), "stage": get_settings().stage}
