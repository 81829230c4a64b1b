"""Internal articles never reach requesters, on every path a requester can reach: the self-service answer, the AI
first response (its reply, citations and the mail it sends), the suggested draft written to them, and the KB routes
(refused). Agents see both. The internal runbook is the best match for the question, so each check can fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_auto_reply import ai_aws, classify_all, decide, desk, enable, new_ticket  # noqa: F401
from tests.utils.factories import make_user_with_token
from tests.utils.mail import send_outbound, sent_mails

CANARY = "UNLOCK-7731"
RUNBOOK = ("# Forgot password and cannot log in\n\nIf you forgot your password and cannot log in to your account, "
           f"the agent unlocks it in the admin console with override code {CANARY}, then sends a reset link.\n")
QUESTION = "I forgot my password and cannot log in to my account"


@pytest.fixture
def runbooks(desk):  # noqa: F811
    """The desk's public articles plus an internal runbook that answers the password question best."""
    status, body = desk.post("/api/kb/collections", {"name": "runbooks", "visibility": "internal"})
    assert status == 201, body
    status, body = desk.post("/api/kb/ingest", {"collection": "runbooks", "documents": [
        {"text": RUNBOOK, "metadata": {"source": "runbooks/unlock.md", "title": "Unlock an account",
                                       "category": "account_access"}}]})
    assert status == 201, body
    return desk


def sources(items: list[dict[str, Any]]) -> list[str]:
    return [str(i.get("source") or i.get("metadata", {}).get("source")) for i in items]


def test_agents_find_the_runbook_first(runbooks):
    status, body = runbooks.post("/api/kb/search", {"query": QUESTION, "top_k": 3})
    assert status == 200 and body["results"][0]["metadata"]["source"] == "runbooks/unlock.md", body


def test_the_self_service_answer_never_shows_or_cites_an_internal_article(runbooks):
    as_requester = runbooks.as_(make_user_with_token()["token"])
    status, body = as_requester.post("/api/ai/answer", {"question": QUESTION})
    assert status == 200, body
    assert "runbooks/unlock.md" not in sources(body["articles"]) + sources(body["citations"])
    assert CANARY not in str(body)
    assert body["answerable"] and sources(body["citations"]) == ["reset.md"]


def test_making_the_collection_public_is_what_lets_requesters_see_it(runbooks):
    as_requester = runbooks.as_(make_user_with_token()["token"])
    assert runbooks.put("/api/kb/collections/runbooks", {"visibility": "public"})[0] == 200
    _, body = as_requester.post("/api/ai/answer", {"question": QUESTION})
    assert "runbooks/unlock.md" in sources(body["articles"]), "public now: the best match is shown"
    assert runbooks.put("/api/kb/collections/runbooks", {"visibility": "internal"})[0] == 200
    _, body = as_requester.post("/api/ai/answer", {"question": QUESTION})
    assert "runbooks/unlock.md" not in sources(body["articles"]) and CANARY not in str(body)


def test_a_document_marked_internal_in_its_metadata_stays_hidden_in_a_public_collection(runbooks):
    assert runbooks.post("/api/kb/ingest", {"documents": [{"text": RUNBOOK, "metadata": {
        "source": "legacy-unlock.md", "category": "account_access", "internal": True}}]})[0] == 201
    as_requester = runbooks.as_(make_user_with_token()["token"])
    _, body = as_requester.post("/api/ai/answer", {"question": QUESTION})
    assert not {"legacy-unlock.md", "runbooks/unlock.md"} & set(sources(body["articles"]))
    assert CANARY not in str(body)


def test_the_ai_first_response_and_its_mail_never_cite_an_internal_article(runbooks, tmp_path, monkeypatch):
    from chalicelib.config import get_settings

    monkeypatch.setenv("MAIL_SENT_DIR", str(tmp_path / "sent"))
    get_settings.cache_clear()
    enable(runbooks)
    ticket, _requester = new_ticket(content=QUESTION)
    decide(classify_all())
    stored = runbooks.get(f"/api/tickets/{ticket['id']}")[1]
    assert stored["ai_response"]["decision"] == "sent", stored["ai_response"]
    assert "runbooks/unlock.md" not in stored["ai_response"]["sources"]
    [reply] = runbooks.get(f"/api/tickets/{ticket['id']}/replies")[1]["items"]
    assert CANARY not in reply["content"] and "runbooks/unlock.md" not in sources(reply["citations"])
    assert send_outbound() == []
    [mail] = sent_mails(Path(tmp_path / "sent"))
    assert CANARY not in mail.get_body(("plain",)).get_content()
    assert "Forgot password" in mail.get_body(("plain",)).get_content()


def test_the_draft_suggested_for_a_requester_quotes_no_internal_article(runbooks):
    ticket, _requester = new_ticket(content=QUESTION)
    status, body = runbooks.post(f"/api/ai/tickets/{ticket['id']}/suggest")
    assert status == 200, body
    assert "runbooks/unlock.md" not in sources(body["snippets"]) + sources(body["sources"])
    assert CANARY not in body["draft"]
