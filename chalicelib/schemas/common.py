"""Building blocks shared by every schema: safe text, ids, pages and the error body."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Generic, TypeVar

import pydantic
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

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


SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"

SafeText = Annotated[str, AfterValidator(_check_text)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS, pattern=SINGLE_LINE),
    AfterValidator(_check_text),
]
Content = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_CONTENT_CHARS),
    AfterValidator(_check_text),
    AfterValidator(lambda v: _require_non_blank(v)),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SINGLE_LINE),
    AfterValidator(_check_text),
]


def _validate_email(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)  # full-width and other compatibility look-alikes: one address
    try:
        result = validate_email(value, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address: {exc}") from exc
    return str(result.normalized).lower()


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(_validate_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional_not_null(**kwargs: Any) -> Any:
    """A field that may be left out but not sent as null (for partial updates)."""
    return Field(default=None, json_schema_extra=_drop_default, **kwargs)


PARTIAL_UPDATE = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
def _integral_float_to_int(value: Any) -> Any:
    # JSON has one number type: 7.0 is the integer 7 (as JSON Schema says); 7.5 and "7" stay invalid.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


EntityId = Annotated[int, pydantic.Strict(), Field(ge=1, le=MAX_ID), BeforeValidator(_integral_float_to_int)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _decimal_digits(value: Any) -> Any:
    # pydantic's lax int would also take "+7", " 7" or "7.0"; a path id is plain digits or no such resource.
    if isinstance(value, str) and not re.fullmatch(r"[1-9][0-9]{0,15}", value):
        raise ValueError("not an id")
    return value


PathId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_decimal_digits)]
"""An integer id in a route's path (tickets, users)."""
PathKey = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9]+$")]
"""A string id in a route's path (webhooks, API keys): letters and digits."""


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
