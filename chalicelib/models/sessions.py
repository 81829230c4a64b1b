"""Refresh-token families: one per sign-in, so a replayed refresh token can revoke the whole chain."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register


@register
class RefreshFamilyModel(BaseModel):
    """A sign-in's chain of refresh tokens; only `current_jti` may be exchanged, once."""

    class Meta(BaseModel.Meta):
        logical_name = "refresh-families"
        table_name = "refresh-families"

    family_id = UnicodeAttribute(hash_key=True)
    user_id = NumberAttribute()
    current_jti = UnicodeAttribute()
    created_at = UnicodeAttribute()
    rotated_at = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    revoked_reason = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)
