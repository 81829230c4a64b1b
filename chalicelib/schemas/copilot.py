"""The agents' copilot chat: sessions, questions and cited answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from chalicelib.schemas.common import EntityId, Out, Strict, Title, _check_text, _require_non_blank

MAX_QUESTION_CHARS = 4_000
MAX_SESSION_MESSAGES = 100  # 50 questions and their answers: a session and its messages are one Query

Question = Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUESTION_CHARS),
                     AfterValidator(_check_text), AfterValidator(_require_non_blank)]


class CopilotSessionIn(Strict):
    """A new conversation, optionally about a ticket (its title, text and latest messages become context)."""

    title: Title | None = Field(default=None, description="Defaults to the first question.")
    ticket_id: EntityId | None = None


class CopilotQuestionIn(Strict):
    """A question; `ticket_id` (else the session's ticket) adds that ticket as context."""

    content: Question
    ticket_id: EntityId | None = None


class CopilotListQuery(Strict):
    """Paging for the session list."""

    model_config = ConfigDict(extra="ignore")

    page_size: int = Field(default=20, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=1_000)] | None = None


class CopilotSource(Out):
    """A passage the answer could draw on: a KB article's chunk, or a similar resolved ticket's staff answer."""

    n: int = Field(description="The number the answer cites it by (`[n]`).")
    kind: Literal["kb", "ticket"]
    ref: str = Field(description="`kb:<source>` or `ticket:<id>`.")
    title: str | None
    excerpt: str = Field(description="The passage, cut to a readable length (Markdown as written).")
    relevance: float = Field(description="Cosine similarity to the question, 0-1 (higher is closer).")
    cited: bool = Field(description="Whether the answer cites it.")
    source: str | None = Field(description="The KB document's source (kind `kb`).")
    chunk_id: str | None = Field(description="The KB chunk (kind `kb`).")
    ticket_id: int | None = Field(description="The resolved ticket (kind `ticket`).")


class CopilotMessageOut(Out):
    """One message of a conversation."""

    seq: int = Field(description="1, 2, ... in conversation order.")
    role: Literal["user", "assistant"]
    content: str = Field(description="Markdown; an answer cites its sources as `[n]`.")
    created_at: str
    ticket_id: int | None = Field(description="The ticket that was context for this message.")
    sources: list[CopilotSource] = Field(description="What the answer could cite (empty for a question).")
    citations: list[int] = Field(description="The `n` of each cited source.")
    answer_source: Literal["llm", "passages", "none"] | None = Field(
        description="How the answer was made: by the LLM, from the best passages (no LLM, or it failed), or `none` "
                    "when nothing matched; null for a question.")
    model: str | None
    fallback_reason: str | None = Field(description="Why the LLM did not answer, when it did not.")


class CopilotSessionOut(Out):
    """A conversation (without its messages)."""

    id: str
    title: str | None = Field(description="Null until the first question (which becomes the title).")
    ticket_id: int | None
    message_count: int
    created_at: str
    updated_at: str


class CopilotSessionDetail(CopilotSessionOut):
    """A conversation with its messages, oldest first."""

    messages: list[CopilotMessageOut]


class CopilotSessionPage(Out):
    """The caller's conversations, newest first."""

    items: list[CopilotSessionOut]
    next_cursor: str | None


class CopilotTurnOut(Out):
    """The stored question, the answer, and the session after both."""

    session: CopilotSessionOut
    question: CopilotMessageOut
    answer: CopilotMessageOut
