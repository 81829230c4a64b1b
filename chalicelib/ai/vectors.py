"""What the classifier reads and the vectors it reads them as (the KB's embedder, loaded on first use)."""

from __future__ import annotations

from typing import Any

import numpy as np

from chalicelib.ai import classifier
from chalicelib.rag.embeddings import get_embedder

MAX_TEXT_CHARS = 4000


def _embedder() -> Any:
    return get_embedder()  # the model loads on the first embedding, not at import


def embed(texts: list[str]) -> classifier.Matrix:
    """L2-normalised float32 embeddings, one row per text."""
    vectors: classifier.Matrix = np.asarray(_embedder().embed(texts), dtype=np.float32)
    return vectors


def vector_space() -> str:
    """Which embedding space vectors come from (a model trained in another space cannot be used)."""
    return str(_embedder().space)


def ticket_text(title: str, content: str) -> str:
    """What the classifier reads for a ticket."""
    return f"{title}\n{content}"[:MAX_TEXT_CHARS]
