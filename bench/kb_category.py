"""KB search with the desk's history and categories: `python -m bench.kb_category`.

The Bitext KB with the product's chunking, ONNX MiniLM embedder and LanceDB store, searched the way the API does
(hybrid, BM25 weighted 0.25), then re-ranked by services/kb_context.prefer:
- the history: Bitext `queries_train` labelled with their intent plus CLINC150 train `oos` rows (out_of_scope),
  trained with the product's classifier (ai/classifier.train) on the same embedder;
- the categories: each passage's `metadata.category` = its intent ("tagged"), or no tags and the links an agent
  would have taught by sending suggested replies (each train query's intent -> its relevant passages, "learnt");
- the context: the category the classifier predicts for each dev query (the API's behaviour without `category` or
  `ticket_id`), used when its confidence clears kb_context.MIN_PREDICTED_CONFIDENCE.
MRR@10 and recall@1 over documents on the dev queries; the boost is swept on dev (tune on dev only).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections import defaultdict
from typing import Any

import numpy as np

from bench._common import DATASETS, machine_info, read_jsonl, save_json, setup_env, table, write_section
from bench.kb_quality import CANDIDATES, score

KB = DATASETS / "bitext_kb_retrieval"
BOOSTS = [0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0]
TARGET_MRR = 0.95


def history() -> tuple[list[str], list[str]]:
    """Texts and labels of the desk's history."""
    train = read_jsonl(KB / "queries_train.jsonl")
    texts = [" ".join(q["text"].split()) for q in train]
    labels = [q["intent"] for q in train]
    with (DATASETS / "clinc150" / "train.csv").open(encoding="utf-8", newline="") as fh:
        oos = [r["text"] for r in csv.DictReader(fh) if r["label"] == "oos"]
    return texts + oos, labels + ["out_of_scope"] * len(oos)


def write_report(data: dict[str, Any]) -> None:
    """This bench's section of docs/BENCHMARKS.md, from its JSON (bench/results/kb_category.json)."""
    from chalicelib.services import kb_context

    results, product, dev_n = data["results"], data["product"], data["queries"]
    accuracy, texts_n = data["classifier_accuracy_dev"], data["history_examples"]
    rows = [[r["context"], r["categories"], r["boost"], f"{r['recall@1']:.3f}", f"{r['recall@5']:.3f}",
             f"{r['mrr@10']:.3f}"] for r in results]
    write_section("kb-category", f"""### KB search with the desk's history and categories

`python -m bench.kb_category` ({data['seconds']} s; raw numbers in `bench/results/kb_category.json`). Bitext KB,
{dev_n} dev queries, searched as the API does (hybrid, {kb_context.PREFER_CANDIDATES} candidates), then
re-ranked by `services/kb_context.prefer`: a result answering the context's category has its score multiplied by
`1 + boost * confidence`. The context is the category the classifier (trained on the {texts_n} history examples,
{accuracy:.1%} accurate on these queries) predicts for the query, used when it is at least
{kb_context.MIN_PREDICTED_CONFIDENCE} sure; "given" passes the true intent as `category` (an upper bound).
"tagged": passages carry `metadata.category`; "learnt": no tags, only the links agents teach by sending suggested
replies (here: each train query's intent -> its relevant passages). Boost 0 is the search without context.
**The product's setting (boost {kb_context.PREFER_BOOST}, predicted, tagged): MRR@10 {product['mrr@10']:.3f}**
(target {TARGET_MRR}).

{table(["context", "categories", "boost", "recall@1", "recall@5", "MRR@10"], rows)}
""")


def main(argv: list[str] | None = None) -> int:
    """Build, train, search, re-rank, score; save JSON and the report section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    setup_env()
    from chalicelib.ai import classifier
    from chalicelib.config import get_settings
    from chalicelib.rag.embeddings import OnnxEmbedder
    from chalicelib.rag.store import VectorStore, store_location
    from chalicelib.services import kb, kb_context

    started = time.time()
    onnx = OnnxEmbedder(get_settings().kb.onnx_model_path)
    docs = read_jsonl(KB / "kb.jsonl")
    train = read_jsonl(KB / "queries_train.jsonl")
    dev = read_jsonl(KB / "queries_dev.jsonl")
    intent_of: dict[str, str] = {}
    for query in train:
        for doc_id in query["relevant_doc_ids"]:
            intent_of[doc_id] = query["intent"]
    learnt: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for query in train:
        for doc_id in query["relevant_doc_ids"]:
            learnt[query["intent"]][doc_id] += 1

    texts, labels = history()
    model = classifier.train(np.asarray(onnx.embed(texts), dtype=np.float32), labels, vector_space=onnx.space)
    dev_texts = [q["text"] for q in dev]
    dev_vectors = np.asarray(onnx.embed(dev_texts), dtype=np.float32)
    predictions = model.predict(dev_vectors)
    accuracy = float(np.mean([p.category == q["intent"] for p, q in zip(predictions, dev, strict=True)]))

    base = store_location()
    with tempfile.TemporaryDirectory() as tmp:
        settings = type(base)(**{**base.__dict__, "store_uri": tmp, "storage_options": {}})
        store = VectorStore(settings, "bitext_category")
        documents = [kb.build_document(d["text"], {"source": d["doc_id"], "title": d["title"],
                                                   **({"category": intent_of[d["doc_id"]]}
                                                      if d["doc_id"] in intent_of else {})}) for d in docs]
        vectors = onnx.embed([kb.passage(c, d.title) for d in documents for c in d.chunks])
        rows, offset = [], 0
        for document in documents:
            rows += kb.rows_for(document, document.chunks, vectors[offset:offset + len(document.chunks)], "bench")
            offset += len(document.chunks)
        store.add(rows)
        store.ensure_indexes(vector_index_min_rows=10**12)
        searched = time.perf_counter()
        retrieved = []
        for i, text in enumerate(dev_texts):
            hits = store.hybrid_search(dev_vectors[i], text, kb_context.PREFER_CANDIDATES, None, CANDIDATES, None,
                                       kb.bm25_weight())
            retrieved.append([{"id": h.id, "metadata": h.metadata, "distance": h.distance, "score": h.score}
                              for h in hits])
        search_ms = (time.perf_counter() - searched) * 1000 / len(dev)

    def contexts(kind: str) -> list[Any]:
        out = []
        for prediction, query in zip(predictions, dev, strict=True):
            if kind == "given":
                out.append(kb_context.SearchContext(query["intent"], 1.0, "request", True))
            else:
                used = not prediction.out_of_scope and prediction.confidence >= kb_context.MIN_PREDICTED_CONFIDENCE
                out.append(kb_context.SearchContext(prediction.category, prediction.confidence, "predicted", used))
        return out

    def run(kind: str, categories: str, boost: float) -> dict[str, Any]:
        ranked = []
        for results, context in zip(retrieved, contexts(kind), strict=True):
            if categories == "learnt":
                results = [{**r, "metadata": {k: v for k, v in r["metadata"].items() if k != "category"}}
                           for r in results]
                links = dict(learnt.get(context.category or "", {}))
            else:
                links = {}
            ranked.append([r["metadata"]["source"] for r in kb_context.prefer(results, context, 10, links, boost)])
        return {"context": kind, "categories": categories, "boost": boost, **score(ranked, dev)}

    results = [run("predicted", "tagged", 0.0)]
    results += [run("predicted", categories, b) for categories in ("tagged", "learnt") for b in BOOSTS[1:]]
    results += [run("given", "tagged", kb_context.PREFER_BOOST)]
    product = next(r for r in results if r["context"] == "predicted" and r["categories"] == "tagged"
                   and r["boost"] == kb_context.PREFER_BOOST)
    data = {"machine": machine_info(), "queries": len(dev), "history_examples": len(texts),
            "classifier_accuracy_dev": round(accuracy, 4), "search_ms_per_query": round(search_ms, 1),
            "product_boost": kb_context.PREFER_BOOST, "product": product, "target_mrr": TARGET_MRR,
            "results": results, "seconds": round(time.time() - started)}
    path = save_json("kb_category", data)
    print(f"MRR@10 {product['mrr@10']} (product, boost {kb_context.PREFER_BOOST}); classifier accuracy "
          f"{accuracy:.4f}; wrote {path}")
    if not args.no_report:
        write_report(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
