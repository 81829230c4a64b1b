"""Knowledge-base test helpers: a clean store per test, the embedder choice, real S3 -> SQS payloads."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def reset_kb_caches() -> None:
    """Forget cached settings, stores and queue URLs (the endpoint and the buckets change between tests)."""
    from chalicelib.config import reset_process_state

    reset_process_state()


def onnx_model_path() -> Path:
    """The exported ONNX model, exported now (as `make bootstrap` does) when it is missing."""
    from chalicelib.config import DEFAULT_ONNX_PATH
    from chalicelib.rag.export_onnx import export

    path = Path(os.environ.get("ONNX_MODEL_PATH") or DEFAULT_ONNX_PATH)
    if not path.exists():
        export(path)
    return path


def sqs(endpoint: str) -> Any:
    """A boto3 SQS client for the moto server."""
    import boto3

    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")


def s3(endpoint: str) -> Any:
    """A boto3 S3 client for the moto server."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def queue_url(endpoint: str, logical: str) -> str:
    """A queue's URL by logical name."""
    from chalicelib.config import get_settings

    return str(sqs(endpoint).get_queue_url(QueueName=get_settings().queue_name(logical))["QueueUrl"])


def receive(endpoint: str, logical: str, want: int = 1, timeout_s: float = 10.0) -> list[dict[str, Any]]:
    """Receive (and delete) at least `want` real messages from a queue, as Lambda's poller would."""
    client = sqs(endpoint)
    url = queue_url(endpoint, logical)
    got: list[dict[str, Any]] = []
    deadline = time.time() + timeout_s
    while len(got) < want and time.time() < deadline:
        response = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                          AttributeNames=["All"])
        for message in response.get("Messages", []):
            got.append(message)
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return got


def drain(endpoint: str, logical: str) -> None:
    """Drop whatever waits in a queue (the s3:TestEvent after configuring notifications)."""
    client = sqs(endpoint)
    client.purge_queue(QueueUrl=queue_url(endpoint, logical))


def lambda_event(messages: list[dict[str, Any]], endpoint: str, logical: str) -> dict[str, Any]:
    """The event Lambda builds from received SQS messages (the same builder the local dispatcher uses)."""
    from devstack.dispatcher import sqs_event

    client = sqs(endpoint)
    url = queue_url(endpoint, logical)
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs_event(messages, arn, "us-east-1")


def bodies(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decoded JSON bodies."""
    return [json.loads(m["Body"]) for m in messages]
