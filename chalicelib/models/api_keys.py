"""API keys for integrators: only a hash of the secret is stored."""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register


@register
class ApiKeyModel(BaseModel):
    """One API key. The caller presents `hdk_<key_id>_<secret>`; we keep the SHA-256 of the secret."""

    class Meta(BaseModel.Meta):
        logical_name = "api-keys"
        table_name = "api-keys"

    key_id = UnicodeAttribute(hash_key=True)
    secret_hash = UnicodeAttribute()
    user_id = NumberAttribute()
    name = UnicodeAttribute()
    scopes = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()
    created_by = NumberAttribute()
    revoked_at = UnicodeAttribute(null=True)
