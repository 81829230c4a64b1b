"""Tickets and their replies."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)

from chalicelib.models.base import BaseModel, register


@register
class TicketModel(BaseModel):
    """A support ticket. `deleted_at` marks a delete in progress (its replies are still being removed)."""

    class Meta(BaseModel.Meta):
        logical_name = "tickets"
        table_name = "tickets"

    id = NumberAttribute(hash_key=True)
    title = UnicodeAttribute()
    content = UnicodeAttribute()
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    requester_id = NumberAttribute()
    assignee_id = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    deleted_at = UnicodeAttribute(null=True)
    version = VersionAttribute()
    # The agents' category (a taxonomy label); setting it teaches the classifier.
    category = UnicodeAttribute(null=True)
    # Written by the background classifier without bumping `version` (it must not turn an agent's edit into a
    # conflict); `ai_source_version` is the ticket version that was classified, so an older result never
    # overwrites a newer one.
    ai_category = UnicodeAttribute(null=True)
    ai_confidence = NumberAttribute(null=True)
    ai_priority = UnicodeAttribute(null=True)
    ai_tags = ListAttribute(of=UnicodeAttribute, null=True)
    ai_out_of_scope = BooleanAttribute(null=True)
    ai_alternatives = JSONAttribute(null=True)
    ai_model = UnicodeAttribute(null=True)
    ai_classified_at = UnicodeAttribute(null=True)
    ai_source_version = NumberAttribute(null=True)
    ai_suggested_at = UnicodeAttribute(null=True)
    # SLA: targets (seconds of working time) and calendar captured when the priority was set, the clock's
    # pauses, the events that stop each target, and the sort keys of this ticket's timers in `sla-timer|`.
    sla = JSONAttribute(null=True)
    first_responded_at = UnicodeAttribute(null=True)
    resolved_at = UnicodeAttribute(null=True)
    sla_timers = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    sla_alerts = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    # Merge: a duplicate points at its survivor; the admin who confirmed merging two requesters' tickets.
    merged_into = NumberAttribute(null=True)
    merge_confirmed_by = NumberAttribute(null=True)
    # Satisfaction: one rating per ticket, changeable until the ticket is closed.
    csat_score = NumberAttribute(null=True)
    csat_comment = UnicodeAttribute(null=True)
    csat_at = UnicodeAttribute(null=True)
    # Who opened the ticket on the requester's behalf (staff entering a phone call or letter); null when the
    # requester opened it themselves.
    created_by = NumberAttribute(null=True)
    # The AI first response: its one decision about this ticket (services/auto_reply.py), null until decided.
    ai_response = JSONAttribute(null=True)
    # How the ticket came in: "email" for mail to the support address; null (the portal or the API) otherwise.
    channel = UnicodeAttribute(null=True)
    # Files that came with the ticket's first message (an inbound mail): [{"id", "filename", "content_type", "size"}].
    attachments = JSONAttribute(null=True)


@register
class ReplyModel(BaseModel):
    """One message in a ticket's thread; the range key orders a thread by time."""

    class Meta(BaseModel.Meta):
        logical_name = "replies"
        table_name = "replies"

    ticket_id = NumberAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = NumberAttribute()
    author_id = NumberAttribute()
    content = UnicodeAttribute()
    internal = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    # Who entered the reply on the author's behalf, and their name then; null when the author posted it.
    posted_by = NumberAttribute(null=True)
    posted_by_name = UnicodeAttribute(null=True)
    # Set on replies a merge brought here: the ticket they were written on; `hidden_from_requester` (only ever
    # True) when that ticket had another requester, so this ticket's requester never sees them.
    merged_from = NumberAttribute(null=True)
    hidden_from_requester = BooleanAttribute(null=True)
    # "agent" | "requester" | "ai"; replies stored before origins existed have none (read from the author).
    origin = UnicodeAttribute(null=True)
    citations = JSONAttribute(null=True)
    # Files bound to this reply: [{"id", "filename", "content_type", "size"}] (records in the attachments table).
    attachments = JSONAttribute(null=True)
