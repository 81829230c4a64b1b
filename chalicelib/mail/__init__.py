"""The e-mail channel's building blocks: parsing inbound MIME, the ticket token, rendering outbound mail."""
