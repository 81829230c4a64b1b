"""AI schemas: examples and taxonomy, classifier status, classification and suggestions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.schemas.common import Content, Out, PageQuery, SafeText, Strict

# Bodies are at most 1 MiB (api/http.MAX_BODY_BYTES): 200 examples of 1,000 characters (4 bytes each at most) fit.
# The embedder reads about the first 1,000 characters of a text anyway (MiniLM truncates at 256 tokens).
MAX_EXAMPLES_PER_REQUEST = 200
MAX_EXAMPLE_CHARS = 1_000
MAX_LABELS_PER_REQUEST = 400
# Any printable label up to 100 characters (BANKING77 has `reverted_card_payment?`; commas are fine: a KB
# document that answers several categories lists them as a JSON list in `metadata.category`).
LabelName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100,
                                             pattern=r"^[^\x00-\x1f\x7f]+$")]
ExampleText = Annotated[SafeText, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_EXAMPLE_CHARS)]


class ExampleIn(Strict):
    """One labelled text."""

    text: ExampleText
    label: LabelName


class ExamplesIn(Strict):
    """Up to 1,000 examples per request: a JSON list, or `{"examples": [...]}`."""

    examples: list[ExampleIn] = Field(min_length=1, max_length=MAX_EXAMPLES_PER_REQUEST)

    @model_validator(mode="before")
    @classmethod
    def _accept_a_bare_list(cls, data: Any) -> Any:
        return {"examples": data} if isinstance(data, list) else data


class ExamplesAccepted(Out):
    """What happened to a batch of examples."""

    received: int
    new: int
    labels_added: list[str]
    generation: int
    status: str


class ExampleOut(Out):
    """A stored example."""

    id: str
    text: str
    label: str
    source: str
    ticket_id: int | None
    created_at: str


class ExampleListQuery(PageQuery):
    """Paging through the examples."""


class LabelIn(Strict):
    """A category of the taxonomy."""

    name: LabelName
    description: Annotated[SafeText, StringConstraints(max_length=500)] = ""


class LabelsIn(Strict):
    """Create or update categories (by name)."""

    labels: list[LabelIn] = Field(min_length=1, max_length=MAX_LABELS_PER_REQUEST)


class LabelOut(Out):
    """A category."""

    name: str
    description: str
    created_at: str


class ClassifierOut(Out):
    """Which model is in use."""

    status: Literal["ready", "training", "untrained"]
    examples: int
    labels: int
    trained_at: str | None
    version: str | None
    kind: str | None = None
    metrics: dict[str, Any] | None = None
    pending_generation: bool = Field(description="Examples changed since the live model was trained.")
    error: str | None = None


class ClassifyIn(Strict):
    """A text to classify."""

    text: Content


class Alternative(Out):
    """A runner-up category."""

    category: str
    confidence: float


class ClassifyOut(Out):
    """The best category (always a taxonomy label), its calibrated confidence, and the runners-up."""

    category: str | None
    confidence: float = Field(ge=0, le=1)
    alternatives: list[Alternative]
    out_of_scope: bool
    priority: Literal["low", "medium", "high", "urgent"]
    tags: list[str]
    model: str


class Snippet(Out):
    """A knowledge-base passage retrieved for the ticket."""

    id: str
    content: str
    metadata: dict[str, Any]
    distance: float


class SuggestionOut(Out):
    """Everything an agent needs to answer: the classification, the KB snippets, a draft to edit."""

    category: str | None
    confidence: float = Field(ge=0, le=1)
    out_of_scope: bool
    alternatives: list[Alternative]
    priority: Literal["low", "medium", "high", "urgent"]
    tags: list[str]
    snippets: list[Snippet]
    draft: str
    draft_source: Literal["llm", "template"]
    fallback_reason: str | None
    sources: list[dict[str, Any]]
    model: str
    classification: Literal["stored", "computed"]
