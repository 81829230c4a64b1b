"""Short-lived counters for throttling (failed sign-ins); DynamoDB's TTL removes them."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register


@register
class ThrottleModel(BaseModel):
    """`login|<email>` -> failures in the current window, which ends at `expires_at`."""

    class Meta(BaseModel.Meta):
        logical_name = "throttle"
        table_name = "throttle"

    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    window_ends = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)
