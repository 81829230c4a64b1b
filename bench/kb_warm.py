"""The warm search path (the in-memory snapshot): `python -m bench.kb_warm` (writes bench/results/kb_warm.json).

For each size: synthetic chunks (bench.kb_speed.synthetic, from the retrieval sets' passages) in a LanceDB table on
moto S3 (or a local directory with --local-sizes), then in this process
- the cold first search (the snapshot read whole) and the memory the snapshot holds (its arrays, and the RSS growth);
- warm search p50/p95, vector and hybrid (top 5, query embedding excluded), the version check included;
- the same searches through LanceDB (today's path), and the snapshot's recall@10 against LanceDB's exact search;
- freshness: a second OS process appends a row, then deletes it; the time from its commit returning to this
  process's search showing the change (polling every 20 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import DATASETS, ROOT, latency_ms, read_jsonl, save_json, setup_env, start_moto
from bench.kb_speed import latency, synthetic
from bench.retrieval import store_for

MARGIN = 0.1


def rss_mb() -> float:
    """The peak resident set of this process, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def warm_latency(store: Any, queries: list[str], vectors: Any, runs: int, hybrid: bool) -> list[float]:
    """Seconds per search from the snapshot (re-checked as the API does)."""
    samples = []
    for i in range(runs + 3):
        q = i % len(queries)
        started = time.perf_counter()
        store.search(vectors[q], queries[q] if hybrid else None, 5, margin=MARGIN)
        if i >= 3:
            samples.append(time.perf_counter() - started)
    return samples


def freshness(store: Any, table: str, local_dir: str | None) -> dict[str, float]:
    """Seconds from another process's commit to this process seeing it, for an append and for a delete."""
    vector = fresh_vector()
    store.search(vector, None, 1)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "bench.kb_warm", "--write", table, *(["--dir", local_dir] if local_dir else [])]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    out = {}
    for step, present in (("append_s", True), ("delete_s", False)):
        proc.stdin.write(step + "\n")
        proc.stdin.flush()
        committed = float(proc.stdout.readline())
        while any(h.id == "fresh-row" for h in store.search(vector, None, 5)) != present:
            time.sleep(0.02)
        out[step] = round(time.time() - committed, 3)
    proc.stdin.close()
    proc.wait(timeout=60)
    return out


def fresh_vector() -> list[float]:
    """The appended row's vector: an axis no synthetic row is near, so it tops a search with the same vector."""
    return [1.0] + [0.0] * 383


def writer(table: str, local_dir: str | None, vector: list[float]) -> int:
    """The other process: on each line from stdin, append (then delete) one row; print when the commit returned."""
    store = store_for(table, local_dir)
    store.table()
    for line in sys.stdin:
        if line.strip() == "append_s":
            store.add([{"id": "fresh-row", "text": "fresh", "vector": vector, "source": "fresh.md", "title": None,
                        "heading": "", "chunk_index": 0, "created_at": "bench", "metadata": {}}])
        else:
            store.delete("id = 'fresh-row'")
        sys.stdout.write(f"{time.time()}\n")
        sys.stdout.flush()
    return 0


def measure(size: int, where: str, work: Path, base_text: list[str], base_vec: Any, queries: list[str],
            qvec: Any, runs: int) -> dict[str, Any]:
    """One size on one backend."""
    local_dir = tempfile.mkdtemp(dir=work) if where == "local" else None
    table = f"warm_{where}_{size}"
    store = store_for(table, local_dir)
    rng = np.random.default_rng(7)
    rows = 0
    while rows < size:
        n = min(10_000, size - rows)
        store.table().add(synthetic(base_text, base_vec, n, rows, rng))
        rows += n
    store.ensure_indexes(vector_index_min_rows=10**12)
    lance = {mode: latency_ms(latency(store, queries, qvec, runs, mode, None)) for mode in ("vector", "hybrid")}
    before = rss_mb()
    started = time.perf_counter()
    store.search(qvec[0], queries[0], 5, margin=MARGIN)
    cold_s = time.perf_counter() - started
    snapshot = store.snapshot()
    warm = {"vector": latency_ms(warm_latency(store, queries, qvec, runs, False)),
            "hybrid": latency_ms(warm_latency(store, queries, qvec, runs, True))}
    exact = [[h.id for h in store.vector_search(v, 10)] for v in qvec[:20]]
    got = [[h.id for h in store.search(v, None, 10)] for v in qvec[:20]]
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, exact, strict=True)]))
    entry = {"rows": size, "store": where, "runs": runs, "cold_first_search_s": round(cold_s, 3),
             "snapshot_mb": round(snapshot.nbytes / 2**20, 1), "peak_rss_growth_mb": round(rss_mb() - before, 1),
             "warm_ms": warm, "lance_ms": lance, "recall@10_vs_exact": round(recall, 3),
             "freshness": freshness(store, table, local_dir)}
    print(json.dumps({k: v for k, v in entry.items() if k not in ("warm_ms", "lance_ms")}
                     | {"warm_p50": {m: x["p50"] for m, x in warm.items()},
                        "lance_p50": {m: x["p50"] for m, x in lance.items()}}), flush=True)
    return entry


def main(argv: list[str] | None = None) -> int:
    """Measure the warm path at each size; save the JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--s3-sizes", default="10000")
    parser.add_argument("--local-sizes", default="100000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    setup_env()
    if args.write:
        return writer(args.write, args.dir, fresh_vector())
    started = time.time()
    server = start_moto()
    try:
        from chalicelib.rag.embeddings import get_embedder

        onnx = get_embedder("onnx")
        docs = [d for name in ("bitext_kb_retrieval", "stackfaq_retrieval")
                for d in read_jsonl(DATASETS / name / "kb.jsonl")]
        base_text = [d["text"] for d in docs]
        base_vec = onnx.embed(base_text)
        queries = [q["text"] for name in ("bitext_kb_retrieval", "stackfaq_retrieval")
                   for q in read_jsonl(DATASETS / name / "queries_dev.jsonl")[:30]]
        qvec = onnx.embed(queries)
        results = []
        with tempfile.TemporaryDirectory(prefix="kb-warm-") as tmp:
            for where, sizes in (("s3", args.s3_sizes), ("local", args.local_sizes)):
                for size in [int(s) for s in sizes.split(",") if s]:
                    results.append(measure(size, where, Path(tmp), base_text, base_vec, queries, qvec, args.runs))
    finally:
        server.stop()
    path = save_json("kb_warm", {"margin": MARGIN, "results": results, "seconds": round(time.time() - started)})
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
