"""Deploy the synthesized dev stack into moto's CloudFormation and check it creates what the app expects.

Input: build/cdk.out/dev.cfn.json (the CDK template with its SAM transform expanded by aws-sam-translator,
`make synth`). moto cannot create what a SAM API becomes (AWS::ApiGateway::RestApi from an OpenAPI body): those
resources and everything that references them are left out, and the test asserts exactly which ones. Resource
types moto's CloudFormation does not implement at all (alarms, queue/bucket/topic policies, the CloudFront function
and origin access control) are accepted by it without being created; the test lists them too.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
import requests

from infra import bootstrap, resources
from infra.stages import STAGES

ROOT = Path(__file__).resolve().parents[2]
CDK_OUT = ROOT / "build" / "cdk.out"
ACCOUNT = "123456789012"
REGION = "us-east-1"
STAGE = "dev"
# What the SAM API expands to, and what depends on it (the CloudFront distribution has the API as an origin; the
# console bucket's policy names the distribution).
LEFT_OUT = {
    "AWS::ApiGateway::RestApi": 1, "AWS::ApiGateway::Deployment": 1, "AWS::ApiGateway::Stage": 1,
    "AWS::ApiGateway::Account": 1,
    "AWS::Lambda::Permission": 3,  # API Gateway -> api_handler, api_ml, bearer_auth
    "AWS::CloudFront::Distribution": 1, "AWS::S3::BucketPolicy": 1,
}
NOT_MODELLED_BY_MOTO = {"AWS::CloudWatch::Alarm", "AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy",
                        "AWS::SNS::TopicPolicy", "AWS::CloudFront::Function", "AWS::CloudFront::OriginAccessControl",
                        "AWS::CloudFront::ResponseHeadersPolicy", "AWS::SNS::Subscription",
                        # SES (the e-mail channel): moto's CloudFormation has no SES resources
                        "AWS::SES::EmailIdentity", "AWS::SES::ConfigurationSet",
                        "AWS::SES::ConfigurationSetEventDestination", "AWS::SES::ReceiptRuleSet",
                        "AWS::SES::ReceiptRule"}
ALARM_EMAIL = "alarms@example.com"  # dev's AlarmEmail parameter


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value[0] if isinstance(value, list) else value.split(".")[0]
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                yield from re.findall(r"\$\{([A-Za-z0-9]+)", text)
                if not isinstance(value, str):
                    yield from _references(value[1])
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def prune(template: dict[str, Any], prefixes: tuple[str, ...]) -> dict[str, str]:
    """Remove resources whose type starts with a prefix, and everything that refers to them (transitively)."""
    res = template["Resources"]
    dropped = {k for k, r in res.items() if r["Type"].startswith(prefixes)}
    changed = True
    while changed:
        changed = False
        for key, resource in res.items():
            depends = resource.get("DependsOn", [])
            deps = set(_references(resource)) | set([depends] if isinstance(depends, str) else depends)
            if key not in dropped and deps & dropped:
                dropped.add(key)
                changed = True
    removed = {k: res.pop(k)["Type"] for k in sorted(dropped)}
    template["Outputs"] = {k: v for k, v in template.get("Outputs", {}).items()
                           if not set(_references(v)) & dropped}
    return removed


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto's state is per process, shared by every server in it: start from nothing.
    requests.post(f"http://127.0.0.1:{port}/moto-api/reset", timeout=10)
    yield f"http://127.0.0.1:{port}"
    server.stop()


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def _template(endpoint: str, stage: str) -> dict[str, Any]:
    """The stage's expanded template, with what `cdk bootstrap` and `cdk deploy` do before CloudFormation runs:
    the bootstrap version parameter and the zip assets in the staging bucket (moto checks a function's code
    exists; images are not checked)."""
    path = CDK_OUT / f"{stage}.cfn.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make synth` first")
    template: dict[str, Any] = json.loads(path.read_text())
    client(endpoint, "ssm").put_parameter(Name="/cdk-bootstrap/hnb659fds/version", Value="30", Type="String",
                                          Overwrite=True)
    staging = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"
    client(endpoint, "s3").create_bucket(Bucket=staging)
    for resource in template["Resources"].values():
        code = resource.get("Properties", {}).get("Code", {})
        if "S3Key" in code:
            client(endpoint, "s3").put_object(Bucket=staging, Key=code["S3Key"],
                                              Body=(CDK_OUT / f"asset.{code['S3Key']}").read_bytes())
    return template


CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


@pytest.fixture(scope="module")
def stack(endpoint: str) -> dict[str, Any]:
    template = _template(endpoint, STAGE)
    removed = prune(template, ("AWS::ApiGateway::",))
    cfn = client(endpoint, "cloudformation")
    cfn.create_stack(StackName=STAGES[STAGE].stack_name, TemplateBody=json.dumps(template),
                     Parameters=[{"ParameterKey": "AlarmEmail", "ParameterValue": ALARM_EMAIL}],
                     Capabilities=CAPABILITIES)
    described = cfn.describe_stacks(StackName=STAGES[STAGE].stack_name)["Stacks"][0]
    summaries = cfn.list_stack_resources(StackName=STAGES[STAGE].stack_name)["StackResourceSummaries"]
    return {"template": template, "removed": removed, "status": described["StackStatus"],
            "created": {s["LogicalResourceId"]: s for s in summaries}}


def test_the_stack_creates_everything_moto_can_model(stack: dict[str, Any]) -> None:
    assert stack["status"] == "CREATE_COMPLETE"
    removed: dict[str, int] = {}
    for kind in stack["removed"].values():
        removed[kind] = removed.get(kind, 0) + 1
    assert removed == LEFT_OUT
    modelled = {k for k, s in stack["created"].items() if s["ResourceType"]}
    skipped = {r["Type"] for k, r in stack["template"]["Resources"].items() if k not in modelled}
    assert skipped == NOT_MODELLED_BY_MOTO


@pytest.mark.usefixtures("stack")
def test_tables_are_the_ones_the_models_define(endpoint: str) -> None:
    ddb = client(endpoint, "dynamodb")
    settings = STAGES[STAGE].settings()
    for table in resources.tables():
        described = ddb.describe_table(TableName=settings.table_name(table.logical))["Table"]
        expected = table.create_kwargs(settings)  # exactly what `make dev` and the tests create
        assert described["KeySchema"] == expected["KeySchema"], table.logical
        assert sorted(described["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
            expected["AttributeDefinitions"], key=lambda a: a["AttributeName"]), table.logical
        assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert [g["IndexName"] for g in described.get("GlobalSecondaryIndexes", [])] == [
            g["IndexName"] for g in expected.get("GlobalSecondaryIndexes", [])]
        # TTL, point-in-time recovery and encryption: moto's CloudFormation ignores them (test_template.py
        # asserts them on the template).
    # The local bootstrap finds every table already there: same names, nothing to create.
    before = sorted(ddb.list_tables()["TableNames"])
    names = bootstrap.create_tables(_settings_for(endpoint))
    assert sorted(ddb.list_tables()["TableNames"]) == before and set(names) <= set(before)


@pytest.mark.usefixtures("stack")
def test_queues_have_their_dlq_and_visibility_timeout(endpoint: str) -> None:
    sqs = client(endpoint, "sqs")
    settings = STAGES[STAGE].settings()
    for queue in resources.queues():
        url = sqs.get_queue_url(QueueName=settings.queue_name(queue.logical))["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert int(attributes["VisibilityTimeout"]) == queue.visibility_timeout_s
        assert int(attributes["MessageRetentionPeriod"]) == queue.retention_s
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(f":{settings.queue_name(queue.dlq_logical)}")
        assert int(redrive["maxReceiveCount"]) == queue.max_receive_count


@pytest.mark.usefixtures("stack")
def test_functions_event_sources_and_schedules(endpoint: str) -> None:
    lam = client(endpoint, "lambda")
    names = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    assert names == {f"helpdesk-{STAGE}-{f.name}" for f in resources.functions()}
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]
    wired = {m["EventSourceArn"].rsplit(":", 1)[1]: m["FunctionArn"].rsplit(":", 1)[1] for m in mappings}
    assert wired == {f"helpdesk-{STAGE}-{f.source_queue}": f"helpdesk-{STAGE}-{f.name}"
                     for f in resources.functions() if f.source_queue}
    assert all(m["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
    rules = client(endpoint, "events").list_rules()["Rules"]
    assert sorted(r["ScheduleExpression"] for r in rules) == sorted(
        ["rate(5 minutes)", "rate(2 minutes)", "rate(1 minute)", "rate(5 minutes)", "rate(1 hour)",
         "rate(2 minutes)"])
    for name in names:
        role = lam.get_function(FunctionName=name)["Configuration"]["Role"]
        assert role.startswith(f"arn:aws:iam::{ACCOUNT}:role/")


def test_buckets_are_private_and_uploads_reach_the_ingest_queue(endpoint: str, stack: dict[str, Any]) -> None:
    s3, sqs = client(endpoint, "s3"), client(endpoint, "sqs")
    bucket_names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for bucket in resources.buckets():
        name = f"helpdesk-{STAGE}-{bucket.logical}-{ACCOUNT}"
        assert name in bucket_names  # (public access blocks: not applied by moto; see test_template.py)
    # moto's CloudFormation does not apply a bucket's NotificationConfiguration: apply the template's own
    # (translated to the API's shape) and check S3 delivers to the queue the template names.
    uploads = next(b for b in resources.buckets() if b.notify_queue)
    logical_id = next(k for k, r in stack["template"]["Resources"].items() if r["Type"] == "AWS::S3::Bucket"
                      and "NotificationConfiguration" in r["Properties"]
                      and stack["created"][k]["PhysicalResourceId"] == f"helpdesk-{STAGE}-{uploads.logical}-{ACCOUNT}")
    physical = stack["created"][logical_id]["PhysicalResourceId"]
    assert physical == f"helpdesk-{STAGE}-{uploads.logical}-{ACCOUNT}"
    configs = stack["template"]["Resources"][logical_id]["Properties"]["NotificationConfiguration"]
    queue_ids = {c["Queue"]["Fn::GetAtt"][0] for c in configs["QueueConfigurations"]}
    assert len(queue_ids) == 1
    queue_name = stack["created"][queue_ids.pop()]["PhysicalResourceId"].rsplit("/", 1)[-1]
    assert queue_name == f"helpdesk-{STAGE}-{uploads.notify_queue}"
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(Bucket=physical, NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": arn, "Events": [c["Event"]],
         "Filter": {"Key": {"FilterRules": c["Filter"]["S3Key"]["Rules"]}}} for c in configs["QueueConfigurations"]
    ]})
    # moto would run the queue's consumer for each message, in Docker (not here): pause the mapping.
    lam = client(endpoint, "lambda")
    for mapping in lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]:
        lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    sqs.purge_queue(QueueUrl=url)
    s3.put_object(Bucket=physical, Key="guides/vpn setup.md", Body=b"# VPN\n")
    s3.put_object(Bucket=physical, Key="guides/logo.png", Body=b"png")  # filtered out by suffix
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
    records = [r for m in messages for r in json.loads(m["Body"]).get("Records", [])]
    assert [unquote_plus(r["s3"]["object"]["key"]) for r in records] == ["guides/vpn setup.md"]


def _function_env(endpoint: str, name: str) -> dict[str, str]:
    config = client(endpoint, "lambda").get_function_configuration(FunctionName=f"helpdesk-{STAGE}-{name}")
    env: dict[str, str] = config["Environment"]["Variables"]
    return env


def _settings_for(endpoint: str) -> Any:
    from chalicelib.config import load_settings

    env = _function_env(endpoint, "api_handler")
    saved = dict(os.environ)
    os.environ.update({**env, "AWS_ENDPOINT_URL": endpoint})
    try:
        return load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.usefixtures("stack")
@pytest.mark.parametrize("function", ["api_handler", "kb_ingest"])
def test_the_app_finds_its_resources_with_a_functions_environment(endpoint: str, function: str) -> None:
    """Run the app's own code with a deployed function's environment: health touches every table by the name
    the app computes; the KB settings resolve the store and uploads buckets the stack created."""
    env = {**_function_env(endpoint, function), "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION, "PATH": os.environ.get("PATH", ""),
           "SECRET_KEY": "only-for-this-test-not-a-secret-000000000"}
    env.pop("SECRET_KEY_PARAMETER")
    script = (
        "import json, boto3\n"
        "from chalicelib.services import health\n"
        "from chalicelib.config import get_settings\n"
        "from chalicelib.config import UPLOADS_BUCKET\n"
        "s = get_settings()\n"
        "s3 = boto3.client('s3', endpoint_url=s.aws_endpoint_url)\n"
        "for b in (s.kb_store_uri.split('/')[2], s.bucket_name(UPLOADS_BUCKET), s.bucket_name('artifacts')):\n"
        "    s3.head_bucket(Bucket=b)\n"
        "sqs = boto3.client('sqs', endpoint_url=s.aws_endpoint_url)\n"
        "for q in ('classify', 'train', 'webhook-events', 'webhook-deliveries', 'kb-ingest', 'kb-embed'):\n"
        "    sqs.get_queue_url(QueueName=s.queue_name(q))\n"
        "print(json.dumps(health.check()))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    health = json.loads(result.stdout.strip().splitlines()[-1])
    assert health == {"status": "ok", "tables": len(resources.tables()) - 1, "stage": STAGE}  # all but idempotency


def _fixed_names(endpoint: str, stage: str) -> tuple[set[str], set[str]]:
    prefix = f"helpdesk-{stage}-"
    tables = {t for t in client(endpoint, "dynamodb").list_tables()["TableNames"] if t.startswith(prefix)}
    buckets = {b["Name"] for b in client(endpoint, "s3").list_buckets()["Buckets"] if b["Name"].startswith(prefix)}
    return tables, buckets


def test_a_failed_first_deploy_of_prod_can_be_retried(endpoint: str) -> None:
    """prod keeps its tables and buckets (fixed names), but not when its own creation fails: the retry works."""
    stage = "prod"
    assert STAGES[stage].retain_data
    template = _template(endpoint, stage)
    prune(template, ("AWS::ApiGateway::",))
    stateful = [k for k, r in template["Resources"].items()
                if r["Type"] in ("AWS::DynamoDB::Table", "AWS::S3::Bucket")]
    # GIVEN a first deploy that fails half way: every table and bucket is created, then a function whose code is
    # missing fails
    failing = dict(template, Resources={**template["Resources"], "FailsHalfWay": {
        "Type": "AWS::Lambda::Function", "DependsOn": stateful,
        "Properties": {"FunctionName": "helpdesk-prod-fails", "Runtime": "python3.12", "Handler": "x.handler",
                       "Role": f"arn:aws:iam::{ACCOUNT}:role/any",
                       "Code": {"S3Bucket": "no-such-bucket", "S3Key": "missing.zip"}}}})
    cfn = client(endpoint, "cloudformation")
    name = STAGES[stage].stack_name
    with pytest.raises(Exception, match="NoSuchBucket"):
        cfn.create_stack(StackName=name, TemplateBody=json.dumps(failing), Capabilities=CAPABILITIES)
    tables, buckets = _fixed_names(endpoint, stage)
    assert len(tables) == len(resources.tables()) and len(buckets) == len(resources.buckets())
    # WHEN CloudFormation rolls the creation back (moto has no rollback: deleting the stack does the same, it
    # keeps exactly the resources whose DeletionPolicy is Retain) and the deploy is run again
    cfn.delete_stack(StackName=name)
    assert _fixed_names(endpoint, stage) == (set(), set())
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Capabilities=CAPABILITIES)
    # THEN the stack is created, with its tables and buckets
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    tables, buckets = _fixed_names(endpoint, stage)
    assert len(tables) == len(resources.tables()) and len(buckets) == len(resources.buckets())
