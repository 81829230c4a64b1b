"""The whole deployment of one stage as one CDK stack.

Chalice (its CDK construct, `chalice.cdk.Chalice`) packages the app and generates the API, the functions, their
queue event sources and schedules (a SAM template, included here). Everything else is defined here from
infra/resources.py: tables, queues with their DLQs, buckets with the ingest notification, one role per function,
the container image for the KB/AI functions, the console (private bucket behind CloudFront), alarms.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import (
    Aws,
    CfnOutput,
    Duration,
    Fn,
    RemovalPolicy,
)
from aws_cdk import aws_cloudfront as cf
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from infra import resources
from infra.stages import ROOT, StageConfig

DDB_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable"]
DDB_WRITE = DDB_READ + ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
S3_READ_OBJECTS = ["s3:GetObject"]
S3_WRITE_OBJECTS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
SQS_SEND = ["sqs:SendMessage", "sqs:GetQueueUrl"]
SQS_CONSUME = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
ECR_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]

RETENTION = {7: logs.RetentionDays.ONE_WEEK, 14: logs.RetentionDays.TWO_WEEKS, 30: logs.RetentionDays.ONE_MONTH,
             90: logs.RetentionDays.THREE_MONTHS, 365: logs.RetentionDays.ONE_YEAR}
PRICE_CLASSES = {"PriceClass_100": cf.PriceClass.PRICE_CLASS_100, "PriceClass_200": cf.PriceClass.PRICE_CLASS_200,
                 "PriceClass_All": cf.PriceClass.PRICE_CLASS_ALL}
API_ML = "api_ml"
API_ML_TIMEOUT_S = 29  # API Gateway's integration limit
API_ML_MEMORY_MB = 2048
ONNX_MODEL_PATH = "/var/task/models/all-minilm-l6-v2/model.onnx"
# CloudFront paths that go to API Gateway; everything else is the console.
API_PATHS = ("/api/*", "/health", "/docs*", "/openapi.json")
GATEWAY_RESPONSES = {
    # API Gateway answers these itself (authorizer refused, no route): same JSON shape as the app's errors.
    "UNAUTHORIZED": (401, "unauthorized", "$context.error.messageString"),
    "ACCESS_DENIED": (403, "forbidden", "$context.error.messageString"),
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", '"no such route"'),
    "THROTTLED": (429, "too_many_requests", "$context.error.messageString"),
    "DEFAULT_4XX": (None, "bad_request", "$context.error.messageString"),
    "DEFAULT_5XX": (None, "unavailable", "$context.error.messageString"),
}
# SPA fallback without CloudFront error pages (those would also rewrite the API's own 403/404 answers).
SPA_FUNCTION = """function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) { request.uri = '/index.html'; }
  return request;
}"""


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


class HelpdeskStack(cdk.Stack):
    """One stage: API + functions (Chalice), tables, queues, buckets, console, alarms."""

    def __init__(self, scope: Construct, stage: StageConfig, *, image_context: Path, cors_origin: str = "",
                 llm: bool = True, **kwargs: Any) -> None:
        # The construct id is the stage name: chalice.cdk packages the Chalice stage named like its scope.
        super().__init__(scope, stage.name, stack_name=stage.stack_name,
                         description=f"Help desk ({stage.name}): API, functions, tables, queues, buckets, console",
                         **kwargs)
        self.stage = stage
        self.llm = llm  # off: no LLM settings, suggestions use the template draft (deploy without the key)
        self.settings = stage.settings()
        self.removal = RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY
        self.tables = self._tables()
        self.queues, self.dlqs = self._queues()
        self.buckets = self._buckets()
        self._notifications()
        self.image = ecr_assets.DockerImageAsset(self, "MlImage", directory=str(image_context),
                                                 platform=ecr_assets.Platform.LINUX_AMD64)
        self.roles = {f.name: self._role(f) for f in resources.functions()}
        self.chalice = self._chalice(cors_origin)
        self.api_ml = self._api_ml(cors_origin)
        self._wire_functions()
        self._wire_api()
        self.distribution = self._console()
        self._alarms()
        self._outputs()

    # --- data ------------------------------------------------------------------------------------------------

    def _tables(self) -> dict[str, ddb.Table]:
        tables = {}
        for table_def in resources.tables():
            types = {a["AttributeName"]: a["AttributeType"] for a in table_def.attribute_definitions}

            def attr(name: str, types: dict[str, str] = types) -> ddb.Attribute:
                return ddb.Attribute(name=name, type={"S": ddb.AttributeType.STRING, "N": ddb.AttributeType.NUMBER,
                                                      "B": ddb.AttributeType.BINARY}[types[name]])

            keys = {k["KeyType"]: k["AttributeName"] for k in table_def.key_schema}
            table = ddb.Table(
                self, f"Table{_pascal(table_def.logical)}",
                table_name=self.settings.table_name(table_def.logical),
                partition_key=attr(keys["HASH"]),
                sort_key=attr(keys["RANGE"]) if "RANGE" in keys else None,
                billing_mode=ddb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=ddb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True),
                encryption=ddb.TableEncryption.AWS_MANAGED,
                time_to_live_attribute=table_def.ttl_attribute,
                stream=ddb.StreamViewType.NEW_AND_OLD_IMAGES if table_def.stream else None,
                deletion_protection=self.stage.retain_data,
                removal_policy=self.removal,
            )
            for index in table_def.global_secondary_indexes:
                index_keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
                projection = index.get("Projection", {"ProjectionType": "ALL"})
                table.add_global_secondary_index(
                    index_name=index["IndexName"],
                    partition_key=attr(index_keys["HASH"]),
                    sort_key=attr(index_keys["RANGE"]) if "RANGE" in index_keys else None,
                    projection_type=ddb.ProjectionType(projection["ProjectionType"]),
                    non_key_attributes=projection.get("NonKeyAttributes"),
                )
            tables[table_def.logical] = table
        return tables

    def _queues(self) -> tuple[dict[str, sqs.Queue], dict[str, sqs.Queue]]:
        queues, dlqs = {}, {}
        for queue_def in resources.queues():
            dlq = sqs.Queue(
                self, f"Dlq{_pascal(queue_def.logical)}",
                queue_name=self.settings.queue_name(queue_def.dlq_logical),
                retention_period=Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            queue = sqs.Queue(
                self, f"Queue{_pascal(queue_def.logical)}",
                queue_name=self.settings.queue_name(queue_def.logical),
                visibility_timeout=Duration.seconds(queue_def.visibility_timeout_s),
                retention_period=Duration.seconds(queue_def.retention_s),
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=queue_def.max_receive_count, queue=dlq),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            queues[queue_def.logical] = queue
            dlqs[queue_def.logical] = dlq
        return queues, dlqs

    def bucket_name(self, logical: str) -> str:
        """Bucket names are global: the account id makes them unique (the app reads them from <LOGICAL>_BUCKET)."""
        return f"{self.settings.resource_prefix}-{logical}-{Aws.ACCOUNT_ID}"

    def _buckets(self) -> dict[str, s3.Bucket]:
        buckets = {}
        for bucket_def in resources.buckets():
            data = bucket_def.logical != "console"
            buckets[bucket_def.logical] = s3.Bucket(
                self, f"Bucket{_pascal(bucket_def.logical)}",
                bucket_name=self.bucket_name(bucket_def.logical),
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                encryption=s3.BucketEncryption.S3_MANAGED,
                enforce_ssl=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                versioned=bucket_def.logical == "kb-uploads",  # the source documents: undo an overwrite
                lifecycle_rules=[s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(2))],
                removal_policy=self.removal if data else RemovalPolicy.DESTROY,
            )
        return buckets

    def _notifications(self) -> None:
        """S3 -> SQS notifications as plain bucket properties (CDK's helper would add a Lambda with `Resource: *`)."""
        for bucket_def in resources.buckets():
            if bucket_def.notify_queue is None:
                continue
            bucket, queue = self.buckets[bucket_def.logical], self.queues[bucket_def.notify_queue]
            bucket_arn = f"arn:{Aws.PARTITION}:s3:::{self.bucket_name(bucket_def.logical)}"  # no Ref: no cycle
            queue.add_to_resource_policy(iam.PolicyStatement(
                sid="S3Notifications",
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[queue.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": bucket_arn},
                            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            ))
            configs = []
            for event in ("s3:ObjectCreated:*", "s3:ObjectRemoved:*"):
                for suffix in bucket_def.notify_suffixes or ("",):
                    rules = [s3.CfnBucket.FilterRuleProperty(name="suffix", value=suffix)] if suffix else []
                    configs.append(s3.CfnBucket.QueueConfigurationProperty(
                        event=event, queue=queue.queue_arn,
                        filter=s3.CfnBucket.NotificationFilterProperty(
                            s3_key=s3.CfnBucket.S3KeyFilterProperty(rules=rules)) if rules else None,
                    ))
            cfn_bucket: s3.CfnBucket = bucket.node.default_child  # type: ignore[assignment]
            cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
                queue_configurations=configs)
            # S3 checks it may send to the queue when the configuration is set.
            policy = queue.node.find_child("Policy")
            cfn_bucket.add_resource_dependency(policy.node.default_child)  # type: ignore[arg-type]

    # --- functions -------------------------------------------------------------------------------------------

    def function_name(self, name: str) -> str:
        """Physical function name: `<prefix>-<chalice function name>`, like `chalice deploy` names them."""
        return f"{self.settings.resource_prefix}-{name}"

    def _role(self, fdef: resources.FunctionDef) -> iam.Role:
        """One role per function, with exactly the tables, buckets, queues and parameters it uses."""
        role = iam.Role(self, f"Role{_pascal(fdef.name)}", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"helpdesk {self.stage.name} {fdef.name}")
        log_group = logs.LogGroup(self, f"Logs{_pascal(fdef.name)}",
                                  log_group_name=f"/aws/lambda/{self.function_name(fdef.name)}",
                                  retention=RETENTION[self.stage.log_retention_days],
                                  removal_policy=RemovalPolicy.DESTROY)
        statements = [iam.PolicyStatement(sid="Logs", actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                          resources=[f"{log_group.log_group_arn}"])]
        for access in (resources.READ, resources.WRITE):
            tables = [self.tables[t] for t, a in sorted(fdef.tables.items()) if a == access]
            if tables:
                arns = [t.table_arn for t in tables]
                arns += [f"{t.table_arn}/index/*" for t, d in zip(tables, self._table_defs(tables), strict=True)
                         if d.global_secondary_indexes]
                statements.append(iam.PolicyStatement(sid=f"Tables{access.capitalize()}",
                                                      actions=DDB_WRITE if access == resources.WRITE else DDB_READ,
                                                      resources=arns))
        for logical, access in sorted(fdef.buckets.items()):
            bucket = self.buckets[logical]
            statements.append(iam.PolicyStatement(
                sid=f"Objects{_pascal(logical)}",
                actions=S3_WRITE_OBJECTS if access == resources.WRITE else S3_READ_OBJECTS,
                resources=[bucket.arn_for_objects("*")]))
            statements.append(iam.PolicyStatement(sid=f"List{_pascal(logical)}", actions=["s3:ListBucket"],
                                                  resources=[bucket.bucket_arn]))
        if fdef.queues:
            statements.append(iam.PolicyStatement(sid="Send", actions=SQS_SEND,
                                                  resources=[self.queues[q].queue_arn for q in fdef.queues]))
        if fdef.source_queue:
            statements.append(iam.PolicyStatement(sid="Consume", actions=SQS_CONSUME,
                                                  resources=[self.queues[fdef.source_queue].queue_arn]))
        parameters = {"secret_key": self.stage.secret_key_parameter, "llm_api_key": self.stage.llm_api_key_parameter}
        if fdef.secrets:
            statements.append(iam.PolicyStatement(
                sid="Secrets", actions=["ssm:GetParameter"],
                resources=[f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter{parameters[s]}"
                           for s in fdef.secrets]))
        if fdef.package == resources.IMAGE:
            statements.append(iam.PolicyStatement(sid="PullImage", actions=ECR_PULL,
                                                  resources=[self.image.repository.repository_arn]))
        iam.Policy(self, f"Policy{_pascal(fdef.name)}", roles=[role], statements=statements)
        return role

    def _table_defs(self, tables: list[ddb.Table]) -> list[resources.TableDef]:
        by_table = {id(self.tables[d.logical]): d for d in resources.tables()}
        return [by_table[id(t)] for t in tables]

    def _environment(self, cors_origin: str) -> dict[str, str]:
        env = {f"{b.logical.upper().replace('-', '_')}_BUCKET": self.bucket_name(b.logical)
               for b in resources.buckets() if b.local}
        if self.llm:
            env.update({
                "LLM_BASE_URL": self.stage.llm_base_url,
                "LLM_MODEL": self.stage.llm_model,
                "LLM_API_KEY_PARAMETER": self.stage.llm_api_key_parameter,
            })
        if cors_origin:
            env["CORS_ORIGIN"] = cors_origin
        return env

    def _chalice(self, cors_origin: str) -> Chalice:
        stage_config = {
            # Roles are ours (one per function, below); Chalice must not create or guess any.
            "manage_iam_role": False,
            "iam_role_arn": "arn:aws:iam::000000000000:role/replaced-by-infra",
            "environment_variables": self._environment(cors_origin),
        }
        return Chalice(self, "Chalice", source_dir=str(ROOT), stage_config=stage_config)

    def sam_template(self) -> dict[str, Any]:
        """The SAM template `chalice package` produced (before CDK's overrides)."""
        path = Path(self.chalice._sam_package_dir) / "sam.json"  # noqa: SLF001 - the construct keeps no other handle
        template: dict[str, Any] = json.loads(path.read_text())
        return template

    def _api_ml(self, cors_origin: str) -> lambda_.Function:
        """/api/kb/* and /api/ai/*: the same Chalice app (`app.app`) from the container image."""
        env = {**self._chalice_env(), **self._environment(cors_origin), **self._image_env()}
        function = lambda_.Function(
            self, "ApiMl",
            function_name=self.function_name(API_ML),
            code=lambda_.Code.from_ecr_image(self.image.repository, tag_or_digest=self.image.image_tag,
                                             cmd=["app.app"]),
            handler=lambda_.Handler.FROM_IMAGE,
            runtime=lambda_.Runtime.FROM_IMAGE,
            architecture=lambda_.Architecture.X86_64,
            memory_size=API_ML_MEMORY_MB,
            timeout=Duration.seconds(API_ML_TIMEOUT_S),
            role=self.roles[API_ML],
            environment=env,
        )
        function.node.add_dependency(self.node.find_child(f"Policy{_pascal(API_ML)}"))
        return function

    def _chalice_env(self) -> dict[str, str]:
        from infra.stages import chalice_stage

        return {k: str(v) for k, v in chalice_stage(self.stage.name)["environment_variables"].items()}

    @staticmethod
    def _image_env() -> dict[str, str]:
        return {"EMBEDDER": "onnx", "ONNX_MODEL_PATH": ONNX_MODEL_PATH}

    def _wire_functions(self) -> None:
        """Names, roles, packages and event-source settings of the functions Chalice generated."""
        sam = self.sam_template()["Resources"]
        for fdef in resources.functions():
            if fdef.name == API_ML:
                continue
            logical = "APIHandler" if fdef.name == "api_handler" else to_cfn_resource_name(fdef.name)
            fn = self.chalice.get_resource(logical)
            fn.add_property_override("FunctionName", self.function_name(fdef.name))
            fn.add_property_override("Role", self.roles[fdef.name].role_arn)
            fn.add_resource_dependency(self.node.find_child(f"Policy{_pascal(fdef.name)}").node.default_child)
            fn.add_resource_dependency(self.node.find_child(f"Logs{_pascal(fdef.name)}").node.default_child)
            if fdef.package == resources.IMAGE:
                fn.add_property_override("PackageType", "Image")
                fn.add_property_override("ImageUri", self.image.image_uri)
                fn.add_property_override("ImageConfig", {"Command": [sam[logical]["Properties"]["Handler"]]})
                for prop in ("CodeUri", "Runtime", "Handler"):
                    fn.add_property_deletion_override(prop)
                for key, value in self._image_env().items():
                    fn.add_property_override(f"Environment.Variables.{key}", value)
            for event_name, event in sam[logical]["Properties"].get("Events", {}).items():
                if event["Type"] != "SQS":
                    continue
                assert fdef.source_queue, f"{fdef.name} consumes a queue but declares no source_queue"
                queue = self.queues[fdef.source_queue]
                expected = f":{self.settings.queue_name(fdef.source_queue)}"
                assert event["Properties"]["Queue"]["Fn::Sub"].endswith(expected), (fdef.name, event)
                base = f"Events.{event_name}.Properties"
                # A reference instead of Chalice's ARN string: the mapping is created after its queue (moto needs
                # that order too).
                fn.add_property_override(f"{base}.Queue", queue.queue_arn)
                fn.add_property_override(f"{base}.FunctionResponseTypes", ["ReportBatchItemFailures"])
                if fdef.package == resources.IMAGE:
                    # Bounded fan-out for the heavy consumers (the minimum SQS allows is 2).
                    fn.add_property_override(f"{base}.ScalingConfig", {"MaximumConcurrency": 5})

    def _wire_api(self) -> None:
        """KB/AI routes to the image function; JSON gateway errors; stage throttling; a stage-specific name."""
        api = self.chalice.get_resource("RestAPI")
        api.add_property_override("Name", f"helpdesk-{self.stage.name}")
        api.add_property_override("MethodSettings", [{
            "ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True,
            "ThrottlingRateLimit": self.stage.throttle_rate_per_s, "ThrottlingBurstLimit": self.stage.throttle_burst,
        }])
        uri = Fn.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                     "${Arn}/invocations", {"Arn": self.api_ml.function_arn})
        paths = self.sam_template()["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
        for path, methods in paths.items():
            if not path.startswith(resources.IMAGE_ROUTE_PREFIXES):
                continue
            for method, spec in methods.items():
                if "x-amazon-apigateway-integration" in spec and spec["x-amazon-apigateway-integration"].get(
                        "type") == "aws_proxy":
                    api.add_property_override(
                        f"DefinitionBody.paths.{path}.{method}.x-amazon-apigateway-integration.uri", uri)
        responses = {}
        for kind, (status, code, message) in GATEWAY_RESPONSES.items():
            response: dict[str, Any] = {
                "responseTemplates": {"application/json":
                                      f'{{"error":"{code}","message":{message},"details":[]}}'},
                "responseParameters": {"gatewayresponse.header.Content-Type": "'application/json'",
                                       "gatewayresponse.header.Cache-Control": "'no-store'"},
            }
            if status is not None:
                response["statusCode"] = str(status)
            responses[kind] = response
        api.add_property_override("DefinitionBody.x-amazon-apigateway-gateway-responses", responses)
        lambda_.CfnPermission(
            self, "ApiMlInvokePermission", action="lambda:InvokeFunction",
            function_name=self.api_ml.function_name, principal="apigateway.amazonaws.com",
            source_arn=f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:{api.ref}/*",
        )

    # --- console ---------------------------------------------------------------------------------------------

    def _console(self) -> cf.Distribution:
        """The console from a private bucket (origin access control) and the API under the same origin."""
        api_id = self.chalice.get_resource("RestAPI").ref
        api_origin = origins.HttpOrigin(f"{api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}",
                                        origin_path="/api", protocol_policy=cf.OriginProtocolPolicy.HTTPS_ONLY)
        api_behavior = cf.BehaviorOptions(
            origin=api_origin,
            viewer_protocol_policy=cf.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cf.AllowedMethods.ALLOW_ALL,
            cache_policy=cf.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cf.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        )
        spa = cf.Function(self, "SpaFallback", code=cf.FunctionCode.from_inline(SPA_FUNCTION),
                          runtime=cf.FunctionRuntime.JS_2_0,
                          comment="console routes without a file extension -> /index.html")
        return cf.Distribution(
            self, "Console",
            comment=f"helpdesk {self.stage.name} console + API",
            default_root_object="index.html",
            price_class=PRICE_CLASSES[self.stage.price_class],
            http_version=cf.HttpVersion.HTTP2_AND_3,
            default_behavior=cf.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.buckets["console"]),
                viewer_protocol_policy=cf.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cf.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=cf.ResponseHeadersPolicy.SECURITY_HEADERS,
                function_associations=[cf.FunctionAssociation(function=spa,
                                                              event_type=cf.FunctionEventType.VIEWER_REQUEST)],
            ),
            additional_behaviors=dict.fromkeys(API_PATHS, api_behavior),
        )

    # --- operations ------------------------------------------------------------------------------------------

    def _alarms(self) -> None:
        topic = sns.Topic(self, "Alarms", topic_name=f"{self.settings.resource_prefix}-alarms",
                          enforce_ssl=True)
        if self.stage.alarm_email:
            topic.add_subscription(subs.EmailSubscription(self.stage.alarm_email))
        action = cw_actions.SnsAction(topic)
        for logical, dlq in self.dlqs.items():
            alarm = cw.Alarm(
                self, f"DlqAlarm{_pascal(logical)}",
                alarm_name=f"{self.settings.queue_name(logical)}-dlq-not-empty",
                alarm_description=f"Messages of {logical} failed every retry and wait in its dead-letter queue",
                metric=dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(5),
                                                                         statistic="Maximum"),
                threshold=1, evaluation_periods=1,
                comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)
        api_5xx = cw.Alarm(
            self, "Api5xxAlarm",
            alarm_name=f"helpdesk-{self.stage.name}-api-5xx",
            alarm_description="API Gateway answered 5xx (Lambda errors, timeouts, throttling of the functions)",
            metric=cw.Metric(namespace="AWS/ApiGateway", metric_name="5XXError",
                             dimensions_map={"ApiName": f"helpdesk-{self.stage.name}", "Stage": "api"},
                             statistic="Sum", period=Duration.minutes(5)),
            threshold=5, evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        api_5xx.add_alarm_action(action)
        cdk.Tags.of(self).add("app", "helpdesk")
        cdk.Tags.of(self).add("stage", self.stage.name)

    def _outputs(self) -> None:
        api_id = self.chalice.get_resource("RestAPI").ref
        CfnOutput(self, "ConsoleUrl", value=f"https://{self.distribution.distribution_domain_name}")
        CfnOutput(self, "DistributionId", value=self.distribution.distribution_id)
        CfnOutput(self, "ConsoleBucket", value=self.buckets["console"].bucket_name)
        CfnOutput(self, "ApiUrl", value=f"https://{api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/api/")
        CfnOutput(self, "KbUploadsBucket", value=self.buckets["kb-uploads"].bucket_name)


def default_env() -> cdk.Environment | None:
    """The account and region `cdk deploy` targets, or None (an environment-agnostic template)."""
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    return cdk.Environment(account=account, region=region) if account and region else None
