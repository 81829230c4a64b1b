"""The e-mail channel in tests: deliver raw MIME the way SES does (into the inbound bucket, then the S3
notification through the mail-ingest queue to the handler, in-process), and run the mail-out queue."""

from __future__ import annotations

import json
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any


def _drain(queue_logical: str, handler_name: str) -> list[dict[str, Any]]:
    """Receive every message on a queue and run the app's handler on them (as Lambda would); delete what
    succeeded. Returns the batch responses."""
    import app as app_module
    from chalicelib import aws
    from devstack.dispatcher import Dispatcher

    sqs = aws.client("sqs")
    url = aws.queue_url(queue_logical)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    from chalicelib.config import get_settings

    dispatcher = Dispatcher(app_module.app, get_settings())
    failures = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return failures
        failed = dispatcher.run_batch(app_module.app.handler_map[handler_name], handler_name, messages, url, arn)
        failures.extend({"messageId": m} for m in failed)
        if failed:
            return failures


def deliver(raw: bytes, key: str | None = None) -> list[dict[str, Any]]:
    """Store a raw message in the inbound bucket and run the mail-ingest consumer; returns failed records."""
    from chalicelib import aws
    from chalicelib.config import get_settings

    aws.client("s3").put_object(Bucket=get_settings().bucket_name("inbound-mail"),
                                Key=key or f"inbound/{uuid.uuid4().hex}", Body=raw)
    return _drain("mail-ingest", "mail_ingest")


def send_outbound() -> list[dict[str, Any]]:
    """Run the mail-out consumer over everything queued."""
    return _drain("mail-out", "mail_send")


def sent_mails(directory: Any) -> list[EmailMessage]:
    """The .eml files written so far, oldest first, parsed."""
    files = sorted(directory.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]  # type: ignore[misc]


def mime(*, sender: str, subject: str, body: str, message_id: str | None = None, to: str = "support@example.com",
         headers: dict[str, str] | None = None, files: list[tuple[str, str, bytes]] | None = None) -> bytes:
    """A simple message built with the standard library."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@customer.example>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, content_type, data in files or []:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def rejected_reasons() -> list[str]:
    """Why inbound messages were refused (the `rejected#` records)."""
    from chalicelib.models import bind_models
    from chalicelib.models.mail import MailModel

    bind_models()
    return [str(r.reason) for r in MailModel.scan(MailModel.key.startswith("rejected#"))]  # tests only


def queue_depth(logical: str) -> int:
    """Messages waiting (visible or in flight) on a queue."""
    from chalicelib import aws

    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(logical),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def dumps(value: Any) -> str:
    """Compact JSON."""
    return json.dumps(value, default=str)
