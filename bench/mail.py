"""The e-mail channel: `python -m bench.mail` (writes bench/results/mail.json).

Starts `python -m devstack up` (what `make dev` runs, without the console) on free ports, then sends mails with
smtplib to its SMTP receiver and measures, per mail, the time from the receiver's 250 (the message accepted) until
the ticket is listed by `GET /api/tickets` over HTTP: SMTP receiver -> raw MIME into the inbound bucket (moto S3) ->
S3 notification -> SQS mail-ingest -> the dispatcher runs `mail_ingest` -> the ticket's transaction -> the listing.
Also parses the real-world corpus in tests/fixtures/mail and counts what comes out.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bench._common import ROOT, latency_ms, quick, save_json
from bench.pipelines import LocalStack
from devstack.local_aws import free_port
from kb_loader.examples import call

POLL_S = 0.02


def mail_to_ticket(stack: LocalStack, smtp_port: int, n: int, timeout_s: float = 60) -> float:
    """Seconds from SMTP accept to the ticket in the list."""
    subject = f"Bench mail {n} {time.time_ns()}"
    message = EmailMessage()
    message["From"] = f"bench{n}@customer.example"
    message["To"] = "support@example.com"
    message["Subject"] = subject
    message.set_content(f"Mail number {n}: my order has not arrived yet.\n\nThanks")
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        client.send_message(message)
    accepted = time.perf_counter()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page = call(stack.url, stack.token, "GET", "/api/tickets?page_size=5")
        if any(t["title"] == subject for t in page["items"]):
            return time.perf_counter() - accepted
        time.sleep(POLL_S)
    raise TimeoutError(f"mail {n} did not become a ticket in {timeout_s}s")


def corpus() -> dict[str, Any]:
    """The corpus counts (chalicelib.mail.corpus)."""
    from chalicelib.mail import corpus as runner

    return runner.run(ROOT / "tests" / "fixtures" / "mail")


def main() -> None:
    """Run and save."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=10 if quick() else 40)
    args = parser.parse_args()
    smtp_port = free_port()
    os.environ["SMTP_PORT"] = str(smtp_port)
    with tempfile.TemporaryDirectory(prefix="bench-mail-") as tmp:
        stack = LocalStack(Path(tmp))
        try:
            ready_s = stack.wait_ready()
            mail_to_ticket(stack, smtp_port, 0)  # warm-up: the first handler run imports and connects
            samples = [mail_to_ticket(stack, smtp_port, n) for n in range(1, args.mails + 1)]
        finally:
            stack.stop()
    result = {"mails": args.mails, "stack_ready_s": round(ready_s, 1), "smtp_accept_to_ticket": latency_ms(samples),
              "corpus": corpus(), "load_average": os.getloadavg()[0]}
    path = save_json("mail", result)
    print(path.read_text(encoding="utf-8"))  # noqa: T201 - the bench's output


if __name__ == "__main__":
    main()
