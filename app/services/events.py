"""Promise events: written with the change they announce, read as history and as a stream.

``announce`` is called by every use case that changes a promise, inside its transaction and
with the reservations lock held: it writes the history entry, the announcement body (the promise
as GET /v1/promises/{id} shows it right after the change, this entry included) and one webhook
delivery per subscribed endpoint. If the transaction rolls back, all of it goes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db import events as db
from app.db.promises import as_utc
from app.schemas.events import SYSTEM, EventType, HistoryEntry
from app.services.keys import Caller
from app.services.webhooks import enqueue, event_body, new_event_id

# How many events one read of the stream returns at most.
STREAM_BATCH = 500


def actor(caller: Caller | None) -> str:
    """``by`` of a history entry: the API key's role and id, or "system"."""
    if caller is None:
        return SYSTEM
    if caller.key_id is None:
        return "anonymous"  # authentication is off (the demo)
    return f"{caller.role}:{caller.key_id}"


def announce(
    session: Session,
    promise_id: str,
    event: EventType,
    *,
    by: str,
    detail: str,
    at: datetime,
    shape: Callable[[], Any],
) -> HistoryEntry:
    """Record ``event`` of a promise and queue its announcement.

    ``shape`` returns the promise as the API shows it (JSON-ready), read after this entry is
    written so that the announced promise carries its own newest history.
    """
    row = db.PromiseEventRow(
        id=new_event_id(),
        type=event,
        promise_id=promise_id,
        at=at,
        by=by,
        detail=detail[:2000],
        body="",
    )
    db.add_event(session, row)
    entry = _entry(row)
    data = {"promise": shape(), "entry": entry.model_dump(mode="json")}
    row.body = event_body(event, at, data)
    enqueue(session, row.id, event, row.body, at, seq=row.seq)
    session.flush()
    return entry


def history(session: Session, promise_ids: Sequence[str]) -> dict[str, list[HistoryEntry]]:
    return {
        promise_id: [_entry(row) for row in rows]
        for promise_id, rows in db.history_of(session, promise_ids).items()
    }


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event of the live stream: its position (the SSE id), type and announcement body."""

    seq: int
    type: str
    body: str


def events_after(session: Session, seq: int) -> list[StreamEvent]:
    return [
        StreamEvent(seq=row.seq, type=row.type, body=row.body)
        for row in db.events_after(session, seq, STREAM_BATCH)
    ]


def last_seq(session: Session) -> int:
    return db.last_seq(session)


def _entry(row: db.PromiseEventRow) -> HistoryEntry:
    return HistoryEntry(
        at=as_utc(row.at),
        event=row.type,
        by=row.by,
        detail=row.detail,
    )
