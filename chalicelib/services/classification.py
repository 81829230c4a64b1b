"""Classification: the live model (or a zero-shot one from the taxonomy) applied to texts and tickets."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from pynamodb.exceptions import DoesNotExist

from chalicelib import aws
from chalicelib.ai import classifier, triage
from chalicelib.ai.vectors import embed, ticket_text, vector_space
from chalicelib.clock import now_iso
from chalicelib.config import get_settings, on_reset
from chalicelib.errors import Conflict
from chalicelib.models import bind_models
from chalicelib.models.tickets import TicketModel
from chalicelib.services.classifier_state import get_state
from chalicelib.services.taxonomy import list_labels
from chalicelib.store import events, outbox, stats
from chalicelib.store.db import TransactionFailed, Tx, set_actions

_cache_lock = threading.Lock()
_model_cache: dict[str, classifier.TrainedModel] = {}

# The outbox kind of the promise a classification makes to the AI first response.
AUTO_REPLY_KIND = "auto_reply"


def current_model() -> classifier.TrainedModel | None:
    """The live model (kept in memory per version: one GetItem per call, one S3 read per new version)."""
    state = get_state()
    if not state.version or not state.model_key:
        return None
    with _cache_lock:
        cached = _model_cache.get(state.version)
    if cached is not None:
        return cached
    body = aws.client("s3").get_object(Bucket=get_settings().bucket_name("artifacts"), Key=state.model_key)["Body"]
    model = classifier.TrainedModel.from_bytes(body.read())
    with _cache_lock:
        _model_cache.clear()
        _model_cache[state.version] = model
    return model


@on_reset
def reset_caches() -> None:
    """Forget the in-memory model (tests; a new stack)."""
    with _cache_lock:
        _model_cache.clear()


def _zero_shot_model(space: str) -> classifier.TrainedModel | None:
    labels = list_labels()
    if not labels:
        return None
    rows = embed([f"{label['name'].replace('_', ' ')}: {label['description']}".strip(": ") for label in labels])
    return classifier.TrainedModel(kind="zero-shot", labels=[label["name"] for label in labels],
                                   weights=rows * classifier.CENTROID_SCALE,
                                   bias=np.zeros(len(labels), dtype=np.float32), temperature=1.0,
                                   threshold=classifier.DEFAULT_OOS_THRESHOLD, vector_space=space)


def predict(text: str) -> tuple[classifier.Prediction | None, str]:
    """The prediction for a text and the name of the model that made it (None when there is no taxonomy)."""
    space = vector_space()
    model = current_model()
    name = f"{model.kind}@{get_state().version}" if model else "zero-shot"
    if model is None or model.vector_space != space:
        model = _zero_shot_model(space)
        name = "zero-shot"
    if model is None:
        return None, "none"
    return model.predict(embed([text]))[0], name


def classify_text(*, text: str) -> dict[str, Any]:
    """Classify any text: best taxonomy label, calibrated confidence, runners-up, priority and tags."""
    prediction, model_name = predict(text)
    if prediction is None:
        raise Conflict("the classifier has no categories yet: add examples (POST /api/ai/examples) first",
                       code="untrained")
    category = prediction.category
    return {
        "category": category, "confidence": prediction.confidence, "alternatives": prediction.alternatives,
        "out_of_scope": prediction.out_of_scope,
        "priority": triage.recommend_priority(text, None if prediction.out_of_scope else category),
        "tags": triage.recommend_tags(text, None if prediction.out_of_scope else category),
        "model": model_name,
    }


def classify_ticket_message(body: dict[str, Any]) -> dict[str, Any]:
    """Queue handler: classify a ticket and store the result, unless a newer result is already stored."""
    bind_models()
    ticket_id, version = int(body["ticket_id"]), int(body.get("version", 0))
    try:
        ticket = TicketModel.get(ticket_id, consistent_read=True)
    except DoesNotExist:
        ticket = None
    if ticket is None or ticket.deleted_at is not None or (ticket.ai_source_version or 0) >= max(version, 1) and \
            ticket.ai_classified_at is not None and int(ticket.ai_source_version or 0) >= int(ticket.version):
        _complete_only(ticket_id, version)
        return {"skipped": True}
    text = ticket_text(ticket.title, ticket.content)
    result = classify_text(text=text)
    values = {
        "ai_category": None if result["out_of_scope"] else result["category"],
        "ai_confidence": result["confidence"],
        "ai_priority": result["priority"],
        "ai_tags": result["tags"],
        "ai_out_of_scope": result["out_of_scope"],
        "ai_alternatives": [{"category": result["category"], "confidence": result["confidence"]},
                            *result["alternatives"]],
        "ai_model": result["model"],
        "ai_classified_at": now_iso(),
        "ai_source_version": int(ticket.version),
    }
    tx = Tx()
    newer = TicketModel.ai_source_version.does_not_exist() | (TicketModel.ai_source_version < int(ticket.version))
    tx.update_fields("ticket", TicketModel, ticket_id, set_actions(TicketModel, values),
                     condition=TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist() & newer)
    outbox.complete(tx, "classify", str(ticket_id), int(ticket.version))
    events.record(tx, ticket_id, "ai_classified", None, at=values["ai_classified_at"], data={
        k: values[k] for k in ("ai_category", "ai_confidence", "ai_priority", "ai_tags", "ai_out_of_scope",
                               "ai_model")})
    stats.bump(tx, values["ai_classified_at"][:10], f"ai|c={values['ai_category'] or 'out_of_scope'}")
    answer_promise = _promise_answer(tx, ticket)
    try:
        tx.commit()
    except TransactionFailed:
        _complete_only(ticket_id, version)
        return {"skipped": "a newer result is stored"}
    if answer_promise:
        outbox.send(AUTO_REPLY_KIND, answer_promise)
    return {"ticket_id": ticket_id, **{k: values[k] for k in ("ai_category", "ai_confidence")}}



def _promise_answer(tx: Tx, ticket: TicketModel) -> dict[str, Any] | None:
    """Inside the classifier's transaction: promise the AI first response a decision about a ticket that has none
    yet (services/auto_reply.py keeps the promise)."""
    if ticket.ai_response:
        return None
    payload = {"ticket_id": int(ticket.id), "version": int(ticket.version)}
    outbox.add(tx, AUTO_REPLY_KIND, str(ticket.id), payload, version=int(ticket.version))
    return payload


def _complete_only(ticket_id: int, version: int) -> None:
    tx = Tx()
    outbox.complete(tx, "classify", str(ticket_id), version)
    try:
        tx.commit()
    except TransactionFailed:
        pass  # a newer promise is waiting; its own message will complete it
