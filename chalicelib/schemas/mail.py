"""Attachments and the e-mail channel's API shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from chalicelib.schemas.common import Out, Strict

MAX_ATTACHMENTS_PER_REPLY = 10
ATTACHMENT_MAX_BYTES = 15 * 1024 * 1024
# What a help desk's customers send and agents read; no HTML, SVG or scripts (they would run on download).
ALLOWED_TYPES = (
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "application/pdf", "text/plain", "text/csv",
    "application/zip", "application/json", "message/rfc822", "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/octet-stream",
)
AttachmentId = Annotated[str, StringConstraints(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$")]
ContentType = Literal[ALLOWED_TYPES]  # type: ignore[valid-type]
FileName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                            pattern=r"^[^\x00-\x1f\x7f/\\]+$")]


class AttachmentCreate(Strict):
    """A file the caller is about to upload; the next reply references it by `id` in `attachment_ids`."""

    filename: FileName
    content_type: ContentType = Field(description="One of the accepted types (no HTML, SVG or scripts).")
    size: int = Field(ge=1, le=ATTACHMENT_MAX_BYTES, description="Bytes; at most 15 MB.")


class AttachmentOut(Out):
    """A file on a reply."""

    id: str
    filename: str
    content_type: str
    size: int


class PresignedUpload(Out):
    """Where to upload: an HTML form POST (multipart/form-data) of `fields` then the file as `file` to `url`."""

    url: str
    fields: dict[str, str]
    expires_in: int


class AttachmentUpload(Out):
    """The promised attachment and its upload."""

    attachment: AttachmentOut
    upload: PresignedUpload
    max_size: int


class AttachmentDownload(Out):
    """A short-lived download link."""

    attachment: AttachmentOut
    url: str
    expires_in: int


class MailPreferences(Strict):
    """Whether the signed-in user wants e-mail about their tickets."""

    email_notifications: StrictBool


class MailPreferencesOut(Out):
    """The caller's e-mail preferences and the address's delivery state."""

    email: str
    email_notifications: bool
    bounced: bool
    complained: bool
