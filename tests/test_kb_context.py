"""KB search in the context of a category: given, the ticket's, or predicted from the query; articles tagged
with `metadata.category` or learnt from replies sent from suggestions are preferred. Taxonomy labels."""

from __future__ import annotations

import pytest

from chalicelib.services import training
from tests.test_contract import _EXAMPLES
from tests.utils.factories import make_ticket, make_user

# Both articles relate to both queries (the preference re-ranks relevant articles; it does not lift unrelated ones
# above a close match: it multiplies the blended similarity score).
REFUNDS = {"text": "# Refunds\n\nA refund for a cancelled subscription is paid back to the card within five days. "
                   "The charge stays listed with its invoice.\n",
           "metadata": {"source": "refunds.md", "title": "Refunds"}}
BILLING = {"text": "# Charges\n\nEvery charge on your card is listed in Settings, Billing, with its invoice, and so is "
                   "the refund for a cancelled subscription.\n",
           "metadata": {"source": "charges.md", "title": "Charges", "category": ["billing", "payments"]}}
QUERY = "refund for a cancelled subscription paid back to the card"


@pytest.fixture
def kb(kb_aws, api):
    status, body = api.post("/api/kb/ingest", {"documents": [REFUNDS, BILLING]})
    assert status == 201, body
    return api


def categorised_ticket(api, category):
    """A requester's ticket an agent put in `category` (a taxonomy label)."""
    assert api.post("/api/ai/labels", {"labels": [{"name": category}]})[0] in (200, 201)
    ticket = make_ticket(make_user(password=None)["id"])
    status, body = api.put(f"/api/tickets/{ticket['id']}", {"category": category})
    assert status == 200, body
    return ticket


def sources(body):
    return [r["metadata"]["source"] for r in body["results"]]


def search(api, **fields):
    status, body = api.post("/api/kb/search", {"query": QUERY, "top_k": 2, **fields})
    assert status == 200, body
    return body


def test_a_given_category_prefers_the_articles_tagged_with_it(kb):
    plain = search(kb)
    assert sources(plain)[0] == "refunds.md"
    assert plain["context"] == {"category": None, "confidence": None, "source": "none", "used": False}
    preferred = search(kb, category="billing")
    assert sources(preferred)[0] == "charges.md", "a list in metadata.category names each label"
    assert preferred["context"] == {"category": "billing", "confidence": 1.0, "source": "request", "used": True}
    assert sources(search(kb, category="shipping"))[0] == "refunds.md", "no article answers it: order unchanged"


def test_a_ticket_context_uses_the_agents_category(kb):
    ticket = categorised_ticket(kb, "billing")
    body = search(kb, ticket_id=ticket["id"])
    assert sources(body)[0] == "charges.md"
    assert body["context"]["source"] == "ticket" and body["context"]["category"] == "billing"


def test_bad_contexts_are_4xx_naming_the_field(kb):
    status, body = kb.post("/api/kb/search", {"query": QUERY, "category": "billing", "ticket_id": 1})
    assert status == 422 and body["details"][0]["field"] == "ticket_id"
    status, body = kb.post("/api/kb/search", {"query": QUERY, "ticket_id": 987654})
    assert status == 404, body
    status, body = kb.post("/api/kb/search", {"query": QUERY, "category": "a\x01b"})
    assert status == 422 and body["details"][0]["field"] == "category"
    bad = {**BILLING, "metadata": {"source": "x.md", "category": ["billing", 3]}}
    status, body = kb.post("/api/kb/ingest", {"documents": [bad]})
    assert status == 422 and "category" in body["details"][0]["field"] + body["details"][0]["message"]


def test_without_a_context_the_desk_predicts_the_querys_category(kb):
    assert search(kb)["context"]["source"] == "none", "no taxonomy yet: nothing to predict"
    assert kb.post("/api/ai/examples", _EXAMPLES)[0] == 202
    assert "version" in training.train()
    status, body = kb.post("/api/kb/search", {"query": "I was charged twice on my credit card", "top_k": 2})
    assert status == 200, body
    context = body["context"]
    assert context["source"] == "predicted" and context["category"] == "billing"
    assert 0 < context["confidence"] <= 1 and context["used"] == (context["confidence"] >= 0.3)


def test_a_reply_sent_from_a_suggestion_teaches_which_article_answers_the_category(kb):
    ticket = categorised_ticket(kb, "refunds")
    assert sources(search(kb, category="refunds"))[0] == "refunds.md"
    status, body = kb.post("/api/kb/search", {"query": "every charge is listed with its invoice", "top_k": 2,
                                               "category": "refunds"})
    assert status == 200 and sources(body)[0] == "charges.md", "nothing learnt yet: plain order"
    reply = {"content": "Refunds go back to the card within five days.", "from_suggestion": True,
             "cited_sources": ["refunds.md"]}
    assert kb.post(f"/api/tickets/{ticket['id']}/replies", reply)[0] == 201
    status, body = kb.post("/api/kb/search", {"query": "every charge is listed with its invoice", "top_k": 2,
                                              "category": "refunds"})
    assert status == 200 and sources(body)[0] == "refunds.md", "the learnt link counts as a category tag"


def test_an_internal_note_or_a_reply_without_a_suggestion_teaches_nothing(kb):
    ticket = categorised_ticket(kb, "refunds")
    for reply in ({"content": "Note", "internal": True, "from_suggestion": True, "cited_sources": ["refunds.md"]},
                  {"content": "Typed by hand", "cited_sources": ["refunds.md"]}):
        assert kb.post(f"/api/tickets/{ticket['id']}/replies", reply)[0] == 201
    status, body = kb.post("/api/kb/search", {"query": "every charge is listed with its invoice", "top_k": 2,
                                              "category": "refunds"})
    assert status == 200 and sources(body)[0] == "charges.md"


@pytest.mark.parametrize("label", ["reverted_card_payment?", "Card (lost/stolen) – urgent!", "Billing, EU", "x" * 100])
def test_any_printable_taxonomy_label_up_to_100_characters_is_accepted(api, label):
    status, body = api.post("/api/ai/labels", {"labels": [{"name": label}]})
    assert status in (200, 201), body
    assert label in [item["name"] for item in api.get("/api/ai/labels")[1]]


@pytest.mark.parametrize("label", ["x" * 101, "tab\there"])
def test_labels_too_long_or_with_control_characters_are_refused(api, label):
    status, body = api.post("/api/ai/labels", {"labels": [{"name": label}]})
    assert status == 422 and body["details"][0]["field"].startswith("labels"), body
