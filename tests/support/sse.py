"""Reading a Server-Sent Events stream in a test: parsed events, with bounded waits."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx


@dataclass(frozen=True)
class Message:
    """One SSE message: an event (id, event, data) or a comment."""

    id: str | None = None
    event: str | None = None
    data: str = ""
    comment: str | None = None


def parse(lines: Iterable[str]) -> Iterator[Message]:
    fields: dict[str, str] = {}
    data: list[str] = []
    comment = None
    for line in lines:
        if line == "":
            if data or fields or comment is not None:
                yield Message(fields.get("id"), fields.get("event"), "\n".join(data), comment)
            fields, data, comment = {}, [], None
        elif line.startswith(":"):
            comment = line[1:].strip()
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                data.append(value)
            else:
                fields[name] = value


class Stream:
    """The messages of an open stream, read by a thread of their own."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.messages: queue.Queue[Message | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for message in parse(self.response.iter_lines()):
                self.messages.put(message)
        except (httpx.HTTPError, RuntimeError, anyio.ClosedResourceError):
            # The test closed the stream.
            pass
        self.messages.put(None)

    def next(self, timeout: float = 30) -> Message:
        message = self.messages.get(timeout=timeout)
        if message is None:
            msg = "the stream ended"
            raise AssertionError(msg)
        return message

    def next_event(self, timeout: float = 30) -> Message:
        """The next message that is an event (comments, such as keep-alives, skipped)."""
        while True:
            message = self.next(timeout)
            if message.comment is None:
                return message


@contextmanager
def open_stream(client: Any, url: str, headers: dict[str, str] | None = None) -> Iterator[Stream]:
    """Open ``url`` on an httpx-like client and wait until the stream says it is open."""
    with client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = Stream(response)
        opening = stream.next()
        assert opening.comment is not None
        assert opening.comment.startswith("open after event")
        yield stream
