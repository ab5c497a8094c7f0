"""Request dependencies, as Annotated aliases for thin routers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
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


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The transaction boundary: commit when the route returns, roll back when it raises.

    An async generator, so that a session that only reads first costs no thread hand-off to
    begin (it does no I/O until its first statement). What may block runs in a worker thread:
    BEGIN IMMEDIATE of a writing route (it may wait for SQLite's write lock), and the commit or
    rollback with the close. The end runs shielded from cancellation and on a limiter of its
    own, as FastAPI runs the end of a plain generator dependency, so that it never waits for a
    worker thread held by a request that is waiting for this one's lock.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        if getattr(request.scope.get("endpoint"), _READS_FIRST, False):
            begin_as_reader(session)
        elif request.method not in SAFE_METHODS:
            await anyio.to_thread.run_sync(begin_as_writer, session)
    except BaseException:
        await _shielded(session.close)
        raise
    try:
        yield session
    except BaseException:
        await _shielded(partial(_end, session, commit=False))
        raise
    await _shielded(partial(_end, session, commit=True))


def _end(session: Session, *, commit: bool) -> None:
    with session:  # closed whatever happens
        if commit:
            session.commit()
        else:
            session.rollback()


async def _shielded(end: Callable[[], None]) -> None:
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(end, limiter=anyio.CapacityLimiter(1))


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
