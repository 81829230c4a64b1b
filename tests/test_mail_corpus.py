"""Real mail, not toy mail: public corpora of real messages, and the hard cases built with the standard library
where the corpora have none (Shift_JIS, GB2312, HTML-only, Outlook and Gmail quoting, forwards, inline images)."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path
from typing import Any

import pytest

from chalicelib.mail import corpus
from chalicelib.mail import parse as mime

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def test_every_corpus_message_parses_and_none_crashes() -> None:
    result = corpus.run(FIXTURES)
    assert result["messages"] == 97
    assert result["crashed"] == 0, result["crashes"]
    assert result["with_sender"] >= 95 and result["with_text"] >= 85 and result["attachments"] >= 120, result


def test_encoded_word_subjects_and_names_decode() -> None:
    mail = mime.parse((FIXTURES / "mail-mime-parser" / "m1005.eml").read_bytes())
    assert "=?" not in mail.subject and mail.subject
    for path in sorted((FIXTURES / "mail-mime-parser").glob("m*.eml")):
        parsed = mime.parse(path.read_bytes())
        assert "=?" not in parsed.subject and "=?" not in parsed.from_name, path.name


@pytest.mark.parametrize("charset,text", [("shift_jis", "ログインできません。パスワードを忘れました。"),
                                          ("gb2312", "我无法登录，忘记了密码。"),
                                          ("iso-8859-1", "Je ne peux pas me connecter, désolé.")])
def test_national_charsets_decode(charset: str, text: str) -> None:
    message = MIMEText(text, "plain", charset)
    message["From"] = "kenji@customer.example"
    encoded = base64.b64encode(text[:6].encode(charset)).decode()
    message["Subject"] = f"=?{charset}?b?{encoded}?="
    mail = mime.parse(message.as_bytes())
    assert mail.text == text and mail.subject == text[:6].strip()


def test_html_only_mail_becomes_readable_text() -> None:
    message = EmailMessage()
    message["From"] = "h@customer.example"
    message.set_content("<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
                        "<p>Hello,</p><ul><li>first step</li><li>second step</li></ul><p>Thanks</p></body></html>",
                        subtype="html")
    text = mime.parse(message.as_bytes()).text
    assert "Hello," in text and "first step" in text and "second step" in text
    assert "alert" not in text and "color" not in text and "<" not in text


def test_multipart_alternative_prefers_the_text_part() -> None:
    message = EmailMessage()
    message["From"] = "a@customer.example"
    message.set_content("plain words")
    message.add_alternative("<p>html words</p>", subtype="html")
    assert mime.parse(message.as_bytes()).text == "plain words"


@pytest.mark.parametrize("body,expected", [
    ("Yes, Tuesday works.\n\nOn Mon, 30 Nov 2026 at 10:12, Help desk <support@example.com> wrote:\n> When?\n> ok\n",
     "Yes, Tuesday works."),  # Gmail
    ("Yes, Tuesday works.\n\n________________________________\nFrom: Help desk <support@example.com>\n"
     "Sent: Monday, November 30, 2026 10:12 AM\nTo: Ana <ana@customer.example>\nSubject: RE: When\n\nWhen?\n",
     "Yes, Tuesday works."),  # Outlook
    ("Yes, Tuesday works.\n\n-----Original Message-----\nFrom: Help desk\nSent: Monday\n\nWhen?\n",
     "Yes, Tuesday works."),
    ("Ja, Dienstag passt.\n\nAm 30.11.2026 um 10:12 schrieb Help desk <support@example.com>:\n> Wann?\n",
     "Ja, Dienstag passt."),
])
def test_quoted_history_is_cut_from_replies(body: str, expected: str) -> None:
    message = EmailMessage()
    message["From"] = "a@customer.example"
    message.set_content(body)
    assert mime.parse(message.as_bytes()).new_text == expected


def test_forwarded_mail_keeps_the_forwarded_text_as_the_tickets_content(api: Any) -> None:
    from tests.utils.mail import deliver

    body = ("Please look at this.\n\n---------- Forwarded message ---------\nFrom: Shop <shop@vendor.example>\n"
            "Date: Mon, 30 Nov 2026\nSubject: Your order\n\nYour order 1234 is delayed.\n")
    message = EmailMessage()
    message["From"] = "fwd@customer.example"
    message["To"] = "support@example.com"
    message["Subject"] = "Fwd: Your order"
    message.set_content(body)
    assert deliver(message.as_bytes()) == []
    [ticket] = api.get("/api/tickets")[1]["items"]
    assert "order 1234 is delayed" in ticket["content"]


def test_inline_images_are_kept_as_attachments() -> None:
    root = MIMEMultipart("related")
    root["From"] = "i@customer.example"
    root.attach(MIMEText('<p>See <img src="cid:shot1"></p>', "html"))
    from email.mime.image import MIMEImage

    image = MIMEImage(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "png")
    image.add_header("Content-ID", "<shot1>")
    image.add_header("Content-Disposition", "inline", filename="shot.png")
    root.attach(image)
    mail = mime.parse(root.as_bytes())
    [attachment] = mail.attachments
    assert attachment.inline and attachment.content_id == "<shot1>" and attachment.filename == "shot.png"


@pytest.mark.parametrize("raw", [b"", b"\x00\xff\xfe", b"From: \r\n\r\n", b"Content-Type: multipart/mixed\r\n\r\nx",
                                 b"Subject: =?utf-8?b?####?=\r\nFrom: a@b.c\r\n\r\nbody",
                                 b"From: a@b.c\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n\xe9t\xe9",
                                 b"From: a@b.c\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
                                 b"From: " + b"a" * 10000 + b"@b.c\r\n\r\nx"])
def test_malformed_messages_never_crash_the_parser(raw: bytes) -> None:
    mail = mime.parse(raw)
    assert isinstance(mail.text, str)


def test_filenames_are_only_names() -> None:
    assert mime.safe_filename("../../etc/passwd", "x") == "passwd"
    assert mime.safe_filename("C:\\Users\\a\\evil.exe", "x") == "evil.exe"
    assert mime.safe_filename("\x00\x01", "fallback.bin") == "fallback.bin"
