"""Secrets: from the environment locally, from SSM Parameter Store (SecureString) in AWS, cached by Powertools."""

from __future__ import annotations

import threading

from aws_lambda_powertools.utilities.parameters import SSMProvider

from chalicelib import aws
from chalicelib.config import ConfigError, get_settings, on_reset

# A rotated parameter reaches warm functions within this time without a call to SSM per request.
PARAMETER_MAX_AGE_S = 15 * 60

_lock = threading.Lock()
_provider: SSMProvider | None = None


def _ssm() -> SSMProvider:
    global _provider
    with _lock:
        if _provider is None:
            _provider = SSMProvider(boto3_client=aws.client("ssm"))
        return _provider


def parameter_value(name: str) -> str:
    """A SecureString from SSM Parameter Store (cached per process for PARAMETER_MAX_AGE_S)."""
    return str(_ssm().get(name, max_age=PARAMETER_MAX_AGE_S, decrypt=True))


def signing_key() -> str:
    """The stage's token-signing key: SECRET_KEY (local) or the SSM SecureString SECRET_KEY_PARAMETER names."""
    auth = get_settings().auth
    if auth.secret_key:
        return auth.secret_key
    if auth.secret_key_parameter:
        value = parameter_value(auth.secret_key_parameter)
        if len(value) < 32:
            raise ConfigError("the signing key parameter must hold at least 32 characters")
        return value
    raise ConfigError("set SECRET_KEY (local) or SECRET_KEY_PARAMETER (an SSM SecureString name)")


@on_reset
def reset() -> None:
    """Forget cached parameter values (tests, rotation)."""
    global _provider
    with _lock:
        _provider = None
