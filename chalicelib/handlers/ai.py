"""Queue and schedule handlers for the AI: classify tickets, train the classifier, redeliver promises."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Rate

from chalicelib.handlers.batch import process_sqs_batch, queue_name
from chalicelib.services import classification, classifier_state, training
from chalicelib.store import outbox

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=queue_name("classify"), batch_size=10, name="classify_tickets")
def classify_tickets(event: Any) -> Any:
    """Classify each ticket in the batch and store the result (partial failures are retried alone)."""
    return process_sqs_batch(event, classification.classify_ticket_message, "classify_tickets")


@bp.on_sqs_message(queue=queue_name("train"), batch_size=1, name="train_classifier")
def train_classifier(event: Any) -> Any:
    """Retrain the classifier (one at a time: the queue has batch size 1 and the trainer takes a lease)."""
    return process_sqs_batch(event, training.train_from_message, "train_classifier")


@bp.schedule(Rate(2, unit=Rate.MINUTES), name="ai_housekeeping")
def ai_housekeeping(_event: Any) -> dict[str, Any]:
    """Re-send classification promises whose message got lost, and make sure training catches up."""
    return {"redelivered": outbox.redeliver("classify"), "training": classifier_state.ensure_training_scheduled(),
            "auto_reply": outbox.redeliver("auto_reply")}
