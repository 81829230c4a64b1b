"""AI first response: the policy, the decision recorded on a ticket, feedback and self-service answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from chalicelib.schemas.common import Name, Out, SafeText, Strict

Priority = Literal["low", "medium", "high", "urgent"]
Label = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
ReplyOrigin = Literal["agent", "requester", "ai"]
Decision = Literal["sent", "declined"]


def _never_by_default() -> list[Priority]:
    return ["urgent"]


class AutoReplyPolicyIn(Strict):
    """What the AI may answer on its own. Send the whole policy (a PUT replaces it)."""

    enabled: StrictBool
    categories: list[Label] | None = Field(
        default=None, max_length=500, description="Categories it may answer; null means every category.")
    never_priorities: list[Priority] = Field(default_factory=_never_by_default, max_length=4,
                                             description="Priorities it never answers.")
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0, strict=False,
                                  description="The classifier's calibrated confidence it needs.")
    min_similarity: float = Field(default=0.45, ge=0.0, le=1.0, strict=False,
                                  description="The cosine similarity the best passage of the category needs.")
    signature: Name = Field(default="AI assistant", description="The name the answers are signed with.")
    on_llm_failure: Literal["template", "decline"] = Field(
        default="template", description="When the LLM times out or fails: answer from the template, or decline.")


class AutoReplyPolicyOut(Out):
    """The policy in force (the defaults, disabled, until an admin saves one)."""

    enabled: bool
    categories: list[str] | None
    never_priorities: list[Priority]
    min_confidence: float
    min_similarity: float
    signature: str
    on_llm_failure: Literal["template", "decline"]
    updated_at: str | None
    updated_by: int | None


class Citation(Out):
    """A knowledge-base passage an answer relies on."""

    source: str = Field(description="The KB document's `metadata.source`.")
    title: str | None = None
    chunk_id: str


class AiResponseOut(Out):
    """The AI's one decision about a ticket (null on the ticket until it is decided)."""

    decision: Decision
    reason: str
    reply_id: int | None
    sources: list[str]
    confidence: float
    decided_at: str
    category: str | None = Field(default=None, description="The category the decision was made for.")
    feedback: Literal["helpful", "not_helpful"] | None = None
    feedback_at: str | None = None


class AiFeedbackIn(Strict):
    """The requester's verdict on the AI's answer."""

    helpful: StrictBool


class AiAnswerIn(Strict):
    """A question asked before a ticket exists."""

    question: Annotated[SafeText, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class Article(Out):
    """A public passage likely to help."""

    source: str
    title: str | None
    chunk_id: str
    excerpt: str
    category: str | None


class AiAnswerOut(Out):
    """Whether the knowledge base answers the question; the articles are offered either way."""

    answerable: bool
    answer: str | None
    citations: list[Citation]
    articles: list[Article]
    reason: str
    category: str | None
    confidence: float


class DeflectionIn(Strict):
    """The requester says a self-service answer solved the question (no ticket is created)."""

    question: Annotated[SafeText, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    category: Label | None = None


class DeflectionOut(Out):
    """The deflection was counted."""

    recorded: bool
