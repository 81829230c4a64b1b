"""KB speed: `python -m bench.kb_speed`.

Model load time (torch vs ONNX, fresh processes), raw embedder throughput vs ingest throughput through the
product's path (moto S3 + DynamoDB leases), and search latency at 1k / 10k / 100k chunks with and without
an IVF_PQ index. The large tables are synthesised from the datasets' real chunks: each copy has perturbed
text (words dropped, a variant tag) and a perturbed vector (Gaussian noise, renormalised), so the full-text
index and the vector search see realistic, non-identical rows without embedding 100k texts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

from bench._common import (
    DATASETS,
    ROOT,
    embedder_cold_runs,
    machine,
    read_jsonl,
    save_json,
    setup_env,
    start_moto,
    table,
    write_section,
)


def pct(values: list[float], q: float) -> float:
    """The q-th percentile in milliseconds."""
    return float(np.percentile(np.asarray(values) * 1000, q))


def model_load(runs: int) -> dict[str, Any]:
    """Import + load + first query of each backend, in fresh processes (a cold Lambda)."""
    out: dict[str, Any] = {}
    for kind in ("onnx", "torch"):
        samples = embedder_cold_runs(kind, runs)
        out[kind] = {key: round(statistics.median(s[key] for s in samples), 3) for key in samples[0]
                     if key != "wall_s"}
    return out


def import_app_time(runs: int = 5) -> float:
    """Median seconds for `python -c "import app"` (the API Lambda's cold import)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def corpus() -> list[dict[str, Any]]:
    """The retrieval datasets' passages as KB documents."""
    docs = []
    for name in ("bitext_kb_retrieval", "stackfaq_retrieval"):
        for d in read_jsonl(DATASETS / name / "kb.jsonl"):
            docs.append({"text": d["text"], "metadata": {"source": d["doc_id"], "title": d["title"]}})
    return docs


def throughput(onnx: Any, torch_embedder: Any, docs: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str], Any]:
    """Raw embedder chunks/s vs the product's ingest (chunk + embed + lease + LanceDB append + records).

    Also returns the passages and their ONNX vectors (the seed of the synthetic tables)."""
    from chalicelib.schemas.kb import KbIngestIn
    from chalicelib.services import kb

    documents = [kb.build_document(d["text"], d["metadata"]) for d in docs]
    passages = [kb.passage(c, d.title) for d in documents for c in d.chunks]
    raw = {}
    vectors = None
    for name, embedder in (("onnx", onnx), ("torch", torch_embedder)):
        embedder.embed(passages[:32])
        started = time.perf_counter()
        out = embedder.embed(passages)
        raw[name] = round(len(passages) / (time.perf_counter() - started), 1)
        vectors = out if vectors is None else vectors
    batch = 20
    started = time.perf_counter()
    for start in range(0, len(docs), batch):
        kb.ingest(data=KbIngestIn(documents=docs[start:start + batch]))
    ingest_s = time.perf_counter() - started
    singles = docs[:40]
    started = time.perf_counter()
    for doc in singles:
        kb.ingest(data=KbIngestIn(documents=[doc]))
    single_s = time.perf_counter() - started
    single_chunks = sum(len(kb.build_document(d["text"], d["metadata"]).chunks) for d in singles)
    return {"chunks": len(passages), "documents": len(docs), "raw_chunks_per_s": raw,
            "ingest_chunks_per_s": round(len(passages) / ingest_s, 1), "ingest_batch_documents": batch,
            "ingest_one_document_per_request_chunks_per_s": round(single_chunks / single_s, 1)}, passages, vectors


def synthetic(base_text: list[str], base_vec: Any, n: int, offset: int, rng: Any) -> Any:
    """n perturbed copies of the base chunks as an Arrow table."""
    import pyarrow as pa

    from chalicelib.rag.store import _schema

    picks = (np.arange(offset, offset + n) % len(base_text)).astype(int)
    noise = rng.normal(0, 0.02, size=(n, base_vec.shape[1])).astype(np.float32)
    vectors = base_vec[picks] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = []
    for i, p in enumerate(picks):
        words = base_text[p].split()
        keep = [w for w in words if rng.random() > 0.1] or words
        texts.append(" ".join(keep) + f" (variant {offset + i})")
    ids = [f"syn-{offset + i:07d}" for i in range(n)]
    return pa.table({
        "id": ids, "text": texts, "search_text": texts,
        "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1), pa.float32()), base_vec.shape[1]),
        "source": [f"syn/{(offset + i) // 5}.md" for i in range(n)], "title": [None] * n, "heading": [""] * n,
        "chunk_index": pa.array([(offset + i) % 5 for i in range(n)], pa.int32()),
        "created_at": ["bench"] * n, "metadata": ["{}"] * n,
    }, schema=_schema(base_vec.shape[1]))


def latency(store: Any, queries: list[str], vectors: Any, runs: int, mode: str, refine: int | None) -> list[float]:
    """Seconds per search (query embedding excluded)."""
    samples = []
    for i in range(runs + 3):
        q = i % len(queries)
        started = time.perf_counter()
        if mode == "vector":
            store.vector_search(vectors[q], 5, None, refine)
        else:
            store.hybrid_search(vectors[q], queries[q], 5, None, 40, refine)
        if i >= 3:  # the first searches warm caches
            samples.append(time.perf_counter() - started)
    return samples


def search_scaling(onnx: Any, base_text: list[str], base_vec: Any, sizes: list[int], runs: int,
                   backend: str) -> list[dict[str, Any]]:
    """p50/p95 at each size: exact search, then with an IVF_PQ index (and its recall@10 against exact)."""
    import tempfile

    from chalicelib.rag.store import VectorStore, store_location

    queries = [q["text"] for name in ("bitext_kb_retrieval", "stackfaq_retrieval")
               for q in read_jsonl(DATASETS / name / "queries_dev.jsonl")[:30]]
    qvec = onnx.embed(queries)
    settings = store_location()
    if backend == "local":
        settings = type(settings)(**{**settings.__dict__, "store_uri": tempfile.mkdtemp(prefix="kb-bench-"),
                                     "storage_options": {}})
    store = VectorStore(settings, f"scale_{backend}")
    table_ = store.table()
    rng = np.random.default_rng(7)
    rows = 0
    results = []
    for size in sizes:
        while rows < size:
            n = min(10_000, size - rows)
            table_.add(synthetic(base_text, base_vec, n, rows, rng))
            rows += n
        started = time.perf_counter()
        store.ensure_indexes(vector_index_min_rows=10**12)  # compact, fold rows into the FTS index
        optimize_s = time.perf_counter() - started
        n_runs = runs if size < 50_000 else max(10, runs // 2)
        exact = {mode: latency(store, queries, qvec, n_runs, mode, None) for mode in ("vector", "hybrid")}
        exact_top = [[h.id for h in store.vector_search(v, 10)] for v in qvec[:20]]
        entry: dict[str, Any] = {"store": backend, "rows": store.count(), "optimize_s": round(optimize_s, 2),
                                 "runs": n_runs}
        for mode, samples in exact.items():
            entry[f"exact_{mode}_p50_ms"] = round(pct(samples, 50), 1)
            entry[f"exact_{mode}_p95_ms"] = round(pct(samples, 95), 1)
        if size >= 10_000:
            from lancedb.index import IvfPq

            started = time.perf_counter()
            partitions = max(1, int(size ** 0.5))
            store.table().create_index("vector", config=IvfPq(distance_type="cosine", num_partitions=partitions,
                                                              num_sub_vectors=48))
            entry["ivf_pq_build_s"] = round(time.perf_counter() - started, 1)
            entry["ivf_pq_partitions"] = partitions
            for refine in (None, 10):
                label = "ivfpq" if refine is None else "ivfpq_refine10"
                samples = latency(store, queries, qvec, n_runs, "vector", refine)
                entry[f"{label}_vector_p50_ms"] = round(pct(samples, 50), 1)
                entry[f"{label}_vector_p95_ms"] = round(pct(samples, 95), 1)
                got = [[h.id for h in store.vector_search(v, 10, None, refine)] for v in qvec[:20]]
                entry[f"{label}_recall@10"] = round(float(np.mean(
                    [len(set(a) & set(b)) / 10 for a, b in zip(got, exact_top, strict=True)])), 3)
            samples = latency(store, queries, qvec, n_runs, "hybrid", 10)
            entry["ivfpq_refine10_hybrid_p50_ms"] = round(pct(samples, 50), 1)
            entry["ivfpq_refine10_hybrid_p95_ms"] = round(pct(samples, 95), 1)
            store.table().drop_index("vector_idx")
        results.append(entry)
        print(json.dumps(entry))
    return results


def main(argv: list[str] | None = None) -> int:
    """Run everything, save JSON, write the report section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="chunk counts, local-directory store")
    parser.add_argument("--s3-sizes", default="1000,10000", help="chunk counts, S3 store on moto")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--load-runs", type=int, default=2)
    parser.add_argument("--documents", type=int, default=300, help="dataset passages for the throughput runs")
    args = parser.parse_args(argv)
    setup_env()
    started = time.time()
    loads = model_load(args.load_runs)
    print("model load", json.dumps(loads))
    app_import = import_app_time()
    server = start_moto()
    try:
        from chalicelib.config import get_settings
        from chalicelib.rag.embeddings import OnnxEmbedder, TorchEmbedder, get_embedder

        onnx = get_embedder("onnx") if get_settings().kb.onnx_model_path.exists() else None
        if onnx is None:
            raise SystemExit("export the ONNX model first: make bootstrap")
        assert isinstance(onnx, OnnxEmbedder)
        speed, base_text, base_vec = throughput(onnx, TorchEmbedder(), corpus()[:args.documents])
        print("throughput", json.dumps(speed))
        query_times = []
        for q in ["how do I reset my password", "when is my money returned", "vpn drops every hour"] * 10:
            t = time.perf_counter()
            onnx.embed([q])
            query_times.append(time.perf_counter() - t)
        scaling = search_scaling(onnx, base_text, base_vec, [int(s) for s in args.sizes.split(",") if s], args.runs,
                                 "local")
        scaling += search_scaling(onnx, base_text, base_vec, [int(s) for s in args.s3_sizes.split(",") if s],
                                  args.runs, "s3")
    finally:
        server.stop()
    data = {"model_load": loads, "load_runs": args.load_runs, "import_app_s": app_import, "throughput": speed,
            "query_embedding_ms": {"p50": round(pct(query_times, 50), 1), "p95": round(pct(query_times, 95), 1)},
            "search": scaling}
    path = save_json("kb_speed", data)
    write_section("speed", render(data, time.time() - started, path.relative_to(ROOT)))
    print(f"wrote {path}")
    return 0


def render(data: dict[str, Any], seconds: float, path: Any) -> str:
    """The Markdown section."""
    load = data["model_load"]
    t = data["throughput"]
    rows = []
    for e in data["search"]:
        rows.append([e["store"], f"{e['rows']:,}", f"{e['exact_vector_p50_ms']} / {e['exact_vector_p95_ms']}",
                     f"{e['exact_hybrid_p50_ms']} / {e['exact_hybrid_p95_ms']}",
                     f"{e['ivfpq_vector_p50_ms']} / {e['ivfpq_vector_p95_ms']} (recall {e['ivfpq_recall@10']})"
                     if "ivfpq_vector_p50_ms" in e else "-",
                     f"{e['ivfpq_refine10_vector_p50_ms']} / {e['ivfpq_refine10_vector_p95_ms']} "
                     f"(recall {e['ivfpq_refine10_recall@10']})" if "ivfpq_refine10_vector_p50_ms" in e else "-",
                     f"{e['ivfpq_refine10_hybrid_p50_ms']} / {e['ivfpq_refine10_hybrid_p95_ms']}"
                     if "ivfpq_refine10_hybrid_p50_ms" in e else "-",
                     f"{e.get('ivf_pq_build_s', '-')}"])
    return f"""### Speed

`python -m bench.kb_speed` ({seconds:.0f} s on {machine()}; raw numbers in `{path}`). Shared, noisy 2-core
machine: read these as orders of magnitude.

**Model load** (a fresh process each, median of {data["load_runs"]} runs per embedder; a cold Lambda pays this once):

{table(["embedder", "import s", "load s", "first query s", "peak RSS MB"],
       [[k, v["import_s"], v["load_s"], v["first_query_s"], round(v["rss_mb"])] for k, v in load.items()])}

`python -c "import app"` (the API's cold import, no model library): {data["import_app_s"]} s.
One query embedding (ONNX): p50 {data["query_embedding_ms"]["p50"]} ms, p95 {data["query_embedding_ms"]["p95"]} ms.

**Ingest throughput** over the datasets' {t["documents"]} passages ({t["chunks"]} chunks):

{table(["what", "chunks/s"], [
    ["raw ONNX embedder (batch 8)", t["raw_chunks_per_s"]["onnx"]],
    ["raw torch embedder (batch 64)", t["raw_chunks_per_s"]["torch"]],
    [f"POST /api/kb/ingest path, {t['ingest_batch_documents']} documents per request (moto S3 + DynamoDB)",
     t["ingest_chunks_per_s"]],
    ["same, one document per request", t["ingest_one_document_per_request_chunks_per_s"]],
])}

**Search latency** (ms, p50 / p95; top 5; query embedding excluded; synthetic rows, see the script's
docstring). `local` = LanceDB on a local directory (the engine's own cost); `s3` = LanceDB on moto server's S3
in the same process (what `make dev` runs; moto copies a whole object for every ranged GET, so its cost grows
with file size in a way real S3 does not; 100k on moto is left out for that reason). Hybrid = vector + BM25,
run concurrently and fused by rank (what the API serves).

{table(["store", "chunks", "exact vector", "exact hybrid", "IVF_PQ vector", "IVF_PQ + refine 10", "IVF_PQ hybrid",
        "index build s"], rows)}
"""


if __name__ == "__main__":
    raise SystemExit(main())
