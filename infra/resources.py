"""The one source of truth for the AWS resources the app uses.

Tables come from the PynamoDB models (keys, indexes), queues and buckets are declared here. The local stack
(`make dev`), the tests and the deployment template all read these definitions, so a table key or a queue
name cannot differ between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.config import Settings
from chalicelib.models import all_models


@dataclass(frozen=True)
class TableDef:
    """A DynamoDB table: logical name plus CreateTable key/index arguments."""

    logical: str
    key_schema: list[dict[str, str]]
    attribute_definitions: list[dict[str, str]]
    global_secondary_indexes: list[dict[str, Any]] = field(default_factory=list)
    ttl_attribute: str | None = None
    stream: bool = False

    def create_kwargs(self, settings: Settings) -> dict[str, Any]:
        """Arguments for boto3's create_table."""
        kwargs: dict[str, Any] = {
            "TableName": settings.table_name(self.logical),
            "KeySchema": self.key_schema,
            "AttributeDefinitions": self.attribute_definitions,
            "BillingMode": "PAY_PER_REQUEST",
        }
        if self.global_secondary_indexes:
            kwargs["GlobalSecondaryIndexes"] = self.global_secondary_indexes
        if self.stream:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        return kwargs


@dataclass(frozen=True)
class QueueDef:
    """An SQS queue with its dead-letter queue."""

    logical: str
    visibility_timeout_s: int
    max_receive_count: int = 5
    retention_s: int = 4 * 24 * 3600

    @property
    def dlq_logical(self) -> str:
        """The dead-letter queue's logical name."""
        return f"{self.logical}-dlq"


@dataclass(frozen=True)
class BucketDef:
    """An S3 bucket; `notify_queue` sends object created/removed events to that queue."""

    logical: str
    notify_queue: str | None = None
    notify_suffixes: tuple[str, ...] = ()
    local: bool = True


def _table_from_model(model: Any) -> TableDef:
    schema = model._get_schema()
    gsis = []
    for index in schema.get("global_secondary_indexes", []):
        gsis.append({
            "IndexName": index["index_name"] if "index_name" in index else index["IndexName"],
            "KeySchema": index.get("key_schema") or index["KeySchema"],
            "Projection": index.get("projection") or index["Projection"],
        })
    ttl = next((name for name, attr in model.get_attributes().items()
                if type(attr).__name__ == "TTLAttribute"), None)
    return TableDef(
        logical=model.Meta.logical_name,
        key_schema=sorted(schema["key_schema"], key=lambda k: k["KeyType"] != "HASH"),
        attribute_definitions=schema["attribute_definitions"],
        global_secondary_indexes=gsis,
        ttl_attribute=model.get_attributes()[ttl].attr_name if ttl else None,
        stream=bool(getattr(model.Meta, "stream", False)),
    )


def tables() -> list[TableDef]:
    """Every table: one per PynamoDB model, plus Powertools' idempotency store."""
    defs = [_table_from_model(model) for model in all_models()]
    defs.append(TableDef(
        logical="idempotency",
        key_schema=[{"AttributeName": "id", "KeyType": "HASH"}],
        attribute_definitions=[{"AttributeName": "id", "AttributeType": "S"}],
        ttl_attribute="expiration",
    ))
    return defs


QUEUES: list[QueueDef] = [
    # Visibility timeouts are 6x the consuming function's timeout (Lambda's guidance for SQS sources).
    QueueDef(logical="classify", visibility_timeout_s=6 * 60, max_receive_count=5),
    QueueDef(logical="train", visibility_timeout_s=6 * 900, max_receive_count=3),
    QueueDef(logical="webhook-events", visibility_timeout_s=6 * 60, max_receive_count=5),
    QueueDef(logical="webhook-deliveries", visibility_timeout_s=6 * 60, max_receive_count=8),
    QueueDef(logical="kb-ingest", visibility_timeout_s=1800, max_receive_count=5),
    QueueDef(logical="kb-embed", visibility_timeout_s=1800, max_receive_count=5),
]
BUCKETS: list[BucketDef] = [
    BucketDef(logical="artifacts"),  # trained classifier models: s3://<artifacts>/classifier/<version>.npz
    BucketDef(logical="kb-uploads", notify_queue="kb-ingest", notify_suffixes=(".md", ".txt")),
    BucketDef(logical="kb-store"),  # LanceDB: s3://<kb-store>/lancedb
]


def queues() -> list[QueueDef]:
    """Every queue (each with a DLQ)."""
    return list(QUEUES)


def buckets() -> list[BucketDef]:
    """Every bucket."""
    return list(BUCKETS)
