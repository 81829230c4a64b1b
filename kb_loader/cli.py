"""Upload a folder of .md/.txt files to the KB uploads bucket, then optionally wait until they are ingested.

The same settings as the app decide where it goes: STAGE / RESOURCE_PREFIX (or KB_UPLOADS_BUCKET) name the
bucket, AWS_ENDPOINT_URL points at moto locally (`make dev`: http://127.0.0.1:4566) and is unset in AWS.
`--collection NAME` puts the files in that collection (each object carries it as `x-amz-meta-collection`); the
collection must exist (POST /api/kb/collections), `default` always does.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIXES = (".md", ".txt")
MAX_FILE_BYTES = 10 * 1024 * 1024  # the ingest handler skips larger objects


@dataclass
class Upload:
    """One file, the object key it gets and, once uploaded, its ETag."""

    path: Path
    key: str
    size: int
    etag: str = ""


def find_files(root: Path, prefix: str) -> list[Upload]:
    """Every .md/.txt file under `root` (or `root` itself), keyed `<prefix>/<relative path>`."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    base = root.parent if root.is_file() else root
    prefix = prefix.strip("/")
    uploads = []
    for path in files:
        if path.suffix.lower() not in SUFFIXES:
            continue
        relative = path.relative_to(base).as_posix()
        uploads.append(Upload(path, f"{prefix}/{relative}" if prefix else relative, path.stat().st_size))
    return uploads


def _settings(endpoint: str | None) -> Any:
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
    if os.environ.get("AWS_ENDPOINT_URL"):  # moto accepts any credentials
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    # The loader signs no tokens, but the shared settings insist that a key source is configured.
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("SECRET_KEY_PARAMETER", "unused-by-kb-loader")
    from chalicelib.config import get_settings

    return get_settings()


def upload(uploads: list[Upload], bucket: str, collection: str = "default") -> None:
    """Put each file with its collection in the object's metadata, with a progress bar over the bytes."""
    from tqdm import tqdm

    from chalicelib import aws

    s3 = aws.client("s3")
    with tqdm(total=sum(u.size for u in uploads), unit="B", unit_scale=True, desc="upload") as bar:
        for item in uploads:
            content_type = "text/markdown" if item.key.lower().endswith(".md") else "text/plain"
            response = s3.put_object(Bucket=bucket, Key=item.key, Body=item.path.read_bytes(),
                                     ContentType=f"{content_type}; charset=utf-8", Metadata={"collection": collection})
            item.etag = str(response["ETag"]).strip('"')
            bar.update(item.size)


def collection_exists(name: str) -> bool:
    """Whether files may be put in this collection (one GetItem; `default` always exists)."""
    if name == "default":
        return True
    from chalicelib.services import kb_collections

    record = kb_collections.get_record(name)
    return record is not None and record.status != kb_collections.DELETING


def ingested(prefix: str) -> dict[str, dict[str, Any]]:
    """Ready documents under `prefix` with the ETag they were ingested from (one Query per page)."""
    from chalicelib.models import bind_models
    from chalicelib.models.kb import DOC_PK, KbDocumentModel

    bind_models()
    condition = KbDocumentModel.source.startswith(prefix) if prefix else None
    found = {}
    for record in KbDocumentModel.query(DOC_PK, condition, consistent_read=True):
        if record.status == "ready":
            found[record.source] = {"chunks": int(record.chunk_count or 0), "etag": record.etag}
    return found


def wait(uploads: list[Upload], prefix: str, timeout_s: float) -> dict[str, dict[str, Any]]:
    """Poll the document records until every uploaded file's content is ingested (or the timeout)."""
    from tqdm import tqdm

    wanted = {u.key: u.etag for u in uploads}
    done: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout_s
    with tqdm(total=len(wanted), unit="file", desc="ingest") as bar:
        while len(done) < len(wanted) and time.monotonic() < deadline:
            # Matching the ETag tells this upload apart from an earlier version of the same file.
            found = {k: v for k, v in ingested(prefix).items() if k in wanted and v["etag"] == wanted[k]}
            bar.update(len(found) - len(done))
            done = found
            if len(done) < len(wanted):
                time.sleep(1.0)
    return done


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (`examples FILE.csv` sends classifier examples instead; see kb_loader.examples)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["examples"]:
        from kb_loader.examples import main as examples_main

        return examples_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m kb_loader", description=__doc__,
                                     epilog="python -m kb_loader examples FILE.csv [--wait]: send labelled examples "
                                            "(text,label) to the classifier instead (see its --help)")
    parser.add_argument("path", type=Path, help="a folder (searched recursively) or one file")
    parser.add_argument("--prefix", default="", help="key prefix in the bucket, e.g. docs/handbook")
    parser.add_argument("--collection", default="default",
                        help="the collection the files go into (it must exist; default: default)")
    parser.add_argument("--wait", action="store_true", help="wait until every file is ingested, print chunk counts")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait with --wait (default 600)")
    parser.add_argument("--endpoint-url", default=None, help="AWS endpoint (default: $AWS_ENDPOINT_URL, else AWS)")
    args = parser.parse_args(argv)

    if not args.path.exists():
        parser.error(f"{args.path} does not exist")
    uploads = find_files(args.path, args.prefix)
    too_big = [u for u in uploads if u.size > MAX_FILE_BYTES]
    for item in too_big:
        print(f"skipping {item.path}: larger than {MAX_FILE_BYTES} bytes", file=sys.stderr)
    uploads = [u for u in uploads if u.size <= MAX_FILE_BYTES]
    if not uploads:
        print(f"no .md or .txt files under {args.path}", file=sys.stderr)
        return 1
    from chalicelib.schemas.kb import COLLECTION_PATTERN

    if not re.fullmatch(COLLECTION_PATTERN, args.collection):
        parser.error(f"--collection: {args.collection!r} is not a collection name ({COLLECTION_PATTERN})")
    settings = _settings(args.endpoint_url)
    bucket = settings.bucket_name("kb-uploads")
    if not collection_exists(args.collection):
        print(f"no collection named {args.collection!r}: create it first (POST /api/kb/collections)", file=sys.stderr)
        return 1

    upload(uploads, bucket, args.collection)
    print(f"uploaded {len(uploads)} files to s3://{bucket}/{args.prefix.strip('/')} "
          f"(collection {args.collection})")
    if not args.wait:
        return 0
    done = wait(uploads, args.prefix.strip("/"), args.timeout)
    width = max(len(u.key) for u in uploads)
    for item in uploads:
        info = done.get(item.key)
        print(f"{item.key:<{width}}  {info['chunks'] if info else 'pending':>7}{' chunks' if info else ''}")
    missing = len(uploads) - len(done)
    print(f"ingested {len(done)}/{len(uploads)} files, {sum(d['chunks'] for d in done.values())} chunks"
          + (f"; {missing} not ingested after {args.timeout:.0f}s" if missing else ""))
    return 0 if not missing else 2
