"""The store's transactions: one idempotency token per logical transaction."""

from __future__ import annotations

import json

from chalicelib.store import db, stats


def _sent_tokens():
    tokens: list[str] = []

    def capture(params, **_):
        tokens.append(json.loads(params["body"])["ClientRequestToken"])

    return tokens, capture


def test_a_transaction_sent_again_carries_the_same_idempotency_token(aws):
    # GIVEN every TransactWriteItems request is observed on its way to DynamoDB
    tokens, capture = _sent_tokens()
    events = db.connection().client.meta.events
    events.register("before-call.dynamodb.TransactWriteItems", capture)
    try:
        # WHEN one transaction is sent twice (as after a lost response) and another one once
        tx = db.Tx()
        stats.bump(tx, "2026-01-05", "created")
        tx.commit()
        tx.commit()
        other = db.Tx()
        stats.bump(other, "2026-01-05", "created")
        other.commit()
    finally:
        events.unregister("before-call.dynamodb.TransactWriteItems", capture)
    # THEN DynamoDB sees one token for the first (it applies it once) and a new one for the second
    assert len(tokens) == 3 and tokens[0] == tokens[1] == tx.token and tokens[2] == other.token != tx.token
    assert 1 <= len(tx.token) <= 36  # DynamoDB's limit for ClientRequestToken
