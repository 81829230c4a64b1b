"""The ticket classifier: MiniLM sentence embeddings with a small trained head.

- Enough examples (>= MIN_PER_LABEL per label, >= 2 labels): multinomial logistic regression, its
  probabilities calibrated by temperature scaling fitted on out-of-fold predictions.
- Too few: a nearest-centroid model over the examples plus each label's name and description (works
  with zero or one example per label), with a softmax temperature that maps cosine gaps to confidences.
Examples labelled `out_of_scope` (or `oos`) are not a category: they set the confidence threshold under which
a text is declared out of scope, chosen on out-of-fold predictions. Without them DEFAULT_OOS_THRESHOLD
applies (measured on CLINC150, see docs/BENCHMARKS.md).
Prediction needs only numpy; training imports scikit-learn lazily.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

OUT_OF_SCOPE_LABELS = frozenset({"out_of_scope", "oos", "out-of-scope"})
MIN_PER_LABEL = 3
DEFAULT_OOS_THRESHOLD = 0.35
CENTROID_SCALE = 25.0
Matrix = npt.NDArray[np.float32]


@dataclass
class Prediction:
    """The best label, its calibrated confidence, the runners-up, and whether nothing fits."""

    category: str
    confidence: float
    alternatives: list[dict[str, Any]]
    out_of_scope: bool


@dataclass
class TrainedModel:
    """Everything needed to predict: weights (or centroids), labels, calibration and the threshold."""

    kind: str  # "logreg" or "centroid"
    labels: list[str]
    weights: Matrix
    bias: Matrix
    temperature: float
    threshold: float
    vector_space: str
    metrics: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, vectors: Matrix) -> Matrix:
        """Calibrated class probabilities, one row per vector."""
        logits = vectors @ self.weights.T + self.bias
        return softmax(logits / self.temperature)

    def predict(self, vectors: Matrix, top: int = 3) -> list[Prediction]:
        """Predictions for each vector."""
        out = []
        for row in self.probabilities(vectors):
            order = np.argsort(-row)[: max(1, top)]
            best = int(order[0])
            confidence = float(row[best])
            out.append(Prediction(
                category=self.labels[best],
                confidence=round(confidence, 4),
                alternatives=[{"category": self.labels[int(i)], "confidence": round(float(row[int(i)]), 4)}
                              for i in order[1:]],
                out_of_scope=confidence < self.threshold,
            ))
        return out

    def to_bytes(self) -> bytes:
        """A portable .npz (no pickle)."""
        buffer = io.BytesIO()
        meta = {"kind": self.kind, "labels": self.labels, "temperature": self.temperature,
                "threshold": self.threshold, "vector_space": self.vector_space, "metrics": self.metrics}
        np.savez_compressed(buffer, weights=self.weights, bias=self.bias,
                            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainedModel:
        """Load what to_bytes wrote."""
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode())
            return cls(kind=meta["kind"], labels=meta["labels"], weights=archive["weights"].astype(np.float32),
                       bias=archive["bias"].astype(np.float32), temperature=float(meta["temperature"]),
                       threshold=float(meta["threshold"]), vector_space=meta["vector_space"],
                       metrics=meta.get("metrics", {}))


def softmax(logits: npt.NDArray[Any]) -> Matrix:
    """Row-wise softmax, numerically stable."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: Matrix = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return result


def expected_calibration_error(probs: npt.NDArray[Any], truth: npt.NDArray[Any], bins: int = 15) -> float:
    """ECE of class probabilities against the true class indexes."""
    return calibration_error(probs.max(axis=1), probs.argmax(axis=1) == truth, bins)


def calibration_error(confidence: npt.NDArray[Any], correct: npt.NDArray[Any], bins: int = 15) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        mask = (confidence > low) & (confidence <= high)
        if mask.any():
            total += mask.mean() * abs(float(correct[mask].mean()) - float(confidence[mask].mean()))
    return float(total)


def _fit_temperature(logits: npt.NDArray[Any], truth: npt.NDArray[Any]) -> float:
    """The temperature that minimises the negative log-likelihood (golden-section search on log T)."""
    def nll(log_t: float) -> float:
        probs = softmax(logits / np.exp(log_t))
        return float(-np.log(np.maximum(probs[np.arange(len(truth)), truth], 1e-12)).mean())

    low, high = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    for _ in range(60):
        if nll(a) < nll(b):
            high = b
        else:
            low = a
        a, b = high - ratio * (high - low), low + ratio * (high - low)
    return float(np.exp((low + high) / 2))


def _best_threshold(in_scope_confidence: npt.NDArray[Any], in_scope_correct: npt.NDArray[Any],
                    oos_confidence: npt.NDArray[Any]) -> float:
    """The threshold maximising the mean of in-scope accuracy (kept and right) and out-of-scope recall."""
    best, best_score = DEFAULT_OOS_THRESHOLD, -1.0
    for threshold in np.linspace(0.05, 0.95, 91):
        kept_right = float(((in_scope_confidence >= threshold) & in_scope_correct).mean())
        rejected = float((oos_confidence < threshold).mean()) if len(oos_confidence) else 1.0
        score = (kept_right + rejected) / 2
        if score > best_score:
            best, best_score = float(threshold), score
    return best


def _logreg(vectors: Matrix, targets: npt.NDArray[Any], c: float) -> tuple[Matrix, Matrix]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(vectors, targets)
    weights = model.coef_.astype(np.float32)
    bias = model.intercept_.astype(np.float32)
    if weights.shape[0] == 1:  # binary: sklearn keeps one row; expand to one per class
        weights = np.vstack([-weights / 2, weights / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
    return weights, bias


def _centroids(vectors: Matrix, targets: npt.NDArray[Any], n_labels: int, label_vectors: Matrix | None) -> Matrix:
    rows = []
    for label in range(n_labels):
        members = [vectors[targets == label]]
        if label_vectors is not None:
            members.append(label_vectors[label: label + 1])
        stacked = np.vstack([m for m in members if len(m)])
        centroid = stacked.mean(axis=0)
        rows.append(centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    return np.array(rows, dtype=np.float32)


def train(vectors: Matrix, labels: list[str], *, vector_space: str, label_vectors: dict[str, Matrix] | None = None,
          c: float = 8.0, folds: int = 4, seed: int = 7) -> TrainedModel:
    """Fit a model on normalised vectors and their labels (see the module docstring for the choices)."""
    is_oos = np.array([label.lower() in OUT_OF_SCOPE_LABELS for label in labels])
    names = sorted({label for label, oos in zip(labels, is_oos, strict=True) if not oos})
    names = sorted(set(names) | set(label_vectors or {}))
    if not names:
        raise ValueError("no categories to learn: every example is out of scope")
    index = {name: i for i, name in enumerate(names)}
    in_scope = vectors[~is_oos]
    targets = np.array([index[label] for label, oos in zip(labels, is_oos, strict=True) if not oos], dtype=np.int64)
    counts = Counter(targets.tolist())
    oos_vectors = vectors[is_oos]
    enough = len(names) >= 2 and all(counts.get(i, 0) >= MIN_PER_LABEL for i in range(len(names)))
    metrics: dict[str, Any] = {"examples": int(len(labels)), "labels": len(names), "out_of_scope_examples":
                               int(is_oos.sum())}
    if not enough:
        desc = np.vstack([label_vectors[n] for n in names]) if label_vectors and all(
            n in label_vectors for n in names) else None
        centroids = _centroids(in_scope, targets, len(names), desc)
        return TrainedModel(kind="centroid", labels=names, weights=centroids * CENTROID_SCALE,
                            bias=np.zeros(len(names), dtype=np.float32), temperature=1.0,
                            threshold=DEFAULT_OOS_THRESHOLD, vector_space=vector_space,
                            metrics={**metrics, "note": f"fewer than {MIN_PER_LABEL} examples for some label"})
    k = max(2, min(folds, min(counts.values())))
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(targets), dtype=np.int64)
    for label in range(len(names)):
        members = np.flatnonzero(targets == label)
        rng.shuffle(members)
        fold_of[members] = np.arange(len(members)) % k
    oos_fold = rng.integers(0, k, size=len(oos_vectors))
    oof_logits = np.zeros((len(targets), len(names)), dtype=np.float32)
    oos_logits = np.zeros((len(oos_vectors), len(names)), dtype=np.float32)
    for fold in range(k):
        train_mask = fold_of != fold
        weights, bias = _logreg(in_scope[train_mask], targets[train_mask], c)
        if len(weights) != len(names):  # a class absent from this fold's training part: skip calibration rows
            continue
        oof_logits[~train_mask] = in_scope[~train_mask] @ weights.T + bias
        if len(oos_vectors):
            sel = oos_fold == fold
            oos_logits[sel] = oos_vectors[sel] @ weights.T + bias
    temperature = _fit_temperature(oof_logits, targets)
    oof_probs = softmax(oof_logits / temperature)
    correct = oof_probs.argmax(axis=1) == targets
    confidence = oof_probs.max(axis=1)
    threshold = DEFAULT_OOS_THRESHOLD
    if len(oos_vectors):
        threshold = _best_threshold(confidence, correct, softmax(oos_logits / temperature).max(axis=1))
    metrics.update({"cv_accuracy": round(float(correct.mean()), 4),
                    "cv_ece": round(expected_calibration_error(oof_probs, targets), 4),
                    "temperature": round(temperature, 4), "threshold": round(threshold, 3), "folds": k})
    weights, bias = _logreg(in_scope, targets, c)
    return TrainedModel(kind="logreg", labels=names, weights=weights, bias=bias, temperature=temperature,
                        threshold=threshold, vector_space=vector_space, metrics=metrics)
