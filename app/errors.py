"""Typed domain errors. Each carries its HTTP status; app.problems renders them once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation failure: an RFC 6901 JSON pointer into the request body and a message."""

    pointer: str
    message: str


class DomainError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    slug: ClassVar[str] = "internal-error"

    def __init__(
        self,
        detail: str,
        errors: Sequence[FieldError] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)
        # Further members of the problem document (e.g. a fresh check result with a 409).
        self.extra = dict(extra or {})
        # Response headers (e.g. WWW-Authenticate with a 401).
        self.headers: dict[str, str] = {}


class Unauthorized(DomainError):
    """No API key, or one that is unknown or revoked (RFC 6750 challenge in WWW-Authenticate)."""

    status = 401
    title = "Unauthorized"
    slug = "unauthorized"

    def __init__(self, detail: str, *, invalid_token: bool = False) -> None:
        super().__init__(detail)
        challenge = 'Bearer realm="orderpromise"'
        if invalid_token:
            challenge += ', error="invalid_token"'
        self.headers = {"WWW-Authenticate": challenge}


class Forbidden(DomainError):
    """A valid key whose role may not do this."""

    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class Invalid(DomainError):
    status = 422
    title = "Validation failed"
    slug = "validation-error"


class ServiceUnavailable(DomainError):
    status = 503
    title = "Service unavailable"
    slug = "service-unavailable"


class SchemaBehind(ServiceUnavailable):
    """The database schema is missing or behind the code: run `orderpromise migrate`."""


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer from path parts, escaping '~' and '/' as RFC 6901 requires."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def from_pydantic(
    errors: Sequence[Mapping[str, Any]], prefix: Sequence[str | int] = ()
) -> list[FieldError]:
    """Pydantic's error list as FieldErrors; `loc` becomes a pointer below `prefix`."""
    return [
        FieldError(
            pointer=pointer(*prefix, *error["loc"]),
            message=str(error["msg"]).removeprefix("Value error, "),
        )
        for error in errors
    ]


PROBLEM_TYPE_PREFIX = "urn:orderpromise:problem:"


def problem_body(
    status: int,
    *,
    slug: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"pointer": e.pointer, "message": e.message} for e in errors]
    return body | (extra or {})
