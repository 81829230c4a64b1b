"""Inbound mail: a message in the inbound bucket becomes a ticket or a reply on the ticket it answers; noise
and strangers are kept out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.utils.mail import deliver, mime, rejected_reasons, send_outbound, sent_mails


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "sent"
    monkeypatch.setenv("MAIL_SENT_DIR", str(directory))
    from chalicelib.config import get_settings

    get_settings.cache_clear()
    return directory


def _tickets(api: Any) -> list[dict[str, Any]]:
    status, page = api.get("/api/tickets")
    assert status == 200
    return list(page["items"])


def _thread(api: Any, ticket_id: int) -> list[dict[str, Any]]:
    status, page = api.get(f"/api/tickets/{ticket_id}/replies")
    assert status == 200
    return list(page["items"])


def test_a_mail_from_an_unknown_sender_opens_a_ticket_as_a_new_requester(api: Any) -> None:
    # GIVEN a customer nobody knows, WHEN they write with a PDF attached
    raw = mime(sender="Ana Diaz <Ana.Diaz@customer.example>", subject="Cannot log in",
               body="Hello,\n\nthe login page says my password is wrong.\n\nAna",
               files=[("screen shot.pdf", "application/pdf", b"%PDF-1.4 tiny")])
    assert deliver(raw) == []
    # THEN one e-mail ticket with the subject as title, by a new requester without a password
    [ticket] = _tickets(api)
    assert ticket["title"] == "Cannot log in"
    assert ticket["channel"] == "email"
    assert "password is wrong" in ticket["content"]
    assert [a["filename"] for a in ticket["attachments"]] == ["screen shot.pdf"]
    status, user = api.get(f"/api/users/{ticket['requester_id']}")
    assert status == 200 and user["email"] == "ana.diaz@customer.example" and user["role"] == "requester"
    assert user["name"] == "Ana Diaz"
    # AND the attachment downloads through a presigned link with the stored bytes
    status, download = api.get(f"/api/attachments/{ticket['attachments'][0]['id']}")
    assert status == 200
    import requests

    assert requests.get(download["url"], timeout=10).content == b"%PDF-1.4 tiny"


def test_the_same_message_twice_makes_one_ticket(api: Any) -> None:
    raw = mime(sender="bob@customer.example", subject="Twice", body="once", message_id="<same@customer.example>")
    deliver(raw)
    deliver(raw)
    assert len(_tickets(api)) == 1


def test_an_agents_reply_is_mailed_threaded_and_the_customers_answer_lands_on_the_ticket(
        api: Any, mail_dir: Path) -> None:
    deliver(mime(sender="carla@customer.example", subject="Printer jams", body="It jams.",
                 message_id="<first@customer.example>"))
    [ticket] = _tickets(api)
    status, _ = api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "Please clean the roller."})
    assert status == 201
    assert api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "internal only", "internal": True})[0] == 201
    assert send_outbound() == []
    [sent] = sent_mails(mail_dir)  # the internal note was not mailed
    assert sent["To"].addresses[0].addr_spec == "carla@customer.example"
    assert sent["In-Reply-To"] == "<first@customer.example>"
    assert f"[#{ticket['id']}-" in sent["Subject"]
    assert "Please clean the roller." in sent.get_body(("plain",)).get_content()
    assert "Please clean the roller." in sent.get_body(("html",)).get_content()
    # WHEN the customer answers that mail (Gmail-style, quoting it)
    answer = mime(sender="carla@customer.example", subject=f"Re: {sent['Subject']}",
                  body="That fixed it, thanks!\n\nOn Tue, Dec 1, 2026 at 9:00 AM Help desk <support@example.com> "
                       "wrote:\n> Please clean the roller.\n",
                  headers={"In-Reply-To": sent["Message-ID"], "References": f"<first@customer.example> "
                                                                             f"{sent['Message-ID']}"})
    assert deliver(answer) == []
    replies = _thread(api, ticket["id"])
    assert replies[-1]["content"] == "That fixed it, thanks!"
    assert replies[-1]["origin"] == "requester"
    assert len(_tickets(api)) == 1


def test_the_signed_token_threads_a_reply_and_a_forged_one_does_not(api: Any) -> None:
    deliver(mime(sender="dan@customer.example", subject="Token", body="first"))
    [ticket] = _tickets(api)
    from chalicelib.mail.token import token

    deliver(mime(sender="dan@customer.example", subject=f"Re: Token {token(ticket['id'])}", body="second"))
    assert [r["content"] for r in _thread(api, ticket["id"])] == ["second"]
    # a made-up signature on the same number opens a new ticket instead of posting into this one
    deliver(mime(sender="dan@customer.example", subject=f"Re: Token [#{ticket['id']}-000000000000]", body="third"))
    assert len(_tickets(api)) == 2
    assert len(_thread(api, ticket["id"])) == 1


def test_a_stranger_never_posts_into_someone_elses_ticket(api: Any) -> None:
    deliver(mime(sender="erin@customer.example", subject="Mine", body="private"))
    [ticket] = _tickets(api)
    from chalicelib.mail.token import token

    failures = deliver(mime(sender="mallory@evil.example", subject=f"Re: {token(ticket['id'])}", body="hijack"))
    assert len(failures) == 1  # refused: retried, then parked on the DLQ
    assert _thread(api, ticket["id"]) == []
    assert any("not the requester" in reason for reason in rejected_reasons())


@pytest.mark.parametrize("headers,sender", [
    ({"Auto-Submitted": "auto-replied"}, "out-of-office@customer.example"),
    ({"Precedence": "bulk"}, "news@customer.example"),
    ({"Precedence": "list"}, "list@customer.example"),
    ({"X-SES-Spam-Verdict": "FAIL"}, "spammer@customer.example"),
    ({"X-SES-Virus-Verdict": "FAIL"}, "virus@customer.example"),
    ({}, "support@example.com"),
    ({}, "MAILER-DAEMON@customer.example"),
])
def test_loops_and_noise_are_ignored(api: Any, headers: dict[str, str], sender: str) -> None:
    assert deliver(mime(sender=sender, subject="Automatic", body="noise", headers=headers)) == []
    assert _tickets(api) == []


def test_our_own_mail_coming_back_does_not_loop(api: Any, mail_dir: Path) -> None:
    deliver(mime(sender="fay@customer.example", subject="Loop?", body="hi"))
    [ticket] = _tickets(api)
    api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "answer"})
    send_outbound()
    [sent] = sent_mails(mail_dir)
    deliver(sent.as_bytes())  # e.g. a forwarding rule sends it back to the support address
    assert len(_tickets(api)) == 1
    assert len(_thread(api, ticket["id"])) == 1
