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
MIN_RECEIVES = 5
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}  # no resource-level permissions exist
TRACED = {"api_handler", "api_ml", "bearer_auth"}


def _read(name: str) -> dict[str, Any]:
    path = CDK_OUT / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make synth` first")
    template: dict[str, Any] = json.loads(path.read_text())
    return template


def _load(stage: str) -> dict[str, Any]:
    return _read(f"{stage}.template.json")


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


def _alarm_topic(raw: dict[str, Any]) -> str:
    """The alarms' SNS topic (the other one carries SES's bounce and complaint events to the mail-feedback queue)."""
    (topic_id,) = [k for k, v in _resources(raw, "AWS::SNS::Topic").items()
                   if not str(v["Properties"].get("TopicName", "")).endswith("-mail-feedback")]
    return topic_id


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


def test_prod_keeps_its_data_except_when_its_first_deploy_rolls_back(stage: str, template: Template) -> None:
    # RetainExceptOnCreate: kept when the stack is updated or deleted, removed by the rollback of a failed create
    # (a plain Retain leaves fixed-name tables and buckets behind, and the retry fails with "already exists").
    retain = STAGES[stage].retain_data
    deletion, replace = ("RetainExceptOnCreate", "Retain") if retain else ("Delete", "Delete")
    template.all_resources("AWS::DynamoDB::Table", {"DeletionPolicy": deletion, "UpdateReplacePolicy": replace})
    for logical in ("kb-uploads", "kb-store", "artifacts"):
        template.has_resource("AWS::S3::Bucket", {
            "Properties": {"BucketName": {"Fn::Join": ["", [f"helpdesk-{stage}-{logical}-",
                                                            {"Ref": "AWS::AccountId"}]]}},
            "DeletionPolicy": deletion, "UpdateReplacePolicy": replace,
        })


def test_deletion_protection_starts_with_the_second_deploy(stage: str, raw: dict[str, Any]) -> None:
    # A protected table cannot be removed by a rollback either: the first create runs without it (the parameter's
    # default) and make deploy turns it on once the stack exists.
    tables = _resources(raw, "AWS::DynamoDB::Table").values()
    if not STAGES[stage].retain_data:
        assert all("DeletionProtectionEnabled" not in t["Properties"] for t in tables)
        assert "TableDeletionProtection" not in raw.get("Parameters", {})
        return
    assert raw["Parameters"]["TableDeletionProtection"]["Default"] == "false"
    assert raw["Conditions"]["ProtectTables"] == {"Fn::Equals": [{"Ref": "TableDeletionProtection"}, "true"]}
    for table in tables:
        assert table["Properties"]["DeletionProtectionEnabled"] == {"Fn::If": ["ProtectTables", True, False]}


def test_every_queue_has_a_dlq_and_a_visibility_timeout_of_six_function_timeouts(stage: str, raw: dict[str, Any],
                                                                                   template: Template) -> None:
    # (and at least 5 receives before the DLQ: AWS's advice for Lambda consumers, which a throttle can fail)
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
        assert queue.max_receive_count >= MIN_RECEIVES, queue.logical


def test_a_batch_finishes_within_its_functions_timeout(stage: str, raw: dict[str, Any]) -> None:
    # A batch that outlives the function loses its partial-batch answer: every record comes back, good ones too.
    functions = {fn["Properties"]["FunctionName"]: fn["Properties"]
                 for fn in _resources(raw, "AWS::Serverless::Function").values()}
    for fdef in (f for f in resources.functions() if f.source_queue):
        queue = resources.queue(fdef.source_queue)
        props = functions[f"helpdesk-{stage}-{fdef.name}"]
        (event,) = [e for e in props["Events"].values() if e["Type"] == "SQS"]
        batch = event["Properties"]["BatchSize"]
        assert batch == queue.batch_size, fdef.name
        worst = batch * queue.item_worst_case_s
        assert worst < props["Timeout"], f"{fdef.name}: {batch} x {queue.item_worst_case_s} s >= {props['Timeout']} s"
        assert event["Properties"].get("MaximumBatchingWindowInSeconds", 0) + props["Timeout"] <= (
            queue.visibility_timeout_s / VISIBILITY_FACTOR), fdef.name


def test_webhook_deliveries_budget_covers_the_http_timeouts() -> None:
    from chalicelib.ops import webhooks

    # resolve + connect + read, each bounded by the client's timeout
    assert resources.queue("webhook-deliveries").item_worst_case_s >= 3 * webhooks.TIMEOUT_S


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
                         "SlaWatch": "rate(1 minute)", "SweepMerges": "rate(5 minutes)", "KbOptimize": "rate(1 hour)",
                         "MailRedeliver": "rate(2 minutes)"}


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
            if statement["Effect"] == "Allow":  # only CloudFront (this distribution) or SES (this receipt rule)
                assert statement["Principal"] in ({"Service": "cloudfront.amazonaws.com"},
                                                  {"Service": "ses.amazonaws.com"})
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
            actions = [actions] if isinstance(actions, str) else actions
            for action in actions:
                assert "*" not in action, (name, statement)
            if set(actions) == XRAY_ACTIONS:
                assert statement["Resource"] == "*"
                continue
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
        assert "PullImage" not in statements, fdef.name  # Lambda pulls images with its own service permissions
        assert not any(a.startswith("ecr:") for s in statements.values() for a in s["Action"]), fdef.name
        assert ("Tracing" in statements) == (fdef.name in TRACED), fdef.name
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
    expected = {"UNAUTHORIZED": ("401", "unauthorized"), "ACCESS_DENIED": ("403", "forbidden"),
                "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found"), "THROTTLED": ("429", "too_many_requests"),
                "DEFAULT_4XX": (None, "bad_request"), "DEFAULT_5XX": (None, "unavailable")}
    assert set(responses) == set(expected)
    for kind, (status, code) in expected.items():
        body = json.loads(responses[kind]["responseTemplates"]["application/json"])
        assert responses[kind].get("statusCode") == status, kind
        assert body["error"] == code and body["details"] == [] and isinstance(body["message"], str), kind
        assert "$" not in json.dumps(body), kind  # nothing of the request (path, token) is echoed
        headers = {k.removeprefix("gatewayresponse.header."): v.strip("'")
                   for k, v in responses[kind]["responseParameters"].items()}
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "no-referrer"
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


def _expanded(stage: str) -> dict[str, Any]:
    return _read(f"{stage}.cfn.json")


def test_the_api_has_one_stage_and_it_is_throttled_logged_and_traced(stage: str, raw: dict[str, Any]) -> None:
    expanded = _expanded(stage)["Resources"]
    stages = [r["Properties"] for r in expanded.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    deployments = [r["Properties"] for r in expanded.values() if r["Type"] == "AWS::ApiGateway::Deployment"]
    # SAM's implicit `Stage` stage (a StageName on the deployment) had no throttling: gone.
    assert [s["StageName"] for s in stages] == ["api"]
    assert all("StageName" not in d for d in deployments)
    (api_stage,) = stages
    assert api_stage["MethodSettings"][0]["ThrottlingRateLimit"] == STAGES[stage].throttle_rate_per_s
    assert api_stage["TracingEnabled"] is True
    log_format = json.loads(api_stage["AccessLogSetting"]["Format"])
    assert {"requestId", "ip", "status", "path", "latencyMs"} <= set(log_format)
    log_group = api_stage["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
    assert raw["Resources"][log_group]["Type"] == "AWS::Logs::LogGroup"
    # API Gateway writes the logs with the account's CloudWatch role
    accounts = _resources(raw, "AWS::ApiGateway::Account")
    assert len(accounts) == 1
    role = next(iter(accounts.values()))["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assert raw["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"}


def test_the_request_path_is_traced(stage: str, raw: dict[str, Any]) -> None:
    for fn in _resources(raw, "AWS::Serverless::Function").values():
        name = fn["Properties"]["FunctionName"].removeprefix(f"helpdesk-{stage}-")
        assert (fn["Properties"].get("Tracing") == "Active") == (name in TRACED), name
    (api_ml,) = [fn for fn in _resources(raw, "AWS::Lambda::Function").values()
                 if fn["Properties"]["FunctionName"] == f"helpdesk-{stage}-api_ml"]
    assert api_ml["Properties"]["TracingConfig"] == {"Mode": "Active"}


def test_alarms_reach_a_subscriber_and_cloudwatch_may_publish(stage: str, raw: dict[str, Any]) -> None:
    topic_id = _alarm_topic(raw)
    every = [s["Properties"] for s in _resources(raw, "AWS::SNS::Subscription").values()]
    subscriptions = [s for s in every if s["TopicArn"] == {"Ref": topic_id}]
    # the only other subscription: the mail-feedback queue on SES's event topic
    assert subscriptions and all(s["Protocol"] == "sqs" for s in every if s not in subscriptions)
    if STAGES[stage].alarm_email_parameter:  # dev: the address is a stack parameter without a default
        assert "Default" not in raw["Parameters"]["AlarmEmail"]
        assert {"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}.items() <= subscriptions[0].items()
    else:
        assert subscriptions[0]["Protocol"] in ("email", "https")
    (policy,) = [p for p in _resources(raw, "AWS::SNS::TopicPolicy").values()
                 if {"Ref": topic_id} in p["Properties"]["Topics"]]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allow] == [{"Service": "cloudwatch.amazonaws.com"}]
    assert allow[0]["Action"] == "sns:Publish" and allow[0]["Resource"] == {"Ref": topic_id}
    assert "aws:SourceAccount" in allow[0]["Condition"]["StringEquals"]


def test_alarms_cover_functions_schedules_queues_and_the_api(stage: str, raw: dict[str, Any]) -> None:
    alarms = [a["Properties"] for a in _resources(raw, "AWS::CloudWatch::Alarm").values()]
    topic_id = _alarm_topic(raw)
    assert all(a["AlarmActions"] == [{"Ref": topic_id}] for a in alarms)

    def on(metric: str, dimension: str) -> set[str]:
        return {d["Value"] for a in alarms if a["MetricName"] == metric for d in a["Dimensions"]
                if d["Name"] == dimension and isinstance(d["Value"], str)}

    functions = {f"helpdesk-{stage}-{f.name}" for f in resources.functions()}
    assert on("Errors", "FunctionName") == functions
    assert on("Throttles", "FunctionName") == functions
    scheduled = {f"helpdesk-{stage}-{n}" for n in ("sweep_deletes", "ai_housekeeping", "sla_watch", "sweep_merges",
                                                    "kb_optimize", "mail_redeliver")}
    assert on("Invocations", "FunctionName") == scheduled  # a schedule that stopped firing
    for alarm in (a for a in alarms if a["MetricName"] == "Invocations"):
        assert alarm["ComparisonOperator"] == "LessThanThreshold" and alarm["TreatMissingData"] == "breaching"
    ages = [a for a in alarms if a["MetricName"] == "ApproximateAgeOfOldestMessage"]
    depths = [a for a in alarms if a["MetricName"] == "ApproximateNumberOfMessagesVisible"]
    assert len(ages) == len(depths) == len(resources.queues())
    assert on("5XXError", "ApiName") == {f"helpdesk-{stage}"}
    assert len(alarms) == 2 * len(functions) + len(scheduled) + 2 * len(resources.queues()) + 1


def test_a_stage_without_an_alarm_target_does_not_synthesize() -> None:
    from infra.stages import MissingAlarmTarget, StageConfig, alarm_target

    bare = StageConfig(name="qa", throttle_rate_per_s=1, throttle_burst=1, log_retention_days=7, retain_data=True,
                       llm_base_url="", llm_model="")
    with pytest.raises(MissingAlarmTarget, match="HELPDESK_QA_ALARM_EMAIL"):
        alarm_target(bare, environ={})
    assert alarm_target(bare, environ={"HELPDESK_QA_ALARM_EMAIL": "ops@example.com"}).email == "ops@example.com"
    assert alarm_target(bare, {"alarm_webhook_url": "https://chat.example.com/hook"}, environ={}).webhook_url
    with pytest.raises(MissingAlarmTarget, match="https"):
        alarm_target(bare, {"alarm_webhook_url": "http://chat.example.com/hook"}, environ={})
    assert alarm_target(STAGES["dev"], environ={}).email_parameter  # dev: the documented AlarmEmail parameter
    with pytest.raises(MissingAlarmTarget):
        alarm_target(STAGES["prod"], environ={})


def _policy_config(raw: dict[str, Any], behavior: dict[str, Any]) -> dict[str, Any]:
    policy_id = behavior["ResponseHeadersPolicyId"]["Ref"]
    config: dict[str, Any] = raw["Resources"][policy_id]["Properties"]["ResponseHeadersPolicyConfig"]
    return config


def test_console_and_api_answers_carry_security_headers_and_a_csp(raw: dict[str, Any]) -> None:
    distribution = next(iter(_resources(raw, "AWS::CloudFront::Distribution").values()))["Properties"]
    config = distribution["DistributionConfig"]
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    for behavior in [config["DefaultCacheBehavior"], *behaviors.values()]:
        headers = _policy_config(raw, behavior)["SecurityHeadersConfig"]
        assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
        assert headers["ContentTypeOptions"]["Override"] is True
        assert headers["FrameOptions"]["FrameOption"] == "DENY"
        assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    console = _policy_config(raw, config["DefaultCacheBehavior"])["SecurityHeadersConfig"]
    csp = {part.strip().partition(" ")[0]: part.strip().partition(" ")[2]
           for part in console["ContentSecurityPolicy"]["ContentSecurityPolicy"].split(";")}
    assert csp["script-src"] == "'self'"  # Vite emits module scripts only, no inline script
    assert "'unsafe-inline'" in csp["style-src"]  # antd's CSS-in-JS and recharts' style attributes
    assert csp["connect-src"] == "'self'" and csp["object-src"] == "'none'"
    docs = _policy_config(raw, behaviors["/docs*"])["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]{44}'", docs["ContentSecurityPolicy"])
    api = _policy_config(raw, behaviors["/api/*"])["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    assert api["ContentSecurityPolicy"].startswith("default-src 'none'")


def test_api_requests_pass_the_viewers_host_on(raw: dict[str, Any]) -> None:
    # /docs builds its links from X-Forwarded-Host (the origin request policy replaces Host with the API's)
    distribution = next(iter(_resources(raw, "AWS::CloudFront::Distribution").values()))["Properties"]
    functions = _resources(raw, "AWS::CloudFront::Function")
    for behavior in distribution["DistributionConfig"]["CacheBehaviors"]:
        (association,) = behavior["FunctionAssociations"]
        assert association["EventType"] == "viewer-request"
        code = functions[association["FunctionARN"]["Fn::GetAtt"][0]]["Properties"]["FunctionCode"]
        assert "request.headers['x-forwarded-host']" in code and "request.headers.host.value" in code


def test_no_secret_values_in_the_template(raw: dict[str, Any]) -> None:
    text = json.dumps(raw)
    secret = r"(?<![A-Za-z])sk-[A-Za-z0-9_]{20,}|BEGIN [A-Z ]*PRIVATE KEY|\"(SECRET_KEY|LLM_API_KEY)\":"
    assert not re.search(secret, text)
    template_ssm = [r for r in raw["Resources"].values() if r["Type"] == "AWS::SSM::Parameter"]
    assert template_ssm == []  # SecureStrings are created out of band (README: Deploy)
