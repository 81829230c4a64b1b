"""`python -m kb_loader examples FILE.csv`: send labelled examples (columns `text,label`) to the classifier.

Batches of at most 1,000 go to `POST /api/ai/examples` with an API token (`--token`, else `$API_TOKEN`, else
`$LOCAL_STATE_DIR/admin-token`, which `make dev` writes). The API retrains the classifier in the background;
`--wait` polls `GET /api/ai/classifier` until a model trained on these examples is live.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

MAX_BATCH = 200  # the API's limit per request (chalicelib/schemas/ai.MAX_EXAMPLES_PER_REQUEST)
DEFAULT_API_URL = "http://127.0.0.1:8000"
RETRY_STATUSES = (429, 502, 503, 504)
ROOT = Path(__file__).resolve().parent.parent


class ApiError(RuntimeError):
    """The API refused a request."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:500]}")
        self.status = status


def read_examples(path: Path) -> list[dict[str, str]]:
    """`{text, label}` rows of a CSV with a header naming `text` and `label` (other columns are ignored)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"text", "label"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: the header needs the columns text and label "
                             f"(missing: {', '.join(sorted(missing))})")
        rows = []
        for line, row in enumerate(reader, start=2):
            text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
            if not text or not label:
                raise ValueError(f"{path}, line {line}: empty text or label")
            rows.append({"text": text, "label": label})
    return rows


def batches(rows: list[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    """Consecutive slices of at most `size` rows."""
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def resolve_token(explicit: str | None) -> str | None:
    """--token, else $API_TOKEN, else the local admin token file (`$LOCAL_STATE_DIR/admin-token`, default .local/)."""
    if explicit:
        return explicit.strip()
    if os.environ.get("API_TOKEN", "").strip():
        return os.environ["API_TOKEN"].strip()
    state = Path(os.environ.get("LOCAL_STATE_DIR") or ROOT / ".local")
    token_file = state / "admin-token"
    if token_file.exists():
        return token_file.read_text(encoding="utf-8").strip() or None
    return None


def call(api_url: str, token: str, method: str, path: str, body: Any = None, retries: int = 4,
         timeout_s: float = 120.0) -> Any:
    """One JSON request with the bearer token; retries throttling and unavailability with back-off."""
    data = json.dumps(body).encode("utf-8") if body is not None else None

    def once() -> Any:
        request = urllib.request.Request(f"{api_url.rstrip('/')}{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                text = response.read().decode("utf-8")
                return json.loads(text) if text else None
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, exc.read().decode("utf-8", errors="replace")) from exc

    retrying = Retrying(retry=retry_if_exception(_transient), stop=stop_after_attempt(retries + 1),
                        wait=wait_exponential(multiplier=0.5, max=8.0), reraise=True)
    return retrying(once)


def _transient(exc: BaseException) -> bool:
    """Throttling, unavailability and network errors are worth another try; other answers are final."""
    if isinstance(exc, ApiError):
        return exc.status in RETRY_STATUSES
    return isinstance(exc, urllib.error.URLError)


def send(rows: list[dict[str, str]], api_url: str, token: str, batch_size: int = MAX_BATCH) -> dict[str, Any]:
    """POST every batch; returns totals (received, new, labels added, batches, the last generation)."""
    totals: dict[str, Any] = {"received": 0, "new": 0, "labels_added": [], "batches": 0, "generation": None}
    for batch in batches(rows, max(1, min(batch_size, MAX_BATCH))):
        result = call(api_url, token, "POST", "/api/ai/examples", {"examples": batch})
        totals["received"] += int(result["received"])
        totals["new"] += int(result["new"])
        totals["labels_added"] += list(result.get("labels_added") or [])
        totals["generation"] = result.get("generation")
        totals["batches"] += 1
    return totals


def wait_trained(api_url: str, token: str, timeout_s: float) -> dict[str, Any] | None:
    """Poll the classifier's status until it is ready with nothing pending; None on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = call(api_url, token, "GET", "/api/ai/classifier")
        if status["status"] == "ready" and not status["pending_generation"]:
            return dict(status)
        time.sleep(1.0)
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `examples` subcommand."""
    parser = argparse.ArgumentParser(prog="python -m kb_loader examples", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="CSV with a header and the columns text,label")
    parser.add_argument("--api-url", default=os.environ.get("API_URL") or DEFAULT_API_URL,
                        help=f"the API's base URL (default: $API_URL, else {DEFAULT_API_URL})")
    parser.add_argument("--token", default=None,
                        help="API token (default: $API_TOKEN, else $LOCAL_STATE_DIR/admin-token)")
    parser.add_argument("--batch-size", type=int, default=MAX_BATCH, help=f"examples per request (max {MAX_BATCH})")
    parser.add_argument("--wait", action="store_true", help="wait until the classifier is trained on them")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait with --wait (default 900)")
    args = parser.parse_args(argv)

    if not args.file.is_file():
        parser.error(f"{args.file} is not a file")
    if not 1 <= args.batch_size <= MAX_BATCH:
        parser.error(f"--batch-size must be between 1 and {MAX_BATCH}")
    token = resolve_token(args.token)
    if not token:
        parser.error("no API token: pass --token, set API_TOKEN, or run `make dev` (it writes .local/admin-token)")
    try:
        rows = read_examples(args.file)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not rows:
        print(f"{args.file} has no examples", file=sys.stderr)
        return 1
    try:
        totals = send(rows, args.api_url, token, args.batch_size)
    except ApiError as exc:
        print(f"the API refused the examples: {exc}", file=sys.stderr)
        return 2
    labels = sorted(totals["labels_added"])
    print(f"sent {totals['received']} examples in {totals['batches']} requests: {totals['new']} new, "
          f"{len(labels)} new labels" + (f" ({', '.join(labels[:10])}{', ...' if len(labels) > 10 else ''})"
                                          if labels else ""))
    if not args.wait:
        return 0
    status = wait_trained(args.api_url, token, args.timeout)
    if status is None:
        print(f"the classifier was not trained within {args.timeout:.0f}s", file=sys.stderr)
        return 3
    metrics = status.get("metrics") or {}
    print(f"classifier {status['version']} ready: {status['examples']} examples, {status['labels']} labels, "
          f"kind {metrics.get('kind')}, cross-validated accuracy {metrics.get('cv_accuracy')}")
    return 0
