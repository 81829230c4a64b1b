"""Create the resources from infra/resources.py in an AWS endpoint (moto locally and in tests). Idempotent."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.config import Settings
from infra import resources

_SESSION = boto3.session.Session()
_CLIENTS: dict[tuple[str, str, str | None], Any] = {}


def _client(service: str, settings: Settings) -> Any:
    key = (service, settings.region, settings.aws_endpoint_url)
    if key not in _CLIENTS:
        _CLIENTS[key] = _SESSION.client(service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    return _CLIENTS[key]


def create_tables(settings: Settings) -> list[str]:
    """Create every missing table (and its TTL setting); returns the physical names."""
    ddb = _client("dynamodb", settings)
    existing = set(ddb.list_tables(Limit=100).get("TableNames", []))
    names = []
    for table in resources.tables():
        kwargs = table.create_kwargs(settings)
        names.append(kwargs["TableName"])
        if kwargs["TableName"] in existing:
            continue
        ddb.create_table(**kwargs)
        if table.ttl_attribute:
            ddb.update_time_to_live(
                TableName=kwargs["TableName"],
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )
    return names


def create_queues(settings: Settings) -> dict[str, str]:
    """Create every queue with its DLQ and redrive policy; returns logical name -> queue URL."""
    sqs = _client("sqs", settings)
    urls: dict[str, str] = {}
    for queue in resources.queues():
        dlq_url = sqs.create_queue(
            QueueName=settings.queue_name(queue.dlq_logical),
            Attributes={"MessageRetentionPeriod": str(14 * 24 * 3600)},
        )["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(
            QueueName=settings.queue_name(queue.logical),
            Attributes={
                "VisibilityTimeout": str(queue.visibility_timeout_s),
                "MessageRetentionPeriod": str(queue.retention_s),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                             "maxReceiveCount": str(queue.max_receive_count)}),
            },
        )["QueueUrl"]
        urls[queue.logical] = url
        urls[queue.dlq_logical] = dlq_url
    return urls


def create_buckets(settings: Settings) -> list[str]:
    """Create every local bucket; returns the physical names."""
    s3 = _client("s3", settings)
    names = []
    for bucket in resources.buckets():
        if not bucket.local:
            continue
        name = settings.bucket_name(bucket.logical)
        names.append(name)
        try:
            s3.create_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
    return names


def configure_notifications(settings: Settings) -> None:
    """Point each notifying bucket at its queue (object created and removed)."""
    s3 = _client("s3", settings)
    sqs = _client("sqs", settings)
    for bucket in resources.buckets():
        if not bucket.local or bucket.notify_queue is None:
            continue
        url = sqs.get_queue_url(QueueName=settings.queue_name(bucket.notify_queue))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        configs = []
        for suffix in bucket.notify_suffixes or ("",):
            config: dict[str, Any] = {"QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
            if suffix:
                config["Filter"] = {"Key": {"FilterRules": [{"Name": "suffix", "Value": suffix}]}}
            configs.append(config)
        s3.put_bucket_notification_configuration(
            Bucket=settings.bucket_name(bucket.logical),
            NotificationConfiguration={"QueueConfigurations": configs},
        )


def create_mail_identity(settings: Settings) -> None:
    """The support address's domain as a verified SES identity (moto accepts it at once; AWS needs DNS records,
    see docs/DEPLOY.md)."""
    ses = _client("sesv2", settings)
    try:
        ses.create_email_identity(EmailIdentity=settings.mail.domain)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("AlreadyExistsException", "AlreadyExists"):
            raise


def create_all(settings: Settings, notifications: bool = True) -> None:
    """Tables, queues, buckets, the SES identity and (optionally) bucket notifications."""
    create_tables(settings)
    create_queues(settings)
    create_buckets(settings)
    create_mail_identity(settings)
    if notifications:
        configure_notifications(settings)
