"""The e-mail channel's records: threading keys, addresses' delivery state, and attachments."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import BaseModel, register


@register
class MailModel(BaseModel):
    """One small record per key:

    - `out#<message-id>`: a Message-ID we sent (ticket_id): a reply's In-Reply-To/References thread onto it;
    - `in#<message-id>`: an inbound message already turned into a ticket or reply (ticket_id, reply_id): a
      redelivered or re-sent copy has no second effect (written in the same transaction as the ticket/reply);
    - `thread#<ticket id>`: the Message-ID that opened the ticket (outbound mail threads under it);
    - `sent#<message-id>`: an outbound mail handed to SES (a retried send does not mail twice);
    - `addr#<address>`: opted_out / bounced_at / complained_at: no more mail to that address;
    - `rejected#<s3 url>`: why an inbound message was refused (it goes to the mail-ingest DLQ).
    """

    class Meta(BaseModel.Meta):
        logical_name = "mail"
        table_name = "mail"

    key = UnicodeAttribute(hash_key=True)
    ticket_id = NumberAttribute(null=True)
    reply_id = NumberAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    opted_out = BooleanAttribute(null=True)
    bounced_at = UnicodeAttribute(null=True)
    complained_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # `rejected#<source>`: why an inbound message was not taken


@register
class AttachmentModel(BaseModel):
    """A file in the attachments bucket (key `<ticket id>/<attachment id>`), first promised by an upload
    (`status` pending), then bound to one reply (`reply_id`, with the reply's visibility copied here so a
    download is one read)."""

    class Meta(BaseModel.Meta):
        logical_name = "attachments"
        table_name = "attachments"

    id = UnicodeAttribute(hash_key=True)
    ticket_id = NumberAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    uploaded_by = NumberAttribute()
    created_at = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | stored
    reply_id = NumberAttribute(null=True)
    internal = BooleanAttribute(null=True)
    hidden_from_requester = BooleanAttribute(null=True)
    inline = BooleanAttribute(null=True)
    content_id = UnicodeAttribute(null=True)
