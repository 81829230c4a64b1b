"""Suggestions for an agent: the ticket's classification, KB snippets and a drafted reply.

Only the API imports this module: it sits on tickets, the KB and classification, and nothing sits on it.
"""

from __future__ import annotations

from typing import Any

from chalicelib.ai import drafting, triage
from chalicelib.ai.vectors import ticket_text
from chalicelib.clock import now_iso
from chalicelib.errors import Conflict
from chalicelib.log import logger
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.models.users import UserModel
from chalicelib.principal import Principal
from chalicelib.schemas.kb import KbSearchIn
from chalicelib.services import kb, tickets
from chalicelib.services.classification import classify_text
from chalicelib.store import stats
from chalicelib.store.db import TransactionFailed, Tx, batch_get, query_once

SNIPPETS = 3


def _thread(ticket_id: int, requester_id: int) -> list[dict[str, Any]]:
    """The latest 50 messages of the thread, oldest first."""
    replies, _ = query_once(ReplyModel, ticket_id, limit=50, forward=False)
    return [{"from": "customer" if int(r.author_id) == requester_id else "agent", "content": r.content}
            for r in reversed(replies) if not r.internal and not r.hidden_from_requester]  # never another requester's


def _snippets(query: str, category: str | None) -> list[dict[str, Any]]:
    """KB passages for the draft: the draft is written to the requester, so only what a requester may read."""
    try:
        results = kb.search(data=KbSearchIn(query=query[:1000], top_k=SNIPPETS, category=category),
                            audience="requester")["results"]
    except Exception:  # the KB is optional for a draft: log and answer without snippets
        logger.exception("knowledge-base search failed during a suggestion")
        return []
    return [{"id": str(r["id"]), "content": r["content"], "metadata": r.get("metadata", {}),
             "distance": float(r.get("distance", 0.0))} for r in results]


def suggest(*, ticket_id: int, actor: Principal) -> dict[str, Any]:
    """The stored classification if it is about the current text (else a fresh one), KB snippets, a draft."""
    ticket = tickets.get_ticket_model(ticket_id, actor)
    people = batch_get(UserModel, [int(ticket.requester_id), actor.user_id])
    requester = people.get(int(ticket.requester_id))
    agent = people.get(actor.user_id)
    thread = _thread(ticket_id, int(ticket.requester_id))
    text = ticket_text(ticket.title, ticket.content)
    if ticket.ai_classified_at and ticket.ai_alternatives and int(ticket.ai_source_version or 0) == int(ticket.version):
        best = dict(ticket.ai_alternatives[0])
        classification = {
            "category": best["category"], "confidence": float(best["confidence"]),
            "alternatives": [dict(a) for a in ticket.ai_alternatives[1:]],
            "out_of_scope": bool(ticket.ai_out_of_scope), "priority": ticket.ai_priority or "medium",
            "tags": list(ticket.ai_tags or []), "model": ticket.ai_model or "stored",
        }
        source = "stored"
    else:
        try:
            classification = classify_text(text=text)
        except Conflict:
            classification = {"category": None, "confidence": 0.0, "alternatives": [], "out_of_scope": True,
                              "priority": triage.recommend_priority(text, None),
                              "tags": triage.recommend_tags(text, None), "model": "none"}
        source = "computed"
    _count_first_suggestion(ticket_id)
    latest_from_customer = next((m["content"] for m in reversed(thread) if m["from"] == "customer"), "")
    preferred = ticket.category or (None if classification["out_of_scope"] else classification["category"])
    snippets = _snippets(f"{ticket.title}\n{ticket.content}\n{latest_from_customer}".strip(), preferred)
    draft = drafting.draft_reply({"title": ticket.title, "content": ticket.content},
                                 requester.name if requester else None, agent.name if agent else None, thread,
                                 snippets, classification["category"])
    sources = [{"n": n, "id": s["id"], "source": s["metadata"].get("source"), "title": s["metadata"].get("title"),
                "cited": n in draft.citations} for n, s in enumerate(snippets, 1)]
    return {
        **{k: classification[k] for k in ("category", "confidence", "alternatives", "out_of_scope", "priority",
                                          "tags")},
        "snippets": snippets, "draft": draft.text, "draft_source": draft.source,
        "fallback_reason": draft.fallback_reason, "sources": sources,
        "model": f"{classification['model']} + {draft.model}", "classification": source,
    }


def _count_first_suggestion(ticket_id: int) -> None:
    """Count tickets (not clicks) that got a suggestion, for the acceptance rate on the dashboard."""
    now = now_iso()
    tx = Tx()
    tx.update_fields("ticket", TicketModel, ticket_id, [TicketModel.ai_suggested_at.set(now)],
                     condition=TicketModel.id.exists() & TicketModel.ai_suggested_at.does_not_exist())
    stats.bump(tx, now[:10], "ai_suggested")
    try:
        tx.commit()
    except TransactionFailed:
        pass  # suggested before: counted then
