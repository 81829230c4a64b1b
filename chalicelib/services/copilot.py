"""The agents' copilot chat: sessions that belong to their creator, and questions answered from the knowledge
base (both visibilities: only staff reach this) and similar resolved tickets, with the ticket in front of the
agent as context and the session's earlier turns as the conversation.

Costs per request, whatever the table holds: creating a session is one transaction (two puts); the list is one
Query; a session with its messages is one Query (at most MAX_SESSION_MESSAGES + 1 items); a question is one
GetItem (the session), one Query (the latest turns), the ticket's GetItem and one Query of its latest messages
when a ticket is the context, the KB search, at most one LLM call, and one transaction of four items.
"""

from __future__ import annotations

import secrets
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.update import Action

from chalicelib.ai import copilot as copilot_ai
from chalicelib.ai import drafting
from chalicelib.clock import now_iso
from chalicelib.errors import Conflict, FieldError, NotFound, ValidationFailed
from chalicelib.log import logger
from chalicelib.models import bind_models
from chalicelib.models.copilot import SESSION_SK, CopilotModel, listing_sk, message_sk, owner_pk, session_pk
from chalicelib.models.tickets import ReplyModel, TicketModel
from chalicelib.principal import Principal
from chalicelib.schemas.copilot import (
    MAX_SESSION_MESSAGES,
    CopilotListQuery,
    CopilotQuestionIn,
    CopilotSessionIn,
)
from chalicelib.services import tickets
from chalicelib.store import cursors
from chalicelib.store.db import TransactionFailed, Tx, query_once

KB_CANDIDATES = 6
TICKET_MESSAGES = 6
MAX_EXCERPT_CHARS = 600
MAX_TITLE_CHARS = 80
MAX_RETRIEVAL_QUERY_CHARS = 2_000  # schemas.kb.MAX_QUERY_CHARS
_CURSOR_POSITION = {"sk": cursors.Field(str, 200)}


def _new_session_id() -> str:
    return secrets.token_hex(8)


def _session_dict(item: CopilotModel) -> dict[str, Any]:
    return {"id": item.session_id, "title": item.title, "ticket_id": None if item.ticket_id is None else int(
        item.ticket_id), "message_count": int(item.message_count or 0), "created_at": item.created_at,
            "updated_at": item.updated_at or item.created_at}


def _message_dict(item: CopilotModel) -> dict[str, Any]:
    return {"seq": int(item.seq or 0), "role": item.role, "content": item.content or "", "created_at": item.created_at,
            "ticket_id": None if item.ticket_id is None else int(item.ticket_id),
            "sources": list(item.sources or []), "citations": list(item.citations or []),
            "answer_source": item.answer_source, "model": item.model, "fallback_reason": item.fallback_reason}


def _check_ticket(ticket_id: int, actor: Principal) -> TicketModel:
    """The ticket named in a request body, or a 422 naming `ticket_id`."""
    try:
        return tickets.get_ticket_model(ticket_id, actor)
    except NotFound as exc:
        raise ValidationFailed("no such ticket", [FieldError("ticket_id", f"ticket {ticket_id} not found")]) from exc


def create_session(*, data: CopilotSessionIn, actor: Principal) -> dict[str, Any]:
    """A new, empty conversation of the caller's, optionally about a ticket."""
    if data.ticket_id is not None:
        _check_ticket(data.ticket_id, actor)
    bind_models()
    now = now_iso()
    session_id = _new_session_id()
    fields: dict[str, Any] = {"session_id": session_id, "owner_id": actor.user_id, "title": data.title,
                              "ticket_id": data.ticket_id, "message_count": 0, "created_at": now, "updated_at": now}
    session = CopilotModel(session_pk(session_id), SESSION_SK, **fields)
    entry = CopilotModel(owner_pk(actor.user_id), listing_sk(now, session_id), **fields)
    tx = Tx()
    tx.put("session", session, condition=CopilotModel.pk.does_not_exist())
    tx.put("listing", entry, condition=CopilotModel.pk.does_not_exist())
    tx.commit()
    return _session_dict(session)


def _scope(actor: Principal) -> str:
    return f"copilot-sessions|{actor.user_id}"


def list_sessions(*, query: CopilotListQuery, actor: Principal) -> dict[str, Any]:
    """The caller's conversations, newest first: one Query per page."""
    start = None
    if query.cursor:
        position = cursors.decode(query.cursor, _scope(actor), _CURSOR_POSITION)
        start = {"pk": {"S": owner_pk(actor.user_id)}, "sk": {"S": position["sk"]}}
    items, last = query_once(CopilotModel, owner_pk(actor.user_id), limit=query.page_size, start_key=start,
                             forward=False)
    cursor = cursors.encode(_scope(actor), {"sk": str(last["sk"]["S"])}) if last else None
    return {"items": [_session_dict(i) for i in items], "next_cursor": cursor}


def _own_session(session_id: str, actor: Principal) -> CopilotModel:
    """The session if it is the caller's; another agent's (or none) is a 404 alike."""
    bind_models()
    try:
        session = CopilotModel.get(session_pk(session_id), SESSION_SK, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(f"copilot session {session_id} not found") from exc
    if int(session.owner_id or 0) != actor.user_id:
        raise NotFound(f"copilot session {session_id} not found")
    return session


def get_session(*, session_id: str, actor: Principal) -> dict[str, Any]:
    """A conversation with its messages, oldest first: one Query (the session sorts before its messages)."""
    items, _ = query_once(CopilotModel, session_pk(session_id), limit=MAX_SESSION_MESSAGES + 1)
    session = next((i for i in items if i.sk == SESSION_SK), None)
    if session is None or int(session.owner_id or 0) != actor.user_id:
        raise NotFound(f"copilot session {session_id} not found")
    messages = [_message_dict(i) for i in items if i.sk != SESSION_SK]
    return {**_session_dict(session), "messages": messages}


def _history(session_id: str) -> list[dict[str, Any]]:
    """The latest turns, oldest first (one Query read backwards)."""
    items, _ = query_once(CopilotModel, session_pk(session_id), limit=copilot_ai.HISTORY_MESSAGES, forward=False,
                          range_key_condition=CopilotModel.sk.startswith("msg#"))
    return [{"role": i.role, "content": i.content or ""} for i in reversed(items)]


def _ticket_context(ticket: TicketModel) -> dict[str, Any]:
    """The ticket as the copilot sees it: title, text and its latest messages, internal notes included (only
    staff ask the copilot)."""
    replies, _ = query_once(ReplyModel, int(ticket.id), limit=TICKET_MESSAGES, forward=False)
    requester = int(ticket.requester_id)
    messages = [{"from": "internal note" if r.internal else "customer" if int(r.author_id) == requester else "agent",
                 "text": r.content} for r in reversed(replies)]
    return {"id": int(ticket.id), "title": ticket.title, "content": ticket.content, "status": ticket.status,
            "priority": ticket.priority, "category": ticket.category, "messages": messages}


def retrieval_query(question: str, history: list[dict[str, Any]], ticket: dict[str, Any] | None) -> str:
    """What the KB is searched with: the question first, then the previous question (a follow-up such as "and
    how long does it take?" names nothing by itself), then the ticket's title, text and latest customer message."""
    parts = [question]
    previous = next((m["content"] for m in reversed(history) if m["role"] == "user"), None)
    if previous:
        parts.append(previous)
    if ticket is not None:
        latest = next((m["text"] for m in reversed(ticket["messages"]) if m["from"] == "customer"), "")
        parts += [ticket["title"], ticket["content"], latest]
    return "\n".join(p.strip() for p in parts if p and p.strip())[:MAX_RETRIEVAL_QUERY_CHARS]


def _preferred_category(ticket: TicketModel | None) -> str | None:
    if ticket is None:
        return None
    if ticket.category:
        return str(ticket.category)
    return None if ticket.ai_out_of_scope or not ticket.ai_category else str(ticket.ai_category)


def _kb_sources(query: str, category: str | None) -> list[dict[str, Any]]:
    """KB passages of every collection, public and internal (only staff reach the copilot: audience `agent`), best
    first; none when the KB fails."""
    try:
        from chalicelib.schemas.kb import KbSearchIn
        from chalicelib.services import kb  # lazily: the embedder and the vector store

        results = kb.search(data=KbSearchIn(query=query, top_k=KB_CANDIDATES, category=category),
                            audience="agent")["results"]
    except Exception:  # the KB is one of the copilot's sources: log and answer from the others
        logger.exception("knowledge-base search failed for the copilot")
        return []
    sources = []
    for hit in results:
        metadata = hit.get("metadata") or {}
        source = str(metadata.get("source") or hit["id"])
        sources.append({"kind": "kb", "ref": f"kb:{source}", "title": metadata.get("title") or source,
                        "text": str(hit.get("content", "")), "relevance": drafting.similarity_of(hit),
                        "source": source, "chunk_id": str(hit["id"]), "ticket_id": None})
    return sources


def _ticket_sources(query: str, exclude_ticket_id: int | None) -> list[dict[str, Any]]:
    """Staff answers of similar resolved tickets (kind `ticket`, ref `ticket:<id>`), once ticket search offers
    them; none until then."""
    del query, exclude_ticket_id
    return []


def gather_sources(query: str, ticket: TicketModel | None) -> list[dict[str, Any]]:
    """The numbered sources an answer may cite: the passages over the relevance floor, KB first, then tickets."""
    found = _kb_sources(query, _preferred_category(ticket)) + _ticket_sources(
        query, None if ticket is None else int(ticket.id))
    close = [s for s in found if s["relevance"] >= drafting.RELEVANCE_FLOOR]
    return [{**s, "n": n} for n, s in enumerate(close, 1)]


def _stored_sources(sources: list[dict[str, Any]], cited: list[int]) -> list[dict[str, Any]]:
    return [{"n": s["n"], "kind": s["kind"], "ref": s["ref"], "title": s["title"],
             "excerpt": copilot_ai.clip(s["text"], MAX_EXCERPT_CHARS), "relevance": round(float(s["relevance"]), 4),
             "cited": s["n"] in cited, "source": s["source"], "chunk_id": s["chunk_id"], "ticket_id": s["ticket_id"]}
            for s in sources]


def _title_from(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= MAX_TITLE_CHARS else line[:MAX_TITLE_CHARS - 1].rstrip() + "…"


def ask(*, session_id: str, data: CopilotQuestionIn, actor: Principal) -> dict[str, Any]:
    """Answer a question in a session of the caller's, and store the question and the answer as one turn."""
    session = _own_session(session_id, actor)
    count = int(session.message_count or 0)
    if count + 2 > MAX_SESSION_MESSAGES:
        raise Conflict(f"a conversation holds at most {MAX_SESSION_MESSAGES} messages; start a new one",
                       code="session_full")
    ticket: TicketModel | None = None
    if data.ticket_id is not None:
        ticket = _check_ticket(data.ticket_id, actor)
    elif session.ticket_id is not None:
        try:
            ticket = tickets.get_ticket_model(int(session.ticket_id), actor)
        except NotFound:
            ticket = None  # deleted since the session began: answer without it
    context = _ticket_context(ticket) if ticket is not None else None
    history = _history(session_id) if count else []
    question = data.content.strip()
    sources = gather_sources(retrieval_query(question, history, context), ticket)
    result = copilot_ai.answer(question, history, context, sources)
    if result.fallback_reason and result.fallback_reason != "no LLM configured":
        logger.warning("copilot answered without the LLM", extra={"reason": result.fallback_reason})

    now = now_iso()
    ticket_id = None if ticket is None else int(ticket.id)
    asked = CopilotModel(session_pk(session_id), message_sk(count + 1), session_id=session_id, seq=count + 1,
                         role="user", content=question, created_at=now, ticket_id=ticket_id)
    answered = CopilotModel(session_pk(session_id), message_sk(count + 2), session_id=session_id, seq=count + 2,
                            role="assistant", content=result.text, created_at=now, ticket_id=ticket_id,
                            sources=_stored_sources(sources, result.citations), citations=result.citations,
                            answer_source=result.answer_source, model=result.model,
                            fallback_reason=result.fallback_reason)
    title = session.title or _title_from(question)
    changes: list[Action] = [CopilotModel.message_count.set(count + 2), CopilotModel.updated_at.set(now),
               CopilotModel.title.set(title)]
    tx = Tx()
    tx.put("question", asked, condition=CopilotModel.pk.does_not_exist())
    tx.put("answer", answered, condition=CopilotModel.pk.does_not_exist())
    tx.update_fields("session", CopilotModel, session_pk(session_id), changes, range_key=SESSION_SK,
                     condition=CopilotModel.message_count == count)
    tx.update_fields("listing", CopilotModel, owner_pk(actor.user_id), changes,
                     range_key=listing_sk(session.created_at, session_id), condition=CopilotModel.pk.exists())
    try:
        tx.commit()
    except TransactionFailed as exc:
        raise Conflict("the conversation changed meanwhile (another question was asked); reload it",
                       code="conflict") from exc
    session.message_count, session.updated_at, session.title = count + 2, now, title
    return {"session": _session_dict(session), "question": _message_dict(asked), "answer": _message_dict(answered)}
