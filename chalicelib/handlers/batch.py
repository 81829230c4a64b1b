"""At-least-once SQS processing, the same way for every queue-triggered function.

Each record is handled on its own (Powertools BatchProcessor): a failing record is reported in
`batchItemFailures` and retried alone, then moved to the dead-letter queue after the queue's
maxReceiveCount. Each record runs at most once per messageId (Powertools idempotency, DynamoDB store),
so a redelivered batch has no second effect. Handlers add business-level guards (conditional writes)
for duplicates that arrive as different messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from chalicelib import aws
from chalicelib.config import get_settings, load_settings, on_reset

IDEMPOTENCY_TTL_S = 24 * 3600


def queue_name(logical: str) -> str:
    """The physical queue name, known when the module is imported (Chalice needs it for the event source).

    Read from the environment each time, never from the cached settings: `chalice package` imports the app once
    per stage in one process (make synth packages dev and prod), each time with that stage's variables."""
    return load_settings().queue_name(logical)


@lru_cache(maxsize=1)
def _persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=get_settings().table_name("idempotency"),
        boto3_client=aws.client("dynamodb"),
    )


@lru_cache(maxsize=32)
def _once_per_message(name: str, handler: Callable[[dict[str, Any]], Any]) -> tuple[Callable[..., Any], Any]:
    config = IdempotencyConfig(event_key_jmespath="messageId", expires_after_seconds=IDEMPOTENCY_TTL_S,
                               raise_on_no_idempotency_key=True)

    def run(message: dict[str, Any]) -> Any:
        return handler(json.loads(message["body"]))

    run.__name__ = run.__qualname__ = name  # the idempotency key is namespaced by function name
    return idempotent_function(run, data_keyword_argument="message", persistence_store=_persistence(),
                               config=config), config


@on_reset
def _forget_persistence() -> None:
    _persistence.cache_clear()
    _once_per_message.cache_clear()


def process_sqs_batch(
    event: Any,
    handler: Callable[[dict[str, Any]], Any],
    name: str,
) -> PartialItemFailureResponse:
    """Run `handler(body_as_json)` for every record of a Chalice SQSEvent; report the failed ones."""
    once, config = _once_per_message(name, handler)
    context = getattr(event, "context", None)
    if context is not None:
        config.register_lambda_context(context)

    def record_handler(record: SQSRecord) -> Any:
        return once(message={"messageId": record.message_id, "body": record.body})

    return process_partial_response(
        event=event.to_dict(),
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False),
        context=context,
    )
