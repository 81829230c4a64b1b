"""Users and the uniqueness records that keep e-mail addresses unique."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.models.base import BaseModel, register


@register
class UserModel(BaseModel):
    """A person: requester, agent or admin. Keyed by integer id."""

    class Meta(BaseModel.Meta):
        logical_name = "users"
        table_name = "users"

    id = NumberAttribute(hash_key=True)
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute(default="requester")
    password_hash = UnicodeAttribute(null=True)
    token_version = NumberAttribute(default=0)
    # Set when the account is switched off: its tokens and API keys stop working on the next request.
    deactivated_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


@register
class UniqueModel(BaseModel):
    """A claimed unique value (`email#alice@example.com`) pointing at its owner; written in the owner's transaction."""

    class Meta(BaseModel.Meta):
        logical_name = "uniques"
        table_name = "uniques"

    key = UnicodeAttribute(hash_key=True)
    owner_id = NumberAttribute()
