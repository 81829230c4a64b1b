"""Retrieval quality of the KB search on the shared retrieval sets: `python -m bench.kb_quality`.

Builds the KB from each dataset's passages with the product's own chunking, embedding and LanceDB store,
runs the dev queries and scores the ranked chunks at document level. Each row is one step from plain
vector search towards what the API serves (hybrid: vector + BM25 fused by reciprocal rank).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench._common import DATASETS, read_jsonl, save_json, setup_env, table, write_section

CANDIDATES = 40


def load(name: str, split: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A dataset's passages and queries."""
    folder = DATASETS / name
    return read_jsonl(folder / "kb.jsonl"), read_jsonl(folder / f"queries_{split}.jsonl")


def build(store: Any, docs: list[dict[str, Any]], embedder: Any, titled: bool) -> int:
    """Ingest the passages (source = doc_id, title = its title); returns the number of chunks."""
    from chalicelib.services import kb

    documents = [kb.build_document(d["text"], {"source": d["doc_id"], "title": d["title"]}) for d in docs]
    passages = [kb.passage(c, d.title) if titled else c.text for d in documents for c in d.chunks]
    vectors = embedder.embed(passages)
    rows, offset = [], 0
    for document in documents:
        part = kb.rows_for(document, document.chunks, vectors[offset:offset + len(document.chunks)], "bench")
        if not titled:
            for row in part:
                row["search_text"] = row["text"]
        rows += part
        offset += len(document.chunks)
    store.add(rows)
    store.ensure_indexes(vector_index_min_rows=10**12)  # fold the rows into the full-text index, as kb_optimize does
    return len(rows)


def score(ranked_sources: list[list[str]], queries: list[dict[str, Any]]) -> dict[str, float]:
    """recall@1, recall@5 (a relevant document in the top k) and MRR@10, over documents (chunks deduplicated)."""
    r1 = r5 = mrr = 0.0
    for sources, query in zip(ranked_sources, queries, strict=True):
        docs = list(dict.fromkeys(sources))[:10]
        relevant = set(query["relevant_doc_ids"])
        rank = next((i + 1 for i, d in enumerate(docs) if d in relevant), None)
        r1 += rank == 1
        r5 += rank is not None and rank <= 5
        mrr += 1.0 / rank if rank else 0.0
    n = len(queries)
    return {"recall@1": round(r1 / n, 4), "recall@5": round(r5 / n, 4), "mrr@10": round(mrr / n, 4)}


def evaluate(dataset: str, split: str, onnx: Any, hashed: Any) -> list[dict[str, Any]]:
    """Every step on one dataset."""
    from chalicelib.rag.store import VectorStore, fuse, store_location

    docs, queries = load(dataset, split)
    texts = [q["text"] for q in queries]
    base = store_location()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = type(base)(**{**base.__dict__, "store_uri": tmp, "storage_options": {}})
        stores = {}
        for key, embedder, titled in (("hash", hashed, True), ("plain", onnx, False), ("titled", onnx, True)):
            stores[key] = VectorStore(settings, f"{dataset}_{key}")
            chunks = build(stores[key], docs, embedder, titled)
        query_vecs = {"onnx": onnx.embed(texts), "hash": hashed.embed(texts)}

        def run(label: str, ranker: Callable[[int], list[str]]) -> None:
            started = time.perf_counter()
            ranked = [ranker(i) for i in range(len(queries))]
            ms = (time.perf_counter() - started) * 1000 / len(queries)
            results.append({"dataset": dataset, "split": split, "step": label, "queries": len(queries),
                            "chunks": chunks, **score(ranked, queries), "ms_per_query": round(ms, 1)})

        def vec(store: str, space: str) -> Callable[[int], list[str]]:
            return lambda i: [h.metadata["source"] for h in
                              stores[store].vector_search(query_vecs[space][i], CANDIDATES)]

        def fts(store: str) -> Callable[[int], list[str]]:
            return lambda i: [r["source"] for r in stores[store].text_search(texts[i], CANDIDATES)]

        def hybrid(vstore: str, fstore: str, weight: float = 1.0) -> Callable[[int], list[str]]:
            def rank(i: int) -> list[str]:
                dense = stores[vstore].vector_search(query_vecs["onnx"][i], CANDIDATES)
                sparse = stores[fstore].text_search(texts[i], CANDIDATES)
                return [h.metadata["source"] for h in fuse(query_vecs["onnx"][i], dense, sparse, CANDIDATES, weight)]
            return rank

        run("0. hash embedder (fallback), vector only", vec("hash", "hash"))
        run("1. MiniLM vector search, chunk text only", vec("plain", "onnx"))
        run("2. + title and heading embedded with the chunk", vec("titled", "onnx"))
        run("3. BM25 full-text only, chunk text", fts("plain"))
        run("4. BM25 full-text only, title + heading + text", fts("titled"))
        run("5. hybrid RRF of 1 + 3 (no heading trick)", hybrid("plain", "plain"))
        run("6. hybrid RRF of 2 + 4, equal weights", hybrid("titled", "titled"))
        run("7. hybrid RRF of 2 + 4, BM25 weighted 0.5", hybrid("titled", "titled", 0.5))
        run("8. hybrid RRF of 2 + 4, BM25 weighted 0.25 (the API)", hybrid("titled", "titled", 0.25))
    return results


def main(argv: list[str] | None = None) -> int:
    """Run, save JSON, write the report section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    args = parser.parse_args(argv)
    setup_env()
    from chalicelib.config import get_settings
    from chalicelib.rag.embeddings import HashEmbedder, OnnxEmbedder

    onnx = OnnxEmbedder(get_settings().kb.onnx_model_path)
    hashed = HashEmbedder()
    started = time.time()
    results = []
    for dataset in ("bitext_kb_retrieval", "stackfaq_retrieval"):
        results += evaluate(dataset, args.split, onnx, hashed)
        print(f"{dataset}: done after {time.time() - started:.0f}s")
    path = save_json(f"kb_quality_{args.split}", {"split": args.split, "candidates": CANDIDATES, "results": results})
    rows = [[r["dataset"].replace("_retrieval", ""), r["step"], f"{r['recall@1']:.3f}", f"{r['recall@5']:.3f}",
             f"{r['mrr@10']:.3f}", r["ms_per_query"]] for r in results]
    command = "python -m bench.kb_quality" + ("" if args.split == "dev" else " --split train")
    write_section(f"quality-{args.split}", f"""### Retrieval quality ({args.split} queries)

`{command}` ({time.time() - started:.0f} s; raw numbers in `{path.relative_to(path.parents[2])}`).
The KB is built from each dataset's `kb.jsonl` with the product's chunking (500/50), embedder (ONNX MiniLM)
and LanceDB store; every query's ranked chunks are reduced to documents.
recall@k = share of queries with a relevant document in the top k (the datasets' hit@k); MRR@10 = mean
reciprocal rank of the first relevant document. ms/query = search only (query embedding excluded), local store.

{table(["dataset", "step", "recall@1", "recall@5", "MRR@10", "ms/query"], rows)}
""")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
