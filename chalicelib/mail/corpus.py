"""Run a folder of real-world messages through the parser: how many parse into something a ticket can hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalicelib.mail import parse as mime


def run(directory: Path) -> dict[str, Any]:
    """Parse every `.eml` under `directory`; count what came out (a crash is counted, never raised)."""
    counts = {"messages": 0, "parsed": 0, "with_sender": 0, "with_text": 0, "with_attachments": 0,
              "attachments": 0, "encoded_subjects": 0, "crashed": 0}
    crashes: list[str] = []
    for path in sorted(directory.rglob("*.eml")):
        counts["messages"] += 1
        raw = path.read_bytes()
        try:
            mail = mime.parse(raw)
        except Exception as exc:  # noqa: BLE001 - counted: the point is to find them
            counts["crashed"] += 1
            crashes.append(f"{path.name}: {type(exc).__name__}: {exc}")
            continue
        counts["parsed"] += 1
        counts["with_sender"] += mail.from_address is not None
        counts["with_text"] += bool(mail.text.strip())
        counts["with_attachments"] += bool(mail.attachments)
        counts["attachments"] += len(mail.attachments)
        counts["encoded_subjects"] += b"=?" in raw.split(b"\n\n", 1)[0] and bool(mail.subject)
    return {**counts, "crashes": crashes}
