"""The category context of a KB search, and the step after retrieval that prefers the articles answering it.

A search runs in the context of one taxonomy category: given (`category`), the ticket's (`ticket_id`: the agents'
category, else the classifier's), or predicted from the query when the desk has a taxonomy. Articles "answer" a
category when their `metadata.category` names it (one label, a list, or labels separated by commas) or when agents
sent replies from suggestions citing them for tickets of that category (store/kb_links.py). Those articles get
their ranking score multiplied by `1 + PREFER_BOOST * confidence` among a wider set of candidates, then the list
is cut to `top_k` again. bench/kb_category.py measured the boost on the Bitext dev queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.ai import auto_reply as auto_reply_gate
from chalicelib.log import logger
from chalicelib.principal import Principal
from chalicelib.store import kb_links

# Candidates retrieved when a category is in effect, so an article ranked below top_k can move up.
PREFER_CANDIDATES = 20
PREFER_BOOST = 1.0
# A prediction less sure than this is reported but not used.
MIN_PREDICTED_CONFIDENCE = 0.3


@dataclass(frozen=True)
class SearchContext:
    """The category a search prefers, how sure it is of it, and where it came from."""

    category: str | None = None
    confidence: float | None = None
    source: str = "none"  # "request" | "ticket" | "predicted" | "none"
    used: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The response's `context` block."""
        return {"category": self.category, "confidence": self.confidence, "source": self.source, "used": self.used}


def passage_categories(metadata: dict[str, Any]) -> list[str]:
    """The categories a KB document says it answers (`metadata.category`: one label or a list of labels)."""
    return auto_reply_gate.passage_categories({"metadata": metadata})


def resolve(*, query: str, category: str | None, ticket_id: int | None, actor: Principal | None,
            predict: bool) -> SearchContext:
    """The context of one search: the request's category, the ticket's, or the query's predicted one."""
    if category:
        return SearchContext(category, 1.0, "request", True)
    if ticket_id is not None and actor is not None:
        from chalicelib.services import tickets

        ticket = tickets.get_ticket_model(ticket_id, actor)  # 404 unless the actor may see it
        if ticket.category:
            return SearchContext(str(ticket.category), 1.0, "ticket", True)
        if ticket.ai_category and not ticket.ai_out_of_scope:
            confidence = round(float(ticket.ai_confidence or 0.0), 4)
            return SearchContext(str(ticket.ai_category), confidence, "ticket",
                                 confidence >= MIN_PREDICTED_CONFIDENCE)
        return SearchContext(source="ticket")
    if not predict:
        return SearchContext()
    from chalicelib.services import classification

    try:
        prediction, model_name = classification.predict(query)
    except Exception:  # the classifier is optional for a search: log and search without a context
        logger.exception("category prediction failed during a KB search")
        return SearchContext()
    if prediction is None or prediction.out_of_scope or model_name in ("none", "zero-shot"):
        return SearchContext()
    confidence = round(float(prediction.confidence), 4)
    return SearchContext(prediction.category, confidence, "predicted", confidence >= MIN_PREDICTED_CONFIDENCE)


def prefer(results: list[dict[str, Any]], context: SearchContext, top_k: int,
           learnt: dict[str, int] | None = None, boost: float = PREFER_BOOST) -> list[dict[str, Any]]:
    """Re-rank retrieved results: those answering the context's category (tagged or learnt) score higher."""
    if not context.used or context.category is None:
        return results[:top_k]
    links = learnt if learnt is not None else kb_links.learnt_sources(context.category)
    factor = 1.0 + boost * float(context.confidence or 0.0)

    def key(item: tuple[int, dict[str, Any]]) -> tuple[float, int]:
        rank, result = item
        metadata = result.get("metadata") or {}
        answers = context.category in passage_categories(metadata) or str(metadata.get("source")) in links
        # the fusion score in hybrid mode; vector-only results carry none, their cosine similarity stands in
        base = float(result.get("score") or 0.0) or max(0.0, 1.0 - float(result.get("distance", 1.0)))
        return (-base * (factor if answers else 1.0), rank)

    return [result for _rank, result in sorted(enumerate(results), key=key)][:top_k]
