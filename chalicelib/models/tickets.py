"""Tickets and their replies."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
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
