"""Knowledge-base settings read from the environment (kept apart from the core settings)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chalicelib.config import ConfigError, get_settings

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ONNX_PATH = ROOT / "build" / "models" / "all-minilm-l6-v2" / "model.onnx"
EMBEDDERS = ("onnx", "torch", "hash")
KB_BUCKET = "kb-store"
UPLOADS_BUCKET = "kb-uploads"


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


@dataclass(frozen=True)
class KbSettings:
    """Where the vectors live and which embedder computes them."""

    store_uri: str
    storage_options: dict[str, str]
    table: str
    embedder: str | None
    onnx_model_path: Path
    lock_ttl_s: int
    index_min_rows: int
    cache_check_s: float = 1.0  # a warm search asks S3 for the table's latest version at most this often
    max_distance: float = 0.70  # MiniLM: farther hits are not returned (bench.kb_quality --relevance, dev)
    hash_max_distance: float = 0.9  # the same floor for the hash fallback embedder
    bm25_margin: float = 0.1  # the most BM25 can add to a cosine similarity in the fusion

    @property
    def is_s3(self) -> bool:
        """True when the store is an S3 location (moto locally, real S3 in AWS)."""
        return self.store_uri.startswith("s3://")


def load_kb_settings() -> KbSettings:
    """Read and validate the KB settings."""
    core = get_settings()
    embedder = _env("EMBEDDER")
    if embedder is not None and embedder not in EMBEDDERS:
        raise ConfigError(f"EMBEDDER must be one of {', '.join(EMBEDDERS)}, got {embedder!r}")
    explicit = _env("KB_STORE_URI")
    options: dict[str, str] = {"region": core.region}
    if explicit and not explicit.startswith("s3://"):
        uri = explicit  # a local directory: only when asked for explicitly
        options = {}
    else:
        uri = explicit or f"s3://{core.bucket_name(KB_BUCKET)}/lancedb"
        if core.aws_endpoint_url:
            options.update({"endpoint": core.aws_endpoint_url, "allow_http": "true",
                            "aws_access_key_id": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
                            "aws_secret_access_key": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing")})
    return KbSettings(
        store_uri=uri,
        storage_options=options,
        table=_env("KB_TABLE") or "chunks",
        embedder=embedder,
        onnx_model_path=Path(_env("ONNX_MODEL_PATH") or DEFAULT_ONNX_PATH),
        lock_ttl_s=int(_env("KB_LOCK_TTL_S") or 960),
        index_min_rows=int(_env("KB_INDEX_MIN_ROWS") or 50_000),
        cache_check_s=float(_env("KB_CACHE_CHECK_S") or 1.0),
        max_distance=float(_env("KB_MAX_DISTANCE") or 0.70),
        hash_max_distance=float(_env("KB_HASH_MAX_DISTANCE") or 0.9),
        bm25_margin=float(_env("KB_BM25_MARGIN") or 0.1),
    )


@lru_cache(maxsize=1)
def get_kb_settings() -> KbSettings:
    """The process-wide KB settings, read on first use."""
    return load_kb_settings()


def reset_kb_settings() -> None:
    """Forget the cached settings (tests)."""
    get_kb_settings.cache_clear()
