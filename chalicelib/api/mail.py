"""Attachments (presigned upload and download) and the caller's e-mail preferences."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import Call, endpoint
from chalicelib.api.security import bearer_auth
from chalicelib.schemas.common import PathId
from chalicelib.schemas.mail import (
    AttachmentCreate,
    AttachmentDownload,
    AttachmentId,
    AttachmentUpload,
    MailPreferences,
    MailPreferencesOut,
)
from chalicelib.services import attachments, mail_out

bp = Blueprint(__name__)


@endpoint(bp, "POST", "/api/tickets/{ticket_id}/attachments", summary="Start an attachment upload",
          tag="attachments", authorizer=bearer_auth, body=AttachmentCreate, response=AttachmentUpload, status=201,
          scope="tickets:write", errors=(400, 401, 403, 404, 413, 422))
def create_attachment(call: Call, ticket_id: PathId) -> dict[str, Any]:
    """A presigned form upload (type and size fixed by its conditions, 10 minutes); send the returned `id` in
    the next reply's `attachment_ids`."""
    return attachments.create_upload(ticket_id=ticket_id, data=call.body, actor=call.principal)


@endpoint(bp, "GET", "/api/attachments/{attachment_id}", summary="Download an attachment", tag="attachments",
          authorizer=bearer_auth, response=AttachmentDownload, scope="tickets:read", errors=(401, 403, 404))
def get_attachment(call: Call, attachment_id: AttachmentId) -> dict[str, Any]:
    """A presigned download valid for 5 minutes, for whoever may read the reply the file is on."""
    return attachments.download(attachment_id=attachment_id, actor=call.principal)


@endpoint(bp, "GET", "/api/mail/preferences", summary="My e-mail preferences", tag="mail",
          authorizer=bearer_auth, response=MailPreferencesOut, scope="tickets:read", errors=(401, 403))
def get_preferences(call: Call) -> dict[str, Any]:
    """Whether mail about my tickets reaches me, and whether my address bounced or complained."""
    return mail_out.preferences(user_id=call.principal.user_id)


@endpoint(bp, "PUT", "/api/mail/preferences", summary="Change my e-mail preferences", tag="mail",
          authorizer=bearer_auth, body=MailPreferences, response=MailPreferencesOut, scope="tickets:write",
          errors=(400, 401, 403, 413, 422))
def put_preferences(call: Call) -> dict[str, Any]:
    """Opt in or out of mail about my tickets (replies, AI answers, resolution notices)."""
    return mail_out.set_preferences(user_id=call.principal.user_id,
                                    email_notifications=call.body.email_notifications)
