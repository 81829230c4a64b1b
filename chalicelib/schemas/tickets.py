"""Ticket and reply schemas."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StringConstraints, WithJsonSchema

from chalicelib.schemas.auto_reply import AiResponseOut, Citation, ReplyOrigin
from chalicelib.schemas.common import (
    MAX_TAG_CHARS,
    MAX_TAGS,
    PARTIAL_UPDATE,
    Content,
    EntityId,
    Out,
    PageQuery,
    QueryId,
    Strict,
    Title,
    optional_not_null,
)
from chalicelib.schemas.mail import MAX_ATTACHMENTS_PER_REPLY, AttachmentId, AttachmentOut

Status = Literal["open", "in_progress", "pending", "resolved", "closed"]
Priority = Literal["low", "medium", "high", "urgent"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
PRIORITIES: tuple[str, ...] = Priority.__args__  # type: ignore[attr-defined]


def _normalise_tags(value: Any) -> Any:
    """Accept "login, auth" or ["login", "auth"]; trim, lower-case, drop empties and duplicates."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return value  # let pydantic report the type error
    tags: list[Any] = []
    for item in value:
        if isinstance(item, str):
            item = " ".join(item.split()).lower()
            if not item or item in tags:
                continue
        tags.append(item)
    return tags


def _check_tag(tag: str) -> str:
    if "," in tag or any(ord(ch) < 32 for ch in tag) or "\x00" in tag:
        raise ValueError("a tag may not contain commas or control characters")
    try:
        tag.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode") from exc
    return tag


Tag = Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS, pattern=r"^[^,\x00-\x1f\x7f]+$"),
                AfterValidator(_check_tag)]
_TAGS_SCHEMA = {
    "anyOf": [
        {"type": "array", "maxItems": MAX_TAGS,
         "items": {"type": "string", "maxLength": MAX_TAG_CHARS, "pattern": r"^[^,\x00-\x1f\x7f]*$"}},
        {"type": "string", "maxLength": MAX_TAGS * (MAX_TAG_CHARS + 1), "pattern": r"^[^\x00-\x1f\x7f]*$"},
    ],
    "description": 'A list, or one comma-separated string such as "login,auth" '
                   "(trimmed, lower-cased, de-duplicated; empty entries are dropped).",
}
Tags = Annotated[
    list[Tag],
    BeforeValidator(_normalise_tags),
    Field(max_length=MAX_TAGS),
    WithJsonSchema(_TAGS_SCHEMA, mode="validation"),
]


class TicketCreate(Strict):
    """A new ticket. Without `requester_id` the caller is the requester; requesters can only name themselves
    (403), and never send `status`, `priority` or `assignee_id` (422 naming the field): staff triage."""

    title: Title
    content: Content
    status: Status = "open"
    priority: Priority = "medium"
    tags: Tags = Field(default_factory=list)
    requester_id: EntityId | None = None
    assignee_id: EntityId | None = None


class TicketUpdate(Strict):
    """A partial update: send only the fields to change. `version` (or an If-Match header) guards
    against overwriting someone else's edit; without it the update applies to the current version."""

    model_config = PARTIAL_UPDATE

    title: Title = optional_not_null()
    content: Content = optional_not_null(
        description="Only for tickets a staff member entered on a requester's behalf (`created_by` set): what a "
                    "requester wrote is never rewritten (422 naming `content`; the same text sent back is accepted).")
    status: Status = optional_not_null()
    priority: Priority = optional_not_null()
    tags: Tags = optional_not_null()
    requester_id: EntityId = optional_not_null()
    assignee_id: EntityId | None = Field(default=None, description="An agent's id, or null to unassign.")
    category: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="A taxonomy category (null clears it). Setting it teaches the classifier.")
    version: EntityId = optional_not_null(description="The version you edited; a newer one on the server is a 409.")


class TicketOut(Out):
    """A ticket."""

    id: int
    title: str
    content: str
    status: Status
    priority: Priority
    tags: list[str]
    requester_id: int
    assignee_id: int | None
    created_at: str
    updated_at: str
    version: int
    category: str | None = Field(default=None, description="The agents' category (a taxonomy label).")
    ai_category: str | None = Field(default=None, description="The classifier's category; null when out of scope.")
    ai_confidence: float | None = None
    ai_priority: Priority | None = None
    ai_tags: list[str] | None = None
    ai_out_of_scope: bool | None = None
    ai_alternatives: list[dict[str, Any]] | None = Field(default=None, description="Best first: category, confidence.")
    ai_model: str | None = None
    ai_classified_at: str | None = Field(default=None, description="Null until the background classifier has run.")
    first_response_due: str | None = None
    resolution_due: str | None = None
    first_responded_at: str | None = None
    resolved_at: str | None = None
    sla_state: Literal["ok", "at_risk", "breached"] = "ok"
    sla_paused: bool = False
    merged_into: int | None = None
    csat_score: int | None = None
    csat_comment: str | None = None
    csat_at: str | None = None
    ai_response: AiResponseOut | None = Field(default=None, description="The AI's first-response decision.")
    created_by: int | None = Field(default=None, description="The staff member who opened the ticket on the "
                                   "requester's behalf; null when the requester opened it.")
    channel: Literal["web", "email"] = Field(default="web", description="How the ticket came in: the portal or "
                                             "the API (web), or a mail to the support address (email).")
    attachments: list[AttachmentOut] = Field(default_factory=list, description="Files that came with the "
                                             "ticket's first message (a mail's attachments).")


class TicketDeleting(Out):
    """A delete still under way: the ticket is gone from every list, its replies are being removed."""

    status: Literal["deleting"]


class TicketListQuery(PageQuery):
    """Filters for GET /api/tickets; they combine (AND)."""

    status: Status | None = None
    priority: Priority | None = None
    requester_id: QueryId | None = None
    assignee_id: QueryId | Literal["none"] | None = Field(
        default=None, description='An agent id, or "none" for unassigned tickets.'
    )


class ReplyCreate(Strict):
    """A new reply. `author_id` defaults to the caller; only staff may post as someone else (the reply then
    records them as `posted_by`); a requester naming another author gets a 403 naming `author_id`."""

    author_id: EntityId | None = None
    content: Content
    internal: StrictBool = Field(default=False, description="An internal note, visible to agents only.")
    from_suggestion: StrictBool = Field(default=False, description="The text started from an AI draft (analytics).")
    cited_sources: list[Annotated[str, StringConstraints(min_length=1, max_length=1_024)]] = Field(
        default_factory=list, max_length=5,
        description="With `from_suggestion`: the KB documents (`metadata.source`) the draft cited. They are learnt as "
                    "answering the ticket's category, and KB search prefers them for it from then on.")
    attachment_ids: list[AttachmentId] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS_PER_REPLY,
        description="Files uploaded through POST /api/tickets/{id}/attachments by the caller, bound to this reply.")


class ReplyOut(Out):
    """A reply in a thread."""

    id: int
    ticket_id: int
    author_id: int
    content: str
    internal: bool
    created_at: str
    posted_by: int | None = Field(default=None, description="Who entered the reply on the author's behalf (a phone "
                                  "call or letter); null when the author posted it. Show it as "
                                  "\"Alice (entered by Priya)\".")
    posted_by_name: str | None = Field(default=None, description="The name of `posted_by` when the reply was posted.")
    merged_from: int | None = Field(default=None, description="The ticket this message was written on, when a merge "
                                    "brought it here (the duplicate's description is one such message).")
    hidden_from_requester: bool = Field(default=False, description="Another requester's message, brought here by a "
                                        "merge an admin confirmed: staff see it, this ticket's requester does not.")
    origin: ReplyOrigin = Field(default="agent", description="Who wrote it: an agent, the requester or the AI.")
    citations: list[Citation] = Field(default_factory=list, description="The KB passages an AI answer relies on.")
    attachments: list[AttachmentOut] = Field(default_factory=list, description="Files on this reply; download "
                                             "each through GET /api/attachments/{id}.")


class ReplyListQuery(PageQuery):
    """Paging for a thread (oldest first)."""

    page_size: int = Field(default=50, ge=1, le=100)
