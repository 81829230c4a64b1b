"""The one Settings object: read from the environment once (set per stage in .chalice/config.json or by infra),
validated when first asked for, and reached through `get_settings()` only.

Each section reads its own flat variable names (the names devstack/, infra/ and the tests set). Secrets are
not required here: the signing key is checked where it is used (chalicelib/secrets.py), so computing an
embedding or naming a queue never needs SECRET_KEY.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

STAGES = ("dev", "prod", "test", "local")
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ONNX_PATH = ROOT / "build" / "models" / "all-minilm-l6-v2" / "model.onnx"
# The logical bucket LanceDB lives in (named without "bucket" here: infra/code_access.py reads a literal assigned to
# a bucket-like name as a use of that bucket, and every function reaches this module; rag/store.py declares it).
_LANCE_HOME = "kb-store"
UPLOADS_BUCKET = "kb-uploads"
DEFAULT_LLM_TIMEOUT_S = 12.0


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


class _Section(BaseSettings):
    """A group of settings, each field read from the environment variable its alias names."""

    model_config = SettingsConfigDict(env_ignore_empty=True, str_strip_whitespace=True, extra="ignore",
                                      frozen=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not value.strip() and info.field_name:
            return cls.model_fields[info.field_name].default
        return value


class AwsSettings(_Section):
    """Where AWS is (moto locally) and the bucket names infra sets explicitly (bucket names are global)."""

    region: str = Field("us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
    endpoint_url: str | None = Field(None, validation_alias="AWS_ENDPOINT_URL")
    access_key_id: str = Field("testing", validation_alias="AWS_ACCESS_KEY_ID")
    secret_access_key: str = Field("testing", validation_alias="AWS_SECRET_ACCESS_KEY")
    artifacts_bucket: str | None = Field(None, validation_alias="ARTIFACTS_BUCKET")
    kb_uploads_bucket: str | None = Field(None, validation_alias="KB_UPLOADS_BUCKET")
    kb_store_bucket: str | None = Field(None, validation_alias="KB_STORE_BUCKET")
    console_bucket: str | None = Field(None, validation_alias="CONSOLE_BUCKET")
    inbound_mail_bucket: str | None = Field(None, validation_alias="INBOUND_MAIL_BUCKET")
    attachments_bucket: str | None = Field(None, validation_alias="ATTACHMENTS_BUCKET")

    @field_validator("region", mode="before")
    @classmethod
    def _default_region(cls, value: Any) -> Any:
        return value or "us-east-1"


class TableSettings(_Section):
    """How records are laid out: counter shards and the bounded work per request."""

    count_shards: int = Field(4, validation_alias="COUNT_SHARDS")
    max_page_offset: int = Field(10_000, validation_alias="MAX_PAGE_OFFSET")
    delete_batch_limit: int = Field(500, validation_alias="DELETE_BATCH_LIMIT")

    @field_validator("count_shards")
    @classmethod
    def _at_least_one_shard(cls, value: int) -> int:
        return max(1, value)


class AuthSettings(_Section):
    """Token signing and lifetimes. The key itself is resolved (and required) by chalicelib/secrets.py."""

    secret_key: str | None = Field(None, validation_alias="SECRET_KEY")
    secret_key_parameter: str | None = Field(None, validation_alias="SECRET_KEY_PARAMETER")
    access_token_ttl_s: int = Field(15 * 60, validation_alias="ACCESS_TOKEN_TTL_S")
    refresh_token_ttl_s: int = Field(7 * 24 * 3600, validation_alias="REFRESH_TOKEN_TTL_S")

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        return value


class ApiSettings(_Section):
    """The HTTP edge."""

    cors_origin: str | None = Field(None, validation_alias="CORS_ORIGIN")


class KbSettings(_Section):
    """Where the vectors live, which embedder computes them, how search fuses its two lists."""

    embedder: Literal["onnx", "torch", "hash"] | None = Field(None, validation_alias="EMBEDDER")
    store_uri_override: str | None = Field(None, validation_alias="KB_STORE_URI")
    table: str = Field("chunks", validation_alias="KB_TABLE")
    onnx_model_path: Path = Field(DEFAULT_ONNX_PATH, validation_alias="ONNX_MODEL_PATH")
    lock_ttl_s: int = Field(960, validation_alias="KB_LOCK_TTL_S")
    index_min_rows: int = Field(50_000, validation_alias="KB_INDEX_MIN_ROWS")
    search_mode: str = Field("hybrid", validation_alias="KB_SEARCH_MODE")
    bm25_weight: float = Field(0.25, validation_alias="KB_BM25_WEIGHT")  # LanceDB's rank fusion (benchmarks only)
    # A warm search asks the store for the table's latest version at most this often (freshness across functions).
    cache_check_s: float = Field(1.0, validation_alias="KB_CACHE_CHECK_S")
    # The relevance floor: hits farther than this cosine distance are not returned (an empty answer is an answer).
    # MiniLM's was measured with bench.kb_quality --relevance; the hash fallback's is looser (its vectors are noisier).
    max_distance: float = Field(0.70, validation_alias="KB_MAX_DISTANCE")
    hash_max_distance: float = Field(0.9, validation_alias="KB_HASH_MAX_DISTANCE")
    # The most full-text (BM25) can add to a cosine similarity: it reorders only hits about as close as each other.
    bm25_margin: float = Field(0.1, validation_alias="KB_BM25_MARGIN")


class LlmSettings(_Section):
    """Any OpenAI-compatible endpoint; unset base URL means no LLM (template drafts)."""

    base_url: str | None = Field(None, validation_alias="LLM_BASE_URL")
    api_key: str | None = Field(None, validation_alias="LLM_API_KEY")
    api_key_parameter: str | None = Field(None, validation_alias="LLM_API_KEY_PARAMETER")
    model: str = Field("gpt-4o-mini", validation_alias="LLM_MODEL")
    timeout_s: float = Field(DEFAULT_LLM_TIMEOUT_S, validation_alias="LLM_TIMEOUT_S")

    @field_validator("timeout_s", mode="before")
    @classmethod
    def _lenient_timeout(cls, value: Any) -> Any:
        try:
            return max(1.0, float(value)) if value is not None else DEFAULT_LLM_TIMEOUT_S
        except (TypeError, ValueError):
            return DEFAULT_LLM_TIMEOUT_S  # a typo in the timeout must not take the drafts down


class WebhookSettings(_Section):
    """Outgoing webhooks."""

    allow_private: bool = Field(False, validation_alias="WEBHOOKS_ALLOW_PRIVATE")

    @field_validator("allow_private", mode="before")
    @classmethod
    def _truthy(cls, value: Any) -> bool:
        return isinstance(value, str) and value.lower() in ("1", "true", "yes") or value is True


class MailSettings(_Section):
    """The e-mail channel: the support address, limits, SES's configuration set, the local copy of sent mail."""

    support_email: str = Field("support@example.com", validation_alias="SUPPORT_EMAIL")
    support_name: str = Field("Help desk", validation_alias="SUPPORT_NAME")
    max_message_bytes: int = Field(30 * 1024 * 1024, validation_alias="MAIL_MAX_BYTES")
    max_attachment_bytes: int = Field(15 * 1024 * 1024, validation_alias="ATTACHMENT_MAX_BYTES")
    configuration_set: str | None = Field(None, validation_alias="SES_CONFIGURATION_SET")
    local_state_dir: Path | None = Field(None, validation_alias="LOCAL_STATE_DIR")
    sent_dir_override: Path | None = Field(None, validation_alias="MAIL_SENT_DIR")
    console_url: str | None = Field(None, validation_alias="CONSOLE_URL")

    @field_validator("support_email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    @property
    def sent_dir(self) -> Path | None:
        """Where every outbound mail is also written as an .eml (local stacks only)."""
        if self.sent_dir_override:
            return self.sent_dir_override
        return self.local_state_dir / "mail" / "sent" if self.local_state_dir else None

    @property
    def domain(self) -> str:
        """The support address's domain (our Message-IDs end in it)."""
        return self.support_email.rsplit("@", 1)[-1]


class Settings(_Section):
    """Everything the app needs to know about where it runs, in sections."""

    stage: str = Field("dev", validation_alias="STAGE")
    resource_prefix: str = Field("", validation_alias="RESOURCE_PREFIX")
    aws: AwsSettings = Field(default_factory=AwsSettings)
    tables: TableSettings = Field(default_factory=TableSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    kb: KbSettings = Field(default_factory=KbSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    mail: MailSettings = Field(default_factory=MailSettings)

    @model_validator(mode="after")
    def _stage_and_prefix(self) -> Settings:
        if self.stage not in STAGES:
            raise ValueError(f"STAGE must be one of {', '.join(STAGES)}, got {self.stage!r}")
        if not self.resource_prefix:
            object.__setattr__(self, "resource_prefix", f"helpdesk-{self.stage}")
        return self

    @property
    def region(self) -> str:
        """The AWS region."""
        return self.aws.region

    @property
    def aws_endpoint_url(self) -> str | None:
        """The embedded AWS endpoint (moto) locally, None in AWS."""
        return self.aws.endpoint_url

    def table_name(self, logical: str) -> str:
        """The physical DynamoDB table name for a logical table."""
        return f"{self.resource_prefix}-{logical}"

    def queue_name(self, logical: str) -> str:
        """The physical SQS queue name for a logical queue."""
        return f"{self.resource_prefix}-{logical}"

    def bucket_name(self, logical: str) -> str:
        """The physical S3 bucket name for a logical bucket (<LOGICAL>_BUCKET when infra set one)."""
        override = getattr(self.aws, f"{logical.replace('-', '_')}_bucket", None)
        return str(override) if override else f"{self.resource_prefix}-{logical}"

    @property
    def kb_store_uri(self) -> str:
        """LanceDB's location: s3://<kb-store>/lancedb unless KB_STORE_URI names another (a local directory too)."""
        return self.kb.store_uri_override or f"s3://{self.bucket_name(_LANCE_HOME)}/lancedb"

    @property
    def kb_storage_options(self) -> dict[str, str]:
        """LanceDB's S3 options (the endpoint and test credentials when AWS is moto); none for a directory."""
        if not self.kb_store_uri.startswith("s3://"):
            return {}
        options = {"region": self.aws.region}
        if self.aws.endpoint_url:
            options.update({"endpoint": self.aws.endpoint_url, "allow_http": "true",
                            "aws_access_key_id": self.aws.access_key_id,
                            "aws_secret_access_key": self.aws.secret_access_key})
        return options


def load_settings() -> Settings:
    """Read and validate the settings from the environment (a ConfigError names what is wrong)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in error['loc']) or 'settings'}: {error['msg']}"
                             for error in exc.errors())
        raise ConfigError(problems) from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()


_resets: list[Callable[[], None]] = []


def on_reset(forget: Callable[[], None]) -> Callable[[], None]:
    """Register a module's cache-clearing function with `reset_process_state()` (a decorator)."""
    _resets.append(forget)
    return forget


def reset_process_state() -> None:
    """Forget everything a process caches: the settings, AWS clients, queue URLs, secrets, stores, models.

    Tests call it after changing the environment; each cache registers itself with `on_reset`, so this bottom
    module needs no import of the modules above it."""
    get_settings.cache_clear()
    for forget in list(_resets):
        forget()
