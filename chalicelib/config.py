"""Settings read once from the environment (set per stage in .chalice/config.json or by infra)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

STAGES = ("dev", "prod", "test", "local")


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _int_env(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _bool_env(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    return raw.lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it runs."""

    stage: str
    resource_prefix: str
    region: str
    aws_endpoint_url: str | None
    secret_key: str | None
    secret_key_parameter: str | None
    access_token_ttl_s: int
    refresh_token_ttl_s: int
    cors_origin: str | None
    count_shards: int
    max_page_offset: int
    delete_batch_limit: int
    log_level: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        """True when the AWS endpoint is an embedded one (moto)."""
        return self.aws_endpoint_url is not None

    def table_name(self, logical: str) -> str:
        """The physical DynamoDB table name for a logical table."""
        return f"{self.resource_prefix}-{logical}"

    def queue_name(self, logical: str) -> str:
        """The physical SQS queue name for a logical queue."""
        return f"{self.resource_prefix}-{logical}"

    def bucket_name(self, logical: str) -> str:
        """The physical S3 bucket name for a logical bucket."""
        override = _env(f"{logical.upper().replace('-', '_')}_BUCKET")
        return override or f"{self.resource_prefix}-{logical}"


def load_settings() -> Settings:
    """Read and validate the settings from the environment."""
    stage = _env("STAGE", "dev") or "dev"
    if stage not in STAGES:
        raise ConfigError(f"STAGE must be one of {', '.join(STAGES)}, got {stage!r}")
    prefix = _env("RESOURCE_PREFIX", f"helpdesk-{stage}") or f"helpdesk-{stage}"
    region = _env("AWS_REGION") or _env("AWS_DEFAULT_REGION") or "us-east-1"
    settings = Settings(
        stage=stage,
        resource_prefix=prefix,
        region=region,
        aws_endpoint_url=_env("AWS_ENDPOINT_URL"),
        secret_key=_env("SECRET_KEY"),
        secret_key_parameter=_env("SECRET_KEY_PARAMETER"),
        access_token_ttl_s=_int_env("ACCESS_TOKEN_TTL_S", 15 * 60),
        refresh_token_ttl_s=_int_env("REFRESH_TOKEN_TTL_S", 7 * 24 * 3600),
        cors_origin=_env("CORS_ORIGIN"),
        count_shards=max(1, _int_env("COUNT_SHARDS", 4)),
        max_page_offset=_int_env("MAX_PAGE_OFFSET", 10_000),
        delete_batch_limit=_int_env("DELETE_BATCH_LIMIT", 500),
        log_level=_env("LOG_LEVEL", "INFO") or "INFO",
    )
    if settings.secret_key is None and settings.secret_key_parameter is None:
        raise ConfigError("set SECRET_KEY (local) or SECRET_KEY_PARAMETER (an SSM SecureString name)")
    if settings.secret_key is not None and len(settings.secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters")
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between runs)."""
    get_settings.cache_clear()
