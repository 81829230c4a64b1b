"""Outbound mail: agents' public replies, the AI's first response and resolution notices reach the requester as
threaded mail, once; internal notes, opted-out, bounced and complained addresses never."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_auto_reply import ai_aws, classify_all, decide, desk, enable, new_ticket  # noqa: F401
from tests.utils.factories import make_ticket, make_user, make_user_with_token
from tests.utils.mail import _drain, send_outbound, sent_mails


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from chalicelib.config import get_settings

    monkeypatch.setenv("MAIL_SENT_DIR", str(tmp_path / "sent"))
    get_settings.cache_clear()
    return tmp_path / "sent"


def test_the_ai_first_response_is_mailed_to_the_requester(desk: Any, mail_dir: Path) -> None:  # noqa: F811
    enable(desk)
    ticket, requester = new_ticket()
    decide(classify_all())
    assert send_outbound() == []
    [mail] = sent_mails(mail_dir)
    assert mail["To"].addresses[0].addr_spec == requester["email"]
    assert f"[#{ticket['id']}-" in mail["Subject"]
    assert "Forgot password" in mail.get_body(("plain",)).get_content()
    assert mail["Auto-Submitted"] == "auto-generated"


def test_a_resolution_is_announced_and_an_internal_note_is_not(api: Any, mail_dir: Path) -> None:
    requester = make_user(password=None)
    ticket = make_ticket(requester["id"])
    assert api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "secret", "internal": True})[0] == 201
    assert api.put(f"/api/tickets/{ticket['id']}", {"status": "resolved"})[0] == 200
    assert send_outbound() == []
    [mail] = sent_mails(mail_dir)
    assert "marked as resolved" in mail.get_body(("plain",)).get_content()
    assert "secret" not in mail.as_string()


def test_a_redelivered_promise_mails_once(api: Any, mail_dir: Path) -> None:
    from chalicelib import aws

    requester = make_user(password=None)
    ticket = make_ticket(requester["id"])
    api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "Hello"})
    sqs = aws.client("sqs")
    url = aws.queue_url("mail-out")
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
    sqs.send_message(QueueUrl=url, MessageBody=message["Body"])  # the same promise again, as another message
    assert send_outbound() == []
    assert len(sent_mails(mail_dir)) == 1


def test_requesters_can_opt_out_and_bounces_and_complaints_stop_mail(api: Any, mail_dir: Path) -> None:
    opted = make_user_with_token()
    status, prefs = api.as_(opted["token"]).put("/api/mail/preferences", {"email_notifications": False})
    assert status == 200 and prefs == {"email": opted["email"], "email_notifications": False, "bounced": False,
                                       "complained": False}
    bounced, complained, fine = make_user(password=None), make_user(password=None), make_user(password=None)
    from chalicelib import aws

    sqs = aws.client("sqs")
    for kind, user in (("Bounce", bounced), ("Complaint", complained)):
        inner = {"notificationType": kind,
                 "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": user["email"]}]},
                 "complaint": {"complainedRecipients": [{"emailAddress": user["email"]}]}}
        sqs.send_message(QueueUrl=aws.queue_url("mail-feedback"),
                         MessageBody=json.dumps({"Type": "Notification", "Message": json.dumps(inner)}))
    # a transient bounce changes nothing
    sqs.send_message(QueueUrl=aws.queue_url("mail-feedback"), MessageBody=json.dumps(
        {"notificationType": "Bounce", "bounce": {"bounceType": "Transient",
                                                  "bouncedRecipients": [{"emailAddress": fine["email"]}]}}))
    assert _drain("mail-feedback", "mail_feedback") == []
    for user in (opted, bounced, complained, fine):
        ticket = make_ticket(user["id"])
        assert api.post(f"/api/tickets/{ticket['id']}/replies", {"content": f"for {user['email']}"})[0] == 201
    assert send_outbound() == []
    assert [m["To"].addresses[0].addr_spec for m in sent_mails(mail_dir)] == [fine["email"]]


def test_a_lost_queue_message_is_sent_again_by_the_schedule(api: Any, mail_dir: Path) -> None:
    from chalicelib import aws
    from chalicelib.store import mail_notify

    requester = make_user(password=None)
    ticket = make_ticket(requester["id"])
    api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "Hello again"})
    aws.client("sqs").purge_queue(QueueUrl=aws.queue_url("mail-out"))  # the message is lost
    assert mail_notify.redeliver(older_than_s=0) == 1
    assert send_outbound() == []
    assert len(sent_mails(mail_dir)) == 1
    assert mail_notify.redeliver(older_than_s=0) == 0  # the consumer completed the promise


def test_the_list_unsubscribe_mail_opts_the_sender_out(api: Any, mail_dir: Path) -> None:
    from tests.utils.mail import deliver, mime

    requester = make_user(password=None)
    ticket = make_ticket(requester["id"])
    assert deliver(mime(sender=requester["email"], subject="unsubscribe", body="")) == []
    assert api.get("/api/tickets")[1]["total"] == 1  # no ticket for it
    api.post(f"/api/tickets/{ticket['id']}/replies", {"content": "not mailed"})
    assert send_outbound() == []
    assert sent_mails(mail_dir) == []
