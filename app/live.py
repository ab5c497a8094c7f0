"""The live event stream's loop (GET /v1/events): it reads in short sessions of its own for as
long as the stream stays open, in a thread so that the event loop never waits on the database.
Outside app.services because it opens sessions (as app.background does for its work)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from app.services.events import STREAM_BATCH, StreamEvent, events_after, last_seq


async def start_of_stream(factory: sessionmaker[Session], after: int | None) -> int:
    """Where a stream starts: after ``after`` (a resumed stream), else after the last event."""
    if after is not None:
        return after
    return await anyio.to_thread.run_sync(_read_last, factory)


async def follow(
    factory: sessionmaker[Session], after: int, *, poll_seconds: float
) -> AsyncIterator[StreamEvent]:
    """Every event committed after ``after``, as they commit.

    Events commit in ``seq`` order (see app.db.events), so following the highest ``seq`` seen
    misses none.
    """
    seen = after
    while True:
        batch = await anyio.to_thread.run_sync(partial(_read_after, factory, seen))
        for event in batch:
            seen = event.seq
            yield event
        if len(batch) < STREAM_BATCH:
            await asyncio.sleep(poll_seconds)


def _read_last(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return last_seq(session)


def _read_after(factory: sessionmaker[Session], seq: int) -> list[StreamEvent]:
    with factory() as session:
        return events_after(session, seq)
