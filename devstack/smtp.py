"""A local SMTP receiver (aiosmtpd) standing in for SES inbound: every accepted message is written, raw, into the
inbound-mail bucket, exactly where SES's receipt rule puts it; the bucket's notification then drives the same
mail_ingest consumer. `make dev` starts it on 127.0.0.1:${SMTP_PORT:-2525}."""

from __future__ import annotations

import uuid
from typing import Any

from aiosmtpd.controller import Controller

from chalicelib.config import Settings
from chalicelib.log import logger

MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # SES's inbound limit


class _Handler:
    def __init__(self, settings: Settings, s3: Any) -> None:
        self.settings = settings
        self.s3 = s3

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address.strip().lower() != self.settings.mail.support_email:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        key = f"inbound/{uuid.uuid4().hex}"
        self.s3.put_object(Bucket=self.settings.bucket_name("inbound-mail"), Key=key,
                           Body=bytes(envelope.original_content or envelope.content))
        logger.info("smtp accepted a message", extra={"key": key, "from": envelope.mail_from})
        return "250 Message accepted for delivery"


def start(settings: Settings, host: str = "127.0.0.1", port: int = 2525) -> Controller:
    """Start the receiver in its own thread; `stop()` on the result ends it."""
    import boto3

    s3 = boto3.session.Session().client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    controller = Controller(_Handler(settings, s3), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES,
                            decode_data=False)
    controller.start()
    return controller
