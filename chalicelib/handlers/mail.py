"""The e-mail channel's consumers: inbound mail (S3 notifications of the inbound bucket), outbound mail (the
mail-out queue, fed by the outbox), SES feedback (bounces and complaints), and the outbox's re-send schedule."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Rate

from chalicelib.handlers.batch import process_sqs_batch, queue_name
from chalicelib.services import mail_in, mail_out
from chalicelib.store import mail_notify

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=queue_name("mail-ingest"), batch_size=2, name="mail_ingest")
def mail_ingest(event: Any) -> Any:
    """A raw message stored in the inbound bucket -> a ticket, a reply, or a reasoned refusal."""
    return process_sqs_batch(event, mail_in.handle_notification, "mail_ingest")


@bp.on_sqs_message(queue=queue_name("mail-out"), batch_size=2, name="mail_send")
def mail_send(event: Any) -> Any:
    """One promised mail -> SES."""
    return process_sqs_batch(event, mail_out.send_from_message, "mail_send")


@bp.on_sqs_message(queue=queue_name("mail-feedback"), batch_size=10, name="mail_feedback")
def mail_feedback(event: Any) -> Any:
    """SES bounce and complaint notifications -> the address stops receiving mail."""
    return process_sqs_batch(event, mail_out.handle_feedback, "mail_feedback")


@bp.schedule(Rate(2, unit=Rate.MINUTES), name="mail_redeliver")
def mail_redeliver(_event: Any) -> dict[str, Any]:
    """Re-send mail promises whose queue message was lost."""
    return {"mail": mail_notify.redeliver()}
