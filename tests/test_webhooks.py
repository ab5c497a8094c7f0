"""Webhook endpoints and delivery, in process on both databases, with a real HTTP receiver that
verifies every delivery with the `standardwebhooks` package, and a hand-moved clock: the relay
of the app is driven one pass at a time (``relay.run_once``), so the retry schedule is checked
exactly, without waiting."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.webhooks import WebhookEndpointRow
from app.main import create_app
from app.settings import Settings
from tests.support.clock import Clock
from tests.support.receiver import Receiver, receiver

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SCHEDULE = (5.0, 300.0, 1800.0)


@dataclass
class Hooks:
    api: TestClient
    clock: Clock

    def run(self) -> int:
        """One relay pass at the clock's time: the attempts sent."""
        relay = self.api.app.state.relay  # type: ignore[attr-defined]
        sent: int = self.api.portal.call(relay.run_once)  # type: ignore[union-attr]
        return sent

    def register(self, target: Receiver, events: list[str] | None = None) -> dict[str, Any]:
        created = self.api.post(
            "/v1/webhooks",
            json={"url": target.url, "events": events or ["promise.held"], "description": "t"},
        )
        assert created.status_code == 201, created.text
        body: dict[str, Any] = created.json()
        target.secret = body["secret"]
        return body

    def test_event(self, endpoint_id: str) -> dict[str, Any]:
        sent = self.api.post(f"/v1/webhooks/{endpoint_id}/test")
        assert sent.status_code == 202, sent.text
        body: dict[str, Any] = sent.json()
        return body

    def deliveries(self, endpoint_id: str) -> list[dict[str, Any]]:
        listed = self.api.get(f"/v1/webhooks/{endpoint_id}/deliveries")
        assert listed.status_code == 200, listed.text
        items: list[dict[str, Any]] = listed.json()["items"]
        return items

    def endpoint(self, endpoint_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self.api.get(f"/v1/webhooks/{endpoint_id}").json()
        return body


def _app(database_url: str, clock: Clock, **options: Any) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url,
        auth=False,
        # The test drives the relay itself.
        webhook_poll_seconds=0,
        webhooks_allow_private=True,
        **({"webhook_retry_seconds": SCHEDULE} | options),
    )
    with TestClient(create_app(settings)) as client:
        client.app.state.clock = clock  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def hooks(database_url: str) -> Iterator[Hooks]:
    clock = Clock(START)
    for client in _app(database_url, clock):
        yield Hooks(client, clock)


@pytest.fixture
def slow_hooks(database_url: str) -> Iterator[Hooks]:
    """Retries only after 10 days: each pass of these tests sends just the newest event."""
    clock = Clock(START)
    for client in _app(database_url, clock, webhook_retry_seconds=(10 * 86400.0,) * 3):
        yield Hooks(client, clock)


@pytest.fixture
def target() -> Iterator[Receiver]:
    # The clock is a hand-moved one: the receiver checks signatures for the timestamp sent.
    with receiver(fresh=False) as running:
        yield running


def test_the_secret_is_shown_once_and_stored(
    hooks: Hooks, target: Receiver, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        created = hooks.register(target, ["promise.held", "promise.at_risk", "promise.held"])

    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert created["events"] == ["promise.held", "promise.at_risk"]
    assert created["enabled"] is True
    listed = hooks.api.get("/v1/webhooks").json()["items"]
    assert [e["id"] for e in listed] == [created["id"]]
    read = hooks.api.get(f"/v1/webhooks/{created['id']}").json()
    for shown in (listed[0], read):
        assert "secret" not in shown
        assert secret not in str(shown)
    assert session.scalars(select(WebhookEndpointRow.secret)).one() == secret
    assert all(secret not in record.getMessage() for record in caplog.records)
    # Two endpoints never share a secret.
    assert hooks.register(Receiver())["secret"] != secret


def test_a_test_event_is_delivered_signed(hooks: Hooks, target: Receiver) -> None:
    endpoint = hooks.register(target)
    queued = hooks.test_event(endpoint["id"])
    assert queued["status"] == "pending"

    assert hooks.run() == 1

    (got,) = target.deliveries()
    assert got.verified, got.verification_error
    assert got.id == queued["event_id"]
    assert got.timestamp == int(START.timestamp())
    assert got.json["type"] == "webhook.test"
    assert got.json["data"]["webhook"]["id"] == endpoint["id"]
    (delivery,) = hooks.deliveries(endpoint["id"])
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 1
    assert delivery["last_status_code"] == 200
    assert delivery["next_attempt_at"] is None
    # Nothing is due any more.
    assert hooks.run() == 0


def test_a_wrong_secret_fails_verification(hooks: Hooks, target: Receiver) -> None:
    """The receiver's check is a real one: with another secret it refuses the delivery."""
    endpoint = hooks.register(target)
    target.secret = "whsec_" + base64.b64encode(b"\x01" * 32).decode()
    hooks.test_event(endpoint["id"])
    hooks.run()
    (got,) = target.deliveries()
    assert not got.verified


def test_retries_follow_the_schedule_and_all_arrive_on_recovery(
    hooks: Hooks, target: Receiver
) -> None:
    endpoint = hooks.register(target)
    target.answers = [500, 500, 500]
    events = [hooks.test_event(endpoint["id"])["event_id"] for _ in range(3)]

    assert hooks.run() == 3  # attempt 1 of each: 500
    due = START + timedelta(seconds=SCHEDULE[0])
    for delivery in hooks.deliveries(endpoint["id"]):
        assert delivery["status"] == "pending"
        assert delivery["last_status_code"] == 500
        assert datetime.fromisoformat(delivery["next_attempt_at"]) == due

    target.stop()  # not listening at all from now on
    hooks.clock.advance(seconds=SCHEDULE[0] - 1)
    assert hooks.run() == 0  # not due yet
    hooks.clock.advance(seconds=1)
    assert hooks.run() == 3  # attempt 2: connection refused
    due = hooks.clock.now + timedelta(seconds=SCHEDULE[1])
    for delivery in hooks.deliveries(endpoint["id"]):
        assert delivery["attempts"] == 2
        assert delivery["last_status_code"] is None
        assert "Connect" in delivery["last_error"]
        assert datetime.fromisoformat(delivery["next_attempt_at"]) == due

    hooks.clock.advance(seconds=SCHEDULE[1] - 1)
    assert hooks.run() == 0
    hooks.clock.advance(seconds=1)
    assert hooks.run() == 3  # attempt 3: still refused
    third = hooks.clock.now

    target.start()  # back, answering 200
    hooks.clock.advance(seconds=SCHEDULE[2] - 1)
    assert hooks.run() == 0
    hooks.clock.advance(seconds=1)
    assert hooks.run() == 3  # attempt 4: delivered

    got = target.deliveries()
    assert all(d.verified for d in got), [d.verification_error for d in got]
    by_attempt = sorted((d.id, d.attempt, d.timestamp) for d in got)
    fourth = int((third + timedelta(seconds=SCHEDULE[2])).timestamp())
    assert by_attempt == sorted(
        [(e, 1, int(START.timestamp())) for e in events] + [(e, 4, fourth) for e in events]
    )
    assert {d["status"] for d in hooks.deliveries(endpoint["id"])} == {"delivered"}


def test_after_the_last_retry_a_delivery_fails(hooks: Hooks, target: Receiver) -> None:
    endpoint = hooks.register(target)
    target.answers = [503] * (len(SCHEDULE) + 1)
    hooks.test_event(endpoint["id"])
    for wait in (0.0, *SCHEDULE):
        hooks.clock.advance(seconds=wait)
        assert hooks.run() == 1
    (delivery,) = hooks.deliveries(endpoint["id"])
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == len(SCHEDULE) + 1
    assert delivery["next_attempt_at"] is None
    hooks.clock.advance(days=10)
    assert hooks.run() == 0

    # Sent again by hand: one more attempt, now.
    retried = hooks.api.post(f"/v1/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/retry")
    assert retried.status_code == 202, retried.text
    assert retried.json()["status"] == "pending"
    assert hooks.run() == 1
    (delivery,) = hooks.deliveries(endpoint["id"])
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == len(SCHEDULE) + 2
    assert [d.attempt for d in target.deliveries()] == [1, 2, 3, 4, 5]


def test_410_disables_the_endpoint_at_once(hooks: Hooks, target: Receiver) -> None:
    endpoint = hooks.register(target)
    target.answers = [410]
    hooks.test_event(endpoint["id"])
    assert hooks.run() == 1
    disabled = hooks.endpoint(endpoint["id"])
    assert disabled["enabled"] is False
    assert "410" in disabled["disabled_reason"]
    assert hooks.api.post(f"/v1/webhooks/{endpoint['id']}/test").status_code == 409
    hooks.clock.advance(days=1)
    assert hooks.run() == 0
    assert len(target.deliveries()) == 1


def test_410_fails_what_was_still_pending(hooks: Hooks, target: Receiver) -> None:
    endpoint = hooks.register(target)
    target.answers = [500, 410]
    first = hooks.test_event(endpoint["id"])
    assert hooks.run() == 1  # 500: pending, retried in 5 s
    hooks.test_event(endpoint["id"])
    assert hooks.run() == 1  # the second: 410
    hooks.clock.advance(seconds=60)
    assert hooks.run() == 0
    by_id = {d["id"]: d for d in hooks.deliveries(endpoint["id"])}
    assert by_id[first["id"]]["status"] == "failed"
    assert "disabled" in by_id[first["id"]]["last_error"]


def test_failing_every_delivery_for_5_days_disables(slow_hooks: Hooks, target: Receiver) -> None:
    hooks = slow_hooks
    endpoint = hooks.register(target)
    target.answers = [500] * 4

    for days in (0, 2, 2):
        hooks.clock.advance(days=days)
        hooks.test_event(endpoint["id"])
        assert hooks.run() == 1
    # Failing for 4 days: still enabled.
    assert hooks.endpoint(endpoint["id"])["enabled"] is True
    hooks.clock.advance(days=1)
    hooks.test_event(endpoint["id"])
    assert hooks.run() == 1
    # Failing for 5 days.
    disabled = hooks.endpoint(endpoint["id"])
    assert disabled["enabled"] is False
    assert "5 days" in disabled["disabled_reason"]
    assert {d["status"] for d in hooks.deliveries(endpoint["id"])} == {"failed"}


def test_a_success_restarts_the_5_days(slow_hooks: Hooks, target: Receiver) -> None:
    hooks = slow_hooks
    endpoint = hooks.register(target)
    target.answers = [500, 500, 200, 500, 500]
    for days in (0, 2, 1, 1, 3):
        hooks.clock.advance(days=days)
        hooks.test_event(endpoint["id"])
        assert hooks.run() == 1
    # Failing since day 4, after the success on day 3: for 3 days, not 7.
    assert hooks.endpoint(endpoint["id"])["enabled"] is True
    assert [d.answered for d in target.deliveries()] == [500, 500, 200, 500, 500]


def test_deleting_an_endpoint_stops_its_deliveries(hooks: Hooks, target: Receiver) -> None:
    endpoint = hooks.register(target)
    hooks.test_event(endpoint["id"])
    deleted = hooks.api.delete(f"/v1/webhooks/{endpoint['id']}")
    assert deleted.status_code == 200
    assert hooks.run() == 0
    assert target.deliveries() == []
    assert hooks.api.get(f"/v1/webhooks/{endpoint['id']}").status_code == 404
    assert hooks.api.get(f"/v1/webhooks/{endpoint['id']}/deliveries").status_code == 404
    assert hooks.api.delete(f"/v1/webhooks/{endpoint['id']}").status_code == 404


def test_unknown_endpoints_and_deliveries_are_404(hooks: Hooks, target: Receiver) -> None:
    endpoint = hooks.register(target)
    assert hooks.api.post("/v1/webhooks/nope/test").status_code == 404
    missing = hooks.api.post(f"/v1/webhooks/{endpoint['id']}/deliveries/nope/retry")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"url": "http://example.test/h", "events": []}, "/events"),
        ({"url": "http://example.test/h", "events": ["promise.exploded"]}, "/events/0"),
        ({"events": ["promise.held"]}, "/url"),
        ({"url": "", "events": ["promise.held"]}, "/url"),
        ({"url": "http://h.test/", "events": ["promise.held"], "secret": "mine"}, "/secret"),
        ({"url": "ftp://127.0.0.1/h", "events": ["promise.held"]}, "/url"),
        ({"url": "http:///nohost", "events": ["promise.held"]}, "/url"),
        ({"url": "http://u:p@127.0.0.1/h", "events": ["promise.held"]}, "/url"),
    ],
)
def test_invalid_endpoints_are_422(hooks: Hooks, body: dict[str, Any], pointer: str) -> None:
    response = hooks.api.post("/v1/webhooks", json=body)
    assert response.status_code == 422, response.text
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert hooks.api.get("/v1/webhooks").json()["items"] == []
