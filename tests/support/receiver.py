"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 that checks every delivery
with the `standardwebhooks` package (the receiver's side of the spec, code we did not write).

It answers with the codes it is told (then 200), and can stop listening and start again on the
same port, to play a receiver that is down.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook

from tests.support.servers import free_port

# How often serve_forever looks whether stop() asked it to end: stop() waits for that look
# (the default, 0.5 s, was half a second at the end of every test with a receiver).
SHUTDOWN_POLL_SECONDS = 0.01


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    # Several relaying processes connect at once: the default backlog (5) would refuse some.
    request_queue_size = 256
    daemon_threads = True


@dataclass(frozen=True)
class Delivery:
    """One request the receiver got."""

    headers: dict[str, str]
    body: str
    answered: int
    verified: bool
    verification_error: str | None

    @property
    def id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def timestamp(self) -> int:
        return int(self.headers["webhook-timestamp"])

    @property
    def attempt(self) -> int:
        return int(self.headers["webhook-attempt"])

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    secret: str | None = None
    # False when the sender's clock is a hand-moved one: the signature is then checked with the
    # library's `sign` for the timestamp sent, since `verify` also wants it within 5 minutes of
    # the real time.
    fresh: bool = True
    answers: list[int] = field(default_factory=list)
    # Answer 500 to the first this many attempts of each event (by webhook-id), then as above.
    fail_first: int = 0
    got: list[Delivery] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                code = receiver._answer(headers.get("webhook-id", ""))
                verified, error = receiver._verify(body, headers)
                with receiver._lock:
                    receiver.got.append(Delivery(headers, body, code, verified, error))
                self.send_response(code)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(
            target=self._server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True
        ).start()

    def stop(self) -> None:
        """Stop listening: connections to the port are refused from now on."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self.got)

    def wait_for(
        self, done: Callable[[list[Delivery]], bool], timeout: float = 30
    ) -> list[Delivery]:
        """Poll (bounded) until ``done`` holds for what has arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.deliveries()
            if done(got):
                return got
            time.sleep(0.05)
        msg = f"the receiver did not get what was expected in {timeout}s: {self.deliveries()}"
        raise AssertionError(msg)

    def _answer(self, event_id: str) -> int:
        with self._lock:
            if sum(1 for d in self.got if d.id == event_id) < self.fail_first:
                return 500
            return self.answers.pop(0) if self.answers else 200

    def _verify(self, body: str, headers: dict[str, str]) -> tuple[bool, str | None]:
        if self.secret is None:
            return False, "no secret given to the receiver"
        hook = Webhook(self.secret)
        try:
            if self.fresh:
                hook.verify(body, headers)
            else:
                sent = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
                expected = hook.sign(headers["webhook-id"], sent, body)
                if expected not in headers["webhook-signature"].split(" "):
                    return False, "no matching signature"
        except Exception as exc:  # noqa: BLE001  (any failure is a failed verification)
            return False, f"{type(exc).__name__}: {exc}"
        return True, None


@contextmanager
def receiver(**options: Any) -> Iterator[Receiver]:
    running = Receiver(**options)
    running.start()
    try:
        yield running
    finally:
        running.stop()
