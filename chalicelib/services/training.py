"""Training: embed every example, fit the classifier, publish it to S3 and switch the live version."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import numpy as np
from pynamodb.exceptions import UpdateError

from chalicelib import aws
from chalicelib.ai import classifier
from chalicelib.ai.vectors import embed, vector_space
from chalicelib.clock import now_iso, to_iso, utcnow
from chalicelib.config import get_settings
from chalicelib.log import logger
from chalicelib.models import bind_models
from chalicelib.models.ai import DEFAULT_SET, ClassifierStateModel, ExampleModel
from chalicelib.services.classifier_state import STATE_KEY, TRAINING_LEASE_S, get_state
from chalicelib.services.taxonomy import list_labels
from chalicelib.store import outbox
from chalicelib.store.db import chunked


def _all_examples() -> list[ExampleModel]:
    """Every example, for training (a background job): a paginated Query of the example set."""
    return list(ExampleModel.query(DEFAULT_SET, consistent_read=True))


def _acquire_training_lease() -> bool:
    lease_expired = to_iso(utcnow() - timedelta(seconds=TRAINING_LEASE_S))
    state = ClassifierStateModel
    condition = (state.status != "training") | state.training_started_at.does_not_exist() \
        | (state.training_started_at < lease_expired)
    try:
        ClassifierStateModel(STATE_KEY).update(
            actions=[state.status.set("training"), state.training_started_at.set(now_iso())], condition=condition)
        return True
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise


def train_from_message(body: dict[str, Any]) -> dict[str, Any]:
    """Queue handler: retrain unless the live model already covers this generation of examples."""
    generation = int(body.get("generation", 0))
    state = get_state()
    if state.status == "ready" and int(state.trained_generation or 0) >= generation and state.version:
        return {"skipped": "already trained"}
    return train()


def train() -> dict[str, Any]:
    """Train on every example, publish the model to S3 and switch the live version (single writer by lease)."""
    bind_models()
    if not _acquire_training_lease():
        return {"skipped": "another training is running"}
    started = time.time()
    generation = int(get_state().generation or 0)
    previous = get_state()
    try:
        examples = _all_examples()
        labels = list_labels()
        space = vector_space()
        if not examples and not labels:
            _finish(status="untrained", error=None)
            return {"skipped": "no examples"}
        vectors = _example_vectors(examples, space)
        label_vectors = {}
        if labels:
            rows = embed([f"{label['name'].replace('_', ' ')}: {label['description']}".strip(": ") for label in labels])
            label_vectors = {label["name"]: rows[i:i + 1] for i, label in enumerate(labels)}
        model = classifier.train(vectors, [e.label for e in examples], vector_space=space,
                                 label_vectors=label_vectors)
        version = f"g{generation}-{int(time.time())}"
        model.metrics.update({"kind": model.kind, "train_seconds": round(time.time() - started, 1)})
        key = f"classifier/{version}.npz"
        aws.client("s3").put_object(Bucket=get_settings().bucket_name("artifacts"), Key=key, Body=model.to_bytes())
        ClassifierStateModel(STATE_KEY).update(actions=[
            ClassifierStateModel.status.set("ready"), ClassifierStateModel.version.set(version),
            ClassifierStateModel.model_key.set(key), ClassifierStateModel.trained_generation.set(generation),
            ClassifierStateModel.trained_at.set(now_iso()), ClassifierStateModel.metrics.set(model.metrics),
            ClassifierStateModel.examples.set(len(examples)), ClassifierStateModel.labels.set(len(model.labels)),
            ClassifierStateModel.error.remove(), ClassifierStateModel.training_started_at.remove()])
        logger.info("classifier trained", extra={"version": version, "metrics": model.metrics})
    except Exception as exc:
        _finish(status="ready" if previous.version else "untrained", error=f"{type(exc).__name__}: {exc}")
        raise
    if int(get_state().generation or 0) > generation:
        outbox.send("train", {"generation": int(get_state().generation)})
    return {"version": version, "metrics": model.metrics}


def _finish(status: str, error: str | None) -> None:
    actions: list[Any] = [ClassifierStateModel.status.set(status), ClassifierStateModel.training_started_at.remove()]
    actions.append(ClassifierStateModel.error.set(error[:500]) if error else ClassifierStateModel.error.remove())
    ClassifierStateModel(STATE_KEY).update(actions=actions)


def _example_vectors(examples: list[ExampleModel], space: str) -> classifier.Matrix:
    """Embeddings of the examples, computed once and cached (float16) on the example items."""
    missing = [e for e in examples if e.vector is None or e.vector_space != space]
    for batch in chunked(missing, 256):
        rows = embed([e.text for e in batch])
        with ExampleModel.batch_write() as writer:
            for example, row in zip(batch, rows, strict=True):
                example.vector = row.astype(np.float16).tobytes()
                example.vector_space = space
                writer.save(example)
    if not examples:
        return np.zeros((0, 384), dtype=np.float32)
    matrix = np.vstack([np.frombuffer(e.vector, dtype=np.float16) for e in examples]).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    normalised: classifier.Matrix = matrix / np.maximum(norms, 1e-12)
    return normalised
