"""Inbound mail: raw MIME in the inbound bucket (SES's receipt rule, or the local SMTP receiver) -> a new ticket
from its sender, or a reply on the ticket it answers.

A message threads onto a ticket by its In-Reply-To/References (our own outbound Message-IDs, and the messages that
opened or answered the ticket) or by the signed token in its subject; only the ticket's requester may post into it.
Noise is ignored (auto-replies, bulk and list mail, our own address, SES's spam and virus verdicts); a message that
cannot be taken (too large, not a participant, ...) goes to the mail-ingest DLQ with its reason; transient failures
raise, so SQS retries the record and finally moves it to the same DLQ. Each message has one effect: the `in#` record
of its Message-ID is written in the same transaction as the ticket or reply it made.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError
from pydantic import ValidationError

from chalicelib import aws
from chalicelib.clock import now_iso
from chalicelib.config import get_settings
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.log import logger
from chalicelib.mail import parse as mime
from chalicelib.mail import token as tokens
from chalicelib.mail.render import OutboundFile
from chalicelib.models import bind_models
from chalicelib.models.mail import AttachmentModel, MailModel
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.models.users import UserModel
from chalicelib.principal import Principal
from chalicelib.schemas.tickets import ReplyCreate, TicketCreate
from chalicelib.schemas.users import UserCreate
from chalicelib.services import attachments, replies, tickets, users
from chalicelib.store.db import TransactionFailed, Tx, batch_get

MAX_FILES = 20
_FORWARD = re.compile(r"^\s*(fwd?|fw|wg|tr|rv)\s*:", re.IGNORECASE)
NO_TEXT = "(no text)"


@dataclass
class Outcome:
    """What became of one message."""

    outcome: str  # ticket | reply | ignored | rejected | duplicate
    reason: str | None = None
    ticket_id: int | None = None
    reply_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly view."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


def handle_notification(body: dict[str, Any]) -> dict[str, Any]:
    """One SQS message holding an S3 notification (s3:TestEvent and removals are skipped)."""
    results = []
    for record in body.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        results.append({"key": key, **ingest_object(bucket, key).as_dict()})
    return {"messages": results}


def ingest_object(bucket: str, key: str) -> Outcome:
    """Read one stored message and act on it."""
    s3 = aws.client("s3")
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return Outcome("ignored", "object no longer exists")
        raise
    limit = get_settings().mail.max_message_bytes
    if int(head.get("ContentLength", 0)) > limit:
        return _reject(bucket, key, f"message larger than {limit} bytes")
    raw = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return ingest_raw(raw, source=f"s3://{bucket}/{key}")


def ingest_raw(raw: bytes, source: str = "") -> Outcome:
    """Turn one raw message into a ticket or a reply (or ignore / reject it, with the reason)."""
    bind_models()
    settings = get_settings().mail
    mail = mime.parse(raw)
    noise = _noise(mail, settings.support_email)
    if noise:
        logger.info("inbound mail ignored", extra={"reason": noise, **mime.summary(mail)})
        return Outcome("ignored", noise)
    if _is_unsubscribe(mail.subject):
        from chalicelib.services import mail_out

        mail_out.opt_out(str(mail.from_address))
        logger.info("inbound mail unsubscribed its sender", extra=mime.summary(mail))
        return Outcome("ignored", "unsubscribed the sender (List-Unsubscribe)")
    if len(raw) > settings.max_message_bytes:
        return _reject_raw(source, mail, f"message larger than {settings.max_message_bytes} bytes")
    dedupe = mail.message_id or f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound>"
    try:
        done = MailModel.get(f"in#{dedupe}", consistent_read=True)
        return Outcome("duplicate", "already processed", _int(done.ticket_id), _int(done.reply_id))
    except MailModel.DoesNotExist:
        pass
    ticket_id = _thread_of(mail)
    try:
        if ticket_id is not None:
            return _reply(mail, ticket_id, dedupe, source)
        return _open_ticket(mail, dedupe)
    except TransactionFailed as exc:
        if "mail-in" in exc.failed:
            return Outcome("duplicate", "processed concurrently")
        raise
    except (ValidationError, ValidationFailed) as exc:  # a sender address or text we cannot store: not retried
        return _reject_raw(source, mail, f"not acceptable: {str(exc)[:200]}")


def _is_unsubscribe(subject: str) -> bool:
    """The subject our List-Unsubscribe mailto: link sets (a client may prefix Re:)."""
    words = re.sub(r"^\s*(re|aw|sv)\s*:\s*", "", tokens.strip_token(subject), flags=re.IGNORECASE)
    return words.strip().lower() == "unsubscribe"


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _noise(mail: mime.InboundMail, support: str) -> str | None:
    if mail.from_address is None:
        return "no sender address"
    if mail.from_address == support:
        return "sent from our own address (a loop)"
    if mime.is_automated_sender(mail.from_address):
        return "sent by a mailer daemon or a no-reply address"
    if mail.auto_submitted:
        return "an automatic message (Auto-Submitted, an auto-reply or a delivery report)"
    if mail.bulk:
        return "bulk or list mail (Precedence)"
    if mail.spam:
        return "SES's spam verdict is FAIL"
    if mail.virus:
        return "SES's virus verdict is FAIL"
    return None


def _thread_of(mail: mime.InboundMail) -> int | None:
    """The ticket this message answers: by our Message-IDs in its headers (one BatchGetItem), else its token."""
    ids = list(dict.fromkeys([*mail.in_reply_to, *reversed(mail.references)]))[:20]
    if ids:
        found = batch_get(MailModel, [f"{prefix}#{i}" for i in ids for prefix in ("out", "in")][:100])
        for message_id in ids:
            for prefix in ("out", "in"):
                record = found.get(f"{prefix}#{message_id}")
                if record is not None and record.ticket_id is not None:
                    return int(record.ticket_id)
    return tokens.ticket_from_subject(mail.subject)


def _files(mail: mime.InboundMail) -> tuple[list[OutboundFile], dict[int, str], list[str]]:
    """The files to keep, their Content-IDs, and notes about the ones left out."""
    limit = get_settings().mail.max_attachment_bytes
    kept: list[OutboundFile] = []
    content_ids: dict[int, str] = {}
    notes = []
    for item in mail.attachments:
        if len(kept) >= MAX_FILES:
            notes.append(f"[attachment {item.filename} not kept: more than {MAX_FILES} files]")
        elif len(item.data) > limit:
            notes.append(f"[attachment {item.filename} not kept: larger than {limit // (1024 * 1024)} MB]")
        else:
            if item.content_id:
                content_ids[len(kept)] = item.content_id
            kept.append(OutboundFile(filename=item.filename, content_type=item.content_type, data=item.data))
    return kept, content_ids, notes


def _content(text: str, notes: list[str]) -> str:
    body = "\n\n".join(part for part in (text.strip(), "\n".join(notes)) if part)
    return (body or NO_TEXT)[: mime.MAX_TEXT_CHARS]


def _requester(mail: mime.InboundMail) -> UserModel:
    """The sender's account; a new requester (no password: they can set one later) for an unknown address."""
    address = str(mail.from_address)
    user = users.find_by_email(address)
    if user is not None:
        return user
    name = mime.clean_subject(mail.from_name) or address.split("@", 1)[0]
    try:
        created = users.create_user(data=UserCreate(email=address, name=name[:200], role="requester"))
    except Conflict:
        user = users.find_by_email(address)  # created concurrently by another copy
        if user is None:
            raise
        return user
    return users.get_user_model(int(created["id"]))


def _open_ticket(mail: mime.InboundMail, dedupe: str) -> Outcome:
    requester = _requester(mail)
    if requester.deactivated_at is not None:
        return Outcome("ignored", "the sender's account is deactivated")
    actor = Principal(user_id=int(requester.id), role="requester", via="email")
    files, content_ids, notes = _files(mail)
    forwarded = bool(_FORWARD.match(mail.subject))
    text = mail.text if forwarded else mail.new_text
    title = tokens.strip_token(mail.subject) or "(no subject)"
    data = TicketCreate(title=title[:200], content=_content(text, notes))

    def stage(tx: Tx, ticket: TicketModel) -> None:
        ticket_id = int(ticket.id)
        ids = attachments.store_files(ticket_id=ticket_id, files=files, uploaded_by=int(requester.id),
                                      inline_ids=content_ids)
        ticket.attachments = [{"id": i, "filename": f.filename, "content_type": _stored_type(f.content_type),
                               "size": len(f.data)} for i, f in zip(ids, files, strict=True)] or None
        tx.put("mail-in", MailModel(f"in#{dedupe}", ticket_id=ticket_id, message_id=dedupe, created_at=now_iso()),
               condition=MailModel.key.does_not_exist())
        tx.put("mail-thread", MailModel(f"thread#{ticket_id}", ticket_id=ticket_id, message_id=dedupe,
                                        created_at=now_iso()))

    created = tickets.create_ticket(data=data, actor=actor, channel="email", stage=stage)
    logger.info("inbound mail opened a ticket", extra={"ticket_id": created["id"], **mime.summary(mail)})
    return Outcome("ticket", None, int(created["id"]))


def _stored_type(content_type: str) -> str:
    from chalicelib.schemas.mail import ALLOWED_TYPES

    return content_type if content_type in ALLOWED_TYPES else "application/octet-stream"


def _reply(mail: mime.InboundMail, ticket_id: int, dedupe: str, source: str) -> Outcome:
    try:
        ticket = tickets.get_ticket_model(ticket_id)
    except NotFound:
        return _reject_raw(source, mail, f"ticket {ticket_id} no longer exists")
    requester = UserModel.get(int(ticket.requester_id), consistent_read=True)
    if users.canonical_email(str(mail.from_address)) != requester.email:
        return _reject_raw(source, mail, f"the sender is not the requester of ticket {ticket_id}")
    actor = Principal(user_id=int(requester.id), role="requester", via="email")
    files, content_ids, notes = _files(mail)
    ids = attachments.store_files(ticket_id=ticket_id, files=files, uploaded_by=int(requester.id),
                                  inline_ids=content_ids)
    data = ReplyCreate(content=_content(mail.new_text, notes), attachment_ids=ids)

    def stage(tx: Tx, reply: ReplyModel) -> None:
        tx.put("mail-in", MailModel(f"in#{dedupe}", ticket_id=ticket_id, reply_id=int(reply.id),
                                    message_id=dedupe, created_at=now_iso()),
               condition=MailModel.key.does_not_exist())

    try:
        reply = replies.add_reply(ticket_id=ticket_id, data=data, actor=actor, stage=stage)
    except Conflict as exc:
        if getattr(exc, "code", None) == "merged" and ticket.merged_into is not None:
            return _reply(mail, int(ticket.merged_into), dedupe, source)
        raise
    logger.info("inbound mail added a reply", extra={"ticket_id": ticket_id, **mime.summary(mail)})
    return Outcome("reply", None, ticket_id, int(reply["id"]))


class MailRejected(Exception):
    """A message we will not take: the record fails, SQS retries it and finally parks it on the mail-ingest DLQ
    (the raw mail stays in the bucket); the reason is logged and kept as `rejected#<source>` in the mail table."""


def _reject(bucket: str, key: str, reason: str) -> Outcome:
    return _dead_letter({"reason": reason, "source": f"s3://{bucket}/{key}"}, reason)


def _reject_raw(source: str, mail: mime.InboundMail, reason: str) -> Outcome:
    return _dead_letter({"reason": reason, "source": source, **mime.summary(mail)}, reason)


def _dead_letter(body: dict[str, Any], reason: str) -> Outcome:
    logger.warning("inbound mail rejected", extra=body)
    if body.get("source"):
        MailModel(f"rejected#{body['source']}"[:1024], message_id=str(body.get("message_id") or "") or None,
                  created_at=now_iso(), reason=reason[:500]).save()
        raise MailRejected(reason)
    return Outcome("rejected", reason)


def attachment_record(attachment_id: str) -> AttachmentModel | None:
    """An attachment's record (tests and tools)."""
    try:
        return AttachmentModel.get(attachment_id, consistent_read=True)
    except AttachmentModel.DoesNotExist:
        return None
