"""The vector store: one LanceDB table of chunks in S3 (or a local directory when asked for explicitly).

Writes are appends and deletes only. Lance commits an append with a conditional PUT (`If-None-Match`),
so concurrent appends never lose rows; `merge_insert` is not used because two concurrent upserts of the
same new keys both insert. Callers that replace rows hold the source's writer lease (store.locks),
so two writers never replace the same ids at once.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from chalicelib.config import get_settings, on_reset
from chalicelib.rag.embeddings import DIM
from chalicelib.rag.snapshot import Snapshot

T = TypeVar("T")
RRF_K = 60
FILTER_COLUMNS = ("source", "title", "heading", "collection")
_COMMIT_RETRIES = 8


@dataclass(frozen=True)
class Hit:
    """One search result."""

    id: str
    text: str
    metadata: dict[str, Any]
    distance: float
    score: float


def _schema(dim: int) -> Any:
    import pyarrow as pa

    return pa.schema([
        pa.field("id", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("search_text", pa.string()),  # title + heading + text: what the full-text index sees
        pa.field("vector", pa.list_(pa.float32(), dim), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("heading", pa.string()),
        pa.field("chunk_index", pa.int32()),
        pa.field("created_at", pa.string()),
        pa.field("metadata", pa.string()),  # the document's whole flat metadata, as JSON
        pa.field("collection", pa.string()),  # the document's collection (services/kb_collections.py)
    ])


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def where_clause(filters: dict[str, Any] | None) -> str | None:
    """A SQL predicate from `{column: value or [values]}` on the filterable columns."""
    parts = []
    for column, value in sorted((filters or {}).items()):
        if column not in FILTER_COLUMNS:
            raise ValueError(f"cannot filter on {column!r}")
        values = value if isinstance(value, list) else [value]
        parts.append(f"{column} IN ({', '.join(quote(str(v)) for v in values)})")
    return " AND ".join(parts) or None


def ids_clause(ids: Iterable[str]) -> str:
    """`id IN (...)`."""
    return f"id IN ({', '.join(quote(i) for i in ids)})"


def _commit_conflict(exc: BaseException) -> bool:
    # lance raises plain RuntimeError/OSError for commit conflicts: only the message tells them apart
    return isinstance(exc, Exception) and any(w in str(exc).lower() for w in ("conflict", "retry", "precondition"))


def _retrying(action: Callable[[], T]) -> T:
    """Run a write, retrying when another writer's commit got in first (Lance reports a conflict)."""
    retrying = Retrying(retry=retry_if_exception(_commit_conflict), stop=stop_after_attempt(_COMMIT_RETRIES),
                        wait=wait_random_exponential(multiplier=0.1, max=10.0), reraise=True)
    return retrying(action)


@dataclass(frozen=True)
class StoreLocation:
    """Where one store's table lives (benchmarks point a store elsewhere by replacing fields)."""

    store_uri: str
    storage_options: dict[str, str]
    table: str
    index_min_rows: int
    cache_check_s: float = 1.0


def store_location() -> StoreLocation:
    """The stage's store location, from the settings."""
    settings = get_settings()
    settings.bucket_name("kb-store")  # the bucket kb_store_uri lives in, named here so infra/code_access.py sees it
    return StoreLocation(store_uri=settings.kb_store_uri, storage_options=settings.kb_storage_options,
                         table=settings.kb.table, index_min_rows=settings.kb.index_min_rows,
                         cache_check_s=settings.kb.cache_check_s)


class VectorStore:
    """Add, search, delete and count chunks in one LanceDB table."""

    def __init__(self, settings: StoreLocation, space: str, dim: int = DIM) -> None:
        self.settings = settings
        self.name = f"{settings.table}_{space}"  # vectors from different models never share a table
        self.dim = dim
        self._db: Any = None
        self._table: Any = None
        self._lock = threading.Lock()
        self._vector_index: tuple[float, bool] | None = None
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self._snapshot_lock = threading.Lock()

    def _connect(self) -> Any:
        if self._db is None:
            import lancedb

            self._db = lancedb.connect(self.settings.store_uri, storage_options=self.settings.storage_options or None)
        return self._db

    def table(self) -> Any:
        """The table, opened (or created) on first use and refreshed to the latest version."""
        with self._lock:
            if self._table is None:
                db = self._connect()
                try:
                    self._table = db.open_table(self.name)
                    self._add_collection_column(self._table)
                except (FileNotFoundError, ValueError):
                    try:
                        self._table = db.create_table(self.name, schema=_schema(self.dim), exist_ok=True)
                    except Exception:  # another process created it first
                        self._table = db.open_table(self.name)
                    self._create_base_indexes(self._table)
            else:
                self._table.checkout_latest()
            return self._table

    @staticmethod
    def _add_collection_column(table: Any) -> None:
        """Tables made before collections existed get the column, every row in `default` (a schema-only commit)."""
        if "collection" in table.schema.names:
            return
        try:
            table.add_columns({"collection": "'default'"})
        except Exception:  # another process added it first
            table.checkout_latest()
            if "collection" not in table.schema.names:
                raise

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append rows (one commit)."""
        if not rows:
            return
        import pyarrow as pa

        batch = pa.Table.from_pylist([_row(r) for r in rows], schema=_schema(self.dim))
        table = self.table()
        _retrying(lambda: table.add(batch))
        self._checked_at = float("-inf")  # this process sees its own write on its next search

    def delete(self, predicate: str) -> None:
        """Delete the rows matching a SQL predicate (one commit)."""
        table = self.table()
        _retrying(lambda: table.delete(predicate))
        self._checked_at = float("-inf")

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete rows by id."""
        for start in range(0, len(ids), 500):
            self.delete(ids_clause(ids[start:start + 500]))

    def count(self, predicate: str | None = None) -> int:
        """How many rows match (all rows when no predicate)."""
        return int(self.table().count_rows(predicate))

    def rows(self, predicate: str, columns: Sequence[str] = ("id", "source"),
             limit: int = 100_000) -> list[dict[str, Any]]:
        """Rows matching a predicate, only the named columns."""
        query = self.table().search().where(predicate).select(list(columns)).limit(limit)
        return list(query.to_list())

    def vector_search(self, vector: Sequence[float] | Any, k: int, where: str | None = None,
                      refine_factor: int | None = None, table: Any = None) -> list[Hit]:
        """Nearest chunks by cosine distance (exact, or through the vector index when there is one)."""
        query = (table or self.table()).search(np.asarray(vector, dtype=np.float32)).distance_type("cosine").limit(k)
        if where:
            query = query.where(where, prefilter=True)
        if refine_factor:
            query = query.refine_factor(refine_factor)  # re-rank the index's candidates by exact distance
        return [_hit(r, float(r["_distance"]), 0.0) for r in query.to_list()]

    def text_search(self, text: str, k: int, where: str | None = None, table: Any = None) -> list[dict[str, Any]]:
        """Best BM25 matches from the full-text index (raw rows with their vectors)."""
        query = (table or self.table()).search(text, query_type="fts", fts_columns="search_text").limit(k)
        if where:
            query = query.where(where, prefilter=True)
        return list(query.to_list())

    def hybrid_search(self, vector: Sequence[float] | Any, text: str, k: int, where: str | None = None,
                      candidates: int = 40, refine_factor: int | None = None,
                      bm25_weight: float = 1.0) -> list[Hit]:
        """LanceDB's own vector and full-text results fused by reciprocal rank (the path before the in-memory
        snapshot, kept for the benchmarks' comparison); `distance` stays the cosine distance."""
        query_vec = np.asarray(vector, dtype=np.float32)
        table = self.table()
        # Both searches run at once (LanceDB releases the GIL): the latency is the slower one, not the sum.
        sparse_future = _pool().submit(self.text_search, text, max(candidates, k), where, table)
        dense = self.vector_search(query_vec, max(candidates, k), where, refine_factor, table)
        try:
            sparse = sparse_future.result()
        except Exception:  # no full-text index (a table made before it existed): vector results alone
            sparse = []
        return fuse(query_vec, dense, sparse, k, bm25_weight)

    def snapshot(self) -> Snapshot:
        """The in-memory copy of the latest version, re-checked at most every `cache_check_s` seconds.

        The check is one listing of the table's version files (checkout_latest); only a new version is read.
        """
        with self._snapshot_lock:
            if self._snapshot is not None and time.monotonic() - self._checked_at < self.settings.cache_check_s:
                return self._snapshot
            checked = time.monotonic()
            table = self.table()
            if self._snapshot is None or self._snapshot.version != int(table.version):
                self._snapshot = Snapshot.load(table, self.dim)
            self._checked_at = checked
            return self._snapshot

    def search(self, vector: Sequence[float] | Any, text: str | None, k: int, *,
               filters: dict[str, Any] | None = None, candidates: int = 40, margin: float = 0.0,
               max_distance: float = 2.0) -> list[Hit]:
        """Best chunks from the in-memory snapshot: cosine top-k, with the text's BM25 blended in within `margin`;
        nothing farther than `max_distance`. `score` is the blended score, `distance` the cosine distance."""
        snapshot = self.snapshot()
        scored = snapshot.search(vector, text, k, filters=filters, candidates=candidates, margin=margin,
                                 max_distance=max_distance)
        return [_hit(row, s.distance, s.score) for row, s in zip(snapshot.rows(scored), scored, strict=True)]

    def _create_base_indexes(self, table: Any) -> None:
        """Full-text and id/source indexes, made while the table is empty (cheap); new rows fold in later."""
        from lancedb.index import FTS, BTree

        existing = {tuple(i.columns) for i in table.list_indices()}
        for column in ("id", "source"):
            if (column,) not in existing:
                _retrying(lambda c=column: table.create_index(c, config=BTree()))  # type: ignore[misc]
        if ("search_text",) not in existing:
            _retrying(lambda: table.create_index("search_text", config=FTS(with_position=False)))

    def ensure_indexes(self, vector_index_min_rows: int | None = None) -> list[str]:
        """Create missing indexes and fold new rows into existing ones; returns what was done."""
        from lancedb.index import FTS, BTree, IvfPq

        table = self.table()
        existing = {tuple(i.columns): i for i in table.list_indices()}
        done = []
        for column in ("id", "source"):
            if (column,) not in existing:
                _retrying(lambda c=column: table.create_index(c, config=BTree()))  # type: ignore[misc]
                done.append(f"btree:{column}")
        if ("search_text",) not in existing:
            _retrying(lambda: table.create_index("search_text", config=FTS(with_position=False)))
            done.append("fts:search_text")
        rows = table.count_rows()
        threshold = self.settings.index_min_rows if vector_index_min_rows is None else vector_index_min_rows
        if ("vector",) not in existing and rows >= threshold:
            partitions = max(1, int(rows ** 0.5))
            _retrying(lambda: table.create_index("vector", config=IvfPq(distance_type="cosine",
                                                                        num_partitions=partitions,
                                                                        num_sub_vectors=self.dim // 8)))
            done.append(f"ivf_pq:vector({partitions} partitions)")
        if existing:
            _retrying(lambda: table.optimize())
            done.append("optimize")
        return done

    def has_vector_index(self, max_age_s: float = 60.0) -> bool:
        """True when searches go through an IVF_PQ index (checked at most once a minute)."""
        now = time.monotonic()
        if self._vector_index is None or now - self._vector_index[0] > max_age_s:
            found = any(tuple(i.columns) == ("vector",) for i in self.table().list_indices())
            self._vector_index = (now, found)
        return self._vector_index[1]


def fuse(query_vec: Any, dense: list[Hit], sparse: list[dict[str, Any]], k: int,
         sparse_weight: float = 1.0) -> list[Hit]:
    """Reciprocal-rank fusion of vector hits and full-text rows; `distance` stays the cosine distance."""
    scores: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for rank, hit in enumerate(dense):
        scores[hit.id] = scores.get(hit.id, 0.0) + 1.0 / (RRF_K + rank + 1)
        hits[hit.id] = hit
    for rank, row in enumerate(sparse):
        scores[row["id"]] = scores.get(row["id"], 0.0) + sparse_weight / (RRF_K + rank + 1)
        if row["id"] not in hits:
            distance = 1.0 - float(np.dot(query_vec, np.asarray(row["vector"], dtype=np.float32)))
            hits[row["id"]] = _hit(row, distance, 0.0)
    ranked = sorted(scores, key=lambda i: (-scores[i], hits[i].distance))[:k]
    return [Hit(h.id, h.text, h.metadata, h.distance, scores[h.id]) for h in (hits[i] for i in ranked)]


def _row(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out.setdefault("search_text", out["text"])
    out.setdefault("collection", "default")
    out["vector"] = [float(x) for x in out["vector"]]
    out["metadata"] = json.dumps(out.get("metadata") or {}, ensure_ascii=False, sort_keys=True)
    return out


def _hit(row: dict[str, Any], distance: float, score: float) -> Hit:
    metadata = json.loads(row.get("metadata") or "{}")
    for column in ("source", "title", "heading", "collection"):
        if row.get(column):
            metadata[column] = row[column]
    metadata["chunk_index"] = row.get("chunk_index")
    metadata["created_at"] = row.get("created_at")
    return Hit(str(row["id"]), str(row["text"]), metadata, distance, score)


_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kb-search")
    return _executor


_stores: dict[tuple[str, str, str], VectorStore] = {}
_stores_lock = threading.Lock()


def get_store(space: str) -> VectorStore:
    """The process-wide store for one embedding space (connected lazily, cached)."""
    settings = store_location()
    key = (settings.store_uri, settings.table, space)
    with _stores_lock:
        if key not in _stores:
            _stores[key] = VectorStore(settings, space)
        return _stores[key]


@on_reset
def reset_stores() -> None:
    """Forget cached connections (tests)."""
    with _stores_lock:
        _stores.clear()
