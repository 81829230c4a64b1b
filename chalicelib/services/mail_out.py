"""Outbound mail: the mail-out consumer turns an outbox promise (an agent's or the AI's public reply, a
resolution) into a threaded mail to the requester through SES, with the reply's files.

Threading: our Message-ID is derived from the promise (a retried send carries the same one), recorded as
`out#<id>` before the send so the customer's answer threads back; In-Reply-To/References point at the message that
opened the ticket; the subject carries the signed ticket token. Each promise mails at most once (`sent#<id>`).
No mail to an address that opted out, bounced or complained, to deactivated or system accounts, for internal notes
or for messages a merge hid from the requester. Locally every mail is also written as an .eml file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from chalicelib import aws
from chalicelib.clock import now_iso
from chalicelib.config import get_settings
from chalicelib.log import logger
from chalicelib.mail import render
from chalicelib.mail import token as tokens
from chalicelib.models import bind_models
from chalicelib.models.mail import MailModel
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.models.users import UserModel
from chalicelib.services import attachments
from chalicelib.store import mail_notify, outbox
from chalicelib.store.db import TransactionFailed, Tx

SES_MAX_BYTES = 40 * 1024 * 1024
FILE_BUDGET_BYTES = 25 * 1024 * 1024  # base64 grows files by a third; the rest of the 40 MB is headroom


def address_state(address: str) -> MailModel | None:
    """An address's delivery record (opted out, bounced, complained), if any."""
    bind_models()
    try:
        return MailModel.get(f"addr#{address}", consistent_read=True)
    except MailModel.DoesNotExist:
        return None


def may_mail(address: str) -> bool:
    """Whether mail may go to this address."""
    if address.endswith(".invalid") or "@" not in address:
        return False
    state = address_state(address)
    return state is None or not (state.opted_out or state.bounced_at or state.complained_at)


def _complete(key: str) -> None:
    tx = Tx()
    outbox.complete(tx, mail_notify.KIND, key, 0)
    try:
        tx.commit()
    except TransactionFailed:
        pass


def send_from_message(body: dict[str, Any]) -> dict[str, Any]:
    """One mail-out message: build, record and send the mail it promises (or say why not)."""
    bind_models()
    key = str(body["key"])
    result = _send(body)
    _complete(key)
    return result


def _send(body: dict[str, Any]) -> dict[str, Any]:
    settings = get_settings().mail
    ticket_id = int(body["ticket_id"])
    try:
        ticket = TicketModel.get(ticket_id, consistent_read=True)
    except TicketModel.DoesNotExist:
        return {"skipped": "ticket gone"}
    if ticket.deleted_at is not None:
        return {"skipped": "ticket gone"}
    try:
        requester = UserModel.get(int(ticket.requester_id), consistent_read=True)
    except UserModel.DoesNotExist:
        return {"skipped": "requester gone"}
    if requester.deactivated_at is not None or not may_mail(requester.email):
        return {"skipped": "the requester does not receive mail"}
    event = str(body["event"])
    files: list[render.OutboundFile] = []
    if event == "reply":
        try:
            reply = ReplyModel.get(ticket_id, str(body["reply_sk"]), consistent_read=True)
        except ReplyModel.DoesNotExist:
            return {"skipped": "reply gone"}
        if reply.internal or reply.hidden_from_requester:
            return {"skipped": "not for the requester"}
        text = _reply_text(ticket, reply)
        files = attachments.load_files(list(reply.attachments or []), ticket_id, FILE_BUDGET_BYTES)
        discriminator = f"r{int(reply.id)}"
    elif event == "resolved":
        text = (f"Your request \"{ticket.title}\" (ticket #{ticket_id}) has been marked as resolved.\n\n"
                "If you still need help, just reply to this e-mail: your answer goes to the same ticket.")
        discriminator = "resolved-" + hashlib.sha256(str(body["key"]).encode()).hexdigest()[:12]
    else:
        return {"skipped": f"unknown event {event}"}
    message_id = f"<ticket-{ticket_id}.{discriminator}@{settings.domain}>"
    if _already_sent(message_id):
        return {"skipped": "already sent", "message_id": message_id}
    root = _root(ticket_id)
    subject = f"Re: {ticket.title} {tokens.token(ticket_id)}"
    message = render.build(render.Outbound(
        to_address=requester.email, to_name=requester.name, from_address=settings.support_email,
        from_name=settings.support_name, subject=subject, text=text, message_id=message_id, in_reply_to=root,
        references=[root] if root else [], files=files,
        unsubscribe=f"mailto:{settings.support_email}?subject=unsubscribe"))
    raw = message.as_bytes()
    MailModel(f"out#{message_id}", ticket_id=ticket_id, message_id=message_id, created_at=now_iso()).save()
    request: dict[str, Any] = {"FromEmailAddress": settings.support_email,
                               "Destination": {"ToAddresses": [requester.email]},
                               "Content": {"Raw": {"Data": raw}}}
    if settings.configuration_set:
        request["ConfigurationSetName"] = settings.configuration_set
    aws.client("sesv2").send_email(**request)
    MailModel(f"sent#{message_id}", ticket_id=ticket_id, message_id=message_id, created_at=now_iso()).save()
    if settings.sent_dir is not None:
        _write_eml(settings.sent_dir, message_id, raw)
    logger.info("mail sent", extra={"ticket_id": ticket_id, "event": event, "message_id": message_id})
    return {"sent": message_id, "to": requester.email}


def _reply_text(ticket: TicketModel, reply: ReplyModel) -> str:
    footer = (f"\n\n--\nReply to this e-mail to answer; your message goes to ticket #{int(ticket.id)}.")
    url = get_settings().mail.console_url
    if url:
        footer += f"\nOr read the whole conversation at {url.rstrip('/')}/tickets/{int(ticket.id)}"
    return f"{reply.content}{footer}"


def _already_sent(message_id: str) -> bool:
    try:
        MailModel.get(f"sent#{message_id}", consistent_read=True)
        return True
    except MailModel.DoesNotExist:
        return False


def _root(ticket_id: int) -> str | None:
    try:
        return str(MailModel.get(f"thread#{ticket_id}", consistent_read=True).message_id or "") or None
    except MailModel.DoesNotExist:
        return None


def _write_eml(directory: Path, message_id: str, raw: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in message_id.strip("<>"))
    (directory / f"{name}.eml").write_bytes(raw)


# --- SES feedback and preferences -------------------------------------------------------------------------------

def _mark(address: str, **fields: Any) -> None:
    bind_models()
    actions = [getattr(MailModel, name).set(value) for name, value in fields.items()]
    MailModel(f"addr#{address.strip().lower()}").update(actions=actions)


def handle_feedback(body: dict[str, Any]) -> dict[str, Any]:
    """An SES bounce or complaint notification (through SNS, or raw): the addresses stop receiving mail.
    Transient bounces change nothing."""
    import json

    message = body
    if body.get("Type") == "Notification" and isinstance(body.get("Message"), str):
        message = json.loads(body["Message"])
    kind = str(message.get("notificationType") or message.get("eventType") or "")
    marked = []
    if kind == "Bounce":
        bounce = message.get("bounce") or {}
        if bounce.get("bounceType") == "Permanent":
            for recipient in bounce.get("bouncedRecipients") or []:
                _mark(str(recipient["emailAddress"]), bounced_at=now_iso())
                marked.append(str(recipient["emailAddress"]).lower())
    elif kind == "Complaint":
        for recipient in (message.get("complaint") or {}).get("complainedRecipients") or []:
            _mark(str(recipient["emailAddress"]), complained_at=now_iso())
            marked.append(str(recipient["emailAddress"]).lower())
    return {"type": kind, "marked": marked}


def preferences(*, user_id: int) -> dict[str, Any]:
    """The user's e-mail preference and their address's delivery state."""
    bind_models()
    user = UserModel.get(user_id, consistent_read=True)
    state = address_state(user.email)
    return {"email": user.email, "email_notifications": not (state and state.opted_out),
            "bounced": bool(state and state.bounced_at), "complained": bool(state and state.complained_at)}


def opt_out(address: str) -> None:
    """No more mail to this address (its List-Unsubscribe mail arrived)."""
    _mark(address, opted_out=True)


def set_preferences(*, user_id: int, email_notifications: bool) -> dict[str, Any]:
    """Opt the user's address in or out of mail about their tickets."""
    bind_models()
    user = UserModel.get(user_id, consistent_read=True)
    _mark(user.email, opted_out=not email_notifications)
    return preferences(user_id=user_id)
