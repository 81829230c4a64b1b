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

import numpy as np

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
    from chalicelib.rag.settings import get_kb_settings
    from chalicelib.rag.store import VectorStore, fuse

    docs, queries = load(dataset, split)
    texts = [q["text"] for q in queries]
    base = get_kb_settings()
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


NONSENSE = ["zxqv blorf", "qwpoeiru asdlkfj", "blorf zxqv snarp", "lorem ipsum dolor sit amet", "asdf jkl; qwer",
            "xyzzy plugh", "glorp vrank tiddle", "mmmm hmmm", "zzzz", "frobnicate the quux"]


def off_topic(split: str) -> list[str]:
    """No-answer queries: CLINC150's out-of-scope rows of the split, plus nonsense strings."""
    import csv

    with (DATASETS / "clinc150" / f"{split}.csv").open(encoding="utf-8") as handle:
        oos = [row["text"] for row in csv.DictReader(handle) if row["label"] == "oos"]
    return oos + NONSENSE


def relevance(split: str, onnx: Any, margins: list[float], floors: list[float]) -> list[dict[str, Any]]:
    """Today's rank fusion (LanceDB vector + FTS, RRF with BM25 at 0.25) against the snapshot's blended score at each
    BM25 margin and relevance floor: MRR@10 on the retrieval sets, and the share of off-topic queries answered empty."""
    import pyarrow as pa

    from chalicelib.rag.settings import get_kb_settings
    from chalicelib.rag.snapshot import Snapshot
    from chalicelib.rag.store import VectorStore, _row, _schema, fuse
    from chalicelib.services import kb

    noise = off_topic(split)
    noise_vecs = onnx.embed(noise)
    base = get_kb_settings()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = type(base)(**{**base.__dict__, "store_uri": tmp, "storage_options": {}})
        for dataset in ("bitext_kb_retrieval", "stackfaq_retrieval"):
            docs, queries = load(dataset, split)
            texts = [q["text"] for q in queries]
            qvecs = onnx.embed(texts)
            store = VectorStore(settings, f"relevance_{dataset}")
            build(store, docs, onnx, True)
            today = []
            for vector, text in zip(qvecs, texts, strict=True):
                dense = store.vector_search(vector, CANDIDATES)
                sparse = store.text_search(text, CANDIDATES)
                today.append([h.metadata["source"] for h in fuse(vector, dense, sparse, CANDIDATES, 0.25)])
            today_noise = [len(store.vector_search(v, 5)) == 0 for v in noise_vecs]
            out.append({"dataset": dataset, "method": "today: RRF, BM25 weighted 0.25, no floor", "margin": None,
                        "floor": None, **score(today, queries),
                        "off_topic_empty": round(float(np.mean(today_noise)), 4), "answered": 1.0})
            documents = [kb.build_document(d["text"], {"source": d["doc_id"], "title": d["title"]}) for d in docs]
            rows = []
            offset = 0
            vectors = onnx.embed([kb.passage(c, d.title) for d in documents for c in d.chunks])
            for document in documents:
                rows += kb.rows_for(document, document.chunks, vectors[offset:offset + len(document.chunks)], "x")
                offset += len(document.chunks)
            snap = Snapshot(0, pa.Table.from_pylist([_row(r) for r in rows], schema=_schema(onnx.dim)), onnx.dim)
            sources = snap.hit_rows.column("source").to_pylist()
            for margin in margins:
                for floor in floors:
                    ranked = [[sources[h.row] for h in snap.search(v, t, CANDIDATES, margin=margin, max_distance=floor)]
                              for v, t in zip(qvecs, texts, strict=True)]
                    empty = [not snap.search(v, t, 5, margin=margin, max_distance=floor)
                             for v, t in zip(noise_vecs, noise, strict=True)]
                    out.append({"dataset": dataset, "method": "blend", "margin": margin, "floor": floor,
                                **score(ranked, queries), "off_topic_empty": round(float(np.mean(empty)), 4),
                                "answered": round(float(np.mean([bool(r) for r in ranked])), 4)})
    return out


def main(argv: list[str] | None = None) -> int:
    """Run, save JSON, write the report section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--relevance", action="store_true", help="fusion margins and relevance floors only")
    args = parser.parse_args(argv)
    setup_env()
    from chalicelib.rag.embeddings import HashEmbedder, OnnxEmbedder
    from chalicelib.rag.settings import get_kb_settings

    onnx = OnnxEmbedder(get_kb_settings().onnx_model_path)
    if args.relevance:
        found = relevance(args.split, onnx, [0.0, 0.02, 0.05, 0.1, 0.2],
                          [2.0, 0.8, 0.75, 0.7, 0.68, 0.66, 0.64, 0.62, 0.6, 0.58, 0.55])
        print(f"wrote {save_json(f'kb_relevance_{args.split}', {'split': args.split, 'results': found})}")
        return 0
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
