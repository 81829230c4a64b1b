"""The outbox: work a transaction promised to do, removed by the consumer that did it."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register


@register
class OutboxModel(BaseModel):
    """Work a transaction promised to do (e.g. classify ticket 7 at version 3). Written in the same transaction
    as the change; the queue message is sent after commit, and a schedule re-sends what is still here."""

    class Meta(BaseModel.Meta):
        logical_name = "outbox"
        table_name = "outbox"

    kind = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    payload = JSONAttribute()
    version = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
