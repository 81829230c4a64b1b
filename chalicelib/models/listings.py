"""The listing index: one small item per (entity, filter combination), plus sequence and count counters."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register


@register
class ListingModel(BaseModel):
    """`pk` names a filtered list (`ticket|priority=high&status=open`); `sk` orders it by creation time."""

    class Meta(BaseModel.Meta):
        logical_name = "listings"
        table_name = "listings"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = NumberAttribute()


@register
class CounterModel(BaseModel):
    """Atomic counters: id sequences (`seq|ticket`) and sharded list totals (`count|<pk>|<shard>`)."""

    class Meta(BaseModel.Meta):
        logical_name = "counters"
        table_name = "counters"

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)
