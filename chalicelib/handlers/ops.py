"""Operations handlers: the SLA watcher, webhook fan-out and delivery, merge sweeper."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Rate

from chalicelib.handlers.batch import process_sqs_batch, queue_name
from chalicelib.ops import sla_watch, webhooks
from chalicelib.services import merge

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="sla_watch")
def watch_sla(_event: Any) -> dict[str, int]:
    """Alert on tickets at risk of breaching or breached (reads only the timers that are due)."""
    return sla_watch.run()


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="sweep_merges")
def sweep_merges(_event: Any) -> dict[str, int]:
    """Finish merges a crash left half done."""
    return {"finished": merge.sweep_merges()}


@bp.on_sqs_message(queue=queue_name("webhook-events"), batch_size=10, name="webhook_fan_out")
def webhook_fan_out(event: Any) -> Any:
    """One delivery message per subscribed webhook."""
    return process_sqs_batch(event, webhooks.fan_out, "webhook_fan_out")


@bp.on_sqs_message(queue=queue_name("webhook-deliveries"), batch_size=10, name="webhook_deliver")
def webhook_deliver(event: Any) -> Any:
    """POST each delivery; failures are retried alone and end in the dead-letter queue."""
    return process_sqs_batch(event, webhooks.deliver, "webhook_deliver")
