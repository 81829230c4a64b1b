"""Shared benchmark plumbing: environment, datasets, a moto server, the report file."""

from __future__ import annotations

import json
import os
import platform
import re
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("DATASETS_DIR") or ROOT.parent / "shared" / "datasets")
RESULTS = ROOT / "bench" / "results"
REPORT = ROOT / "docs" / "BENCHMARKS.md"


def setup_env() -> None:
    """Settings for running the app's code outside the stack (moto credentials, a throwaway signing key)."""
    os.environ.setdefault("STAGE", "dev")
    os.environ.setdefault("RESOURCE_PREFIX", "helpdesk-bench")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghij")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


def start_moto() -> Any:
    """The embedded AWS (moto server) with the app's resources, as `make dev` has it."""
    from chalicelib.config import reset_settings
    from devstack.local_aws import LocalAws

    server = LocalAws().start()
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    reset_settings()
    from chalicelib.config import get_settings
    from infra import bootstrap

    bootstrap.create_all(get_settings(), notifications=False)
    return server


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per line."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def machine() -> str:
    """A one-line description of where the numbers come from."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load} at the end")


def save_json(name: str, data: dict[str, Any]) -> Path:
    """bench/results/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                "machine": machine(), **data}, indent=2) + "\n", encoding="utf-8")
    return path


def write_section(name: str, markdown: str) -> None:
    """Replace this script's part of the KB section of docs/BENCHMARKS.md (other sections are left alone)."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    if "<!-- kb:start -->" not in text:
        text = text.rstrip("\n") + "\n\n<!-- kb:start -->\n## Knowledge base\n\n<!-- kb:end -->\n"
    start, end = f"<!-- kb-{name}:start -->", f"<!-- kb-{name}:end -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    else:
        text = text.replace("<!-- kb:end -->", f"{block}\n\n<!-- kb:end -->")
    REPORT.write_text(text, encoding="utf-8")


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
