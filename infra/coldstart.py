"""Cold start of one function path, measured inside its package folder (a proxy for Lambda's init + first call).

Run by infra/tests/test_packages.py as `python3.12 -I -S infra/coldstart.py <package root> <json spec>`: a fresh
interpreter whose sys.path is the package folder and the standard library only (like /var/task), so the timings
include importing exactly what the package ships. Prints one JSON line: import time, first call, total.
Standard library only at module level: nothing from the dev environment may leak in.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import uuid
from typing import Any


class Context:
    """What Lambda passes as `context` (the fields Powertools and Chalice read)."""

    def __init__(self, name: str, memory_mb: int) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "coldstart"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def api_event(method: str, path: str, body: Any = None, authorizer: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway (REST, proxy) event as Chalice receives it."""
    return {
        "resource": path, "path": path, "httpMethod": method,
        "headers": {"content-type": "application/json", "host": "api.example.com"},
        "multiValueHeaders": {"content-type": ["application/json"]},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "stageVariables": None, "isBase64Encoded": False,
        "body": json.dumps(body) if body is not None else None,
        "requestContext": {"resourcePath": path, "httpMethod": method, "path": f"/api{path}", "stage": "api",
                           "requestId": str(uuid.uuid4()), "identity": {"sourceIp": "127.0.0.1"},
                           "authorizer": authorizer or {}},
    }


def sqs_event(bodies: list[str], queue_arn: str) -> dict[str, Any]:
    """An SQS event source batch."""
    return {"Records": [{
        "messageId": str(uuid.uuid4()), "receiptHandle": "coldstart", "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(int(time.time() * 1000)),
                       "SenderId": "coldstart", "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000))},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1"} for body in bodies]}


def main() -> int:
    root, spec = sys.argv[1], json.loads(sys.argv[2])
    started = time.perf_counter()
    sys.path.insert(0, root)
    module_name, _, attr = spec["handler"].rpartition(".")
    handler = getattr(importlib.import_module(module_name), attr)
    imported = time.perf_counter()
    event = spec["event"]
    result = handler(event, Context(spec["function"], spec.get("memory_mb", 1024)))
    done = time.perf_counter()
    warm = []
    for _ in range(spec.get("repeat", 0)):  # the same call again in the same process: a warm invocation
        again = time.perf_counter()
        handler(event, Context(spec["function"], spec.get("memory_mb", 1024)))
        warm.append(time.perf_counter() - again)
    heavy = sorted(m for m in ("numpy", "onnxruntime", "lancedb", "pyarrow", "tokenizers", "openai", "sklearn",
                               "torch") if m in sys.modules)
    sys.stdout.write(json.dumps({"import_s": round(imported - started, 3), "first_call_s": round(done - imported, 3),
                                 "total_s": round(done - started, 3), "result": result, "loaded": heavy,
                                 "warm_s": round(sorted(warm)[len(warm) // 2], 3) if warm else None},
                                default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
