"""boto3 clients created lazily from the settings, so tests can point them at moto first."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.config import get_settings, on_reset

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_session: boto3.session.Session | None = None
_queue_urls: dict[str, str] = {}


def client(service: str) -> Any:
    """A shared boto3 client for `service`, built on first use from the settings."""
    cached = _clients.get(service)
    if cached is not None:
        return cached
    with _lock:
        if service not in _clients:
            global _session
            settings = get_settings()
            _session = _session or boto3.session.Session()
            _clients[service] = _session.client(
                service,
                region_name=settings.region,
                endpoint_url=settings.aws_endpoint_url,
                config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30),
            )
        return _clients[service]


def queue_url(logical: str) -> str:
    """The URL of a logical queue (one GetQueueUrl per queue and process)."""
    cached = _queue_urls.get(logical)
    if cached is None:
        name = get_settings().queue_name(logical)
        cached = _queue_urls[logical] = str(client("sqs").get_queue_url(QueueName=name)["QueueUrl"])
    return cached


@on_reset
def reset_clients() -> None:
    """Drop every cached client and queue URL (after the settings or the endpoint changed)."""
    with _lock:
        _clients.clear()
        _queue_urls.clear()
