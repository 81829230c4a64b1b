"""The Chroma side of bench.retrieval, run in Chroma's own virtualenv: `python -m bench.chroma_worker JOB.json`.

Reads the job that bench.retrieval wrote (the same chunks, vectors and queries our store gets), indexes them in a
local persistent Chroma client, and writes timings and ranked sources as JSON next to the job. Hybrid = Chroma's
vector results and bench.bm25's results fused by chalicelib.rag.store.fuse (our own reciprocal-rank fusion, the
same candidates and weight): Chroma's local client has no full-text ranking of its own.
Imports only numpy, chromadb and pure-Python parts of this repository.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.bm25 import Bm25

ADD_BATCH = 5000  # under Chroma's max batch size (5,461 here)


def _collection(client: Any, name: str) -> Any:
    return client.create_collection(name, metadata={"hnsw:space": "cosine"}, embedding_function=None)


def _add(collection: Any, ids: list[str], texts: list[str], sources: list[str], vectors: Any) -> float:
    started = time.perf_counter()
    for start in range(0, len(ids), ADD_BATCH):
        end = start + ADD_BATCH
        collection.add(ids=ids[start:end], embeddings=vectors[start:end], documents=texts[start:end],
                       metadatas=[{"source": s} for s in sources[start:end]])
    return time.perf_counter() - started


class Side:
    """One Chroma collection plus the BM25 index and the rows the fusion needs."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.search_texts: list[str] = []
        self.sources: list[str] = []
        self.vectors = np.zeros((0, 384), dtype=np.float32)
        self.bm25: Bm25 | None = None

    def add(self, ids: list[str], texts: list[str], search_texts: list[str], sources: list[str],
            vectors: Any) -> float:
        seconds = _add(self.collection, ids, texts, sources, vectors)
        self.ids += ids
        self.texts += texts
        self.search_texts += search_texts
        self.sources += sources
        self.vectors = np.vstack([self.vectors, vectors])
        return seconds

    def build_bm25(self) -> float:
        started = time.perf_counter()
        self.bm25 = Bm25(self.search_texts)
        return time.perf_counter() - started

    def vector(self, vector: Any, k: int) -> list[Any]:
        from chalicelib.rag.store import Hit

        result = self.collection.query(query_embeddings=[vector], n_results=k,
                                       include=["documents", "metadatas", "distances"])
        return [Hit(i, d or "", dict(m or {}), float(dist), 0.0) for i, d, m, dist in zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True)]

    def hybrid(self, vector: Any, text: str, k: int, candidates: int, weight: float) -> list[Any]:
        from chalicelib.rag.store import fuse

        assert self.bm25 is not None
        dense = self.vector(vector, max(candidates, k))
        sparse = [{"id": self.ids[row], "text": self.texts[row], "vector": self.vectors[row],
                   "metadata": json.dumps({"source": self.sources[row]})}
                  for row, _score in self.bm25.search(text, max(candidates, k))]
        return fuse(np.asarray(vector, dtype=np.float32), dense, sparse, k, weight)


def quality(client: Any, job: dict[str, Any]) -> dict[str, Any]:
    """Index one dataset's chunks, rank every query (vector and hybrid), time both."""
    side = Side(_collection(client, f"quality-{job['dataset'].replace('_', '-')}"))
    vectors = np.load(job["vectors"])
    add_s = side.add(job["ids"], job["texts"], job["search_texts"], job["sources"], vectors)
    bm25_s = side.build_bm25()
    query_vectors = np.load(job["query_vectors"])
    out: dict[str, Any] = {"dataset": job["dataset"], "chunks": len(job["ids"]), "add_s": add_s, "bm25_build_s": bm25_s,
                           "ranked": {}, "seconds": {}}
    k, weight = job["candidates"], job["bm25_weight"]
    for mode in ("vector", "hybrid"):
        ranked, seconds = [], []
        for vector, text in zip(query_vectors, job["queries"], strict=True):
            started = time.perf_counter()
            hits = side.vector(vector, k) if mode == "vector" else side.hybrid(vector, text, k, k, weight)
            seconds.append(time.perf_counter() - started)
            ranked.append([h.metadata["source"] for h in hits])
        out["ranked"][mode], out["seconds"][mode] = ranked, seconds
    return out


def scaling(client: Any, job: dict[str, Any]) -> list[dict[str, Any]]:
    """Grow one collection level by level; at each: add time, BM25 build, latency, HNSW recall@10 vs exact."""
    side = Side(_collection(client, "scale"))
    query_vectors = np.load(job["query_vectors"])
    queries = job["queries"]
    results = []
    for level in job["levels"]:
        add_s, added = 0.0, 0
        for part in level["parts"]:
            rows = json.loads(Path(part["rows"]).read_text(encoding="utf-8"))
            vectors = np.load(part["vectors"])
            add_s += side.add(rows["ids"], rows["texts"], rows["texts"], rows["sources"], vectors)
            added += len(rows["ids"])
        bm25_s = side.build_bm25()
        entry: dict[str, Any] = {"rows": side.collection.count(), "added": added, "add_s": add_s,
                                 "bm25_build_s": bm25_s, "runs": level["runs"], "seconds": {}}
        for mode in ("vector", "hybrid"):
            samples = []
            for i in range(level["runs"] + 3):
                q = i % len(queries)
                started = time.perf_counter()
                if mode == "vector":
                    side.vector(query_vectors[q], 5)
                else:
                    side.hybrid(query_vectors[q], queries[q], 5, 40, job["bm25_weight"])
                if i >= 3:  # the first searches warm caches
                    samples.append(time.perf_counter() - started)
            entry["seconds"][mode] = samples
        recall = []
        for vector in query_vectors[:20]:
            exact = np.argsort(-(side.vectors @ vector))[:10]
            got = {h.id for h in side.vector(vector, 10)}
            recall.append(len(got & {side.ids[i] for i in exact}) / 10)
        entry["recall@10_vs_exact"] = round(float(np.mean(recall)), 3)
        results.append(entry)
        print(json.dumps({k: v for k, v in entry.items() if k != "seconds"}), file=sys.stderr, flush=True)
    return results


def main(argv: list[str]) -> int:
    """Run the job; write `<job>.out.json`."""
    import chromadb
    from chromadb.config import Settings

    job_path = Path(argv[0])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    client = chromadb.PersistentClient(path=job["dir"], settings=Settings(anonymized_telemetry=False))
    out: dict[str, Any] = {"chromadb": chromadb.__version__, "quality": [], "scaling": []}
    for item in job["quality"]:
        out["quality"].append(quality(client, item))
        print(f"chroma: {item['dataset']} done", file=sys.stderr, flush=True)
    if job.get("scaling"):
        out["scaling"] = scaling(client, job["scaling"])
    job_path.with_suffix(".out.json").write_text(json.dumps(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
