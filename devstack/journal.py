"""Persistence for moto server: a journal of the successful writes, replayed on the next start.

moto keeps everything in memory. moto's own recorder logs every request (reads and queue polling too) and
replays them over HTTP; this journal keeps only what changes state and must survive (DynamoDB item writes,
S3 object writes and deletes), and replays straight into the WSGI app, which is much faster. Tables,
queues and buckets are not journaled: the bootstrap re-creates them from infra/resources.py before the
replay. Queue messages are not kept either: a message in flight when the stack stops is lost.
"""

from __future__ import annotations

import base64
import io
import json
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from werkzeug.test import EnvironBuilder

DDB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
# Headers that only made sense for the original request (or that would make a replay fail).
_DROP_HEADERS = frozenset({"if-none-match", "if-match", "content-length", "host", "expect", "connection"})

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _service(environ: dict[str, Any]) -> str | None:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" not in auth:
        return None
    try:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0]
        return scope.split("/")[3]
    except IndexError:
        return None


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = value
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return {k: v for k, v in headers.items() if k not in _DROP_HEADERS}


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated") or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", ""):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _s3_kind(method: str, path: str, query: dict[str, list[str]]) -> str | None:
    """Which S3 object write this is, if any (path-style addressing: /bucket/key)."""
    parts = path.lstrip("/").split("/", 1)
    has_key = len(parts) == 2 and parts[1] != ""
    subresources = set(query) - {"x-id"}
    if method == "PUT" and has_key and not subresources:
        return "put"
    if method == "DELETE" and has_key and not subresources:
        return "delete"
    if method == "POST" and not has_key and "delete" in query:
        return "delete_many"
    if method == "POST" and has_key and "uploadId" in query:
        return "complete_multipart"
    return None


class Journal:
    """Appends journal entries (one JSON object per line) and replays them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recording = False
        self._lock = threading.Lock()
        self.entries_written = 0

    def append(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> None:
        """Record one successful write."""
        entry = {"m": method, "p": path, "q": query, "h": headers, "b": base64.b64encode(body).decode("ascii")}
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
            self.entries_written += 1

    def entries(self) -> Iterable[dict[str, Any]]:
        """Every entry in order (a torn last line from a crash is skipped)."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue

    def replay(self, app: WSGIApp) -> int:
        """Apply every entry to `app` (recording must be off). Returns how many were applied."""
        count = 0
        for entry in self.entries():
            builder = EnvironBuilder(
                method=entry["m"], path=entry["p"], query_string=entry["q"] or None,
                headers=entry["h"], data=base64.b64decode(entry["b"]),
            )
            environ = builder.get_environ()
            environ["HTTP_HOST"] = "127.0.0.1"
            _call(app, environ)
            count += 1
        return count


def _call(app: WSGIApp, environ: dict[str, Any]) -> tuple[int, bytes]:
    status_holder: list[int] = []

    def start_response(status: str, _headers: list[tuple[str, str]], _exc_info: Any = None) -> Callable[..., Any]:
        status_holder.append(int(status.split(" ", 1)[0]))
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close:
            close()
    return (status_holder[0] if status_holder else 500), body


class JournalingMiddleware:
    """WSGI middleware around moto's app: passes everything through, journals successful writes."""

    def __init__(self, app: WSGIApp, journal: Journal) -> None:
        self.app = app
        self.journal = journal
        self.calls: dict[str, int] = {}
        self._calls_lock = threading.Lock()

    def count(self, service: str, operation: str) -> None:
        """Count a call per service/operation (tests read these to bound the calls per request)."""
        with self._calls_lock:
            key = f"{service}:{operation}"
            self.calls[key] = self.calls.get(key, 0) + 1

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        service = _service(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.rsplit(".", 1)[-1] if target else method
        if service:
            self.count(service, operation)
        if not self.journal.recording or service not in ("dynamodb", "s3"):
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "/")
        query_string = environ.get("QUERY_STRING", "")
        query = parse_qs(query_string, keep_blank_values=True)
        s3_kind = _s3_kind(method, path, query) if service == "s3" else None
        if service == "dynamodb" and operation not in DDB_WRITES:
            return self.app(environ, start_response)
        if service == "s3" and s3_kind is None:
            return self.app(environ, start_response)
        body = _read_body(environ)
        headers = _headers(environ)
        status_holder: list[str] = []

        def capture(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_holder.append(status)
            return start_response(status, response_headers, exc_info)

        chunks = list(self.app(environ, capture))
        ok = bool(status_holder) and status_holder[0][:1] == "2"
        if ok and s3_kind == "complete_multipart":
            self._journal_completed_object(path, headers)
        elif ok:
            self.journal.append(method, path, query_string, headers, body)
        return chunks

    def _journal_completed_object(self, path: str, headers: dict[str, str]) -> None:
        # The parts and upload id would not survive a replay, so the finished object is journaled as one PUT.
        builder = EnvironBuilder(method="GET", path=path, headers={"authorization": headers.get("authorization", "")})
        environ = builder.get_environ()
        environ["HTTP_HOST"] = "127.0.0.1"
        status, body = _call(self.app, environ)
        if status == 200:
            put_headers = {"authorization": headers.get("authorization", ""),
                           "content-type": "application/octet-stream"}
            self.journal.append("PUT", path, "", put_headers, body)
