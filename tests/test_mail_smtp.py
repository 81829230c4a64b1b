"""The local SMTP receiver: a real SMTP conversation (smtplib) puts the raw message where SES would, and the
mail-ingest consumer turns it into a ticket; the agent's reply comes back as a threaded .eml, the customer's answer
to it lands on the same ticket, with attachments both ways."""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.utils.mail import _drain, send_outbound, sent_mails


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_port(aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from chalicelib.config import get_settings
    from devstack import smtp

    monkeypatch.setenv("MAIL_SENT_DIR", str(tmp_path / "sent"))
    get_settings.cache_clear()
    port = _free_port()
    controller = smtp.start(get_settings(), port=port)
    yield port
    controller.stop()


def test_smtplib_to_ticket_reply_eml_answer_and_attachments_round_trip(api: Any, smtp_port: int,
                                                                       tmp_path: Path) -> None:
    import requests

    big = bytes(range(256)) * (10 * 1024 * 1024 // 256)  # a 10 MB attachment
    first = EmailMessage()
    first["From"] = "Gus <gus@customer.example>"
    first["To"] = "support@example.com"
    first["Subject"] = "Invoice attached"
    first["Message-ID"] = "<gus-1@customer.example>"
    first.set_content("Why was I charged twice? See the attached statement.")
    first.add_attachment(big, maintype="application", subtype="pdf", filename="statement.pdf")
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        client.send_message(first)
        # a recipient we do not serve is refused in the conversation itself
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("gus@customer.example", ["someone@elsewhere.example"], b"Subject: x\r\n\r\nx")
    assert _drain("mail-ingest", "mail_ingest") == []
    [ticket] = api.get("/api/tickets")[1]["items"]
    assert ticket["channel"] == "email" and ticket["title"] == "Invoice attached"
    [attachment] = ticket["attachments"]
    assert attachment["size"] == len(big)
    download = api.get(f"/api/attachments/{attachment['id']}")[1]
    assert requests.get(download["url"], timeout=30).content == big

    # the agent answers with a file of their own (presigned upload), the customer gets a threaded .eml with it
    status, created = api.post(f"/api/tickets/{ticket['id']}/attachments",
                               {"filename": "refund.txt", "content_type": "text/plain", "size": 14})
    assert status == 201
    form = created["upload"]
    assert requests.post(form["url"], data=form["fields"], files={"file": ("refund.txt", b"refund issued.")},
                         timeout=10).status_code < 300
    status, reply = api.post(f"/api/tickets/{ticket['id']}/replies",
                             {"content": "We refunded the second charge.",
                              "attachment_ids": [created["attachment"]["id"]]})
    assert status == 201 and reply["attachments"][0]["filename"] == "refund.txt"
    assert send_outbound() == []
    [mail] = sent_mails(tmp_path / "sent")
    assert mail["In-Reply-To"] == "<gus-1@customer.example>"
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert files == {"refund.txt": "refund issued."}

    # the customer answers that mail through SMTP too
    answer = EmailMessage()
    answer["From"] = "gus@customer.example"
    answer["To"] = "support@example.com"
    answer["Subject"] = f"Re: {mail['Subject']}"
    answer["In-Reply-To"] = mail["Message-ID"]
    answer["References"] = f"<gus-1@customer.example> {mail['Message-ID']}"
    answer.set_content("Great, thank you!\n\n-----Original Message-----\nFrom: Help desk\nWe refunded ...")
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        client.send_message(answer)
    assert _drain("mail-ingest", "mail_ingest") == []
    thread = api.get(f"/api/tickets/{ticket['id']}/replies")[1]["items"]
    assert [r["content"] for r in thread] == ["We refunded the second charge.", "Great, thank you!"]
    assert len(api.get("/api/tickets")[1]["items"]) == 1
