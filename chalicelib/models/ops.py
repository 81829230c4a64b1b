"""Operations tables: the audit trail, daily statistics, settings and webhooks."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.models.base import BaseModel, register


@register
class EventModel(BaseModel):
    """One change to a ticket, in time order: who, when, what (field, old, new)."""

    class Meta(BaseModel.Meta):
        logical_name = "events"
        table_name = "events"

    ticket_id = NumberAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # created_at#random
    type = UnicodeAttribute()
    actor_id = NumberAttribute(null=True)  # None: the system (classifier, SLA watcher)
    changes = JSONAttribute(null=True)  # [{"field", "old", "new"}]
    data = JSONAttribute(null=True)
    created_at = UnicodeAttribute()


@register
class StatModel(BaseModel):
    """Daily aggregates: partition per month, `key` = `<day>|<metric>#<shard>`, `value` summed over shards."""

    class Meta(BaseModel.Meta):
        logical_name = "stats"
        table_name = "stats"

    month = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    value = NumberAttribute(default=0)


@register
class SettingModel(BaseModel):
    """Named settings an admin edits (the SLA policy)."""

    class Meta(BaseModel.Meta):
        logical_name = "settings"
        table_name = "settings"

    name = UnicodeAttribute(hash_key=True)
    value = JSONAttribute()
    updated_at = UnicodeAttribute()
    updated_by = NumberAttribute(null=True)


@register
class WebhookModel(BaseModel):
    """A registered webhook: where to POST which events, and the secret that signs them."""

    class Meta(BaseModel.Meta):
        logical_name = "webhooks"
        table_name = "webhooks"

    id = UnicodeAttribute(hash_key=True)
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    secret = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    description = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    created_by = NumberAttribute()
