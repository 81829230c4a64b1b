"""At-least-once safety for queue consumers (chalicelib/handlers/batch.py): partial batch failures, one
effect per message however often it is delivered, and poison messages parked in the dead-letter queue."""

from __future__ import annotations

import json
import time
import uuid

import boto3
from chalice.app import Chalice, SQSEvent
from chalice.local import LambdaContext

from chalicelib.handlers.batch import process_sqs_batch
from chalicelib.models import bind_models
from chalicelib.models.listings import CounterModel

CONTEXT = LambdaContext(function_name="helpdesk-dev-test", memory_size=256, max_runtime_ms=60_000)


def effect(body):
    """The side effect under test: bump a counter named in the message; 'poison' always fails."""
    if body.get("poison"):
        raise ValueError("cannot process this message")
    bind_models()
    CounterModel(f"effect|{body['name']}").update(actions=[CounterModel.value.add(1)])


def effects(name):
    bind_models()
    try:
        return int(CounterModel.get(f"effect|{name}", consistent_read=True).value)
    except CounterModel.DoesNotExist:
        return 0


def sqs_event(bodies):
    records = [{"messageId": str(uuid.uuid4()), "receiptHandle": "rh", "body": json.dumps(b), "attributes": {},
                "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"} for b in bodies]
    return {"Records": records}


def test_a_redelivered_batch_has_no_second_effect(aws):
    # GIVEN a batch of three messages
    raw = sqs_event([{"name": "a"}, {"name": "b"}, {"name": "a"}])
    # WHEN it is delivered twice (at-least-once delivery)
    for _ in range(2):
        result = process_sqs_batch(SQSEvent(raw, CONTEXT), effect, "test_effect")
        assert result == {"batchItemFailures": []}
    # THEN each message had exactly one effect
    assert (effects("a"), effects("b")) == (2, 1)


def test_one_bad_message_fails_alone(aws):
    raw = sqs_event([{"name": "c"}, {"poison": True}, {"name": "d"}])
    poison_id = raw["Records"][1]["messageId"]
    result = process_sqs_batch(SQSEvent(raw, CONTEXT), effect, "test_effect")
    assert result == {"batchItemFailures": [{"itemIdentifier": poison_id}]}
    assert (effects("c"), effects("d")) == (1, 1)
    # the failed message is retried; the others are not processed again
    retry = {"Records": [raw["Records"][1]]}
    assert process_sqs_batch(SQSEvent(retry, CONTEXT), effect, "test_effect")["batchItemFailures"]
    assert process_sqs_batch(SQSEvent(raw, CONTEXT), effect, "test_effect")["batchItemFailures"] == [
        {"itemIdentifier": poison_id}]
    assert (effects("c"), effects("d")) == (1, 1)


def test_malformed_body_is_a_failed_record_not_a_crash(aws):
    raw = sqs_event([{"name": "e"}])
    raw["Records"].append({**raw["Records"][0], "messageId": "broken", "body": "{not json"})
    result = process_sqs_batch(SQSEvent(raw, CONTEXT), effect, "test_effect")
    assert result == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
    assert effects("e") == 1


def test_poison_message_lands_in_the_dead_letter_queue_after_max_receives(aws):
    from chalicelib.config import get_settings
    from devstack.dispatcher import Dispatcher

    settings = get_settings()
    sqs = boto3.client("sqs", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    dlq = sqs.create_queue(QueueName="batch-test-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(QueueName="batch-test", Attributes={
        "VisibilityTimeout": "1",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]

    app = Chalice("batch-test")

    @app.on_sqs_message(queue="batch-test", batch_size=10)
    def consume(event):
        return process_sqs_batch(event, effect, "test_dlq")

    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"name": "f"}))
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"poison": True}))
    dispatcher = Dispatcher(app, settings)
    dispatcher.start()
    try:
        deadline = time.time() + 30
        parked = []
        while time.time() < deadline and not parked:
            parked = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages", [])
    finally:
        dispatcher.stop()
    assert [json.loads(m["Body"]) for m in parked] == [{"poison": True}]
    assert effects("f") == 1
