"""Shared benchmark plumbing: environment, datasets, a moto server, the report file."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("DATASETS_DIR") or ROOT.parent / "shared" / "datasets")
RESULTS = ROOT / "bench" / "results"
REPORT = ROOT / "docs" / "BENCHMARKS.md"


def setup_env() -> None:
    """Settings for running the app's code outside the stack (moto credentials, a throwaway signing key)."""
    os.environ.setdefault("STAGE", "dev")
    # The dev stage's prefix: chalice.test.Client applies .chalice/config.json's stage environment
    # (RESOURCE_PREFIX=helpdesk-dev) to the routes it serves. Each bench run has a moto server of its own.
    os.environ.setdefault("RESOURCE_PREFIX", "helpdesk-dev")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghij")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


def start_moto() -> Any:
    """The embedded AWS (moto server) with the app's resources, as `make dev` has it."""
    from chalicelib.config import reset_process_state
    from devstack.local_aws import LocalAws

    server = LocalAws().start()
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    reset_process_state()
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


def machine_info() -> dict[str, Any]:
    """The machine as structured data (CPU model, cores, memory, load): kept with every JSON result."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "memory_gb": memory_gb, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}", "load_average": [round(x, 2) for x in os.getloadavg()]}


def save_json(name: str, data: dict[str, Any]) -> Path:
    """bench/results/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                "machine": machine(), "machine_info": machine_info(), **data}, indent=2) + "\n",
                    encoding="utf-8")
    return path


def load_json(name: str) -> dict[str, Any] | None:
    """bench/results/<name>.json, if a run wrote it."""
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def quick() -> bool:
    """BENCH_QUICK=1: smaller sizes and fewer runs, for trying the scripts (never for the report)."""
    return os.environ.get("BENCH_QUICK", "").strip() not in ("", "0")


# --- statistics ---------------------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (linear interpolation, as numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Sequence[float], digits: int = 3) -> dict[str, Any]:
    """Median with min-max over runs (the report's way of quoting a noisy figure), and the raw runs."""
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits), "runs": [round(v, digits) for v in values]}


def latency_ms(samples_s: Sequence[float]) -> dict[str, Any]:
    """p50 / p95 / min / max in milliseconds from per-request seconds."""
    ms = [s * 1000 for s in samples_s]
    return {"p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2), "min": round(min(ms), 2),
            "max": round(max(ms), 2), "n": len(ms)}


def ratio(ours: float | None, theirs: float | None, digits: int = 2) -> float | None:
    """ours / theirs (None when either side is missing or zero)."""
    if ours is None or theirs is None or not theirs:
        return None
    return round(ours / theirs, digits)


def fmt_spread(value: dict[str, Any] | None, unit: str = "", digits: int = 2) -> str:
    """`1.23 (1.10-1.40) s`: a median with its min-max."""
    if not value:
        return "-"
    f = f"{{:.{digits}f}}"
    return f"{f.format(value['median'])} ({f.format(value['min'])}-{f.format(value['max'])}){unit}"


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Run fn; (its result, seconds)."""
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def fresh_process(code: str, args: Sequence[str] = (), env: dict[str, str] | None = None,
                  timeout: float = 300) -> dict[str, Any]:
    """Run Python code in a new interpreter (cwd = the repository) and parse the JSON its last line prints.

    `wall_s` is added: the parent's view, interpreter start-up included."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, **(env or {})}, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"a fresh process failed ({result.returncode}): {result.stderr[-1500:]}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    data["wall_s"] = time.perf_counter() - started
    return data


# A cold model load in a fresh process (what a cold Lambda pays): import, load, first embedding, peak RSS.
# Peak RSS from VmHWM: getrusage's ru_maxrss survives exec, so a child would report its parent's peak.
PEAK_RSS_CODE = r"""
def peak_rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
EMBEDDER_LOAD_CODE = PEAK_RSS_CODE + r"""
import json, sys, time
t0 = time.perf_counter()
kind = sys.argv[1]
from chalicelib.rag import embeddings
if kind == "torch":
    import sentence_transformers  # noqa: F401
else:
    import onnxruntime, tokenizers  # noqa: F401
t1 = time.perf_counter()
embedder = embeddings.create_embedder(kind)
t2 = time.perf_counter()
embedder.embed(["How do I reset my password?"])
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "first_query_s": t3 - t2, "rss_mb": peak_rss_mb()}))
"""


def embedder_cold_runs(kind: str, runs: int) -> list[dict[str, Any]]:
    """`runs` fresh processes that each import, load and query one embedder (onnx or torch)."""
    return [fresh_process(EMBEDDER_LOAD_CODE, [kind]) for _ in range(runs)]


# --- the app in-process ------------------------------------------------------------------------------------

def reset_aws(server: Any, notifications: bool = False) -> None:
    """Wipe moto and create every resource again (a fresh product), forgetting the app's cached clients."""
    from chalicelib.config import get_settings, reset_process_state
    from infra import bootstrap

    server.reset()
    bootstrap.create_all(get_settings(), notifications=notifications)
    reset_process_state()
    server.middleware.calls.clear()


def admin_api_key(state_dir: Path) -> str:
    """The local admin's API key, created the way `make dev` does (devstack.seed.ensure_admin)."""
    from devstack.seed import ensure_admin

    ensure_admin(state_dir)
    return (state_dir / "admin-token").read_text(encoding="utf-8").strip()


class InProcessApi:
    """The Chalice app served in this process by chalice.test.Client, with a bearer token (JSON in and out)."""

    def __init__(self, token: str) -> None:
        from chalice.test import Client

        import app as app_module

        self.app = app_module.app
        self.token = token
        self._client = Client(self.app, stage_name="dev", project_dir=str(ROOT))
        self._client.__enter__()

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One request; (status, parsed JSON body)."""
        headers = {"content-type": "application/json", "authorization": f"Bearer {self.token}"}
        data = json.dumps(body).encode() if body is not None else b""
        response = self._client.http.request(method, path, headers=headers, body=data)
        text = response.body.decode("utf-8") if response.body else ""
        try:
            return response.status_code, json.loads(text) if text else None
        except ValueError:
            return response.status_code, text

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        """A request that must succeed (2xx)."""
        status, data = self.request(method, path, body)
        if not 200 <= status < 300:
            raise RuntimeError(f"{method} {path} -> {status}: {str(data)[:300]}")
        return data

    def close(self) -> None:
        """Leave the client's context."""
        self._client.__exit__(None, None, None)


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
