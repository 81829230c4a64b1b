"""Retrieval, ours vs Chroma: `python -m bench.retrieval` (writes bench/results/retrieval.json).

The same chunks (the product's chunking, title + heading embedded with each chunk), the same MiniLM vectors (ONNX,
computed once and given to both) and the same queries go into our LanceDB store on S3 (moto server, written through
the product's path: per-source leases, one delete + one append per 20 documents, document records) and into Chroma
(`chromadb` from PyPI, local persistent client, cosine HNSW). Then:

- quality on the retrieval sets' dev queries: recall@1/@5, MRR@10 over documents, vector-only and hybrid;
- ingest throughput (chunks/s) of the real chunks, store only and with the shared embedding time added;
- search latency p50/p95 (top 5, query embedding excluded) at 1k / 10k / 100k chunks, synthesised from the real
  chunks as bench.kb_speed does (perturbed text and vectors); ours on moto S3 up to 10k and in a local directory
  (the engine's own cost, like for like with Chroma's local files) up to 100k; from 50k rows (KB_INDEX_MIN_ROWS)
  also as the product serves it: the IVF_PQ index kb_optimize builds, searched with refine_factor 10.

Hybrid in both = vector top 40 and BM25 top 40 fused by reciprocal rank with the BM25 list weighted 0.25 (what the
API serves). Chroma's local client has no BM25 (its sparse index is Chroma Cloud only), so its BM25 is bench/bm25.py.

Chroma runs in its own virtualenv (bench/.venv-chroma, created on first use) as a subprocess: installing chromadb
into the project's venv would upgrade python-dateutil to 4.x, which botocore (<3) refuses.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import (
    DATASETS,
    ROOT,
    latency_ms,
    quick,
    ratio,
    read_jsonl,
    save_json,
    setup_env,
    spread,
    start_moto,
)
from bench.kb_quality import score
from bench.kb_speed import latency, synthetic

CHROMA_VENV = ROOT / "bench" / ".venv-chroma"
CHROMA_REQUIREMENT = "chromadb==1.5.9"
DATASET_NAMES = ("bitext_kb_retrieval", "stackfaq_retrieval")
CANDIDATES = 40
BM25_WEIGHT = 0.25
DOCS_PER_WRITE = 20


def chroma_python() -> Path:
    """The interpreter of Chroma's virtualenv, created (and chromadb installed, never torch) when missing."""
    python = CHROMA_VENV / "bin" / "python"
    stamp = CHROMA_VENV / f".installed-{CHROMA_REQUIREMENT}"
    if python.exists() and stamp.exists():
        return python
    print(f"creating {CHROMA_VENV} with {CHROMA_REQUIREMENT} (once, ~1 min)", flush=True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--clear", str(CHROMA_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    CHROMA_REQUIREMENT], check=True)
    subprocess.run([str(python), "-m", "pip", "check"], check=True, capture_output=True)
    stamp.touch()
    return python


def run_chroma(job: dict[str, Any], work: Path) -> dict[str, Any]:
    """Run bench.chroma_worker in Chroma's virtualenv; its JSON output."""
    job_path = work / "chroma-job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANONYMIZED_TELEMETRY": "False"}
    subprocess.run([str(chroma_python()), "-m", "bench.chroma_worker", str(job_path)], cwd=ROOT, env=env, check=True)
    result: dict[str, Any] = json.loads(job_path.with_suffix(".out.json").read_text(encoding="utf-8"))
    return result


def store_for(table: str, local_dir: str | None = None) -> Any:
    """Our VectorStore on the stage's S3 bucket (moto) or, with local_dir, on a local directory."""
    from chalicelib.rag.embeddings import MODEL_SPACE
    from chalicelib.rag.store import VectorStore, store_location

    settings = store_location()
    changes: dict[str, Any] = {"table": table}
    if local_dir is not None:
        changes.update({"store_uri": local_dir, "storage_options": {}})
    return VectorStore(type(settings)(**{**settings.__dict__, **changes}), MODEL_SPACE)


def prepare(dataset: str, onnx: Any) -> dict[str, Any]:
    """A dataset's documents, chunks, passages, queries and their vectors (embedding timed)."""
    from chalicelib.services import kb

    docs = read_jsonl(DATASETS / dataset / "kb.jsonl")
    queries = read_jsonl(DATASETS / dataset / "queries_dev.jsonl")
    documents = [kb.build_document(d["text"], {"source": d["doc_id"], "title": d["title"]}) for d in docs]
    passages = [kb.passage(c, d.title) for d in documents for c in d.chunks]
    started = time.perf_counter()
    vectors = onnx.embed(passages)
    embed_s = time.perf_counter() - started
    query_texts = [q["text"] for q in queries]
    return {"dataset": dataset, "documents": documents, "passages": passages, "vectors": vectors,
            "embed_s": embed_s, "queries": queries, "query_texts": query_texts,
            "query_vectors": onnx.embed(query_texts)}


def ours_quality(data: dict[str, Any]) -> dict[str, Any]:
    """Write through the product's path into S3 (moto), fold into the full-text index, rank every query."""
    from chalicelib.services import kb

    store = store_for(f"bench_{data['dataset']}")
    documents, vectors = data["documents"], data["vectors"]
    started = time.perf_counter()
    offset = 0
    for start in range(0, len(documents), DOCS_PER_WRITE):
        batch = documents[start:start + DOCS_PER_WRITE]
        count = sum(len(d.chunks) for d in batch)
        kb.write_documents(batch, vectors[offset:offset + count], store, "onnx")
        offset += count
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    store.ensure_indexes(vector_index_min_rows=10**12)  # what the hourly kb_optimize does: rows into the FTS index
    index_s = time.perf_counter() - started
    out: dict[str, Any] = {"chunks": offset, "write_s": write_s, "fts_fold_s": index_s, "ranked": {}, "seconds": {}}
    for mode in ("vector", "hybrid"):
        ranked, seconds = [], []
        for vector, text in zip(data["query_vectors"], data["query_texts"], strict=True):
            t = time.perf_counter()
            if mode == "vector":
                hits = store.vector_search(vector, CANDIDATES)
            else:
                hits = store.hybrid_search(vector, text, CANDIDATES, None, CANDIDATES, None, BM25_WEIGHT)
            seconds.append(time.perf_counter() - t)
            ranked.append([h.metadata["source"] for h in hits])
        out["ranked"][mode], out["seconds"][mode] = ranked, seconds
    return out


def chroma_quality_job(data: dict[str, Any], work: Path) -> dict[str, Any]:
    """The same chunks and vectors, as files for the Chroma worker."""
    from chalicelib.rag.chunking import chunk_id

    name = data["dataset"]
    np.save(work / f"{name}-vectors.npy", data["vectors"])
    np.save(work / f"{name}-queries.npy", data["query_vectors"])
    chunks = [(d, c) for d in data["documents"] for c in d.chunks]
    return {"dataset": name, "ids": [chunk_id(d.source, c.index) for d, c in chunks],
            "texts": [c.text for _, c in chunks], "search_texts": data["passages"],
            "sources": [d.source for d, _ in chunks], "vectors": str(work / f"{name}-vectors.npy"),
            "query_vectors": str(work / f"{name}-queries.npy"), "queries": data["query_texts"],
            "candidates": CANDIDATES, "bm25_weight": BM25_WEIGHT}


def grow(stores: dict[str, Any], base_text: list[str], base_vec: Any, size: int, have: int, rng: Any,
         work: Path, limits: dict[str, int]) -> tuple[list[dict[str, str]], dict[str, float]]:
    """Append synthetic rows up to `size` to each of our stores (timed) and save them for Chroma."""
    parts, add_s = [], dict.fromkeys(stores, 0.0)
    rows = have
    while rows < size:
        n = min(10_000, size - rows)
        table = synthetic(base_text, base_vec, n, rows, rng)
        for name, store in stores.items():
            if size <= limits[name]:
                t = time.perf_counter()
                store.table().add(table)
                add_s[name] += time.perf_counter() - t
        vectors = np.asarray(table.column("vector").combine_chunks().flatten(), dtype=np.float32).reshape(n, -1)
        stem = work / f"rows-{rows:07d}"
        np.save(f"{stem}.npy", vectors)
        Path(f"{stem}.json").write_text(json.dumps({"ids": table.column("id").to_pylist(),
                                                    "texts": table.column("text").to_pylist(),
                                                    "sources": table.column("source").to_pylist()}),
                                        encoding="utf-8")
        parts.append({"rows": f"{stem}.json", "vectors": f"{stem}.npy"})
        rows += n
    return parts, add_s


def ours_scaling(sizes: list[int], s3_max: int, runs: int, base_text: list[str], base_vec: Any,
                 queries: list[str], query_vectors: Any, work: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Latency of our store (S3 on moto up to s3_max, local directory for all sizes) level by level."""
    stores = {"s3": store_for("bench_scale"), "local": store_for("bench_scale", tempfile.mkdtemp(dir=work))}
    limits = {"s3": s3_max, "local": max(sizes)}
    rng = np.random.default_rng(7)
    results, levels, have = [], [], 0
    for size in sizes:
        n_runs = runs if size < 50_000 else max(10, runs // 2)
        parts, add_s = grow(stores, base_text, base_vec, size, have, rng, work, limits)
        levels.append({"parts": parts, "runs": n_runs})
        for name, store in stores.items():
            if size > limits[name]:
                continue
            t = time.perf_counter()
            store.ensure_indexes(vector_index_min_rows=10**12)
            entry: dict[str, Any] = {"store": name, "rows": store.count(), "added": size - have,
                                     "add_s": add_s[name], "fts_fold_s": time.perf_counter() - t, "runs": n_runs,
                                     "seconds": {mode: latency(store, queries, query_vectors, n_runs, mode, None)
                                                 for mode in ("vector", "hybrid")}}
            results.append(entry)
            print(json.dumps({"store": name, "rows": entry["rows"],
                              **{m: latency_ms(s)["p50"] for m, s in entry["seconds"].items()}}), flush=True)
            if name == "local" and size >= store.settings.index_min_rows:
                results.append(served_with_index(store, entry, queries, query_vectors, n_runs))
        have = size
    return results, {"levels": levels, "queries": queries, "bm25_weight": BM25_WEIGHT}


def served_with_index(store: Any, exact: dict[str, Any], queries: list[str], query_vectors: Any,
                      runs: int) -> dict[str, Any]:
    """What the product serves from KB_INDEX_MIN_ROWS rows on: kb_optimize's IVF_PQ, searched with refine 10."""
    truth = [[h.id for h in store.vector_search(v, 10)] for v in query_vectors[:20]]
    started = time.perf_counter()
    done = store.ensure_indexes()  # the product's own thresholds and index parameters
    build_s = time.perf_counter() - started
    got = [[h.id for h in store.vector_search(v, 10, None, 10)] for v in query_vectors[:20]]
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, truth, strict=True)]))
    entry = {**exact, "store": "local+ivf_pq", "index_build_s": build_s, "index_steps": done,
             "recall@10_vs_exact": round(recall, 3),
             "seconds": {mode: latency(store, queries, query_vectors, runs, mode, 10) for mode in ("vector", "hybrid")}}
    print(json.dumps({"store": entry["store"], "rows": entry["rows"], "build_s": round(build_s, 1), "recall": recall,
                      **{m: latency_ms(x)["p50"] for m, x in entry["seconds"].items()}}), flush=True)
    return entry


def summarise_quality(data: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Scores, latencies, ingest throughput and ratios for one dataset."""
    queries = data["queries"]
    chunks = ours["chunks"]
    embed_s = data["embed_s"]
    out: dict[str, Any] = {"dataset": data["dataset"], "chunks": chunks, "documents": len(data["documents"]),
                           "queries": len(queries), "embed_s": round(embed_s, 2), "modes": {}}
    for mode in ("vector", "hybrid"):
        a, b = score(ours["ranked"][mode], queries), score(theirs["ranked"][mode], queries)
        la, lb = latency_ms(ours["seconds"][mode]), latency_ms(theirs["seconds"][mode])
        out["modes"][mode] = {"ours": {**a, "latency_ms": la}, "chroma": {**b, "latency_ms": lb},
                              "ratio": {**{k: ratio(a[k], b[k]) for k in a}, "latency_p50": ratio(la["p50"], lb["p50"]),
                                        "latency_p95": ratio(la["p95"], lb["p95"])}}
    ours_store = chunks / ours["write_s"]
    theirs_store = chunks / theirs["add_s"]
    ours_total = chunks / (embed_s + ours["write_s"])
    theirs_total = chunks / (embed_s + theirs["add_s"])
    out["ingest"] = {
        "ours_store_chunks_per_s": round(ours_store, 1), "chroma_store_chunks_per_s": round(theirs_store, 1),
        "ratio_store": ratio(ours_store, theirs_store),
        "ours_with_embedding_chunks_per_s": round(ours_total, 1),
        "chroma_with_embedding_chunks_per_s": round(theirs_total, 1), "ratio_with_embedding": ratio(ours_total,
                                                                                                    theirs_total),
        "ours_fts_fold_s": round(ours["fts_fold_s"], 2), "chroma_bm25_build_s": round(theirs["bm25_build_s"], 3),
    }
    return out


def summarise_scaling(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (size, our store): p50/p95 of both, ratios, ingest rates, Chroma's HNSW recall."""
    by_rows = {t["rows"]: t for t in theirs}
    rows = []
    for entry in ours:
        other = by_rows.get(entry["rows"])
        row: dict[str, Any] = {"rows": entry["rows"], "store": entry["store"], "runs": entry["runs"],
                               "ours_add_rows_per_s": round(entry["added"] / max(entry["add_s"], 1e-9), 1),
                               "ours_fts_fold_s": round(entry["fts_fold_s"], 2)}
        if "index_build_s" in entry:
            row.update({"ours_index_build_s": round(entry["index_build_s"], 1),
                        "ours_recall@10_vs_exact": entry["recall@10_vs_exact"]})
        for mode in ("vector", "hybrid"):
            row[f"ours_{mode}_ms"] = latency_ms(entry["seconds"][mode])
            if other:
                row[f"chroma_{mode}_ms"] = latency_ms(other["seconds"][mode])
                row[f"ratio_{mode}_p50"] = ratio(row[f"ours_{mode}_ms"]["p50"], row[f"chroma_{mode}_ms"]["p50"])
                row[f"ratio_{mode}_p95"] = ratio(row[f"ours_{mode}_ms"]["p95"], row[f"chroma_{mode}_ms"]["p95"])
        if other:
            row.update({"chroma_add_rows_per_s": round(other["added"] / max(other["add_s"], 1e-9), 1),
                        "chroma_bm25_build_s": round(other["bm25_build_s"], 2),
                        "chroma_recall@10_vs_exact": other["recall@10_vs_exact"],
                        "ratio_add": ratio(row["ours_add_rows_per_s"],
                                           round(other["added"] / max(other["add_s"], 1e-9), 1))})
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run both sides, save bench/results/retrieval.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000" if quick() else "1000,10000,100000")
    parser.add_argument("--s3-max", type=int, default=10_000, help="largest size on moto S3 (larger: local only)")
    parser.add_argument("--runs", type=int, default=10 if quick() else 30, help="searches per latency figure")
    args = parser.parse_args(argv)
    setup_env()
    started = time.time()
    chroma_python()  # create the venv first, outside every measurement
    server = start_moto()
    try:
        from chalicelib.rag.embeddings import get_embedder

        onnx = get_embedder("onnx")
        with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
            work = Path(tmp)
            prepared = [prepare(name, onnx) for name in DATASET_NAMES]
            ours_q = [ours_quality(d) for d in prepared]
            print(f"ours: quality done after {time.time() - started:.0f}s", flush=True)
            base_text = [p for d in prepared for p in d["passages"]]
            base_vec = np.vstack([d["vectors"] for d in prepared])
            lat_queries = [q for d in prepared for q in d["query_texts"][:30]]
            lat_vectors = np.vstack([d["query_vectors"][:30] for d in prepared])
            sizes = [int(s) for s in args.sizes.split(",") if s]
            ours_s, scaling_job = ours_scaling(sizes, args.s3_max, args.runs, base_text, base_vec, lat_queries,
                                               lat_vectors, work)
            np.save(work / "latency-queries.npy", lat_vectors)
            scaling_job["query_vectors"] = str(work / "latency-queries.npy")
            print(f"ours: scaling done after {time.time() - started:.0f}s; Chroma next", flush=True)
            theirs = run_chroma({"dir": str(work / "chroma"),
                                 "quality": [chroma_quality_job(d, work) for d in prepared],
                                 "scaling": scaling_job}, work)
    finally:
        server.stop()
    quality = [summarise_quality(d, o, t) for d, o, t in zip(prepared, ours_q, theirs["quality"], strict=True)]
    ingest_ratios = [q["ingest"]["ratio_with_embedding"] for q in quality]
    data = {"chromadb": theirs["chromadb"], "candidates": CANDIDATES, "bm25_weight": BM25_WEIGHT,
            "quality": quality, "ingest_ratio_with_embedding": spread(ingest_ratios, 2),
            "scaling": summarise_scaling(ours_s, theirs["scaling"]), "seconds": round(time.time() - started)}
    path = save_json("retrieval", data)
    print(f"wrote {path.relative_to(ROOT)} after {data['seconds']}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
