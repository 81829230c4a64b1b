"""Classification through the product's API, ours vs TF-IDF + logistic regression: `python -m bench.classification`.

For each dataset and variant (all training examples, or 10 per class): a fresh product (moto wiped), the train split
POSTed to `/api/ai/examples` in batches of 1,000 with the local admin's API key (what `kb_loader examples` does),
the trainer run by the real `train_classifier` queue handler on the messages those requests put on the moto train
queue, then every dev text POSTed to `/api/ai/classify` (in-process Chalice client). The baseline, TF-IDF (words
1-2 grams, sublinear tf) + logistic regression, is trained on the very same examples.

Figures: accuracy, macro-F1, ECE (15 equal-width bins), training time (ours: the handler, which embeds the
examples, cross-validates, calibrates and publishes; theirs: fit), prediction latency p50/p95 (ours through the API
and model-only = embed + head; theirs: one text at a time). CLINC150's 100 `oos` training texts are sent labelled
`out_of_scope`, so the trainer picks the out-of-scope threshold; the dev split then gives in-scope accuracy,
out-of-scope recall at that threshold, and the best threshold on dev for comparison.

`make bench` runs the default datasets (bitext_customer_support intent; minutes); `--datasets all` is the AI issue's
full run (banking77, bitext category + intent, clinc150; ~25 min here). Results merge into
bench/results/classification.json per dataset and variant, each with its own date.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import (
    DATASETS,
    ROOT,
    InProcessApi,
    admin_api_key,
    latency_ms,
    load_json,
    quick,
    ratio,
    reset_aws,
    save_json,
    setup_env,
    start_moto,
)

SPECS: dict[str, dict[str, str]] = {
    "banking77": {"folder": "banking77", "text": "text", "label": "label"},
    "bitext_category": {"folder": "bitext_customer_support", "text": "instruction", "label": "category"},
    "bitext_intent": {"folder": "bitext_customer_support", "text": "instruction", "label": "intent"},
    "clinc150": {"folder": "clinc150", "text": "text", "label": "label"},
}
DEFAULT_DATASETS = "bitext_intent"
OOS = "oos"
PRODUCT_OOS = "out_of_scope"
SHOTS = 10
BATCH = 200  # POST /api/ai/examples takes at most 200 examples (schemas/ai.MAX_EXAMPLES_PER_REQUEST)
MODEL_ONLY_SAMPLES = 200
BAR = {"banking77": "fine-tuned BERT-class models: ~93% accuracy (BANKING77 paper, Casanueva et al. 2020)"}


def product_label(label: str) -> str:
    """A label the API accepts (its names allow letters, digits and ` _./&+-`): BANKING77's
    `reverted_card_payment?` becomes `reverted_card_payment`, for both sides and the gold labels alike."""
    return re.sub(r"[^A-Za-z0-9 _./&+-]", "", label.strip())


def read_split(name: str, split: str) -> list[tuple[str, str]]:
    """(text, label) rows of a dataset's split."""
    spec = SPECS[name]
    with (DATASETS / spec["folder"] / f"{split}.csv").open(encoding="utf-8", newline="") as fh:
        return [(row[spec["text"]].strip(), product_label(row[spec["label"]])) for row in csv.DictReader(fh)]


def few_shot(rows: list[tuple[str, str]], shots: int, seed: int = 13) -> list[tuple[str, str]]:
    """`shots` random examples per label (all of a label's examples when it has fewer)."""
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row[1]].append(row)
    rng = random.Random(seed)
    return [row for label in sorted(by_label) for row in rng.sample(by_label[label], min(shots, len(by_label[label])))]


def ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error over equal-width confidence bins (the product's definition, for both sides)."""
    from chalicelib.ai.classifier import calibration_error

    return round(calibration_error(confidence, correct, bins), 4)


def scores(gold: list[str], predicted: list[str], confidence: list[float]) -> dict[str, Any]:
    """Accuracy, macro-F1 (over the gold labels) and ECE."""
    from sklearn.metrics import f1_score

    correct = np.array([g == p for g, p in zip(gold, predicted, strict=True)])
    return {"accuracy": round(float(correct.mean()), 4),
            "macro_f1": round(float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro",
                                             zero_division=0)), 4),
            "ece": ece(np.asarray(confidence, dtype=np.float64), correct)}


def best_threshold(in_conf: np.ndarray, in_correct: np.ndarray, oos_conf: np.ndarray) -> tuple[float, float]:
    """The threshold maximising (in-scope kept-and-right + out-of-scope recall) / 2 on dev, and that score."""
    best, best_score = 0.0, -1.0
    for threshold in np.linspace(0.05, 0.95, 91):
        value = (float(((in_conf >= threshold) & in_correct).mean()) + float((oos_conf < threshold).mean())) / 2
        if value > best_score:
            best, best_score = float(threshold), value
    return round(best, 3), round(best_score, 4)


def oos_figures(gold: list[str], predicted: list[str], confidence: list[float], flagged: list[bool],
                threshold: float | None) -> dict[str, Any]:
    """In-scope accuracy, with and without the out-of-scope flag, and out-of-scope recall."""
    gold_a, conf = np.array(gold), np.asarray(confidence)
    pred_a, flag = np.array(predicted), np.array(flagged)
    in_scope = gold_a != OOS
    right = pred_a == gold_a
    out: dict[str, Any] = {
        "in_scope_accuracy": round(float(right[in_scope].mean()), 4),
        "in_scope_accuracy_kept": round(float((right & ~flag)[in_scope].mean()), 4),
        "oos_recall": round(float(flag[~in_scope].mean()), 4),
        "in_scope_flagged": round(float(flag[in_scope].mean()), 4),
        "threshold_picked": threshold,
    }
    best, value = best_threshold(conf[in_scope], right[in_scope], conf[~in_scope])
    out.update({"best_threshold_on_dev": best, "score_at_best": value,
                "score_at_picked": round((float((right & ~flag)[in_scope].mean()) + out["oos_recall"]) / 2, 4)})
    return out


def train_through_queue(app: Any) -> tuple[float, int]:
    """Run the `train_classifier` handler on every message waiting in the moto train queue (as Lambda would).

    Returns (seconds in the handler, messages handled)."""
    import boto3

    from chalicelib.config import get_settings
    from devstack.dispatcher import Dispatcher

    settings = get_settings()
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url, region_name=settings.region)
    url = sqs.get_queue_url(QueueName=settings.queue_name("train"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    dispatcher = Dispatcher(app, settings)  # not started: only its run_batch (event, context, deletes)
    handler = app.handler_map["train_classifier"]
    seconds, handled = 0.0, 0
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=0,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return seconds, handled
        started = time.perf_counter()
        failed = dispatcher.run_batch(handler, "train_classifier", messages, url, arn)
        seconds += time.perf_counter() - started
        handled += 1
        if failed:
            raise RuntimeError("the train_classifier handler failed; see the log above")


def ours(server: Any, train: list[tuple[str, str]], dev: list[tuple[str, str]], work: Path) -> dict[str, Any]:
    """A fresh product: examples in through the API, training through the queue, dev through /api/ai/classify."""
    from chalicelib.ai import vectors
    from chalicelib.services import classification

    reset_aws(server)
    token = admin_api_key(Path(tempfile.mkdtemp(dir=work)))
    api = InProcessApi(token)
    try:
        started = time.perf_counter()
        examples = [{"text": t, "label": PRODUCT_OOS if label == OOS else label} for t, label in train]
        for start in range(0, len(examples), BATCH):
            api.ok("POST", "/api/ai/examples", {"examples": examples[start:start + BATCH]})
        post_s = time.perf_counter() - started
        train_s, messages = train_through_queue(api.app)
        status = api.ok("GET", "/api/ai/classifier")
        if status["status"] != "ready":
            raise RuntimeError(f"the classifier is not ready after training: {status}")
        predictions, seconds = [], []
        for text, _ in dev:
            t = time.perf_counter()
            predictions.append(api.ok("POST", "/api/ai/classify", {"text": text}))
            seconds.append(time.perf_counter() - t)
        model = classification.current_model()
        assert model is not None
        model_seconds = []
        for text, _ in dev[:MODEL_ONLY_SAMPLES]:
            t = time.perf_counter()
            model.predict(vectors.embed([text]))
            model_seconds.append(time.perf_counter() - t)
    finally:
        api.close()
    return {"post_examples_s": round(post_s, 2), "train_s": round(train_s, 2), "train_messages": messages,
            "classifier": {k: status[k] for k in ("version", "kind", "metrics", "examples", "labels")},
            "predictions": [{"category": p["category"], "confidence": p["confidence"],
                             "out_of_scope": p["out_of_scope"]} for p in predictions],
            "api_latency_ms": latency_ms(seconds), "model_latency_ms": latency_ms(model_seconds)}


def tfidf(train: list[tuple[str, str]], dev: list[tuple[str, str]]) -> dict[str, Any]:
    """TF-IDF + logistic regression: fit time, one-text-at-a-time latency, predictions with probabilities."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                          LogisticRegression(C=10.0, max_iter=2000))
    started = time.perf_counter()
    model.fit([t for t, _ in train], [label for _, label in train])
    fit_s = time.perf_counter() - started
    probs = model.predict_proba([t for t, _ in dev])
    classes = model.classes_
    seconds = []
    for text, _ in dev[:MODEL_ONLY_SAMPLES]:
        t = time.perf_counter()
        model.predict_proba([text])
        seconds.append(time.perf_counter() - t)
    return {"train_s": round(fit_s, 3), "latency_ms": latency_ms(seconds),
            "predictions": [{"category": str(classes[int(np.argmax(p))]), "confidence": float(np.max(p))}
                            for p in probs]}


def evaluate(server: Any, name: str, variant: str, work: Path) -> dict[str, Any]:
    """One dataset and variant, both sides."""
    train_all, dev = read_split(name, "train"), read_split(name, "dev")
    train = train_all if variant == "all" else few_shot(train_all, SHOTS)
    if quick():
        dev = dev[:150]
    started = time.time()
    a = ours(server, train, dev, work)
    b = tfidf(train, dev)
    gold = [label for _, label in dev]
    in_scope = [i for i, g in enumerate(gold) if g != OOS]
    pick = (lambda xs: [xs[i] for i in in_scope])  # noqa: E731
    ours_pred = [p["category"] for p in a["predictions"]]
    ours_conf = [p["confidence"] for p in a["predictions"]]
    theirs_pred = [p["category"] for p in b["predictions"]]
    theirs_conf = [p["confidence"] for p in b["predictions"]]
    entry: dict[str, Any] = {
        "dataset": name, "variant": variant, "train_examples": len(train), "dev_examples": len(dev),
        "labels": len({label for _, label in train if label != OOS}),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seconds": round(time.time() - started),
        "quick": quick(),
        "ours": {**scores(pick(gold), pick(ours_pred), pick(ours_conf)),
                 **{k: a[k] for k in ("post_examples_s", "train_s", "train_messages", "classifier",
                                      "api_latency_ms", "model_latency_ms")}},
        "tfidf": {**scores(pick(gold), pick(theirs_pred), pick(theirs_conf)), "train_s": b["train_s"],
                  "latency_ms": b["latency_ms"]},
    }
    if len(in_scope) < len(gold):
        flagged = [p["out_of_scope"] for p in a["predictions"]]
        threshold = (a["classifier"].get("metrics") or {}).get("threshold")
        entry["ours"]["oos"] = oos_figures(gold, ours_pred, ours_conf, flagged, threshold)
        entry["tfidf"]["oos"] = {"oos_recall": round(float(np.mean([p == OOS for p, g in zip(
            theirs_pred, gold, strict=True) if g == OOS])), 4), "note": "oos trained as one more class"}
    o, t = entry["ours"], entry["tfidf"]
    entry["ratio"] = {"accuracy": ratio(o["accuracy"], t["accuracy"], 3), "macro_f1": ratio(o["macro_f1"],
                                                                                           t["macro_f1"], 3),
                      "ece": ratio(o["ece"], t["ece"]), "train_s": ratio(o["train_s"], t["train_s"], 1),
                      "latency_p50_model": ratio(o["model_latency_ms"]["p50"], t["latency_ms"]["p50"], 1),
                      "latency_p50_api": ratio(o["api_latency_ms"]["p50"], t["latency_ms"]["p50"], 1)}
    if name in BAR:
        entry["bar"] = BAR[name]
    print(f"{name}/{variant}: ours acc {o['accuracy']} f1 {o['macro_f1']} ece {o['ece']} train {o['train_s']}s | "
          f"tfidf acc {t['accuracy']} f1 {t['macro_f1']} ece {t['ece']} ({entry['seconds']}s)", flush=True)
    return entry


def main(argv: list[str] | None = None) -> int:
    """Run the chosen datasets; merge into bench/results/classification.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default=DEFAULT_DATASETS,
                        help=f"comma-separated of {', '.join(SPECS)}, or 'all' (default {DEFAULT_DATASETS})")
    parser.add_argument("--variants", default="all,10-shot")
    args = parser.parse_args(argv)
    names = list(SPECS) if args.datasets == "all" else [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = set(names) - set(SPECS)
    if unknown:
        parser.error(f"unknown datasets: {', '.join(sorted(unknown))}")
    setup_env()
    started = time.time()
    previous = (load_json("classification") or {}).get("entries", {})
    server = start_moto()
    entries = dict(previous)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-classify-") as tmp:
            for name in names:
                for variant in args.variants.split(","):
                    entries[f"{name}/{variant}"] = evaluate(server, name, variant, Path(tmp))
                    # saved after each one: a long --datasets all run keeps what it finished
                    save_json("classification", {"entries": entries, "quick": quick()})
    finally:
        server.stop()
    print(f"wrote {(ROOT / 'bench' / 'results' / 'classification.json').relative_to(ROOT)} "
          f"after {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
