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
    # Records per invocation, and the longest one record may take (its worst case, not its average): a batch
    # must finish inside the consumer's timeout, or every record of it comes back (infra/tests check the sums).
    batch_size: int
    item_worst_case_s: int
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


# Worst cases per record: webhook deliveries resolve the target (5 s resolver timeout), connect and wait for the
# answer (5 s each, ops/webhooks.TIMEOUT_S); KB records may wait 60 s for a source's lease (services/kb_locks) before
# embedding and writing for up to 30 s.
WEBHOOK_DELIVERY_WORST_CASE_S = 3 * 5 + 1
KB_RECORD_WORST_CASE_S = 60 + 30
QUEUES: list[QueueDef] = [
    # Visibility timeouts are 6x the consuming function's timeout (Lambda's guidance for SQS sources).
    QueueDef(logical="classify", visibility_timeout_s=6 * 60, batch_size=10, item_worst_case_s=5),
    QueueDef(logical="train", visibility_timeout_s=6 * 900, batch_size=1, item_worst_case_s=600),
    # One record: a KB search plus at most one LLM call (LLM_TIMEOUT_S, 12 s by default) and one transaction.
    QueueDef(logical="auto-reply", visibility_timeout_s=6 * 60, batch_size=2, item_worst_case_s=25),
    QueueDef(logical="webhook-events", visibility_timeout_s=6 * 60, batch_size=10, item_worst_case_s=3),
    QueueDef(logical="webhook-deliveries", visibility_timeout_s=6 * 60, batch_size=3,
             item_worst_case_s=WEBHOOK_DELIVERY_WORST_CASE_S, max_receive_count=8),
    QueueDef(logical="kb-ingest", visibility_timeout_s=1800, batch_size=3, item_worst_case_s=KB_RECORD_WORST_CASE_S),
    QueueDef(logical="kb-embed", visibility_timeout_s=1800, batch_size=3, item_worst_case_s=KB_RECORD_WORST_CASE_S),
    # The e-mail channel: a record parses one message (up to 30 MB) and writes its files and one transaction;
    # a send reads the reply's files and calls SES; feedback marks addresses.
    QueueDef(logical="mail-ingest", visibility_timeout_s=6 * 60, batch_size=2, item_worst_case_s=20),
    QueueDef(logical="mail-out", visibility_timeout_s=6 * 60, batch_size=2, item_worst_case_s=20, max_receive_count=8),
    QueueDef(logical="mail-feedback", visibility_timeout_s=6 * 60, batch_size=10, item_worst_case_s=2),
]
BUCKETS: list[BucketDef] = [
    BucketDef(logical="artifacts"),  # trained classifier models: s3://<artifacts>/classifier/<version>.npz
    BucketDef(logical="kb-uploads", notify_queue="kb-ingest", notify_suffixes=(".md", ".txt")),
    BucketDef(logical="kb-store"),  # LanceDB: s3://<kb-store>/lancedb
    BucketDef(logical="console", local=False),  # the built console (frontend/dist), private, behind CloudFront
    # Raw inbound MIME: SES's receipt rule writes each message here (the local SMTP receiver too).
    BucketDef(logical="inbound-mail", notify_queue="mail-ingest"),
    BucketDef(logical="attachments"),  # <ticket id>/<attachment id>: presigned uploads and inbound mail's files
]


def queues() -> list[QueueDef]:
    """Every queue (each with a DLQ)."""
    return list(QUEUES)


def queue(logical: str) -> QueueDef:
    """One queue by its logical name."""
    return next(q for q in QUEUES if q.logical == logical)


def buckets() -> list[BucketDef]:
    """Every bucket."""
    return list(BUCKETS)


# --- Lambda functions: which package serves which handler, and what each may touch -------------------------------

ZIP = "zip"  # the Chalice deployment zip (requirements.txt), python3.12 runtime
IMAGE = "image"  # the container image (requirements.txt + requirements-ml.txt + the ONNX model)

READ = "read"
WRITE = "write"

# Tables of the ticket domain: tickets, their listing index and counters, users, operations and the AI's own tables
# (editing a ticket's category records a training example; creating one writes an outbox promise).
TICKET_DOMAIN = ("tickets", "replies", "listings", "counters", "users", "uniques", "events", "stats", "settings",
                 "webhooks", "outbox", "ai-examples", "ai-labels", "ai-state")
AI_MODEL_TABLES = ("ai-examples", "ai-labels", "ai-state")


@dataclass(frozen=True)
class FunctionDef:
    """One Lambda function: its Chalice name, its package, and the resources its role may use.

    `tables`/`buckets` map a logical name to READ or WRITE (WRITE includes READ). `queues` are the queues it
    sends to (its own event source is granted from the queue, receive/delete only). `secrets` are SSM parameter
    settings (`secret_key`, `llm_api_key`). The table, bucket and queue sets are what each handler's code reaches
    (infra/code_access.py; infra/tests/test_least_privilege.py fails when code and role differ).
    """

    name: str
    package: str
    tables: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    queues: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    source_queue: str | None = None
    ses_send: bool = False  # may send mail through SES (from the support address, with the configuration set)


def _rw(*names: str) -> dict[str, str]:
    return dict.fromkeys(names, WRITE)


def _r(*names: str) -> dict[str, str]:
    return dict.fromkeys(names, READ)


FUNCTIONS: list[FunctionDef] = [
    # The REST API (every route but /api/kb/* and /api/ai/*); /health reads one key of every table.
    FunctionDef("api_handler", ZIP, tables={**_rw(*TICKET_DOMAIN, "api-keys", "throttle", "refresh-families",
                                                  "mail", "attachments"), **_r("kb-documents", "copilot")},
                buckets={"attachments": WRITE},
                queues=("classify", "train", "webhook-events", "auto-reply", "mail-out"), secrets=("secret_key",)),
    # /api/kb/* and /api/ai/*: the same Chalice app in the container image (embedder, LanceDB, LLM client); the
    # signing key for the paging cursors of the KB documents and the copilot sessions.
    FunctionDef("api_ml", IMAGE, tables={**_rw("tickets", "replies", "counters", "users", "stats", *AI_MODEL_TABLES,
                                                "kb-documents", "events", "settings", "copilot"), **_r("api-keys")},
                buckets={"kb-store": WRITE, "artifacts": READ}, queues=("classify", "train", "auto-reply"),
                secrets=("llm_api_key", "secret_key")),
    FunctionDef("bearer_auth", ZIP, tables=_r("api-keys", "users"), secrets=("secret_key",)),
    FunctionDef("classify_tickets", IMAGE, tables=_rw("tickets", "counters", "events", "stats", "outbox",
                                                      "ai-labels", "ai-state", "idempotency"),
                buckets={"artifacts": READ}, queues=("auto-reply", "classify", "train"), secrets=("llm_api_key",),
                source_queue="classify"),
    FunctionDef("train_classifier", IMAGE, tables=_rw(*AI_MODEL_TABLES, "idempotency"),
                buckets={"artifacts": WRITE}, queues=("classify", "train", "auto-reply"), source_queue="train"),
    FunctionDef("ai_housekeeping", ZIP, tables=_rw("ai-state", "outbox"), queues=("classify", "train", "auto-reply")),
    # The AI first response: classification on the ticket, KB search, the LLM, then one transaction.
    # kb-documents: which KB collections are public (a requester's answer only draws on those).
    FunctionDef("auto_reply", IMAGE, tables={**_rw(*(t for t in TICKET_DOMAIN if t not in ("webhooks", "ai-examples")),
                                                   "idempotency"), **_r("kb-documents")},
                buckets={"kb-store": READ, "artifacts": READ}, queues=("mail-out",), secrets=("llm_api_key",),
                source_queue="auto-reply"),
    FunctionDef("sweep_deletes", ZIP, tables=_rw("tickets", "replies", "listings", "counters", "events")),
    FunctionDef("sla_watch", ZIP, tables={**_rw("tickets", "listings", "counters", "events", "stats"),
                                          **_r("webhooks")}, queues=("webhook-events",)),
    FunctionDef("sweep_merges", ZIP, tables={**_rw("listings", "replies"), **_r("tickets")}),
    FunctionDef("webhook_fan_out", ZIP, tables={**_r("webhooks", "listings"), **_rw("idempotency")},
                queues=("webhook-deliveries",), source_queue="webhook-events"),
    FunctionDef("webhook_deliver", ZIP, tables=_rw("webhooks", "idempotency"), source_queue="webhook-deliveries"),
    # kb-uploads: the bucket arrives in the S3 notification, so infra/code_access.py cannot see it in the code.
    # counters: a document's record and its collection's counts are one transaction, and store/db opens
    # transactions through CounterModel's connection (no counters item is read or written).
    FunctionDef("kb_ingest", IMAGE, tables=_rw("kb-documents", "idempotency", "counters"),
                buckets={"kb-uploads": READ, "kb-store": WRITE}, queues=("kb-embed",), source_queue="kb-ingest"),
    FunctionDef("kb_embed", IMAGE, tables=_rw("kb-documents", "idempotency"), buckets={"kb-store": WRITE},
                source_queue="kb-embed"),
    FunctionDef("kb_optimize", IMAGE, buckets={"kb-store": WRITE}),
    # The e-mail channel. inbound-mail: the bucket arrives in the S3 notification (as for kb-uploads).
    FunctionDef("mail_ingest", ZIP, tables=_rw(*(t for t in TICKET_DOMAIN if t not in AI_MODEL_TABLES), "mail",
                                                "attachments", "idempotency"),
                buckets={"inbound-mail": READ, "attachments": WRITE},
                queues=("auto-reply", "classify", "mail-out", "train", "webhook-events"), secrets=("secret_key",),
                source_queue="mail-ingest"),
    FunctionDef("mail_send", ZIP, tables={**_rw("mail", "outbox", "idempotency"),
                                          **_r("tickets", "replies", "users", "counters")},
                buckets={"attachments": READ}, secrets=("secret_key",), ses_send=True, source_queue="mail-out"),
    FunctionDef("mail_feedback", ZIP, tables=_rw("mail", "idempotency"), source_queue="mail-feedback"),
    FunctionDef("mail_redeliver", ZIP, tables=_rw("outbox"), queues=("mail-out",)),
]

# API routes served by the image function (API Gateway sends these paths to `api_ml`, the rest to `api_handler`).
IMAGE_ROUTE_PREFIXES = ("/api/kb", "/api/ai")


def functions() -> list[FunctionDef]:
    """Every Lambda function of the deployment."""
    return list(FUNCTIONS)


def function(name: str) -> FunctionDef:
    """One function by its Chalice name."""
    return next(f for f in FUNCTIONS if f.name == name)
