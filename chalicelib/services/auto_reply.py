"""The AI first response: its policy, the system user that signs the answers, and the queue consumer that
decides once per ticket whether the knowledge base answers it.

Exactly once: the decision is written with the condition that none is stored yet, in the same transaction as
the AI's reply, the status change and the completion of the outbox promise. Redelivery, two consumers at once
or a crash before the commit therefore leave either nothing (the promise stays, the schedule re-sends it) or
everything, and a second run finds the decision and stops.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib import faults
from chalicelib.ai import auto_reply as gate
from chalicelib.ai import llm
from chalicelib.clock import now_iso
from chalicelib.log import logger
from chalicelib.models import bind_models
from chalicelib.models.ops import SettingModel
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.models.users import UniqueModel, UserModel
from chalicelib.principal import Principal
from chalicelib.services import classification, tickets
from chalicelib.store import events, listing, mail_notify, outbox, stats
from chalicelib.store.db import TransactionFailed, Tx, batch_get, query_once
from chalicelib.store.sequences import next_id

POLICY_NAME = "ai-auto-reply"
# Desk-level changes (the policy) go on the audit trail under this pseudo ticket id.
DESK_EVENTS_ID = 0
AI_USER_KEY = "system#ai-assistant"
AI_USER_NAME = "AI assistant"
OUTBOX_KIND = classification.AUTO_REPLY_KIND
SEARCH_TOP_K = 8
_ATTEMPTS = 3

_lock = threading.Lock()
_ai_user: dict[str, int] = {}


# --- policy --------------------------------------------------------------------------------------------

def get_policy() -> dict[str, Any]:
    """The policy in force: the defaults (disabled) until an admin saves one. One GetItem."""
    bind_models()
    try:
        stored = SettingModel.get(POLICY_NAME, consistent_read=True)
    except DoesNotExist:
        return {**gate.DEFAULT_POLICY, "updated_at": None, "updated_by": None}
    return {**gate.DEFAULT_POLICY, **dict(stored.value), "updated_at": stored.updated_at,
            "updated_by": int(stored.updated_by) if stored.updated_by is not None else None}


def save_policy(policy: dict[str, Any], actor_id: int) -> dict[str, Any]:
    """Replace the policy; the change and who made it go on the audit trail in the same transaction."""
    bind_models()
    before = get_policy()
    now = now_iso()
    tx = Tx()
    tx.put("policy", SettingModel(POLICY_NAME, value=policy, updated_at=now, updated_by=actor_id))
    events.record(tx, DESK_EVENTS_ID, "ai_policy_changed", actor_id, at=now,
                  changes=events.diff({k: before.get(k) for k in policy}, policy), data={"policy": POLICY_NAME})
    tx.commit()
    return get_policy()


def policy_history(page_size: int = 50) -> list[dict[str, Any]]:
    """The latest policy changes, newest first (one Query)."""
    bind_models()
    from chalicelib.models.ops import EventModel

    items, _ = query_once(EventModel, DESK_EVENTS_ID, limit=page_size, forward=False)
    return [events.to_dict(e) for e in items if e.type == "ai_policy_changed"]


# --- the system user ------------------------------------------------------------------------------------

def ai_user_id() -> int:
    """The id of the "AI assistant" user, created on first use (idempotent: a unique claim names it).

    It has no password and is in no listing: it cannot sign in and is never offered as an agent."""
    with _lock:
        if "id" in _ai_user:
            return _ai_user["id"]
    bind_models()
    try:
        user_id = int(UniqueModel.get(AI_USER_KEY, consistent_read=True).owner_id)
    except DoesNotExist:
        user_id = _create_ai_user()
    with _lock:
        _ai_user["id"] = user_id
    return user_id


def _create_ai_user() -> int:
    user_id = next_id("user")
    now = now_iso()
    # `.invalid` is a reserved domain the e-mail validator refuses: nobody can register this address.
    email = f"ai-assistant+{user_id}@helpdesk.invalid"
    tx = Tx()
    tx.put("claim", UniqueModel(AI_USER_KEY, owner_id=user_id), condition=UniqueModel.key.does_not_exist())
    tx.put("email", UniqueModel(f"email#{email}", owner_id=user_id), condition=UniqueModel.key.does_not_exist())
    tx.put("user", UserModel(user_id, email=email, name=AI_USER_NAME, role="agent", password_hash=None,
                             created_at=now, updated_at=now), condition=UserModel.id.does_not_exist())
    try:
        tx.commit()
    except TransactionFailed:
        owner = UniqueModel.get(AI_USER_KEY, consistent_read=True).owner_id  # another process made it first
        return int(owner)
    return user_id


def reset_caches() -> None:
    """Forget the AI user's id (tests recreate the tables)."""
    with _lock:
        _ai_user.clear()


# --- inputs of the decision --------------------------------------------------------------------------------

def stored_classification(ticket: TicketModel) -> dict[str, Any] | None:
    """The background classifier's result stored on the ticket (None until it ran)."""
    if not ticket.ai_classified_at or not ticket.ai_alternatives:
        return None
    best = dict(ticket.ai_alternatives[0])
    return {"category": best["category"], "confidence": float(best["confidence"]),
            "out_of_scope": bool(ticket.ai_out_of_scope), "model": ticket.ai_model}


def retrieve(question: str, category: str | None = None) -> list[dict[str, Any]]:
    """KB passages a requester may read for a question (public collections only: the search applies the audience),
    those answering `category` preferred (an empty list when the KB is unavailable: the gate then declines)."""
    try:
        from chalicelib.schemas.kb import KbSearchIn
        from chalicelib.services import kb

        results = kb.search(data=KbSearchIn(query=question[:2000], top_k=SEARCH_TOP_K, category=category),
                            audience="requester")["results"]
    except Exception:
        logger.exception("knowledge-base search failed during an AI first response")
        return []
    return [{"id": str(r["id"]), "content": r["content"], "metadata": r.get("metadata") or {},
             "distance": float(r.get("distance", 1.0))} for r in results]


def _blocking_reason(ticket: TicketModel, requester: UserModel | None) -> str | None:
    """What rules out an answer before the gate is consulted."""
    if ticket.merged_into is not None:
        return gate.REASON_MERGED
    if requester is None or requester.role != "requester":
        return gate.REASON_STAFF
    if ticket.first_responded_at is not None:
        return gate.REASON_AGENT_REPLIED
    if int(ticket.version or 0) > 1:
        return gate.REASON_AGENT_CHANGED
    replies, _ = query_once(ReplyModel, int(ticket.id), limit=50)
    if any(int(r.author_id) != int(ticket.requester_id) for r in replies):
        return gate.REASON_AGENT_REPLIED  # includes internal notes: someone on the team is on it
    return None


def compose(ticket: TicketModel, requester_name: str | None, decision: gate.Decision,
            policy: dict[str, Any]) -> tuple[gate.Decision, str | None, list[dict[str, Any]], str]:
    """The answer's text (LLM when configured and grounded, else template) or a declined decision."""
    signature = str(policy.get("signature") or AI_USER_NAME)
    passages = decision.passages
    if llm.llm_config() is not None:
        canary = secrets.token_hex(6)
        try:
            answer = llm.chat_json(gate.llm_messages({"title": ticket.title, "content": ticket.content},
                                                     requester_name, passages, canary))
        except llm.LlmUnavailable as exc:
            logger.warning("LLM unavailable for an AI first response", extra={"error": str(exc)})
            if policy.get("on_llm_failure") == "decline":
                return _declined(decision, f"{gate.REASON_LLM_FAILED} ({exc})"), None, [], "none"
        else:
            problem = gate.grounding_problem(answer, passages, canary)
            if problem:
                return _declined(decision, f"{gate.REASON_NO_ANSWER} ({problem})"), None, [], "llm"
            text, cited = gate.llm_answer_text(answer, passages, signature)
            return decision, text, [passages[n - 1] for n in cited], "llm"
    return decision, gate.template_answer(passages, requester_name, signature), passages[:1], "template"


def _declined(decision: gate.Decision, reason: str) -> gate.Decision:
    return gate.Decision("declined", reason, decision.confidence, decision.category)


def reason_code(reason: str) -> str:
    """The reason without its detail, for counters ("no grounded answer (…)" -> "no grounded answer")."""
    return reason.split(" (", 1)[0]


# --- the consumer -------------------------------------------------------------------------------------------

def decide_from_message(body: dict[str, Any]) -> dict[str, Any]:
    """Queue handler: decide once whether the AI answers this ticket, and apply the decision."""
    bind_models()
    ticket_id, version = int(body["ticket_id"]), int(body.get("version", 1))
    for _attempt in range(_ATTEMPTS):
        try:
            ticket = TicketModel.get(ticket_id, consistent_read=True)
        except DoesNotExist:
            ticket = None
        if ticket is None or ticket.deleted_at is not None:
            _complete_only(ticket_id, version)
            return {"skipped": "deleted"}
        if ticket.ai_response:
            _complete_only(ticket_id, version)
            return {"skipped": "already decided"}
        requester = batch_get(UserModel, [int(ticket.requester_id)]).get(int(ticket.requester_id))
        decision, text, cited, source = _decision_for(ticket, requester)
        try:
            return _apply(ticket, version, decision, text, cited, source)
        except TransactionFailed as exc:
            if "ticket" not in exc.failed:
                raise
            # the ticket changed (an agent, another consumer, a merge) since it was read: look again
    raise RuntimeError(f"ticket {ticket_id} kept changing while the AI decided; the message will be retried")


def _decision_for(ticket: TicketModel, requester: UserModel | None) -> tuple[gate.Decision, str | None,
                                                                           list[dict[str, Any]], str]:
    classification = stored_classification(ticket)
    blocked = _blocking_reason(ticket, requester)
    if blocked:
        confidence = float((classification or {}).get("confidence") or 0.0)
        return gate.Decision("declined", blocked, round(confidence, 4)), None, [], "none"
    policy = get_policy()
    passages: list[dict[str, Any]] = []
    if policy.get("enabled") and classification and not classification["out_of_scope"]:
        passages = retrieve(f"{ticket.title}\n{ticket.content}")
    decision = gate.decide({"priority": ticket.priority}, classification, passages, policy)
    if not decision.sent:
        return decision, None, [], "none"
    return compose(ticket, requester.name if requester else None, decision, policy)


def _record(decision: gate.Decision, reply_id: int | None, cited: list[dict[str, Any]], now: str) -> dict[str, Any]:
    return {"decision": decision.decision, "reason": decision.reason, "reply_id": reply_id,
            "sources": [c["source"] for c in gate.citations(cited)], "confidence": decision.confidence,
            "decided_at": now, "category": decision.category}


def _apply(ticket: TicketModel, version: int, decision: gate.Decision, text: str | None,
           cited: list[dict[str, Any]], source: str) -> dict[str, Any]:
    ticket_id = int(ticket.id)
    tx = Tx()
    undecided = TicketModel.ai_response.does_not_exist()
    if decision.sent and text is not None:
        ai_id = ai_user_id()
        reply_id = next_id("reply")
        now = now_iso()
        record = _record(decision, reply_id, cited, now)
        reply = ReplyModel(ticket_id, listing.sort_key(now, reply_id), id=reply_id, author_id=ai_id, content=text,
                           internal=False, created_at=now, origin="ai", citations=gate.citations(cited))
        tx.put("reply", reply, condition=ReplyModel.sk.does_not_exist())
        actor = Principal(user_id=ai_id, role="agent", via="system")
        no_human = TicketModel.first_responded_at.does_not_exist() & TicketModel.merged_into.does_not_exist()
        tickets.stage_update(tx, ticket, {"status": "pending", "ai_response": record}, actor,
                             condition=undecided & no_human)
        events.record(tx, ticket_id, "ai_response", ai_id, at=now, data={**record, "text_source": source})
        stats.bump(tx, now[:10], "ai_reply|sent")
        mail_notify.stage(tx, event="reply", ticket_id=ticket_id, reply_id=reply_id, reply_sk=str(reply.sk))
        stats.bump(tx, now[:10], f"ai_reply|sent|c={decision.category}")
    else:
        now = now_iso()
        record = _record(decision, None, [], now)
        tx.update_fields("ticket", TicketModel, ticket_id, [TicketModel.ai_response.set(record)],
                         condition=TicketModel.id.exists() & TicketModel.deleted_at.does_not_exist() & undecided)
        events.record(tx, ticket_id, "ai_response", None, at=now, data=record)
        stats.bump(tx, now[:10], f"ai_reply|declined|r={reason_code(decision.reason)}")
    outbox.complete(tx, OUTBOX_KIND, str(ticket_id), version)
    faults.checkpoint("auto_reply.before_commit")
    tx.commit()
    return {"ticket_id": ticket_id, **record}


def _complete_only(ticket_id: int, version: int) -> None:
    tx = Tx()
    outbox.complete(tx, OUTBOX_KIND, str(ticket_id), version)
    try:
        tx.commit()
    except TransactionFailed:
        pass  # a newer promise is waiting; its own message completes it


# --- the requester's feedback --------------------------------------------------------------------------------

def give_feedback(*, ticket_id: int, helpful: bool, actor: Principal) -> dict[str, Any]:
    """The requester's verdict on the AI's answer: helpful resolves the ticket (resolved by AI), not helpful
    reopens it for a person with the AI's attempt in the thread. Once per ticket."""
    from chalicelib.errors import Conflict, Forbidden

    for _attempt in range(_ATTEMPTS):
        ticket = tickets.get_ticket_model(ticket_id, actor)
        if not actor.is_staff and int(ticket.requester_id) != actor.user_id:
            raise Forbidden("only the requester can say whether the answer helped")
        record = dict(ticket.ai_response or {})
        if record.get("decision") != "sent":
            raise Conflict("the AI has not answered this ticket", code="no_ai_answer")
        if record.get("feedback"):
            raise Conflict("feedback was already given for this answer", code="feedback_given")
        now = now_iso()
        verdict = "helpful" if helpful else "not_helpful"
        record.update({"feedback": verdict, "feedback_at": now})
        status = "resolved" if helpful else "open"
        changes: dict[str, Any] = {"ai_response": record}
        if ticket.status != status:
            changes["status"] = status
        tx = Tx()
        tickets.stage_update(tx, ticket, changes, actor)
        events.record(tx, ticket_id, "ai_feedback", actor.user_id or None, at=now,
                      data={"helpful": helpful, "reply_id": record.get("reply_id"),
                            "reason": "the requester said the AI's answer solved it" if helpful
                            else "the requester still needs help after the AI's answer"})
        metric = "resolved" if helpful else "reopened"
        stats.bump(tx, now[:10], f"ai_reply|{metric}")
        stats.bump(tx, now[:10], f"ai_reply|{metric}|c={record.get('category')}")
        try:
            tx.commit()
        except TransactionFailed as exc:
            if "ticket" not in exc.failed:
                raise
            continue  # changed meanwhile: read it again
        return tickets.to_dict(ticket)
    from chalicelib.errors import Conflict

    raise Conflict("the ticket kept changing; retry")


def stage_requester_reopen(tx: Tx, ticket: TicketModel, now: str) -> None:
    """A requester's reply to the AI's answer reopens the ticket for a person: count it (once per ticket)."""
    record = dict(ticket.ai_response or {})
    if record.get("decision") == "sent" and not record.get("feedback"):
        stats.bump(tx, now[:10], "ai_reply|reopened")
        stats.bump(tx, now[:10], f"ai_reply|reopened|c={record.get('category')}")


# --- self-service ------------------------------------------------------------------------------------------

def answer_question(*, question: str) -> dict[str, Any]:
    """Self-service before a ticket exists: the same gate (enabled or not), over public passages only (retrieve)."""
    policy = {**get_policy(), "enabled": True}
    try:
        prediction, model_name = classification.predict(question)
    except Exception:
        logger.exception("classification failed during a self-service answer")
        prediction, model_name = None, "none"
    classified = None if prediction is None else {
        "category": prediction.category, "confidence": prediction.confidence,
        "out_of_scope": prediction.out_of_scope, "model": model_name}
    preferred = None if prediction is None or prediction.out_of_scope or model_name in gate.ZERO_SHOT_MODELS \
        else prediction.category
    passages = retrieve(question, preferred)
    decision = gate.decide({"priority": "medium"}, classified, passages, policy)
    articles = [{**cite, "excerpt": gate.whole_sentences(gate.clean_passage(str(p.get("content", ""))), 240),
                 "category": next(iter(gate.passage_categories(p)), None)}
                for cite, p in zip(gate.citations(passages[:3]), passages[:3], strict=True)]
    answer: str | None = None
    cited: list[dict[str, Any]] = []
    if decision.sent:
        pseudo = TicketModel(0, title=question[:200], content=question)
        decision, answer, cited, _source = compose(pseudo, None, decision, policy)
    return {"answerable": decision.sent and answer is not None, "answer": answer if decision.sent else None,
            "citations": gate.citations(cited) if decision.sent else [], "articles": articles,
            "reason": decision.reason, "category": decision.category, "confidence": decision.confidence}


def record_deflection(*, question: str, category: str | None) -> dict[str, Any]:
    """The requester's question was answered by self-service: counted, and no ticket is created."""
    day = now_iso()[:10]
    logger.info("self-service deflection", extra={"category": category, "question_chars": len(question)})
    stats.bump_now(day, "ai_reply|deflected")
    if category:
        stats.bump_now(day, f"ai_reply|deflected|c={category}")
    return {"recorded": True}
