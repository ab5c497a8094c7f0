"""Every error leaves as an RFC 9457 problem document; the handlers are registered in app.main."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from app.errors import (
    DomainError,
    FieldError,
    SchemaBehind,
    ServiceUnavailable,
    from_pydantic,
    problem_body,
)
from app.schemas.problem import PROBLEM_MEDIA_TYPE
from app.services.health import database_unavailable
from app.solver.results import SolverTimeout

log = logging.getLogger(__name__)


def problem_response(
    status: int,
    *,
    slug: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem_body(status, slug=slug, title=title, detail=detail, errors=errors, extra=extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)  # noqa: S101  (registered for DomainError only)
    return problem_response(
        exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        extra=exc.extra,
        headers=exc.headers or None,
    )


def _solver_timeout(request: Request, exc: Exception) -> JSONResponse:
    return _domain_error(request, ServiceUnavailable(f"{exc}; try again or widen the time limit"))


def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A missing table or column, or a database that does not answer: 503, never 500.

    A schema that is missing or behind answers "run `orderpromise migrate`", as /readyz does.
    Synchronous, so Starlette runs it in a worker thread: it asks the database on a fresh session.
    """
    assert isinstance(exc, SQLAlchemyError)  # noqa: S101  (registered for database errors only)
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        problem = database_unavailable(session, exc)
    if isinstance(problem, SchemaBehind):
        log.warning("database not migrated: %s", problem.detail)
    else:
        log.error("database error", exc_info=exc)
    return _domain_error(request, problem)


def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    return problem_response(
        422,
        slug="validation-error",
        title="Validation failed",
        detail="the request is not valid",
        errors=request_errors(exc.errors()),
    )


def request_errors(errors: Sequence[Any]) -> list[FieldError]:
    """FastAPI's errors with pointers into the body: ("body", "lines", 0, "qty") -> /lines/0/qty.

    Errors on query, path or header parameters keep their location as the first part.
    """
    result: list[FieldError] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            message = "malformed JSON: " + str(error.get("ctx", {}).get("error", error["msg"]))
            result.append(FieldError("", message))
        elif loc == ("body",) and error.get("type") == "missing":
            result.append(FieldError("", "a JSON request body is required"))
        else:
            parts = loc[1:] if loc[:1] == ("body",) else loc
            result.extend(from_pydantic([{"loc": parts, "msg": error["msg"]}]))
    return result


# FastAPI's answer to a body it cannot decode (e.g. not UTF-8): malformed, like bad JSON.
_UNREADABLE_BODY = "There was an error parsing the body"


def _allowed_methods(request: Request) -> str:
    """Every method the request's path answers to (Starlette names only the first route's)."""
    path = request.scope["path"]
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.methods and route.path and _path_pattern(route.path).fullmatch(path):
            methods |= route.methods
    return ", ".join(sorted(methods))


@cache
def _path_pattern(template: str) -> re.Pattern[str]:
    pattern, _format, _convertors = compile_path(template)
    return pattern


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)  # noqa: S101
    if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
        return problem_response(
            422,
            slug="validation-error",
            title="Validation failed",
            detail="the request body is not JSON",
            errors=[FieldError("", "malformed JSON: the body is not UTF-8 JSON text")],
        )
    slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # RFC 9110 section 15.5.6: a 405 lists the methods the resource supports.
        headers["Allow"] = _allowed_methods(request)
    return problem_response(
        exc.status_code,
        slug=slug,
        title=title,
        detail=str(exc.detail),
        headers=headers or None,
    )


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem_response(
        500, slug="internal-error", title="Internal error", detail="an unexpected error occurred"
    )


def register_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(SolverTimeout, _solver_timeout)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(ProgrammingError, _database_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
