"""The agents' copilot chats: sessions and their messages in one table."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register

SESSION_SK = "meta"


def owner_pk(user_id: int) -> str:
    """The partition of one agent's session list."""
    return f"owner#{int(user_id)}"


def session_pk(session_id: str) -> str:
    """The partition holding a session and its messages."""
    return f"session#{session_id}"


def listing_sk(created_at: str, session_id: str) -> str:
    """A session's place in its owner's list: newest first is one Query read backwards."""
    return f"{created_at}#{session_id}"


def message_sk(seq: int) -> str:
    """A message's place in its session (1, 2, ...): zero-padded, so the sort key orders them."""
    return f"msg#{int(seq):06d}"


@register
class CopilotModel(BaseModel):
    """Three kinds of item:

    - `session#<id>` / `meta`: the session (owner_id, title, ticket_id, message_count, created/updated);
    - `session#<id>` / `msg#<000001>`: one message (role user | assistant, content, sources, citations);
    - `owner#<user id>` / `<created_at>#<id>`: the owner's list entry (a copy of the session's summary fields,
      written in the same transactions as the session).
    A session's id is random; every read checks `owner_id` against the caller (another agent's id is a 404).
    """

    class Meta(BaseModel.Meta):
        logical_name = "copilot"
        table_name = "copilot"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    session_id = UnicodeAttribute()
    owner_id = NumberAttribute(null=True)
    title = UnicodeAttribute(null=True)
    ticket_id = NumberAttribute(null=True)
    message_count = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)
    # messages
    seq = NumberAttribute(null=True)
    role = UnicodeAttribute(null=True)  # user | assistant
    content = UnicodeAttribute(null=True)
    sources = JSONAttribute(null=True)  # [{n, kind, ref, title, excerpt, relevance, ...}] (assistant)
    citations = JSONAttribute(null=True)  # [n, ...]: the sources the answer cites
    answer_source = UnicodeAttribute(null=True)  # llm | passages | none
    model = UnicodeAttribute(null=True)
    fallback_reason = UnicodeAttribute(null=True)
