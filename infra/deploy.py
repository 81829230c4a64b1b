"""`make deploy STAGE=...` and `make destroy STAGE=...` (runs in infra/.venv-deploy; needs AWS credentials).

deploy: checks the account and the stage's SSM parameters, `cdk deploy`s the stack (CORS_ORIGIN set to the stage's
CloudFront URL; on the very first deploy that URL only exists afterwards, so a second, quick deploy sets it), then
uploads the built console (frontend/dist) with its runtime config.json and invalidates CloudFront.
destroy: empties the buckets the stack would delete (the console's; all of dev's), then `cdk destroy`.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from infra.stages import STAGES, MissingAlarmTarget, StageConfig, alarm_target

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "frontend" / "dist"
OUT = ROOT / "build" / "infra"
CDK_CLI = os.environ.get("CDK_CLI", "npx --yes aws-cdk@2.1148.1").split()
IMMUTABLE = "public, max-age=31536000, immutable"  # Vite's hashed assets
REVALIDATE = "no-cache"  # index.html, config.json: always the current build


def _say(message: str) -> None:
    sys.stderr.write(f"deploy: {message}\n")


def _account() -> tuple[str, str]:
    session = boto3.session.Session()
    region = session.region_name
    if not region:
        raise SystemExit("set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region)")
    try:
        account = session.client("sts").get_caller_identity()["Account"]
    except (NoCredentialsError, ClientError) as exc:
        raise SystemExit(f"no usable AWS credentials ({exc}); see README, Deploy") from exc
    return str(account), str(region)


def _check_parameters(stage: StageConfig) -> bool:
    """Fail without the signing key; True when the LLM key exists (without it the stack leaves the LLM out)."""
    ssm = boto3.client("ssm")
    llm = True
    for name, required in ((stage.secret_key_parameter, True), (stage.llm_api_key_parameter, False)):
        try:
            ssm.get_parameter(Name=name)  # metadata only: the value stays encrypted
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ParameterNotFound":
                raise
            hint = f"aws ssm put-parameter --type SecureString --name {name} --value ..."
            if required:
                raise SystemExit(f"missing SSM parameter {name}: create it first ({hint})") from exc
            _say(f"warning: {name} is missing: AI suggestions use the template draft until it exists ({hint})")
            llm = False
    return llm


def _outputs(stage: StageConfig) -> dict[str, str]:
    try:
        stacks = boto3.client("cloudformation").describe_stacks(StackName=stage.stack_name)["Stacks"]
    except ClientError:
        return {}
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def _stack_status(stage: StageConfig) -> str | None:
    try:
        stacks = boto3.client("cloudformation").describe_stacks(StackName=stage.stack_name)["Stacks"]
    except ClientError:
        return None
    return str(stacks[0]["StackStatus"])


# States in which CloudFormation updates a stack (anything else is a create, or needs a person).
UPDATABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
             "IMPORT_ROLLBACK_COMPLETE"}


def stack_parameters(stage: StageConfig, status: str | None, environ: dict[str, str]) -> list[str]:
    """`--parameters` for `cdk deploy`: table deletion protection once the stack exists, the dev alarm address."""
    out = []
    if stage.retain_data and status in UPDATABLE:
        out += ["--parameters", "TableDeletionProtection=true"]
    target = alarm_target(stage, environ=environ)
    if target.email_parameter:
        email = environ.get("ALARM_EMAIL", "")
        if email:
            out += ["--parameters", f"AlarmEmail={email}"]
        elif status not in UPDATABLE:  # an existing stack keeps its previous value
            raise SystemExit(f"stage {stage.name} sends its alarms to the stack parameter AlarmEmail: run "
                             f"`ALARM_EMAIL=you@example.com make deploy STAGE={stage.name}` (docs/DEPLOY.md)")
    return out


def _cdk(command: str, stage: StageConfig, account: str, region: str, cors_origin: str = "", llm: bool = True) -> None:
    env = {**os.environ, "CDK_DEFAULT_ACCOUNT": account, "CDK_DEFAULT_REGION": region}
    args = [*CDK_CLI, command, stage.name, "--context", f"stage={stage.name}",
            "--context", f"llm={'on' if llm else 'off'}"]
    if cors_origin:
        args += ["--context", f"cors_origin={cors_origin}"]
    if command == "deploy":
        args += ["--require-approval", "never", "--outputs-file", str(OUT / f"outputs-{stage.name}.json")]
        args += stack_parameters(stage, _stack_status(stage), dict(os.environ))
    else:
        args += ["--force"]
    _say(" ".join(args))
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def _upload_console(bucket: str) -> int:
    """Sync frontend/dist to the console bucket (deleting what the new build no longer has)."""
    if not (DIST / "index.html").exists():
        raise SystemExit("frontend/dist is missing: `make deploy` builds it first")
    # Same origin: CloudFront serves the API under /api, so the console calls its own origin.
    (DIST / "config.json").write_text(json.dumps({"apiBaseUrl": ""}) + "\n")
    s3 = boto3.client("s3")
    keys = set()
    for path in sorted(p for p in DIST.rglob("*") if p.is_file()):
        key = path.relative_to(DIST).as_posix()
        keys.add(key)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type, "CacheControl": cache})
    stale = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for o in page.get("Contents", []) if o["Key"] not in keys]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})
    return len(keys)


def _invalidate(distribution_id: str) -> str:
    response: dict[str, Any] = boto3.client("cloudfront").create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(os.getpid()) +
                           str(os.times().elapsed)})
    return str(response["Invalidation"]["Id"])


def deploy(stage: StageConfig) -> None:
    """Backend, then the console."""
    account, region = _account()
    _say(f"account {account}, region {region}, stack {stage.stack_name}")
    llm = _check_parameters(stage)
    try:
        alarm_target(stage)
    except MissingAlarmTarget as exc:
        raise SystemExit(str(exc)) from exc
    OUT.mkdir(parents=True, exist_ok=True)
    if _stack_status(stage) == "ROLLBACK_COMPLETE":
        # A failed first deploy: its rollback removed the tables and buckets (RetainExceptOnCreate), only the
        # empty stack is left, and CloudFormation cannot update it. Delete it and create it again.
        _say(f"{stage.stack_name} is in ROLLBACK_COMPLETE (a failed first deploy): deleting it before the retry")
        cfn = boto3.client("cloudformation")
        cfn.delete_stack(StackName=stage.stack_name)
        cfn.get_waiter("stack_delete_complete").wait(StackName=stage.stack_name)
    cors = _outputs(stage).get("ConsoleUrl", "")
    _cdk("deploy", stage, account, region, cors, llm)
    outputs = _outputs(stage)
    if outputs["ConsoleUrl"] != cors:  # first deploy: the distribution's URL exists only now
        _say("first deploy: setting CORS_ORIGIN to the new CloudFront URL")
        _cdk("deploy", stage, account, region, outputs["ConsoleUrl"], llm)
    count = _upload_console(outputs["ConsoleBucket"])
    invalidation = _invalidate(outputs["DistributionId"])
    _say(f"uploaded {count} console files, CloudFront invalidation {invalidation}")
    sys.stdout.write(f"console: {outputs['ConsoleUrl']}\napi:     {outputs['ApiUrl']}\n")


def _empty(bucket: str) -> None:
    s3 = boto3.client("s3")
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            items = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                     for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if items:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": items})
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchBucket":
            raise


def destroy(stage: StageConfig) -> None:
    """Delete the stack; prod's tables and data buckets are retained (delete them by hand if really meant)."""
    account, region = _account()
    outputs = _outputs(stage)
    if not outputs:
        raise SystemExit(f"no stack {stage.stack_name} in {account}/{region}")
    buckets = [outputs["ConsoleBucket"]]
    if not stage.retain_data:
        prefix = f"{stage.settings().resource_prefix}-"
        buckets += [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]
                    if b["Name"].startswith(prefix) and b["Name"].endswith(f"-{account}")]
    for bucket in buckets:
        _say(f"emptying s3://{bucket}")
        _empty(bucket)
    _cdk("destroy", stage, account, region)
    if stage.retain_data:
        _say("prod's tables (deletion protection on) and data buckets were kept")


def main(argv: list[str] | None = None) -> int:
    """CLI."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["deploy", "destroy"])
    parser.add_argument("--stage", required=True, choices=sorted(STAGES))
    args = parser.parse_args(argv)
    (deploy if args.command == "deploy" else destroy)(STAGES[args.stage])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
