"""CDK assertions on the synthesized templates (build/cdk.out, made by `make synth`).

Runs in infra/.venv-deploy (aws-cdk-lib). Checks the properties that matter: keys and indexes from the models,
DLQs and visibility timeouts against the functions' timeouts, encryption, no public bucket, least-privilege
roles, partial batch failures, the API split between the zip and the image function, the console.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra import resources
from infra.stages import STAGES, function_sizing

CDK_OUT = Path(__file__).resolve().parents[2] / "build" / "cdk.out"
VISIBILITY_FACTOR = 6  # Lambda's guidance for SQS event sources: visibility >= 6 x function timeout


def _load(stage: str) -> dict[str, Any]:
    path = CDK_OUT / f"{stage}.template.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make synth` first")
    template: dict[str, Any] = json.loads(path.read_text())
    return template


@pytest.fixture(scope="module", params=sorted(STAGES))
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def raw(stage: str) -> dict[str, Any]:
    return _load(stage)


@pytest.fixture(scope="module")
def template(raw: dict[str, Any]) -> Template:
    # The SAM part (Chalice's functions) is expanded by CloudFormation; its references are not cycles.
    return Template.from_json(raw, skip_cyclical_dependencies_check=True)


def _resources(raw: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in raw["Resources"].items() if v["Type"] == kind}


def _physical(stage: str, logical: str) -> str:
    return STAGES[stage].settings().table_name(logical)


def _find_by_name(raw: dict[str, Any], kind: str, prop: str, name: str) -> tuple[str, dict[str, Any]]:
    for logical_id, resource in _resources(raw, kind).items():
        if resource["Properties"].get(prop) == name:
            return logical_id, resource
    raise AssertionError(f"no {kind} with {prop}={name}")


def _key(item: dict[str, str]) -> str:
    return item["AttributeName"]


def test_tables_match_the_models(stage: str, raw: dict[str, Any], template: Template) -> None:
    template.resource_count_is("AWS::DynamoDB::Table", len(resources.tables()))
    for table in resources.tables():
        _, resource = _find_by_name(raw, "AWS::DynamoDB::Table", "TableName", _physical(stage, table.logical))
        assert sorted(resource["Properties"]["AttributeDefinitions"], key=_key) == sorted(
            table.attribute_definitions, key=_key), table.logical
        expected: dict[str, Any] = {
            "TableName": _physical(stage, table.logical),
            "KeySchema": table.key_schema,
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        }
        if table.global_secondary_indexes:
            expected["GlobalSecondaryIndexes"] = [Match.object_like({"IndexName": i["IndexName"],
                                                                      "KeySchema": i["KeySchema"]})
                                                  for i in table.global_secondary_indexes]
        if table.ttl_attribute:
            expected["TimeToLiveSpecification"] = {"AttributeName": table.ttl_attribute, "Enabled": True}
        template.has_resource_properties("AWS::DynamoDB::Table", expected)


def test_prod_keeps_its_data(stage: str, template: Template) -> None:
    policy = "Retain" if STAGES[stage].retain_data else "Delete"
    template.all_resources("AWS::DynamoDB::Table", {"DeletionPolicy": policy, "UpdateReplacePolicy": policy})
    for logical in ("kb-uploads", "kb-store", "artifacts"):
        template.has_resource("AWS::S3::Bucket", {
            "Properties": {"BucketName": {"Fn::Join": ["", [f"helpdesk-{stage}-{logical}-",
                                                            {"Ref": "AWS::AccountId"}]]}},
            "DeletionPolicy": policy,
        })


def test_every_queue_has_a_dlq_and_a_visibility_timeout_of_six_function_timeouts(stage: str, raw: dict[str, Any],
                                                                                   template: Template) -> None:
    settings = STAGES[stage].settings()
    consumers = {f.source_queue: f.name for f in resources.functions() if f.source_queue}
    for queue in resources.queues():
        dlq_id, _ = _find_by_name(raw, "AWS::SQS::Queue", "QueueName", settings.queue_name(queue.dlq_logical))
        template.has_resource_properties("AWS::SQS::Queue", {
            "QueueName": settings.queue_name(queue.logical),
            "VisibilityTimeout": queue.visibility_timeout_s,
            "SqsManagedSseEnabled": True,
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                              "maxReceiveCount": queue.max_receive_count},
        })
        timeout, _ = function_sizing(stage, consumers[queue.logical])
        assert queue.visibility_timeout_s >= VISIBILITY_FACTOR * timeout, (queue.logical, timeout)


def test_queue_consumers_report_partial_batch_failures(raw: dict[str, Any]) -> None:
    events = [(name, event) for name, fn in _resources(raw, "AWS::Serverless::Function").items()
              for event in fn["Properties"].get("Events", {}).values() if event["Type"] == "SQS"]
    assert len(events) == len([f for f in resources.functions() if f.source_queue])
    for name, event in events:
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
        assert "Fn::GetAtt" in event["Properties"]["Queue"], name  # created after its queue


def test_schedules_come_from_chalice(raw: dict[str, Any]) -> None:
    schedules = {name: event["Properties"]["Schedule"]
                 for name, fn in _resources(raw, "AWS::Serverless::Function").items()
                 for event in fn["Properties"].get("Events", {}).values() if event["Type"] == "Schedule"}
    assert schedules == {"SweepDeletes": "rate(5 minutes)", "AiHousekeeping": "rate(2 minutes)",
                         "SlaWatch": "rate(1 minute)", "SweepMerges": "rate(5 minutes)", "KbOptimize": "rate(1 hour)"}


def test_buckets_are_private_encrypted_and_tls_only(template: Template) -> None:
    template.resource_count_is("AWS::S3::Bucket", len(resources.buckets()))
    template.all_resources_properties("AWS::S3::Bucket", {
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    })
    for _, policy in template.find_resources("AWS::S3::BucketPolicy").items():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in statements)
        for statement in statements:
            if statement["Effect"] == "Allow":  # only CloudFront, only this distribution
                assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
                assert "AWS:SourceArn" in statement["Condition"]["StringEquals"]


def test_uploads_notify_the_ingest_queue(stage: str, raw: dict[str, Any], template: Template) -> None:
    queue_id, _ = _find_by_name(raw, "AWS::SQS::Queue", "QueueName", f"helpdesk-{stage}-kb-ingest")
    uploads = next(b for b in resources.buckets() if b.notify_queue)
    configs = [Match.object_like({"Event": event, "Queue": {"Fn::GetAtt": [queue_id, "Arn"]},
                                  "Filter": {"S3Key": {"Rules": [{"Name": "suffix", "Value": suffix}]}}})
               for event in ("s3:ObjectCreated:*", "s3:ObjectRemoved:*") for suffix in uploads.notify_suffixes]
    template.has_resource_properties("AWS::S3::Bucket", {
        "NotificationConfiguration": {"QueueConfigurations": configs},
    })
    template.has_resource_properties("AWS::SQS::QueuePolicy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
        })])},
    })


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
    else:
        yield node


def _statements(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for kind in ("AWS::IAM::Policy", "AWS::IAM::Role", "AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy",
                 "AWS::SNS::TopicPolicy"):
        for name, resource in _resources(raw, kind).items():
            props = resource["Properties"]
            documents = [props.get("PolicyDocument")] + [p["PolicyDocument"] for p in props.get("Policies", [])]
            for document in filter(None, documents):
                out += [(name, s) for s in document["Statement"]]
    return out


def test_no_wildcard_actions_or_resources(raw: dict[str, Any]) -> None:
    for name, statement in _statements(raw):
        if statement["Effect"] == "Allow":  # (Deny sqs:*/s3:* without TLS is the enforce-SSL statement)
            actions = statement.get("Action", [])
            for action in [actions] if isinstance(actions, str) else actions:
                assert "*" not in action, (name, statement)
            resource = statement.get("Resource")
            assert resource != "*" and "*" not in (resource if isinstance(resource, list) else [resource]), (
                name, statement)
    # Every generated role is ours: Chalice's own role and policy generation is off.
    for name, fn in _resources(raw, "AWS::Serverless::Function").items():
        assert "Fn::GetAtt" in fn["Properties"]["Role"], name
        assert "Policies" not in fn["Properties"], name


def _policy_of(raw: dict[str, Any], function: str) -> list[dict[str, Any]]:
    pascal = "".join(p.capitalize() for p in function.split("_"))
    matches = [r for k, r in _resources(raw, "AWS::IAM::Policy").items() if k.startswith(f"Policy{pascal}")]
    assert len(matches) == 1, function
    statements: list[dict[str, Any]] = matches[0]["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _table_ids(raw: dict[str, Any]) -> dict[str, str]:
    return {r["Properties"]["TableName"]: k for k, r in _resources(raw, "AWS::DynamoDB::Table").items()}


def test_each_role_grants_exactly_its_declared_resources(stage: str, raw: dict[str, Any]) -> None:
    ids = _table_ids(raw)
    for fdef in resources.functions():
        statements = {s["Sid"]: s for s in _policy_of(raw, fdef.name)}
        for access in (resources.READ, resources.WRITE):
            wanted = {ids[_physical(stage, t)] for t, a in fdef.tables.items() if a == access}
            statement = statements.get(f"Tables{access.capitalize()}")
            listed = (statement or {}).get("Resource", [])
            granted = {r["Fn::GetAtt"][0] for r in (listed if isinstance(listed, list) else [listed])
                       if isinstance(r, dict) and "Fn::GetAtt" in r}
            assert granted == wanted, (fdef.name, access)
            if statement:
                writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
                assert bool(writes & set(statement["Action"])) == (access == resources.WRITE), fdef.name
                assert "dynamodb:Scan" not in statement["Action"]
        assert ("Send" in statements) == bool(fdef.queues), fdef.name
        assert ("Consume" in statements) == bool(fdef.source_queue), fdef.name
        assert ("Secrets" in statements) == bool(fdef.secrets), fdef.name
        assert ("PullImage" in statements) == (fdef.package == resources.IMAGE), fdef.name
        bucket_sids = {s for s in statements if s.startswith("Objects")}
        assert len(bucket_sids) == len(fdef.buckets), fdef.name
        for logical, access in fdef.buckets.items():
            actions = set(statements["Objects" + "".join(p.capitalize() for p in logical.split("-"))]["Action"])
            assert ("s3:PutObject" in actions) == (access == resources.WRITE), (fdef.name, logical)
        if fdef.secrets:
            names = json.dumps(statements["Secrets"]["Resource"])
            for secret in fdef.secrets:
                parameter = {"secret_key": STAGES[stage].secret_key_parameter,
                             "llm_api_key": STAGES[stage].llm_api_key_parameter}[secret]
                assert f"parameter{parameter}" in names


def test_functions_packages_and_sizing(stage: str, raw: dict[str, Any]) -> None:
    functions = {fn["Properties"]["FunctionName"]: fn["Properties"]
                 for fn in _resources(raw, "AWS::Serverless::Function").values()}
    plain = {fn["Properties"]["FunctionName"]: fn["Properties"]
             for fn in _resources(raw, "AWS::Lambda::Function").values()}
    assert set(functions) | set(plain) == {f"helpdesk-{stage}-{f.name}" for f in resources.functions()}
    for fdef in resources.functions():
        props = functions.get(f"helpdesk-{stage}-{fdef.name}") or plain[f"helpdesk-{stage}-{fdef.name}"]
        if fdef.package == resources.IMAGE:
            assert props["PackageType"] == "Image", fdef.name
            assert "Runtime" not in props and "CodeUri" not in props
            assert props["Environment"]["Variables"]["EMBEDDER"] == "onnx"
        else:
            assert props["Runtime"] == "python3.12", fdef.name  # glibc 2.34: numpy and friends load
        if fdef.name in functions and fdef.name != "api_ml":
            timeout, memory = function_sizing(stage, fdef.name)
            assert (props["Timeout"], props["MemorySize"]) == (timeout, memory), fdef.name
        env = props["Environment"]["Variables"]
        assert env["STAGE"] == stage and env["RESOURCE_PREFIX"] == f"helpdesk-{stage}"
        assert "SECRET_KEY" not in env and "LLM_API_KEY" not in env  # secrets only by parameter name
        assert env["SECRET_KEY_PARAMETER"] == STAGES[stage].secret_key_parameter


def test_kb_and_ai_routes_go_to_the_image_function(raw: dict[str, Any]) -> None:
    api = _resources(raw, "AWS::Serverless::Api")["RestAPI"]["Properties"]
    image_fn = next(k for k, r in _resources(raw, "AWS::Lambda::Function").items() if k.startswith("ApiMl"))
    routed: dict[str, int] = {"image": 0, "zip": 0}
    for path, methods in api["DefinitionBody"]["paths"].items():
        for method, spec in methods.items():
            integration = spec.get("x-amazon-apigateway-integration", {})
            if integration.get("type") != "aws_proxy":
                continue
            text = json.dumps(integration["uri"])
            on_image = path.startswith(resources.IMAGE_ROUTE_PREFIXES)
            assert (image_fn in text) == on_image and ("APIHandler" in text) != on_image, (path, method)
            routed["image" if on_image else "zip"] += 1
    assert routed["image"] >= 10 and routed["zip"] >= 20, routed
    permissions = [p["Properties"] for p in _resources(raw, "AWS::Lambda::Permission").values()]
    assert any(image_fn in json.dumps(p["FunctionName"]) for p in permissions)


def test_authorizer_gateway_errors_and_throttling(stage: str, raw: dict[str, Any]) -> None:
    api = _resources(raw, "AWS::Serverless::Api")["RestAPI"]["Properties"]
    auth = api["DefinitionBody"]["securityDefinitions"]["bearer_auth"]
    assert auth["x-amazon-apigateway-authorizer"]["type"] == "token"
    responses = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    for kind, status in (("UNAUTHORIZED", "401"), ("ACCESS_DENIED", "403"), ("MISSING_AUTHENTICATION_TOKEN", "404")):
        body = responses[kind]["responseTemplates"]["application/json"]
        assert responses[kind]["statusCode"] == status
        assert body.startswith('{"error":"') and body.endswith(',"details":[]}'), body
    settings = api["MethodSettings"][0]
    assert settings["ThrottlingRateLimit"] == STAGES[stage].throttle_rate_per_s
    assert settings["ThrottlingBurstLimit"] == STAGES[stage].throttle_burst
    assert api["Name"] == f"helpdesk-{stage}"


def test_console_is_private_behind_cloudfront_with_the_api_on_the_same_origin(template: Template,
                                                                              raw: dict[str, Any]) -> None:
    template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    distribution = next(iter(_resources(raw, "AWS::CloudFront::Distribution").values()))["Properties"]
    config = distribution["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert "CustomErrorResponses" not in config  # they would rewrite the API's own 403/404 too
    assert config["DefaultCacheBehavior"]["FunctionAssociations"][0]["EventType"] == "viewer-request"
    s3_origin = next(o for o in config["Origins"] if "S3OriginConfig" in o)
    assert s3_origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert "OriginAccessControlId" in s3_origin
    api_origin = next(o for o in config["Origins"] if "CustomOriginConfig" in o)
    assert api_origin["OriginPath"] == "/api"
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    patterns = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(patterns) == {"/api/*", "/health", "/docs*", "/openapi.json"}
    for behavior in patterns.values():
        assert behavior["TargetOriginId"] == api_origin["Id"]
        assert "DELETE" in behavior["AllowedMethods"]


def test_alarms_on_every_dlq_and_on_api_5xx(stage: str, template: Template) -> None:
    template.resource_count_is("AWS::CloudWatch::Alarm", len(resources.queues()) + 1)
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "5XXError", "Namespace": "AWS/ApiGateway",
        "Dimensions": Match.array_with([{"Name": "ApiName", "Value": f"helpdesk-{stage}"}]),
        "AlarmActions": Match.any_value(),
    })
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "ApproximateNumberOfMessagesVisible", "Threshold": 1,
    })


def test_no_secret_values_in_the_template(raw: dict[str, Any]) -> None:
    text = json.dumps(raw)
    secret = r"(?<![A-Za-z])sk-[A-Za-z0-9_]{20,}|BEGIN [A-Z ]*PRIVATE KEY|\"(SECRET_KEY|LLM_API_KEY)\":"
    assert not re.search(secret, text)
    template_ssm = [r for r in raw["Resources"].values() if r["Type"] == "AWS::SSM::Parameter"]
    assert template_ssm == []  # SecureStrings are created out of band (README: Deploy)
