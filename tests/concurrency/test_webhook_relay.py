"""The webhook relay in real server processes: at least once, and never the same attempt twice.

- A process SIGKILLed with deliveries still in its outbox: another process delivers them.
- Three processes relaying from one database: each (webhook-id, attempt) reaches the receiver
  exactly once, through failures and retries, and every event arrives.

The receiver is a real HTTP server verifying every delivery with `standardwebhooks`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.receiver import Delivery, Receiver, receiver
from tests.support.servers import Server, fresh_database, servers

pytestmark = pytest.mark.concurrency
FAST = {
    "PROMISE_WEBHOOKS_ALLOW_PRIVATE": "1",
    "PROMISE_WEBHOOK_POLL_SECONDS": "0.05",
    "PROMISE_WEBHOOK_RETRY_SECONDS": "0.1,0.1,0.1,0.1",
}
EVENTS = 40


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def target() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def _register(server: Server, target: Receiver) -> str:
    with httpx.Client(timeout=30) as client:
        made = client.post(
            f"{server.url}/v1/webhooks", json={"url": target.url, "events": ["promise.held"]}
        )
    assert made.status_code == 201, made.text
    target.secret = made.json()["secret"]
    endpoint: str = made.json()["id"]
    return endpoint


def _queue_tests(server: Server, endpoint: str, count: int) -> list[str]:
    ids = []
    # One client for all (httpx.post would make a client and an SSL context each time).
    with httpx.Client(timeout=30) as client:
        for _ in range(count):
            sent = client.post(f"{server.url}/v1/webhooks/{endpoint}/test")
            assert sent.status_code == 202, sent.text
            ids.append(sent.json()["event_id"])
    return ids


def _delivered(got: list[Delivery]) -> set[str]:
    return {d.id for d in got if d.answered == 200}


def test_another_process_delivers_what_a_killed_one_left(
    database: str, tmp_path: Path, target: Receiver
) -> None:
    # The first process queues the events but never sends (its relay is off), then dies.
    quiet = FAST | {"PROMISE_WEBHOOK_POLL_SECONDS": "0"}
    (tmp_path / "a").mkdir()
    with servers(database, 1, tmp_path / "a", **quiet) as (first,):
        endpoint = _register(first, target)
        queued = _queue_tests(first, endpoint, 5)
        first.kill()
    assert target.deliveries() == []

    (tmp_path / "b").mkdir()
    with servers(database, 1, tmp_path / "b", **FAST):
        got = target.wait_for(lambda got: _delivered(got) == set(queued))
    assert all(d.verified for d in got), [d.verification_error for d in got]
    assert Counter(d.id for d in got) == dict.fromkeys(queued, 1)


def test_three_processes_never_send_an_attempt_twice(
    database: str, tmp_path: Path, target: Receiver
) -> None:
    # Every event fails twice before it is taken: 3 attempts each, spread over the processes.
    target.fail_first = 2
    quiet = FAST | {"PROMISE_WEBHOOK_POLL_SECONDS": "0"}
    for folder in ("queue", "relays"):
        (tmp_path / folder).mkdir()
    with servers(database, 1, tmp_path / "queue", **quiet) as (queuer,):
        endpoint = _register(queuer, target)
        queued = _queue_tests(queuer, endpoint, EVENTS)
    with servers(database, 3, tmp_path / "relays", **FAST):
        got = target.wait_for(lambda got: _delivered(got) == set(queued), timeout=120)

    assert all(d.verified for d in got), [d.verification_error for d in got]
    per_attempt = Counter((d.id, d.attempt) for d in got)
    assert max(per_attempt.values()) == 1, [k for k, n in per_attempt.items() if n > 1]
    # Each event's attempts are 1, 2, ... without a gap, the last one answered 200.
    for event in queued:
        attempts = sorted(d.attempt for d in got if d.id == event)
        assert attempts == list(range(1, len(attempts) + 1))
    assert sum(1 for d in got if d.answered == 200) == EVENTS
    assert len(got) == 3 * EVENTS
