"""Request dependencies, as Annotated aliases for thin routers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session, sessionmaker

from app.clock import Clock
from app.db.engine import begin_as_reader, begin_as_writer
from app.errors import FieldError, Invalid
from app.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READS_FIRST = "__orderpromise_reads_first__"
EndpointT = TypeVar("EndpointT", bound=Callable[..., Any])


def reads_first(endpoint: EndpointT) -> EndpointT:
    """Mark a writing route whose service reads (and computes) first and writes at the end: its
    transaction begins as a reader, and the service calls ``app.db.engine.begin_writing`` before
    it writes. A check or a hold solves for tens to hundreds of milliseconds; it must not hold
    SQLite's write lock meanwhile, or every one waits for every other (a hold takes the write
    lock, and the reservations lock, only after its solve; docs/concurrency.md)."""
    setattr(endpoint, _READS_FIRST, True)
    return endpoint


# The dependencies that only read app.state (or compute a little) are ``async def``: FastAPI
# runs a plain ``def`` dependency in the thread pool, a hand-off to a worker thread and back
# for every request. Those that touch the database stay ``def`` (they may block).


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    """For a streaming answer, which reads in sessions of its own while it runs."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def get_session(request: Request) -> Iterator[Session]:
    """The transaction boundary: commit when the route returns, roll back when it raises."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        if getattr(request.scope.get("endpoint"), _READS_FIRST, False):
            begin_as_reader(session)
        elif request.method not in SAFE_METHODS:
            begin_as_writer(session)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def parse_json_document(body: bytes) -> Any:
    """JSON with numbers that have a fraction as Decimal (exact), or Invalid."""
    if not body.strip():
        raise Invalid("the request body is empty", [FieldError("", "a JSON document is required")])
    try:
        return json.loads(body, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(
            "the request body is not JSON", [FieldError("", f"malformed JSON: {exc}")]
        ) from exc
    except RecursionError as exc:
        raise Invalid(
            "the request body is not JSON", [FieldError("", "malformed JSON: nested too deeply")]
        ) from exc


async def get_json_body(request: Request) -> Any:
    """The body as parsed JSON, for a service that validates it whole (every error at once)."""
    return parse_json_document(await request.body())


# scope="function": the commit happens before the response is sent, so a client never sees
# a 201 for a write that then fails to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
JsonBodyDep = Annotated[Any, Depends(get_json_body)]
IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="A retry with the same key and body returns the first answer and changes "
        "nothing; the same key with another body is 422.",
    ),
]
