"""Pipelines under the local stack: `python -m bench.pipelines` (writes bench/results/pipelines.json).

Starts `python -m devstack up` (what `make dev` runs, without the console) on free ports with a fresh state
directory, then measures over real HTTP:

- ticket -> AI fields: from `POST /api/tickets` until `GET /api/tickets/{id}` shows `ai_classified_at` (outbox ->
  SQS classify queue -> the dispatcher runs the `classify_tickets` handler -> the ticket's transaction);
- kb_loader: from the start of an upload of 100 Markdown files (kb_loader's own upload and wait functions) until
  every file's document record is ready with the uploaded ETag (S3 notification -> SQS kb-ingest -> `kb_ingest`
  handler -> chunks in LanceDB on moto S3), then one `POST /api/kb/search` to check the chunks are found.
The files are the Bitext KB passages (81), cycled to 100 with a distinct heading per file.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench._common import DATASETS, ROOT, quick, read_jsonl, save_json, setup_env, spread
from devstack.local_aws import free_port
from kb_loader import cli as kb_cli
from kb_loader.examples import call

POLL_S = 0.05


class LocalStack:
    """`python -m devstack up` as a child process (stopped with SIGTERM, by its own pid)."""

    def __init__(self, state: Path) -> None:
        self.state = state
        state.mkdir(parents=True, exist_ok=True)
        self.api_port, self.moto_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.api_port}"
        self.endpoint = f"http://127.0.0.1:{self.moto_port}"
        self.log = (state / "stack.log").open("wb")
        env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "SECRET_KEY")}
        env.update({"LOCAL_STATE_DIR": str(state), "CONSOLE": "0", "API_PORT": str(self.api_port),
                    "MOTO_PORT": str(self.moto_port), "RESOURCE_PREFIX": "helpdesk-dev"})
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "devstack", "up"], cwd=ROOT, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def wait_ready(self, timeout_s: float = 300) -> float:
        """Seconds until /health answers and the admin token exists."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the stack exited: {(self.state / 'stack.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2):
                    if (self.state / "admin-token").exists():
                        return time.perf_counter() - self.started
            except Exception:  # noqa: BLE001 - not up yet
                pass
            time.sleep(0.2)
        raise TimeoutError("the local stack did not come up")

    @property
    def token(self) -> str:
        """The local admin's API key."""
        return (self.state / "admin-token").read_text(encoding="utf-8").strip()

    def stop(self) -> None:
        """SIGTERM, then wait (kill only if it hangs)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def wait_classifier(stack: LocalStack, timeout_s: float = 300) -> float:
    """Seconds until the seeded demo taxonomy's classifier is trained (GET /api/ai/classifier)."""
    started = time.perf_counter()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = call(stack.url, stack.token, "GET", "/api/ai/classifier")
        if status["status"] == "ready" and not status["pending_generation"]:
            return time.perf_counter() - started
        time.sleep(0.2)
    raise TimeoutError("the classifier was not trained in time")


def ticket_to_ai(stack: LocalStack, n: int, timeout_s: float = 120) -> dict[str, float]:
    """POST a ticket, poll until its AI fields are there."""
    body = {"title": f"Charged twice for order {n}", "content": "My card was charged twice for the same order. "
            "Please refund the duplicate payment."}
    started = time.perf_counter()
    ticket = call(stack.url, stack.token, "POST", "/api/tickets", body)
    posted = time.perf_counter() - started
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        current = call(stack.url, stack.token, "GET", f"/api/tickets/{ticket['id']}")
        if current.get("ai_classified_at"):
            return {"post_s": posted, "ai_fields_s": time.perf_counter() - started}
        time.sleep(POLL_S)
    raise TimeoutError(f"ticket {ticket['id']} was not classified in {timeout_s}s")


def kb_files(folder: Path, run: int, count: int) -> Path:
    """`count` Markdown files from the Bitext KB passages, each with its own heading."""
    passages = read_jsonl(DATASETS / "bitext_kb_retrieval" / "kb.jsonl")
    folder.mkdir(parents=True)
    for i in range(count):
        p = passages[i % len(passages)]
        (folder / f"{p['doc_id']}-{i:03d}.md").write_text(
            f"# {p['title']} (run {run}, file {i})\n\n{p['text']}\n", encoding="utf-8")
    return folder


def kb_upload(stack: LocalStack, folder: Path, prefix: str, timeout_s: float = 600) -> dict[str, Any]:
    """kb_loader's upload + wait, timed; then one search through the API."""
    from chalicelib.config import get_settings

    uploads = kb_cli.find_files(folder, prefix)
    os.environ["AWS_ENDPOINT_URL"] = stack.endpoint  # before the settings are first read (cached)
    settings = get_settings()
    started = time.perf_counter()
    kb_cli.upload(uploads, settings.bucket_name("kb-uploads"))
    uploaded = time.perf_counter() - started
    done = kb_cli.wait(uploads, prefix, timeout_s)
    total = time.perf_counter() - started
    if len(done) != len(uploads):
        raise TimeoutError(f"only {len(done)}/{len(uploads)} files were ingested in {timeout_s}s")
    hits = call(stack.url, stack.token, "POST", "/api/kb/search", {"query": "How can I cancel my order?", "top_k": 10})
    found = [h for h in hits["results"] if str(h["metadata"].get("source", "")).startswith(prefix + "/")]
    return {"files": len(uploads), "chunks": sum(d["chunks"] for d in done.values()), "upload_s": uploaded,
            "searchable_s": total, "search_found": len(found)}


def main(argv: list[str] | None = None) -> int:
    """Start the stack, measure, stop it, save."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=3 if quick() else 5, help="ticket runs")
    parser.add_argument("--kb-runs", type=int, default=1 if quick() else 3, help="kb_loader runs")
    parser.add_argument("--files", type=int, default=100, help="files per kb_loader run")
    args = parser.parse_args(argv)
    setup_env()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="bench-pipelines-") as tmp:
        stack = LocalStack(Path(tmp) / "state")
        try:
            ready_s = stack.wait_ready()
            trained_s = wait_classifier(stack)
            print(f"stack ready in {ready_s:.1f}s, classifier trained {trained_s:.1f}s later", flush=True)
            tickets = [ticket_to_ai(stack, n) for n in range(args.tickets)]
            print("tickets", json.dumps(tickets), flush=True)
            kb = [kb_upload(stack, kb_files(Path(tmp) / f"files-{run}", run, args.files), f"bench-run{run}")
                  for run in range(args.kb_runs)]
            print("kb", json.dumps(kb), flush=True)
        finally:
            stack.stop()
    data = {
        "stack_ready_s": round(ready_s, 2), "seed_classifier_trained_s": round(trained_s, 2),
        "ticket_to_ai_fields_s": spread([t["ai_fields_s"] for t in tickets]),
        "ticket_post_s": spread([t["post_s"] for t in tickets]),
        "kb_files": args.files, "kb_chunks": kb[0]["chunks"],
        "kb_upload_to_searchable_s": spread([k["searchable_s"] for k in kb]),
        "kb_upload_only_s": spread([k["upload_s"] for k in kb]),
        "kb_search_found": [k["search_found"] for k in kb],
        "seconds": round(time.time() - started),
    }
    path = save_json("pipelines", data)
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
