"""Building blocks shared by every schema: safe text, ids, pages and the error body."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MAX_ID = 2**53 - 1
MAX_CONTENT_CHARS = 50_000
MAX_CONTENT_BYTES = 100_000
MAX_TITLE_CHARS = 200
MAX_TAGS = 20
MAX_TAG_CHARS = 40

T = TypeVar("T")


def _check_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode (no lone surrogates)") from exc
    if len(encoded) > MAX_CONTENT_BYTES:
        raise ValueError(f"must be at most {MAX_CONTENT_BYTES} bytes as UTF-8")
    return value


def _check_single_line(value: str) -> str:
    if any(ch in value for ch in "\r\n") or any(ord(ch) < 32 and ch != "\t" for ch in value):
        raise ValueError("must be a single line without control characters")
    return value


SafeText = Annotated[str, AfterValidator(_check_text)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS),
    AfterValidator(_check_text),
    AfterValidator(_check_single_line),
]
Content = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_CONTENT_CHARS),
    AfterValidator(_check_text),
    AfterValidator(lambda v: _require_non_blank(v)),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_check_text),
    AfterValidator(_check_single_line),
]
EntityId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _require_non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class Strict(BaseModel):
    """Inputs: unknown fields are refused so that typos are reported, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_max_length=MAX_CONTENT_CHARS)


class Out(BaseModel):
    """Outputs."""

    model_config = ConfigDict(extra="ignore")


class ErrorDetail(Out):
    """One problem with one field."""

    field: str = Field(description="Dotted path of the field, e.g. `tags.2` or `requester_id`.")
    message: str


class ErrorBody(Out):
    """Every error response has this shape."""

    error: str = Field(description="A stable machine-readable code, e.g. `validation_error`, `not_found`.")
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class PageOf(Out, Generic[T]):
    """A page of a list, newest first unless said otherwise."""

    items: list[T]
    page: int
    page_size: int
    total: int | None = Field(description="How many items match, when it is known cheaply.")
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class PageQuery(Strict):
    """Paging parameters shared by list endpoints."""

    model_config = ConfigDict(extra="ignore")

    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None
