"""Outbound mail: a threaded MIME message with a text and an HTML part and the reply's files."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from chalicelib.clock import utcnow

_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class OutboundFile:
    """A file to attach."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Outbound:
    """Everything one outbound mail says."""

    to_address: str
    to_name: str
    from_address: str
    from_name: str
    subject: str
    text: str
    message_id: str
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    files: list[OutboundFile] = field(default_factory=list)
    unsubscribe: str | None = None


def text_to_html(text: str) -> str:
    """Escaped paragraphs with line breaks and clickable links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    body = "\n".join(paragraphs)
    return ("<!doctype html>\n<html><head><meta charset=\"utf-8\"></head>"
            f"<body style=\"font-family: sans-serif; line-height: 1.5\">\n{body}\n</body></html>\n")


def _address(name: str, address: str) -> Address:
    local, _, domain = address.partition("@")
    return Address(display_name=" ".join(name.split())[:100], username=local, domain=domain)


def build(mail: Outbound) -> EmailMessage:
    """The MIME message (multipart/mixed when files are attached, multipart/alternative inside)."""
    message = EmailMessage()
    message["From"] = _address(mail.from_name, mail.from_address)
    message["To"] = _address(mail.to_name, mail.to_address)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        message["References"] = " ".join(mail.references)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders must not answer us (no loops)
    message["X-Auto-Response-Suppress"] = "All"
    if mail.unsubscribe:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe}>"
    message.set_content(mail.text)
    message.add_alternative(text_to_html(mail.text), subtype="html")
    for item in mail.files:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(item.data, maintype=maintype or "application", subtype=subtype or "octet-stream",
                               filename=item.filename)
    return message
