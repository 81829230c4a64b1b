"""`python -m bench.draft_floor`: the relevance floor under which a template draft quotes no passage.

The floor is a cosine similarity between the question and a passage (MiniLM through ONNX, as the product embeds).
In scope: Bitext `queries_dev` against the 81 Bitext KB passages, counting which of the top 3 are relevant.
Off topic: CLINC150 dev `oos` questions against the same passages: a floor should leave them nothing to quote.
Writes bench/results/draft_floor.json and prints the table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import csv

import numpy as np

from bench._common import DATASETS, read_jsonl, save_json, setup_env

FLOORS = (0.25, 0.30, 0.35, 0.40, 0.45, 0.50)
TOP = 3


def main() -> int:
    """Measure, save, print."""
    setup_env()
    from chalicelib.ai.drafting import RELEVANCE_FLOOR, SECOND_PASSAGE_GAP
    from chalicelib.rag.embeddings import create_embedder

    kb = read_jsonl(DATASETS / "bitext_kb_retrieval" / "kb.jsonl")
    queries = read_jsonl(DATASETS / "bitext_kb_retrieval" / "queries_dev.jsonl")
    with (DATASETS / "clinc150" / "dev.csv").open(encoding="utf-8") as fh:
        off_topic = [row["text"] for row in csv.DictReader(fh) if row["label"] == "oos"]
    embedder = create_embedder("onnx")
    passages = np.asarray(embedder.embed([f"{d['title']}\n{d['text']}" for d in kb]))
    sims = np.asarray(embedder.embed([q["text"] for q in queries])) @ passages.T
    off_max = (np.asarray(embedder.embed(off_topic)) @ passages.T).max(axis=1)
    relevant, irrelevant, top1, top1_ok = [], [], [], []
    for i, query in enumerate(queries):
        order = np.argsort(-sims[i])[:TOP]
        for j in order:
            (relevant if kb[j]["doc_id"] in query["relevant_doc_ids"] else irrelevant).append(float(sims[i, j]))
        top1.append(float(sims[i, order[0]]))
        top1_ok.append(kb[order[0]]["doc_id"] in query["relevant_doc_ids"])
    rel, irr, best, ok = np.array(relevant), np.array(irrelevant), np.array(top1), np.array(top1_ok)
    rows = []
    for floor in FLOORS:
        quoted = best >= floor
        rows.append({"floor": floor, "relevant_top3_kept": round(float((rel >= floor).mean()), 4),
                     "irrelevant_top3_kept": round(float((irr >= floor).mean()), 4),
                     "questions_quoting": round(float(quoted.mean()), 4),
                     "first_passage_relevant": round(float(ok[quoted].mean()), 4) if quoted.any() else None,
                     "off_topic_quoting": round(float((off_max >= floor).mean()), 4)})
    result = {"floor_in_product": RELEVANCE_FLOOR, "second_passage_gap": SECOND_PASSAGE_GAP,
              "in_scope_questions": len(queries), "off_topic_questions": len(off_topic), "passages": len(kb),
              "off_topic_max_similarity_p99": round(float(np.percentile(off_max, 99)), 4), "rows": rows}
    save_json("draft_floor", result)
    print("| floor | relevant top-3 passages kept | irrelevant top-3 kept | questions quoting | first passage "
          "relevant | off-topic questions quoting |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['floor']:.2f} | {r['relevant_top3_kept']} | {r['irrelevant_top3_kept']} | "
              f"{r['questions_quoting']} | {r['first_passage_relevant']} | {r['off_topic_quoting']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
