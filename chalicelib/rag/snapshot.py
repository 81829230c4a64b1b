"""An in-memory copy of one version of the chunk table, searched without any request to S3.

A warm function keeps one of these per table (VectorStore.snapshot) and asks the store at most every
KB_CACHE_CHECK_S seconds which version is the latest; only a new version is read again. Vector search is an
exact cosine top-k over the normalised matrix (the same results as LanceDB's flat search), full text is the
BM25 of chalicelib.rag.bm25 over `search_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chalicelib.rag.bm25 import Bm25

FILTER_COLUMNS = ("source", "title", "heading", "collection")
HIT_COLUMNS = ("id", "text", "source", "title", "heading", "chunk_index", "created_at", "metadata", "collection")


@dataclass(frozen=True)
class Scored:
    """A row of the snapshot with its cosine distance and its fused score."""

    row: int
    distance: float
    score: float


def blend(similarity: dict[int, float], bm25: dict[int, float], margin: float) -> list[tuple[int, float]]:
    """Score = cosine similarity + margin * (BM25 / the best BM25 among the candidates), best first.

    The full-text part adds at most `margin`, so it reorders only hits whose similarities lie within `margin` of
    each other: a clearly better vector match is never demoted (unlike rank fusion, which ignores distances).
    """
    best = max(bm25.values(), default=0.0)
    scale = margin / best if best > 0 else 0.0
    scores = {row: sim + scale * bm25.get(row, 0.0) for row, sim in similarity.items()}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class Snapshot:
    """The rows of one table version: normalised vectors, filter columns, BM25 postings, the hit columns."""

    def __init__(self, version: int, arrow: Any, dim: int) -> None:
        self.version = version
        self.size = arrow.num_rows
        if self.size:
            flat = arrow.column("vector").combine_chunks().flatten()
            vectors = np.asarray(flat.to_numpy(zero_copy_only=False), dtype=np.float32).reshape(self.size, dim)
        else:
            vectors = np.zeros((0, dim), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = vectors / np.maximum(norms, 1e-12)
        self.columns = {c: np.asarray(arrow.column(c).to_pylist(), dtype=object) for c in FILTER_COLUMNS}
        texts = arrow.column("search_text").to_pylist()
        plain = arrow.column("text").to_pylist()
        self.bm25 = Bm25([t if t is not None else p for t, p in zip(texts, plain, strict=True)])
        self.hit_rows = arrow.select(list(HIT_COLUMNS))

    @classmethod
    def load(cls, table: Any, dim: int) -> Snapshot:
        """Read the table's checked-out version whole (one scan of its data files)."""
        version = int(table.version)
        return cls(version, table.to_arrow(), dim)

    @property
    def nbytes(self) -> int:
        """Roughly the memory this snapshot holds (vectors, hit columns, postings)."""
        postings = self.bm25.postings_doc.nbytes + self.bm25.postings_weight.nbytes
        return int(self.vectors.nbytes + self.hit_rows.nbytes + postings)

    def allowed(self, filters: dict[str, Any] | None) -> np.ndarray | None:
        """The rows passing `{column: value or [values]}` (None: no filter)."""
        if not filters:
            return None
        mask = np.ones(self.size, dtype=bool)
        for column, value in filters.items():
            if column not in FILTER_COLUMNS:
                raise ValueError(f"cannot filter on {column!r}")
            values = [str(v) for v in (value if isinstance(value, list) else [value])]
            mask &= np.isin(self.columns[column], np.asarray(values, dtype=object))
        return mask

    def similarities(self, vector: Any) -> np.ndarray:
        """Cosine similarity of every row to the query."""
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        return np.asarray(self.vectors @ query)

    def search(self, vector: Any, text: str | None, k: int, *, filters: dict[str, Any] | None = None,
               candidates: int = 40, margin: float = 0.0, max_distance: float = 2.0) -> list[Scored]:
        """The k best rows: vector top `candidates` plus, with text, BM25 top `candidates`, blended; rows farther
        than `max_distance` (cosine) are not returned."""
        if not self.size:
            return []
        allowed = self.allowed(filters)
        sims = self.similarities(vector)
        eligible = sims >= 1.0 - max_distance
        if allowed is not None:
            eligible &= allowed
        pool = max(candidates, k)
        rows = np.flatnonzero(eligible)
        if len(rows) > pool:
            rows = rows[np.argpartition(-sims[rows], pool - 1)[:pool]]
        similarity = {int(r): float(sims[r]) for r in rows}
        bm25: dict[int, float] = {}
        if text and margin > 0:
            for row, value in self.bm25.search(text, pool, eligible):
                bm25[row] = value
                similarity.setdefault(row, float(sims[row]))
        ranked = blend(similarity, bm25, margin)[:k]
        return [Scored(row, 1.0 - similarity[row], score) for row, score in ranked]

    def rows(self, scored: Sequence[Scored]) -> list[dict[str, Any]]:
        """The hit columns of some rows, in order."""
        if not scored:
            return []
        return list(self.hit_rows.take(np.asarray([s.row for s in scored], dtype=np.int64)).to_pylist())
