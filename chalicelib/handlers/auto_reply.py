"""Queue handler for the AI first response: one decision per ticket, after it was classified."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.handlers.batch import process_sqs_batch, queue_name
from chalicelib.services import auto_reply

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=queue_name("auto-reply"), batch_size=2, name="auto_reply")
def decide_auto_replies(event: Any) -> Any:
    """Decide (and send, when the gate allows) the AI's first response for each ticket in the batch."""
    return process_sqs_batch(event, auto_reply.decide_from_message, "auto_reply")
