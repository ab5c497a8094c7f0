"""GET /v1/events: the promise events as they commit, as Server-Sent Events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header
from sse_starlette import EventSourceResponse, ServerSentEvent

from app.auth import CRM, OPS, require
from app.deps import SessionFactoryDep
from app.live import follow, start_of_stream
from app.schemas.problem import problem_responses

router = APIRouter(prefix="/v1/events", tags=["events"])

# How often a stream looks for new events.
POLL_SECONDS = 0.5
# How long an EventSource waits before it reconnects (with Last-Event-ID).
RETRY_MILLISECONDS = 2000


@router.get(
    "",
    dependencies=[require(OPS, CRM)],
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "An endless stream: `id` (resume with Last-Event-ID), `event` (the "
            "event type) and `data` (the webhook body: type, timestamp, data.promise, "
            "data.entry) per event, and a comment line as a keep-alive now and then.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **problem_responses(422),
    },
)
async def stream_events(
    factory: SessionFactoryDep,
    last_event_id: Annotated[
        int | None,
        Header(
            alias="Last-Event-ID",
            ge=0,
            description="Resume after this event (EventSource sends it when it reconnects); "
            "without it the stream starts with the next event.",
        ),
    ] = None,
) -> EventSourceResponse:
    """Promise events as they commit (held, confirmed, released, expired, at risk, ...)."""

    async def events() -> AsyncIterator[ServerSentEvent]:
        start = await start_of_stream(factory, last_event_id)
        # Said at once, so that a client knows the stream is open (and from when it counts).
        yield ServerSentEvent(comment=f"open after event {start}", retry=RETRY_MILLISECONDS)
        async for event in follow(factory, start, poll_seconds=POLL_SECONDS):
            yield ServerSentEvent(data=event.body, event=event.type, id=str(event.seq))

    return EventSourceResponse(events(), ping=15)
