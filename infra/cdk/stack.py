"""The whole deployment of one stage as one CDK stack.

Chalice (its CDK construct, `chalice.cdk.Chalice`) packages the app and generates the API, the functions, their
queue event sources and schedules (a SAM template, included here). Everything else is defined here from
infra/resources.py: tables, queues with their DLQs, buckets with the ingest notification, one role per function,
the container image for the KB/AI functions, the console (private bucket behind CloudFront), alarms.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import (
    Aws,
    CfnCondition,
    CfnOutput,
    CfnParameter,
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
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from infra import resources
from infra.stages import ROOT, AlarmTarget, StageConfig

DDB_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable"]
DDB_WRITE = DDB_READ + ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
S3_READ_OBJECTS = ["s3:GetObject"]
S3_WRITE_OBJECTS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
SQS_SEND = ["sqs:SendMessage", "sqs:GetQueueUrl"]
SQS_CONSUME = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
# X-Ray accepts no resource-level permissions: these two actions are the template's only `Resource: *`.
XRAY_WRITE = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# The request path (API Gateway -> authorizer -> API functions) is traced with X-Ray.
TRACED_FUNCTIONS = ("api_handler", "api_ml", "bearer_auth")

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
    # API Gateway answers these itself (authorizer refused, no route, throttled): the app's error shape. Messages
    # are fixed texts: nothing of the request (path, token) is echoed back.
    "UNAUTHORIZED": (401, "unauthorized", "sign in first: the bearer token is missing, invalid or expired"),
    "ACCESS_DENIED": (403, "forbidden", "not allowed"),
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", "no such route"),
    "THROTTLED": (429, "too_many_requests", "too many requests: retry later"),
    "DEFAULT_4XX": (None, "bad_request", "the request was refused before it reached the API"),
    "DEFAULT_5XX": (None, "unavailable", "the API is unavailable: retry later"),
}
# The headers every answer carries (API Gateway's own errors, and through CloudFront every API response).
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": API_CSP,
    "Cache-Control": "no-store",
}
# The console (Vite build, antd): module scripts from its own origin only; antd and recharts set inline styles
# (CSS-in-JS <style> tags and style attributes), icons and charts use data: images; the API is the same origin.
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
               "frame-ancestors 'none'; upgrade-insecure-requests")
# Swagger UI at /docs: its bundle and stylesheet from the same origin, one inline start-up script (allowed by its
# hash, computed from the page chalicelib/api/docs.py serves behind CloudFront), inline styles, data: images.
DOCS_CSP = ("default-src 'self'; script-src 'self' '{script_hash}'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
API_ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "time": "$context.requestTime",
    "method": "$context.httpMethod", "path": "$context.resourcePath", "status": "$context.status",
    "bytes": "$context.responseLength", "latencyMs": "$context.responseLatency",
    "integrationMs": "$context.integration.latency", "error": "$context.error.responseType",
    "authError": "$context.authorizer.error", "xray": "$context.xrayTraceId",
}, separators=(",", ":"))
# CloudFront passes the viewer's host on (the origin request policy replaces Host with the API's): the API needs
# it to link its pages (/docs) to the viewer's paths.
FORWARDED_HOST_FUNCTION = """function handler(event) {
  var request = event.request;
  request.headers['x-forwarded-host'] = { value: request.headers.host.value };
  return request;
}"""
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

    def __init__(self, scope: Construct, stage: StageConfig, *, image_context: Path, alarm_target: AlarmTarget,
                 cors_origin: str = "", llm: bool = True, **kwargs: Any) -> None:
        # The construct id is the stage name: chalice.cdk packages the Chalice stage named like its scope.
        super().__init__(scope, stage.name, stack_name=stage.stack_name,
                         description=f"Help desk ({stage.name}): API, functions, tables, queues, buckets, console",
                         **kwargs)
        self.stage = stage
        self.llm = llm  # off: no LLM settings, suggestions use the template draft (deploy without the key)
        self.alarm_target = alarm_target
        self.settings = stage.settings()
        # Kept on update and delete, but removed when the stack's own creation rolls back: a failed first deploy
        # leaves no fixed-name table or bucket behind to make the retry fail with "already exists".
        self.removal = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if stage.retain_data else RemovalPolicy.DESTROY
        self.deletion_protection = self._deletion_protection()
        self.tables = self._tables()
        self.queues, self.dlqs = self._queues()
        self.buckets = self._buckets()
        self._notifications()
        self._mail()
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
                removal_policy=self.removal,
            )
            if self.deletion_protection is not None:
                cfn_table: ddb.CfnTable = table.node.default_child  # type: ignore[assignment]
                cfn_table.add_property_override("DeletionProtectionEnabled", Fn.condition_if(
                    self.deletion_protection.logical_id, True, False))
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

    def _deletion_protection(self) -> CfnCondition | None:
        """Tables of a stage that keeps its data get deletion protection, but only from the second deploy on.

        A protected table cannot be deleted, not even by the rollback of a failed first deploy, which would then
        leave it behind. `make deploy` passes TableDeletionProtection=true once the stack exists (its second,
        CORS deploy does so on the very first run); CloudFormation keeps the value on later updates.
        """
        if not self.stage.retain_data:
            return None
        parameter = CfnParameter(self, "TableDeletionProtection", type="String", default="false",
                                 allowed_values=["true", "false"],
                                 description="DynamoDB deletion protection (make deploy: true once the stack exists)")
        return CfnCondition(self, "ProtectTables", expression=Fn.condition_equals(parameter.value_as_string, "true"))

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

    # --- the e-mail channel ----------------------------------------------------------------------------------

    def mail_configuration_set(self) -> str:
        """SES's configuration set: bounce and complaint events of our sends go to the mail-feedback queue."""
        return f"{self.settings.resource_prefix}-mail"

    def _mail(self) -> None:
        """SES: the support domain as identity, a configuration set whose bounces and complaints reach the
        mail-feedback queue (through SNS), and a receipt rule that stores mail to the support address, spam- and
        virus-scanned, as raw MIME in the inbound-mail bucket (which notifies mail-ingest)."""
        mail = self.settings.mail
        self.mail_identity = ses.CfnEmailIdentity(self, "MailIdentity", email_identity=mail.domain)
        config_set = ses.CfnConfigurationSet(self, "MailConfigurationSet", name=self.mail_configuration_set())
        topic = sns.Topic(self, "MailFeedbackTopic", topic_name=f"{self.settings.resource_prefix}-mail-feedback")
        topic.add_subscription(subs.SqsSubscription(self.queues["mail-feedback"], raw_message_delivery=True))
        feedback = ses.CfnConfigurationSetEventDestination(
            self, "MailFeedbackDestination", configuration_set_name=self.mail_configuration_set(),
            event_destination=ses.CfnConfigurationSetEventDestination.EventDestinationProperty(
                name="bounces-and-complaints", enabled=True, matching_event_types=["bounce", "complaint"],
                sns_destination=ses.CfnConfigurationSetEventDestination.SnsDestinationProperty(
                    topic_arn=topic.topic_arn)))
        feedback.add_dependency(config_set)
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="SesEvents", principals=[iam.ServicePrincipal("ses.amazonaws.com")], actions=["sns:Publish"],
            resources=[topic.topic_arn], conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}))
        inbound = self.buckets["inbound-mail"]
        policy = inbound.add_to_resource_policy(iam.PolicyStatement(
            sid="SesInbound", principals=[iam.ServicePrincipal("ses.amazonaws.com")], actions=["s3:PutObject"],
            resources=[inbound.arn_for_objects("inbound/*")],
            conditions={"StringEquals": {
                "AWS:SourceAccount": Aws.ACCOUNT_ID,
                "AWS:SourceArn": f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:receipt-rule-set/"
                                 f"{self.settings.resource_prefix}-inbound:receipt-rule/support-to-s3"}}))
        rule_set = ses.CfnReceiptRuleSet(self, "MailRuleSet",
                                         rule_set_name=f"{self.settings.resource_prefix}-inbound")
        rule = ses.CfnReceiptRule(
            self, "MailInboundRule", rule_set_name=f"{self.settings.resource_prefix}-inbound",
            rule=ses.CfnReceiptRule.RuleProperty(
                name="support-to-s3", enabled=True, scan_enabled=True, tls_policy="Optional",
                recipients=[mail.support_email],
                actions=[ses.CfnReceiptRule.ActionProperty(s3_action=ses.CfnReceiptRule.S3ActionProperty(
                    bucket_name=inbound.bucket_name, object_key_prefix="inbound/"))]))
        rule.add_dependency(rule_set)
        if policy.policy_dependable is not None:
            rule.node.add_dependency(policy.policy_dependable)

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
        if fdef.ses_send:
            identity = f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:identity/{self.settings.mail.domain}"
            config_set = (f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:configuration-set/"
                          f"{self.mail_configuration_set()}")
            statements.append(iam.PolicyStatement(
                sid="SendMail", actions=["ses:SendEmail", "ses:SendRawEmail"], resources=[identity, config_set],
                conditions={"StringEquals": {"ses:FromAddress": self.settings.mail.support_email}}))
        # (No ECR statement: Lambda pulls the image with its own service permissions, granted by the repository's
        # policy, not with the function's role.)
        if fdef.name in TRACED_FUNCTIONS:
            statements.append(iam.PolicyStatement(sid="Tracing", actions=XRAY_WRITE, resources=["*"]))
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
        env["SUPPORT_EMAIL"] = self.settings.mail.support_email
        env["SES_CONFIGURATION_SET"] = self.mail_configuration_set()
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
        cfn_function: lambda_.CfnFunction = function.node.default_child  # type: ignore[assignment]
        cfn_function.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")  # role: Tracing
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
            if fdef.name in TRACED_FUNCTIONS:
                fn.add_property_override("Tracing", "Active")
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
                # The batch size is the deployment's (infra/resources.py): it is what the timeout arithmetic uses.
                fn.add_property_override(f"{base}.BatchSize", resources.queue(fdef.source_queue).batch_size)
                if fdef.package == resources.IMAGE:
                    # Bounded fan-out for the heavy consumers (the minimum SQS allows is 2).
                    fn.add_property_override(f"{base}.ScalingConfig", {"MaximumConcurrency": 5})

    def _wire_api(self) -> None:
        """KB/AI routes to the image function; JSON gateway errors; stage throttling; a stage-specific name."""
        api = self.chalice.get_resource("RestAPI")
        api.add_property_override("Name", f"helpdesk-{self.stage.name}")
        # Any OpenApiVersion makes SAM drop its implicit `Stage` stage (which had no throttling); the body stays
        # Swagger 2.0 as Chalice writes it.
        api.add_property_override("OpenApiVersion", "2.0")
        api.add_property_override("TracingEnabled", True)
        access_logs = logs.LogGroup(self, "ApiAccessLogs", log_group_name=f"/aws/apigateway/helpdesk-{self.stage.name}",
                                    retention=RETENTION[self.stage.log_retention_days],
                                    removal_policy=RemovalPolicy.DESTROY)
        api.add_property_override("AccessLogSetting", {"DestinationArn": access_logs.log_group_arn,
                                                       "Format": API_ACCESS_LOG_FORMAT})
        self._api_gateway_logging_role()
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
        headers = {"Content-Type": "application/json", **SECURITY_HEADERS}
        for kind, (status, code, message) in GATEWAY_RESPONSES.items():
            response: dict[str, Any] = {
                "responseTemplates": {"application/json": json.dumps(
                    {"error": code, "message": message, "details": []}, separators=(",", ":"))},
                "responseParameters": {f"gatewayresponse.header.{name}": f"'{value}'"
                                       for name, value in headers.items()},
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

    def _api_gateway_logging_role(self) -> None:
        """API Gateway writes access logs with the account's (per region) CloudWatch role: set it here."""
        role = iam.Role(self, "ApiGatewayLogsRole", assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
                        description="API Gateway: write access logs to CloudWatch Logs (account setting)")
        iam.Policy(self, "PolicyApiGatewayLogs", roles=[role], statements=[iam.PolicyStatement(
            sid="AccessLogs",
            actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups",
                     "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents"],
            resources=[f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:/aws/apigateway/*"])])
        # An account-wide setting: a stack that goes away must not leave it pointing at a deleted role.
        role.apply_removal_policy(RemovalPolicy.RETAIN)
        account = cdk.CfnResource(self, "ApiGatewayAccount", type="AWS::ApiGateway::Account",
                                  properties={"CloudWatchRoleArn": role.role_arn})
        account.node.add_dependency(self.node.find_child("PolicyApiGatewayLogs"))
        account.apply_removal_policy(RemovalPolicy.RETAIN)
        self.chalice.get_resource("RestAPI").add_resource_dependency(account)

    # --- console ---------------------------------------------------------------------------------------------

    def _console(self) -> cf.Distribution:
        """The console from a private bucket (origin access control) and the API under the same origin."""
        api_id = self.chalice.get_resource("RestAPI").ref
        api_origin = origins.HttpOrigin(f"{api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}",
                                        origin_path="/api", protocol_policy=cf.OriginProtocolPolicy.HTTPS_ONLY)
        forwarded_host = cf.Function(self, "ForwardedHost", code=cf.FunctionCode.from_inline(FORWARDED_HOST_FUNCTION),
                                     runtime=cf.FunctionRuntime.JS_2_0,
                                     comment="API requests: the viewer's host as X-Forwarded-Host")

        def api_behavior(csp: str, name: str) -> cf.BehaviorOptions:
            return cf.BehaviorOptions(
                origin=api_origin,
                viewer_protocol_policy=cf.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cf.AllowedMethods.ALLOW_ALL,
                cache_policy=cf.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cf.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=self._headers_policy(name, csp, override=False),
                function_associations=[cf.FunctionAssociation(function=forwarded_host,
                                                              event_type=cf.FunctionEventType.VIEWER_REQUEST)],
            )

        api = api_behavior(API_CSP, "ApiHeaders")
        behaviors = {path: api for path in API_PATHS if path != "/docs*"}
        behaviors["/docs*"] = api_behavior(DOCS_CSP.format(script_hash=_docs_script_hash()), "DocsHeaders")
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
                response_headers_policy=self._headers_policy("ConsoleHeaders", CONSOLE_CSP, override=True),
                function_associations=[cf.FunctionAssociation(function=spa,
                                                              event_type=cf.FunctionEventType.VIEWER_REQUEST)],
            ),
            additional_behaviors=behaviors,
        )

    def _headers_policy(self, name: str, csp: str, *, override: bool) -> cf.ResponseHeadersPolicy:
        """HSTS, nosniff, no framing, no referrer, and a CSP; `override=False` keeps a header the origin set."""
        return cf.ResponseHeadersPolicy(
            self, name, response_headers_policy_name=f"helpdesk-{self.stage.name}-{name}",
            security_headers_behavior=cf.ResponseSecurityHeadersBehavior(
                content_security_policy=cf.ResponseHeadersContentSecurityPolicy(content_security_policy=csp,
                                                                                override=override),
                strict_transport_security=cf.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, override=True),
                content_type_options=cf.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cf.ResponseHeadersFrameOptions(frame_option=cf.HeadersFrameOption.DENY, override=True),
                referrer_policy=cf.ResponseHeadersReferrerPolicy(
                    referrer_policy=cf.HeadersReferrerPolicy.NO_REFERRER, override=True),
            ),
        )

    # --- operations ------------------------------------------------------------------------------------------

    def _alarms(self) -> None:
        """Alarms to an SNS topic with at least one subscriber; CloudWatch may publish to it."""
        topic = sns.Topic(self, "Alarms", topic_name=f"{self.settings.resource_prefix}-alarms", enforce_ssl=True)
        # enforce_ssl writes a topic policy, which replaces SNS's default one: CloudWatch needs its own Allow.
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudWatchAlarms", principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"], resources=[topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                        "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:"
                                                     f"{Aws.ACCOUNT_ID}:alarm:*"}}))
        target = self.alarm_target
        if target.email_parameter:
            email = CfnParameter(self, "AlarmEmail", type="String", allowed_pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+",
                                 constraint_description="an e-mail address",
                                 description="Where this stage's alarms are sent (confirm the subscription e-mail)")
            topic.add_subscription(subs.EmailSubscription(email.value_as_string))
        if target.email:
            topic.add_subscription(subs.EmailSubscription(target.email))
        if target.webhook_url:
            topic.add_subscription(subs.UrlSubscription(target.webhook_url, protocol=sns.SubscriptionProtocol.HTTPS))
        action = cw_actions.SnsAction(topic)

        def alarm(construct_id: str, name: str, description: str, metric: cw.IMetric, threshold: float, *,
                  below: bool = False, missing: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING) -> None:
            created = cw.Alarm(
                self, construct_id, alarm_name=name, alarm_description=description, metric=metric,
                threshold=threshold, evaluation_periods=1, treat_missing_data=missing,
                comparison_operator=cw.ComparisonOperator.LESS_THAN_THRESHOLD if below
                else cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            )
            created.add_alarm_action(action)

        five_minutes = Duration.minutes(5)
        for logical, dlq in self.dlqs.items():
            alarm(f"DlqAlarm{_pascal(logical)}", f"{self.settings.queue_name(logical)}-dlq-not-empty",
                  f"Messages of {logical} failed every retry and wait in its dead-letter queue",
                  dlq.metric_approximate_number_of_messages_visible(period=five_minutes, statistic="Maximum"), 1)
        for queue_def in resources.queues():
            # Older than two visibility timeouts: no consumer has finished it in two full attempts.
            age = 2 * queue_def.visibility_timeout_s
            queue_name = self.settings.queue_name(queue_def.logical)
            alarm(f"QueueAgeAlarm{_pascal(queue_def.logical)}", f"{queue_name}-stalled",
                  f"The oldest message of {queue_def.logical} waits for more than {age} s: its consumer is stuck or "
                  "throttled",
                  self.queues[queue_def.logical].metric_approximate_age_of_oldest_message(
                      period=five_minutes, statistic="Maximum"), age)
        schedules = self._schedules()
        for fdef in resources.functions():
            name = self.function_name(fdef.name)
            dims = {"FunctionName": name}
            alarm(f"ErrorsAlarm{_pascal(fdef.name)}", f"{name}-errors",
                  f"{fdef.name} failed (an exception, a timeout or running out of memory)",
                  cw.Metric(namespace="AWS/Lambda", metric_name="Errors", dimensions_map=dims, statistic="Sum",
                            period=five_minutes), 1)
            alarm(f"ThrottlesAlarm{_pascal(fdef.name)}", f"{name}-throttles",
                  f"{fdef.name} was throttled (account concurrency or its own limit)",
                  cw.Metric(namespace="AWS/Lambda", metric_name="Throttles", dimensions_map=dims, statistic="Sum",
                            period=five_minutes), 1)
            if fdef.name in schedules:
                # A schedule that stops firing raises no error: alarm when it has not run for two of its periods.
                period = Duration.minutes(max(5, 2 * schedules[fdef.name]))
                alarm(f"NotRunningAlarm{_pascal(fdef.name)}", f"{name}-not-running",
                      f"The scheduled {fdef.name} did not run for {period.to_minutes()} minutes",
                      cw.Metric(namespace="AWS/Lambda", metric_name="Invocations", dimensions_map=dims,
                                statistic="Sum", period=period), 1, below=True, missing=cw.TreatMissingData.BREACHING)
        alarm("Api5xxAlarm", f"helpdesk-{self.stage.name}-api-5xx",
              "API Gateway answered 5xx (Lambda errors, timeouts, throttling of the functions)",
              cw.Metric(namespace="AWS/ApiGateway", metric_name="5XXError",
                        dimensions_map={"ApiName": f"helpdesk-{self.stage.name}", "Stage": "api"},
                        statistic="Sum", period=five_minutes), 5)
        cdk.Tags.of(self).add("app", "helpdesk")
        cdk.Tags.of(self).add("stage", self.stage.name)

    def _schedules(self) -> dict[str, int]:
        """Scheduled functions (Chalice names) and their rate in minutes, from the SAM template."""
        out = {}
        for fdef in resources.functions():
            logical = to_cfn_resource_name(fdef.name)
            events = self.sam_template()["Resources"].get(logical, {}).get("Properties", {}).get("Events", {})
            for event in events.values():
                if event["Type"] == "Schedule":
                    count, unit = event["Properties"]["Schedule"].removeprefix("rate(").rstrip(")").split()
                    out[fdef.name] = int(count) * (60 if unit.startswith("hour") else 1)
        return out

    def _outputs(self) -> None:
        api_id = self.chalice.get_resource("RestAPI").ref
        CfnOutput(self, "ConsoleUrl", value=f"https://{self.distribution.distribution_domain_name}")
        CfnOutput(self, "DistributionId", value=self.distribution.distribution_id)
        CfnOutput(self, "ConsoleBucket", value=self.buckets["console"].bucket_name)
        CfnOutput(self, "ApiUrl", value=f"https://{api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/api/")
        CfnOutput(self, "KbUploadsBucket", value=self.buckets["kb-uploads"].bucket_name)


def _docs_script_hash() -> str:
    """CSP source of the one inline script of /docs as CloudFront serves it (no stage prefix)."""
    from chalicelib.api import docs

    script = re.search(r"<script>(.*?)</script>", docs.render_page(""), re.S)
    assert script, "the docs page has no inline script any more: drop its hash from DOCS_CSP"
    digest = hashlib.sha256(script.group(1).encode("utf-8")).digest()
    return f"sha256-{base64.b64encode(digest).decode()}"


def default_env() -> cdk.Environment | None:
    """The account and region `cdk deploy` targets, or None (an environment-agnostic template)."""
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    return cdk.Environment(account=account, region=region) if account and region else None
