"""Local stand-in for Lambda's event source mappings: polls the SQS queues in moto and runs the app's
`on_sqs_message` handlers with the real message payloads; runs `schedule` handlers at their rate.

Deletes only the messages a handler did not report in `batchItemFailures`, so retries and the
redrive to the dead-letter queue behave as in AWS.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from typing import Any

import boto3
from chalice.local import LambdaContext

from chalicelib.config import Settings
from chalicelib.log import logger

LOCAL_ACCOUNT = "123456789012"  # moto's default account
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")  # cron schedules are not run locally
_UNIT_S = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def schedule_interval_s(expression: str) -> float | None:
    """Seconds between runs for a rate() expression; None for cron expressions (not run locally)."""
    match = _RATE.fullmatch(expression.strip())
    if not match:
        return None
    return int(match.group(1)) * _UNIT_S[match.group(2)]


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda builds for an SQS batch."""
    return {"Records": [{
        "messageId": m["MessageId"],
        "receiptHandle": m["ReceiptHandle"],
        "body": m["Body"],
        "attributes": m.get("Attributes", {}),
        "messageAttributes": m.get("MessageAttributes", {}),
        "md5OfBody": m.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    } for m in messages]}


class Dispatcher:
    """One polling thread per SQS event source, one timer thread per rate schedule."""

    def __init__(self, chalice_app: Any, settings: Settings, schedule_scale: float = 1.0) -> None:
        self.app = chalice_app
        self.settings = settings
        self.schedule_scale = schedule_scale
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.sqs = boto3.session.Session().client("sqs", region_name=settings.region,
                                                  endpoint_url=settings.aws_endpoint_url)

    def start(self) -> list[str]:
        """Start the threads; returns a description of what is dispatched."""
        started = []
        for source in self.app.event_sources:
            kind = type(source).__name__
            if kind == "SQSEventConfig" and source.queue:
                thread = threading.Thread(target=self._poll, args=(source,), name=f"sqs-{source.name}", daemon=True)
                started.append(f"queue {source.queue} -> {source.name}")
            elif kind == "ScheduledEventConfig":
                expression = source.schedule_expression
                text = expression.to_string() if hasattr(expression, "to_string") else str(expression)
                interval = schedule_interval_s(text)
                if interval is None:
                    continue
                thread = threading.Thread(target=self._tick, args=(source, interval * self.schedule_scale),
                                          name=f"schedule-{source.name}", daemon=True)
                started.append(f"every {interval * self.schedule_scale:.0f}s -> {source.name}")
            else:
                continue
            thread.start()
            self._threads.append(thread)
        return started

    def stop(self) -> None:
        """Ask the threads to finish (each notices within a second)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _context(self, name: str) -> LambdaContext:
        return LambdaContext(function_name=f"{self.app.app_name}-{self.settings.stage}-{name}", memory_size=1024,
                             max_runtime_ms=900_000)

    def _poll(self, source: Any) -> None:
        handler = self.app.handler_map[source.name]
        url = None
        while not self._stop.is_set():
            try:
                if url is None:
                    url = self.sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
                    attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
                    arn = attributes["Attributes"]["QueueArn"]
                response = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(10, source.batch_size or 10),
                                                    WaitTimeSeconds=1, AttributeNames=["All"],
                                                    MessageAttributeNames=["All"])
                messages = response.get("Messages", [])
                if not messages:
                    continue
                self.run_batch(handler, source.name, messages, url, arn)
            except Exception:  # keep polling whatever happens; the handler's own errors are logged below
                logger.exception("dispatcher poll failed", extra={"queue": source.queue})
                time.sleep(1)

    def run_batch(self, handler: Any, name: str, messages: list[dict[str, Any]], url: str, arn: str) -> list[str]:
        """Invoke the handler with one batch and delete what succeeded. Returns the failed message ids."""
        event = sqs_event(messages, arn, self.settings.region)
        try:
            result = handler(event, self._context(name))
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception:
            logger.exception("handler failed for the whole batch", extra={"handler": name})
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        if failed:
            # Make failed messages visible again soon instead of after the full visibility timeout.
            for m in messages:
                if m["MessageId"] in failed:
                    try:
                        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                                           VisibilityTimeout=2)
                    except Exception:  # noqa: BLE001 - best effort
                        pass
        return sorted(failed)

    def _tick(self, source: Any, interval: float) -> None:
        handler = self.app.handler_map[source.name]
        while not self._stop.wait(interval):
            try:
                handler(scheduled_event(self.settings, source.name), self._context(source.name))
            except Exception:
                logger.exception("scheduled handler failed", extra={"handler": source.name})


def scheduled_event(settings: Settings, rule: str) -> dict[str, Any]:
    """The EventBridge "Scheduled Event" a rate rule sends, with every field Chalice's CloudWatchEvent reads."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": LOCAL_ACCOUNT, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": settings.region, "resources": [f"arn:aws:events:{settings.region}:{LOCAL_ACCOUNT}:rule/{rule}"],
            "detail": {}}


def describe(result: Any) -> str:
    """A compact JSON rendering for log lines."""
    return json.dumps(result, default=str)[:500]
