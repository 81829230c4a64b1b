"""Inbound MIME -> the parts a help desk needs: who, what about, the new text only, attachments, noise verdicts.

Parsing is the standard library's `email` with `policy.default` (RFC 5322/6532 headers, encoded words decoded,
charsets decoded by `get_content()`); HTML-only mail becomes text with inscriptis (keeps paragraphs, lists and
table rows apart, drops scripts and styles); the quoted history and signatures of replies are cut with
mail-parser-reply (Gmail, Outlook, Apple Mail and Thunderbird headers in a dozen languages). Nothing here raises on
hostile input: a part that cannot be decoded is read with replacement characters, a header that cannot be parsed
reads as empty.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from typing import Any

MAX_TEXT_CHARS = 50_000
MAX_SUBJECT_CHARS = 200
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,500})>")
_LIST_PRECEDENCE = frozenset({"bulk", "junk", "list"})
_AUTOMATED_LOCALS = frozenset({"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"})
_REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "pt", "sv", "ja", "zh", "cs", "da"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Attachment:
    """A file carried by the mail (inline images included)."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str | None = None


@dataclass
class InboundMail:
    """What the help desk reads from one message."""

    message_id: str | None
    from_address: str | None
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    text: str  # the whole body as text (quoted history included)
    new_text: str  # only what this message adds (quoted history and signature removed)
    in_reply_to: list[str]
    references: list[str]
    attachments: list[Attachment] = field(default_factory=list)
    auto_submitted: bool = False
    bulk: bool = False
    spam: bool = False
    virus: bool = False
    defects: int = 0


def parse(raw: bytes) -> InboundMail:
    """Parse one raw message (any bytes; never raises for malformed input)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    from_name, from_address = _first_address(message, "from")
    if from_address is None:
        from_name, from_address = _first_address(message, "sender")
    text, html = _bodies(message)
    body = text if text.strip() else html_to_text(html)
    body = clean_text(body)
    return InboundMail(
        message_id=_ids(_header(message, "message-id"))[:1][0] if _ids(_header(message, "message-id")) else None,
        from_address=from_address,
        from_name=from_name,
        to=[a for _, a in _addresses(message, "to")],
        cc=[a for _, a in _addresses(message, "cc")],
        subject=clean_subject(_header(message, "subject")),
        text=body,
        new_text=strip_quoted(body),
        in_reply_to=_ids(_header(message, "in-reply-to")),
        references=_ids(_header(message, "references")),
        attachments=_attachments(message),
        auto_submitted=_header(message, "auto-submitted").strip().lower() not in ("", "no")
        or bool(_header(message, "x-autoreply")) or bool(_header(message, "x-autorespond"))
        or message.get_content_type() == "multipart/report",
        bulk=_header(message, "precedence").strip().lower() in _LIST_PRECEDENCE,
        spam=_header(message, "x-ses-spam-verdict").strip().upper() == "FAIL",
        virus=_header(message, "x-ses-virus-verdict").strip().upper() == "FAIL",
        defects=sum(len(part.defects) for part in message.walk()),
    )


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a header the policy cannot parse reads as empty
        return ""
    return _CONTROL.sub("", str(value)) if value is not None else ""


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    try:
        values = message.get_all(name) or []
    except Exception:  # noqa: BLE001
        return []
    out = []
    for name_part, address in email.utils.getaddresses([str(v) for v in values]):
        address = address.strip().lower()
        if "@" in address and len(address) <= 254 and not _CONTROL.search(address) and " " not in address:
            out.append((_CONTROL.sub("", name_part).strip(), address))
    return out


def _first_address(message: Message, name: str) -> tuple[str, str | None]:
    found = _addresses(message, name)
    return found[0] if found else ("", None)


def _ids(value: str) -> list[str]:
    return [f"<{m}>" for m in _MESSAGE_ID.findall(value)][-20:]


def is_automated_sender(address: str) -> bool:
    """Mailer daemons and no-reply senders: never a customer."""
    return address.split("@", 1)[0].lower() in _AUTOMATED_LOCALS


def clean_subject(subject: str) -> str:
    """One line, no control characters, at most 200 characters."""
    line = " ".join(_CONTROL.sub(" ", subject).split())
    return line[:MAX_SUBJECT_CHARS]


def clean_text(text: str) -> str:
    """Normalised line ends, no control characters, trailing spaces and runs of blank lines collapsed, bounded."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text[:MAX_TEXT_CHARS]


def html_to_text(html: str) -> str:
    """HTML to readable text (inscriptis); empty for empty input."""
    if not html.strip():
        return ""
    from inscriptis import get_text

    try:
        return str(get_text(html))
    except Exception:  # noqa: BLE001 - lxml refuses some garbage; fall back to dropping tags
        return re.sub(r"<[^>]*>", " ", html)


def strip_quoted(text: str) -> str:
    """Only the new part of a reply: quoted history ("On ... wrote:", "-----Original Message-----", "> " lines)
    and the signature removed (mail-parser-reply). Falls back to the whole text when nothing would be left."""
    if not text.strip():
        return ""
    from mailparser_reply import EmailReplyParser

    try:
        latest = str(EmailReplyParser(languages=_REPLY_LANGUAGES).parse_reply(text=text) or "")
    except Exception:  # noqa: BLE001 - a pathological text: keep it whole rather than lose it
        latest = text
    latest = "\n".join(line for line in latest.split("\n") if not line.startswith(">")).strip()
    return clean_text(latest) or text


def _decoded(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError, TypeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload or "")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return str(content)


def _is_attachment(part: EmailMessage) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() in ("text", "multipart") and not part.get_filename():
        return False
    return part.get_content_maintype() != "multipart" and part.get_content_type() not in ("message/rfc822",)


def _bodies(message: EmailMessage) -> tuple[str, str]:
    """The first text/plain and text/html parts that are not attachments (forwarded messages included)."""
    text: list[str] = []
    html: list[str] = []
    for part in message.walk():
        if part.is_multipart() or _is_attachment(part):  # type: ignore[arg-type]
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and not text:
            text.append(_decoded(part))  # type: ignore[arg-type]
        elif kind == "text/html" and not html:
            html.append(_decoded(part))  # type: ignore[arg-type]
    return "".join(text), "".join(html)


def safe_filename(name: str | None, fallback: str) -> str:
    """A file name that is only a name: no directories, no control characters, at most 200 characters."""
    name = _CONTROL.sub("", name or "").replace("\\", "/").split("/")[-1].strip().strip(".")
    return (name or fallback)[:200]


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for index, part in enumerate(message.walk()):
        if part.is_multipart() or not _is_attachment(part):  # type: ignore[arg-type]
            continue
        try:
            data = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001
            data = None
        if not isinstance(data, bytes):
            continue
        content_type = part.get_content_type()
        extension = content_type.split("/")[-1].split("+")[0][:10] or "bin"
        content_id = _ids(str(part.get("content-id") or ""))
        found.append(Attachment(
            filename=safe_filename(part.get_filename(), f"attachment-{index}.{extension}"),
            content_type=content_type, data=data,
            inline=(part.get_content_disposition() or "") == "inline" or bool(content_id),
            content_id=content_id[0] if content_id else None))
    return found


def summary(mail: InboundMail) -> dict[str, Any]:
    """A log-friendly view (no bodies)."""
    return {"message_id": mail.message_id, "from": mail.from_address, "subject": mail.subject[:80],
            "attachments": len(mail.attachments), "defects": mail.defects}
