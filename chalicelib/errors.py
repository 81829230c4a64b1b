"""Domain errors. The API layer maps each to one HTTP status in chalicelib/api/http.py."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    """One problem with one input field."""

    field: str
    message: str


@dataclass
class DomainError(Exception):
    """Base class: a code, a human message and optional per-field details."""

    message: str
    details: list[FieldError] = field(default_factory=list)
    code: str = "error"
    status: int = 400

    def __str__(self) -> str:
        return self.message


class BadRequest(DomainError):
    """The request could not be read at all (malformed JSON, wrong content type)."""

    def __init__(self, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(message, details or [], "bad_request", 400)


class ValidationFailed(DomainError):
    """The request was readable but some fields are invalid."""

    def __init__(self, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(message, details or [], "validation_error", 422)


class NotFound(DomainError):
    """The addressed resource does not exist (or the caller may not know it exists)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, [], "not_found", 404)


class Conflict(DomainError):
    """The request conflicts with the current state (duplicate, stale version)."""

    def __init__(self, message: str, details: list[FieldError] | None = None, code: str = "conflict") -> None:
        super().__init__(message, details or [], code, 409)


class PayloadTooLarge(DomainError):
    """The request body is over the size limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message, [], "payload_too_large", 413)


class Unauthorized(DomainError):
    """No valid credentials."""

    def __init__(self, message: str = "authentication required") -> None:
        super().__init__(message, [], "unauthorized", 401)


class Forbidden(DomainError):
    """Valid credentials, but not allowed to do this."""

    def __init__(self, message: str = "not allowed") -> None:
        super().__init__(message, [], "forbidden", 403)


class TooManyRequests(DomainError):
    """The caller is over its rate limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message, [], "too_many_requests", 429)


class Unavailable(DomainError):
    """A dependency is down; retrying later may work."""

    def __init__(self, message: str) -> None:
        super().__init__(message, [], "unavailable", 503)
