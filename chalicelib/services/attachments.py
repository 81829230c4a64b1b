"""Attachments: a presigned upload promised to a ticket, bound to the next reply that references it, downloaded
through a short-lived presigned link by whoever may read that reply."""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.clock import now_iso
from chalicelib.config import get_settings
from chalicelib.errors import FieldError, NotFound, ValidationFailed
from chalicelib.mail.render import OutboundFile
from chalicelib.models import bind_models
from chalicelib.models.mail import AttachmentModel
from chalicelib.principal import Principal
from chalicelib.schemas.mail import ALLOWED_TYPES, MAX_ATTACHMENTS_PER_REPLY, AttachmentCreate
from chalicelib.services.tickets import get_ticket_model
from chalicelib.store.db import Tx, batch_get

UPLOAD_TTL_S = 600
DOWNLOAD_TTL_S = 300


def _bucket() -> str:
    return get_settings().bucket_name("attachments")


def _key(ticket_id: int, attachment_id: str) -> str:
    return f"{ticket_id}/{attachment_id}"


def to_dict(record: AttachmentModel) -> dict[str, Any]:
    """The public view of an attachment."""
    return {"id": record.id, "filename": record.filename, "content_type": record.content_type,
            "size": int(record.size)}


def create_upload(*, ticket_id: int, data: AttachmentCreate, actor: Principal) -> dict[str, Any]:
    """Promise an attachment on a ticket the caller may reply to; answer the presigned form upload."""
    get_ticket_model(ticket_id, actor)  # 404 unless the caller may see (and so reply to) the ticket
    limit = get_settings().mail.max_attachment_bytes
    if data.size > limit:
        raise ValidationFailed(f"size: at most {limit} bytes", [FieldError("size", f"at most {limit} bytes")])
    record = AttachmentModel(uuid.uuid4().hex, ticket_id=ticket_id, filename=data.filename,
                             content_type=data.content_type, size=data.size, uploaded_by=actor.user_id,
                             created_at=now_iso(), status="pending")
    record.save(condition=AttachmentModel.id.does_not_exist())
    form = aws.client("s3").generate_presigned_post(
        Bucket=_bucket(), Key=_key(ticket_id, record.id), Fields={"Content-Type": data.content_type},
        Conditions=[{"Content-Type": data.content_type}, ["content-length-range", 1, data.size]],
        ExpiresIn=UPLOAD_TTL_S)
    return {"attachment": to_dict(record), "max_size": data.size,
            "upload": {"url": form["url"], "fields": dict(form["fields"]), "expires_in": UPLOAD_TTL_S}}


def store_files(*, ticket_id: int, files: list[OutboundFile], uploaded_by: int,
                inline_ids: dict[int, str] | None = None) -> list[str]:
    """Put files that arrived another way (an inbound mail) into the bucket; their records are `stored`."""
    bind_models()
    ids = []
    for index, item in enumerate(files):
        attachment_id = uuid.uuid4().hex
        content_type = item.content_type if item.content_type in ALLOWED_TYPES else "application/octet-stream"
        aws.client("s3").put_object(Bucket=_bucket(), Key=_key(ticket_id, attachment_id), Body=item.data,
                                    ContentType=content_type)
        content_id = (inline_ids or {}).get(index)
        AttachmentModel(attachment_id, ticket_id=ticket_id, filename=item.filename, content_type=content_type,
                        size=len(item.data), uploaded_by=uploaded_by, created_at=now_iso(), status="stored",
                        inline=bool(content_id) or None, content_id=content_id).save()
        ids.append(attachment_id)
    return ids


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(f"attachment_ids: {message}", [FieldError("attachment_ids", message)])


def stage_bind(tx: Tx, *, attachment_ids: list[str], ticket_id: int, reply_id: int, actor: Principal,
               internal: bool) -> list[dict[str, Any]]:
    """Bind the referenced attachments to a reply in the reply's transaction (each only once, only the
    caller's own uploads on this ticket, only files that really arrived within their limits)."""
    if not attachment_ids:
        return []
    if len(set(attachment_ids)) != len(attachment_ids) or len(attachment_ids) > MAX_ATTACHMENTS_PER_REPLY:
        raise _refuse(f"at most {MAX_ATTACHMENTS_PER_REPLY} different attachments")
    records = batch_get(AttachmentModel, attachment_ids)
    bound: list[dict[str, Any]] = []
    for attachment_id in attachment_ids:
        record = records.get(attachment_id)
        if record is None or int(record.ticket_id) != ticket_id or int(record.uploaded_by) != actor.user_id:
            raise _refuse(f"{attachment_id} is not an upload of yours on this ticket")
        if record.reply_id is not None:
            raise _refuse(f"{attachment_id} is already on another reply")
        if record.status != "stored":
            _check_uploaded(record)
        tx.update_fields(f"attachment:{attachment_id}", AttachmentModel, attachment_id,
                         [AttachmentModel.reply_id.set(reply_id), AttachmentModel.status.set("stored"),
                          AttachmentModel.internal.set(internal)],
                         condition=AttachmentModel.reply_id.does_not_exist())
        bound.append(to_dict(record))
    return bound


def _check_uploaded(record: AttachmentModel) -> None:
    """The object exists, within the promised size and of the promised type (S3 enforces the form's conditions;
    checked again here so a store that did not still cannot bind a file that breaks them)."""
    try:
        head = aws.client("s3").head_object(Bucket=_bucket(), Key=_key(int(record.ticket_id), record.id))
    except ClientError as exc:
        raise _refuse(f"{record.id} has not been uploaded yet") from exc
    size = int(head.get("ContentLength", 0))
    if size < 1 or size > int(record.size) or head.get("ContentType") != record.content_type:
        raise _refuse(f"{record.id} does not match its announced size or type")
    record.size = size


def download(*, attachment_id: str, actor: Principal) -> dict[str, Any]:
    """A presigned GET for a file on a reply the caller may read (else 404, as for an unknown id)."""
    bind_models()
    try:
        record = AttachmentModel.get(attachment_id, consistent_read=True)
    except AttachmentModel.DoesNotExist as exc:
        raise NotFound("attachment not found") from exc
    ticket = get_ticket_model(int(record.ticket_id), actor)  # 404 unless the caller may see the ticket
    if record.status != "stored" and int(record.uploaded_by) != actor.user_id:
        raise NotFound("attachment not found")
    if not actor.is_staff and (record.internal or record.hidden_from_requester
                               or int(ticket.requester_id) != actor.user_id):
        raise NotFound("attachment not found")
    safe_name = record.filename.replace('"', "'")
    url = aws.client("s3").generate_presigned_url(
        "get_object", ExpiresIn=DOWNLOAD_TTL_S,
        Params={"Bucket": _bucket(), "Key": _key(int(record.ticket_id), record.id),
                "ResponseContentType": record.content_type,
                "ResponseContentDisposition": f"attachment; filename=\"{safe_name}\"; "
                                              f"filename*=UTF-8''{_quote(record.filename)}"})
    return {"attachment": to_dict(record), "url": url, "expires_in": DOWNLOAD_TTL_S}


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def load_files(attachments: list[dict[str, Any]], ticket_id: int, budget_bytes: int) -> list[OutboundFile]:
    """The files of a reply for an outbound mail, as long as they fit the budget (SES takes 40 MB per mail)."""
    files = []
    used = 0
    for item in attachments:
        size = int(item.get("size", 0))
        if used + size > budget_bytes:
            continue
        body = aws.client("s3").get_object(Bucket=_bucket(), Key=_key(ticket_id, str(item["id"])))["Body"].read()
        files.append(OutboundFile(filename=str(item["filename"]), content_type=str(item["content_type"]), data=body))
        used += size
    return files
