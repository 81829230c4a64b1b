"""The Lambda packages: the Chalice zip CDK staged and the container image's tree, checked without Docker or AWS.

For each package: its size against Lambda's limit, every pinned requirement present at its version (Chalice drops
a package it cannot find a wheel for, prints a warning and exits 0), the newest glibc its native libraries need
against the runtime's, every handler module imported from the package folder alone in a fresh Python 3.12, and
the cold start of each function path (import + first request/event, against moto) from that folder.

Figures are written to build/infra/packages.json (docs/DEPLOY.md quotes them).
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

import boto3
import pytest
import requests

from chalicelib.schemas.auth import ALL_SCOPES
from infra import packaging, resources
from infra.coldstart import api_event, sqs_event

ROOT = Path(__file__).resolve().parents[2]
CDK_OUT = ROOT / "build" / "cdk.out"
FIGURES = ROOT / "build" / "infra" / "packages.json"
STAGE = "dev"
# Never in any package: the dev-only model stack.
FORBIDDEN = ("torch", "sentence_transformers", "transformers")
# Not in the zip (and never loaded by the zip functions): what only the image has.
IMAGE_ONLY = ("lancedb", "pyarrow", "onnxruntime", "tokenizers", "openai", "sklearn")
# What the authorizer attaches for an admin's access token; the API re-checks user 1 (seeded below) per request.
ADMIN = {"user_id": "1", "role": "admin", "via": "token", "scopes": " ".join(sorted(ALL_SCOPES)), "key_id": "",
         "tv": "0"}

FIGURES_DATA: dict[str, Any] = {}


def _record(key: str, value: Any) -> None:
    FIGURES_DATA[key] = value
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(FIGURES_DATA, indent=1, sort_keys=True))


def _pins(*files: str) -> dict[str, str]:
    pins = {}
    for name in files:
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if "==" in line:
                package, version = line.split("==")
                pins[re.sub(r"[-_.]+", "_", package).lower()] = version
    return pins


def _installed(root: Path) -> dict[str, str]:
    out = {}
    for info in root.glob("*.dist-info"):
        name, version = info.name[: -len(".dist-info")].rsplit("-", 1)
        out[re.sub(r"[-_.]+", "_", name).lower()] = version
    return out


def _template() -> dict[str, Any]:
    path = CDK_OUT / f"{STAGE}.template.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make synth` first")
    template: dict[str, Any] = json.loads(path.read_text())
    return template


def _handlers(package: str) -> dict[str, str]:
    """Function name -> handler (`module.attr`) for the functions of one package, from the template."""
    out = {}
    for resource in _template()["Resources"].values():
        props = resource.get("Properties", {})
        name = str(props.get("FunctionName", "")).removeprefix(f"helpdesk-{STAGE}-")
        if resource["Type"] == "AWS::Serverless::Function":
            is_image = props.get("PackageType") == "Image"
            handler = props["ImageConfig"]["Command"][0] if is_image else props["Handler"]
            if (package == resources.IMAGE) == is_image:
                out[name] = handler
        elif resource["Type"] == "AWS::Lambda::Function" and package == resources.IMAGE:
            out[name] = "app.app"  # api_ml: the image's default command (infra/image/Dockerfile)
    return out


@pytest.fixture(scope="module")
def zip_root() -> Path:
    assets = packaging.zip_assets(CDK_OUT)
    assert len(assets) == 1, f"expected one Chalice zip shared by the stages, found {assets}"
    root = packaging.unpack_zip_asset(assets[0])
    _record("zip", {"zipped_mb": round(assets[0].stat().st_size / packaging.MB, 1),
                    "unzipped_mb": round(packaging.tree_size(root) / packaging.MB, 1),
                    "largest_mb": {n: round(s / packaging.MB, 1) for n, s in packaging.largest(root, 6)}})
    return root


@pytest.fixture(scope="module")
def image_root() -> Path:
    root = packaging.build_image_root(packaging.assemble_image_context())
    _record("image", {"var_task_mb": round(packaging.tree_size(root) / packaging.MB, 1),
                      "largest_mb": {n: round(s / packaging.MB, 1) for n, s in packaging.largest(root, 8)}})
    return root


def test_zip_fits_lambda_and_ships_every_requirement(zip_root: Path) -> None:
    assert packaging.tree_size(zip_root) < packaging.ZIP_UNZIPPED_LIMIT
    installed = _installed(zip_root)
    for package, version in _pins("requirements.txt").items():
        assert installed.get(package) == version, f"{package}=={version} missing from the zip (dropped by Chalice?)"
    for package in FORBIDDEN + IMAGE_ONLY:
        assert not (zip_root / package).exists(), package
    assert (zip_root / "app.py").exists() and (zip_root / "chalice" / "app.py").exists()


def test_zip_native_code_runs_on_the_python312_runtime(zip_root: Path) -> None:
    needs = packaging.glibc_needs(zip_root)
    newest = max(needs.values())
    assert newest <= packaging.RUNTIME_GLIBC[packaging.TARGET_RUNTIME], needs
    # Why the runtime is python3.12: these would not load on python3.11's Amazon Linux 2 (glibc 2.26).
    too_new = sorted({path.split("/")[0] for path, need in needs.items()
                      if need > packaging.RUNTIME_GLIBC["python3.11"]})
    _record("zip_glibc", {"newest": ".".join(map(str, newest)), "needs_more_than_2_26": too_new})
    assert all(fn["Properties"].get("Runtime") in (None, "python3.12")
               for fn in _template()["Resources"].values() if fn["Type"] == "AWS::Serverless::Function")


def test_every_zip_handler_imports_from_the_zip_alone(zip_root: Path) -> None:
    handlers = _handlers(resources.ZIP)
    assert set(handlers) == {f.name for f in resources.functions() if f.package == resources.ZIP}
    modules = sorted({h.rpartition(".")[0] for h in handlers.values()})
    probe = packaging.import_check(zip_root, modules, list(handlers.values()), absent=list(IMAGE_ONLY + FORBIDDEN))
    assert probe["foreign"] == [], probe["foreign"]


def test_image_fits_and_ships_every_requirement_and_the_model(image_root: Path) -> None:
    assert packaging.tree_size(image_root) < packaging.IMAGE_LIMIT
    installed = _installed(image_root)
    for package, version in _pins("requirements.txt", "requirements-ml.txt").items():
        assert installed.get(package) == version, f"{package}=={version} missing from the image"
    for package in FORBIDDEN:
        assert not (image_root / package).exists(), package
    assert (image_root / "models" / "all-minilm-l6-v2" / "model.onnx").stat().st_size > 50 * packaging.MB
    # More than any zip could hold: why these functions are an image.
    assert packaging.tree_size(image_root) > packaging.ZIP_UNZIPPED_LIMIT


def test_a_wheel_the_runtime_cannot_load_fails_the_build(tmp_path: Path) -> None:
    """The image's install script aimed at python3.11's runtime (glibc 2.26): numpy 2.4 has no wheel for it, and
    the build stops instead of shipping a package without numpy (what `chalice package` does, exit code 0)."""
    (tmp_path / "requirements.txt").write_text("numpy==2.4.6\n")
    (tmp_path / "requirements-ml.txt").write_text("")
    result = subprocess.run(["sh", str(ROOT / "infra" / "image" / "install.sh"), str(tmp_path), str(tmp_path / "t"),
                             sys.executable], env={**os.environ, "PY_VERSION": "3.11", "GLIBC_MINOR": "26"},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "numpy==2.4.6" in result.stderr and "No matching distribution" in result.stderr, result.stderr[-1500:]


def test_image_native_code_runs_on_the_base_image(image_root: Path) -> None:
    needs = packaging.glibc_needs(image_root)
    assert max(needs.values()) <= packaging.RUNTIME_GLIBC[packaging.TARGET_RUNTIME], needs
    dockerfile = (ROOT / "infra" / "image" / "Dockerfile").read_text()
    assert "FROM public.ecr.aws/lambda/python:3.12" in dockerfile


def test_every_image_handler_imports_from_the_image_tree_alone(image_root: Path) -> None:
    handlers = _handlers(resources.IMAGE)
    assert set(handlers) == {f.name for f in resources.functions() if f.package == resources.IMAGE}
    modules = sorted({h.rpartition(".")[0] for h in handlers.values()}) + [
        "chalicelib.services.kb", "chalicelib.services.kb_ingest", "chalicelib.rag.store", "chalicelib.ai.llm",
        "lancedb", "onnxruntime", "tokenizers", "openai", "sklearn.linear_model"]
    probe = packaging.import_check(image_root, modules, list(handlers.values()), absent=list(FORBIDDEN))
    assert probe["foreign"] == [], probe["foreign"]


# --- cold starts -----------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def local_aws() -> Iterator[str]:
    """moto with the resources `make dev` creates (the same definitions the stack uses)."""
    from moto.server import ThreadedMotoServer

    from chalicelib.config import load_settings
    from infra import bootstrap

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto's state is per process, shared by every server in it: start from nothing.
    requests.post(f"http://127.0.0.1:{port}/moto-api/reset", timeout=10)
    endpoint = f"http://127.0.0.1:{port}"
    saved = dict(os.environ)
    os.environ.update(_env(endpoint, Path("/nonexistent")))
    try:
        settings = load_settings()
        bootstrap.create_all(settings)
        now = "2026-01-05T10:00:00Z"
        boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1").put_item(
            TableName=settings.table_name("users"),
            Item={"id": {"N": "1"}, "email": {"S": "admin@example.com"}, "name": {"S": "Admin"},
                  "role": {"S": "admin"}, "token_version": {"N": "0"}, "created_at": {"S": now},
                  "updated_at": {"S": now}})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield endpoint
    server.stop()


def _env(endpoint: str, root: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""), "STAGE": STAGE, "RESOURCE_PREFIX": f"helpdesk-{STAGE}",
        "SECRET_KEY": "cold-start-measurement-only-not-a-secret-0000", "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1", "HF_HUB_OFFLINE": "1", "POWERTOOLS_SERVICE_NAME": "helpdesk",
        "LOG_LEVEL": "WARNING", "POWERTOOLS_LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only on Lambda: the zip compiles on every cold start
        "EMBEDDER": "onnx", "ONNX_MODEL_PATH": str(root / "models" / "all-minilm-l6-v2" / "model.onnx"),
    }


def _cold_start(root: Path, endpoint: str, function: str, handler: str, event: dict[str, Any],
                repeat: int = 0) -> dict[str, Any]:
    spec = json.dumps({"function": f"helpdesk-{STAGE}-{function}", "handler": handler, "event": event,
                       "repeat": repeat})
    result = subprocess.run([packaging.python312(), "-I", "-S", str(ROOT / "infra" / "coldstart.py"), str(root),
                             spec], env=_env(endpoint, root), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    FIGURES_DATA.setdefault("cold_start_s", {})[function] = {k: measured[k] for k in ("import_s", "first_call_s",
                                                                                       "total_s", "warm_s")}
    _record("cold_start_s", FIGURES_DATA["cold_start_s"])
    return measured


def test_cold_start_zip_api(zip_root: Path, local_aws: str) -> None:
    """GET /health: the API function's import plus one BatchGetItem over every table."""
    measured = _cold_start(zip_root, local_aws, "api_handler", "app.app", api_event("GET", "/health"), repeat=5)
    assert measured["result"]["statusCode"] == 200, measured["result"]
    assert not set(measured["loaded"]) & set(IMAGE_ONLY), measured["loaded"]


def test_cold_start_zip_api_ticket_list(zip_root: Path, local_aws: str) -> None:
    """GET /api/tickets as an agent (the authorizer's context attached, as API Gateway does)."""
    measured = _cold_start(zip_root, local_aws, "api_handler_list", "app.app",
                           api_event("GET", "/api/tickets", authorizer=ADMIN), repeat=5)
    assert measured["result"]["statusCode"] == 200, measured["result"]


def test_cold_start_zip_schedule(zip_root: Path, local_aws: str) -> None:
    """The SLA watcher (every minute: the most frequent invocation) reading the timers that are due."""
    event = {"version": "0", "id": "coldstart", "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "123456789012", "time": "2026-01-05T10:00:00Z", "region": "us-east-1",
             "resources": ["arn:aws:events:us-east-1:123456789012:rule/sla_watch"], "detail": {}}
    measured = _cold_start(zip_root, local_aws, "sla_watch", "chalicelib.handlers.ops.watch_sla", event, repeat=5)
    assert isinstance(measured["result"], dict), measured


def test_cold_start_zip_authorizer(zip_root: Path, local_aws: str) -> None:
    """A token the authorizer refuses (API Gateway turns the exception into the JSON 401)."""
    event = {"type": "TOKEN", "authorizationToken": "Bearer not-a-token",
             "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/api/GET/api/tickets"}
    spec = json.dumps({"function": "helpdesk-dev-bearer_auth", "handler": "chalicelib.api.security.bearer_auth",
                       "event": event})
    result = subprocess.run([packaging.python312(), "-I", "-S", str(ROOT / "infra" / "coldstart.py"),
                             str(zip_root), spec], env=_env(local_aws, zip_root), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "Exception: Unauthorized" in result.stderr, result.stderr[-2000:]


def test_cold_start_image_kb_ingest_then_image_api_search(image_root: Path, local_aws: str) -> None:
    """The S3 -> SQS ingest of one uploaded file, then POST /api/kb/search, each in a fresh process (ONNX model
    load, first embedding, LanceDB on S3)."""
    s3 = boto3.client("s3", endpoint_url=local_aws, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    sqs = boto3.client("sqs", endpoint_url=local_aws, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    url = sqs.get_queue_url(QueueName=f"helpdesk-{STAGE}-kb-ingest")["QueueUrl"]
    sample = sorted((ROOT / "kb_loader" / "samples").rglob("*.md"))[0]
    s3.put_object(Bucket=f"helpdesk-{STAGE}-kb-uploads", Key=f"guides/{sample.name}", Body=sample.read_bytes())
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)["Messages"]
    bodies = [m["Body"] for m in messages if "Records" in json.loads(m["Body"])]  # (not S3's TestEvent)
    assert len(bodies) == 1
    ingest = _cold_start(image_root, local_aws, "kb_ingest", "chalicelib.handlers.kb_ingest.kb_ingest",
                         sqs_event(bodies, f"arn:aws:sqs:us-east-1:123456789012:helpdesk-{STAGE}-kb-ingest"))
    assert ingest["result"] == {"batchItemFailures": []}, ingest
    assert {"onnxruntime", "lancedb"} <= set(ingest["loaded"])
    search = _cold_start(image_root, local_aws, "api_ml", "app.app",
                         api_event("POST", "/api/kb/search", {"query": sample.stem.replace("-", " "), "top_k": 3},
                                   ADMIN), repeat=5)
    assert search["result"]["statusCode"] == 200, search["result"]
    results = json.loads(search["result"]["body"])["results"]
    assert results and results[0]["metadata"]["source"] == f"guides/{sample.name}", results[0]


def test_cold_start_image_api_classify(image_root: Path, local_aws: str) -> None:
    """POST /api/ai/classify with no trained model yet: the import of the AI path and the embedder."""
    measured = _cold_start(image_root, local_aws, "api_ml_classify", "app.app",
                           api_event("POST", "/api/ai/classify", {"text": "I cannot connect to the VPN"}, ADMIN),
                           repeat=5)
    assert measured["result"]["statusCode"] in (200, 409), measured["result"]
