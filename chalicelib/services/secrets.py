"""Secrets: from the environment locally, from SSM Parameter Store (SecureString) in AWS."""

from __future__ import annotations

from functools import lru_cache

from chalicelib import aws
from chalicelib.config import ConfigError, get_settings


@lru_cache(maxsize=8)
def _parameter(name: str) -> str:
    response = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return str(response["Parameter"]["Value"])


def parameter_value(name: str) -> str:
    """A SecureString from SSM Parameter Store (cached per process)."""
    return _parameter(name)


def signing_key() -> str:
    """The stage's token-signing key."""
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    if settings.secret_key_parameter:
        value = _parameter(settings.secret_key_parameter)
        if len(value) < 32:
            raise ConfigError("the signing key parameter must hold at least 32 characters")
        return value
    raise ConfigError("no signing key configured")


def reset() -> None:
    """Forget cached parameter values (tests, rotation)."""
    _parameter.cache_clear()
