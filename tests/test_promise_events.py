"""Promise history and events (SPEC section 6), in process on both databases.

A real receiver verifies every webhook delivery with the `standardwebhooks` package; the relay
is driven one pass at a time under a hand-moved clock, so each step's events are delivered
before the next step and arrive in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.events import PromiseEventRow
from app.db.webhooks import WebhookDeliveryRow
from app.main import create_app
from app.schemas.events import EVENT_TYPES
from app.services import promise_events
from app.settings import Settings
from tests.keys import BOOTSTRAP_KEY, bearer
from tests.scarce_plant import AS_OF, HORIZON_DAYS, MINUTES_PER_DAY, one_unit, scarce_dataset
from tests.support.clock import Clock
from tests.support.receiver import Receiver, receiver

START = datetime.combine(AS_OF, time(9), tzinfo=UTC)


@dataclass
class World:
    api: TestClient
    clock: Clock
    target: Receiver
    crm: dict[str, str]
    admin: dict[str, str]
    crm_id: str

    def relay(self) -> int:
        relay = self.api.app.state.relay  # type: ignore[attr-defined]
        sent: int = self.api.portal.call(relay.run_once)  # type: ignore[union-attr]
        return sent

    def sweep(self) -> int:
        sweeper = self.api.app.state.sweeper  # type: ignore[attr-defined]
        marked: int = self.api.portal.call(sweeper.run_once)  # type: ignore[union-attr]
        return marked

    def promise(self, promise_id: str) -> dict[str, Any]:
        read = self.api.get(f"/v1/promises/{promise_id}", headers=self.crm)
        assert read.status_code == 200, read.text
        body: dict[str, Any] = read.json()
        return body

    def received(self, promise_id: str) -> list[dict[str, Any]]:
        got = [d for d in self.target.deliveries() if d.json["data"]["promise"]["id"] == promise_id]
        assert all(d.verified for d in got), [d.verification_error for d in got]
        return [d.json for d in got]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    settings = Settings(
        database_url=database_url,
        auth=True,
        bootstrap_key=BOOTSTRAP_KEY,
        horizon_days=HORIZON_DAYS,
        webhook_poll_seconds=0,
        expiry_sweep_seconds=0,
        webhooks_allow_private=True,
    )
    clock = Clock(START)
    with receiver(fresh=False) as target, TestClient(create_app(settings)) as api:
        api.app.state.clock = clock  # type: ignore[attr-defined]
        admin = bearer(BOOTSTRAP_KEY)
        crm_key = api.post("/v1/keys", json={"role": "crm", "name": "CRM"}, headers=admin).json()
        assert api.put("/v1/dataset", json=scarce_dataset(), headers=admin).status_code == 200
        hook = api.post(
            "/v1/webhooks", json={"url": target.url, "events": list(EVENT_TYPES)}, headers=admin
        )
        assert hook.status_code == 201, hook.text
        target.secret = hook.json()["secret"]
        yield World(api, clock, target, bearer(crm_key["key"]), admin, crm_key["id"])


def _load(world: World, ref: str, day: int) -> dict[str, Any]:
    row = {"resource": "CELL", "date": (AS_OF + timedelta(days=day)).isoformat()}
    changed = world.api.put(
        f"/v1/load/{ref}", json=row | {"minutes": MINUTES_PER_DAY}, headers=world.admin
    )
    assert changed.status_code in (200, 201), changed.text
    body: dict[str, Any] = changed.json()
    return body


def test_hold_confirm_at_risk_repromise_in_order_each_signed(world: World) -> None:
    """One unit made on day 2; the ERP books days 0 to 2 full: at risk (day 3 is the earliest
    now); re-promised for day 3."""
    held = world.api.post("/v1/promises", json=one_unit("MADE", "Q-1", day=2), headers=world.crm)
    assert held.status_code == 201, held.text
    promise = held.json()
    world.relay()
    world.clock.advance(minutes=5)
    confirmed = world.api.post(f"/v1/promises/{promise['id']}/confirm", headers=world.crm)
    assert confirmed.status_code == 200, confirmed.text
    world.relay()
    world.clock.advance(minutes=5)
    for day in (0, 1):
        assert _load(world, f"WO-{day}", day)["promises_at_risk"] == []
    assert _load(world, "WO-2", 2)["promises_at_risk"] == [promise["id"]]
    at_risk = world.promise(promise["id"])
    world.relay()
    world.clock.advance(minutes=5)
    repromised = world.api.post(f"/v1/promises/{promise['id']}/repromise", headers=world.crm)
    assert repromised.status_code == 200, repromised.text
    world.relay()

    events = world.received(promise["id"])
    assert [e["type"] for e in events] == [
        "promise.held",
        "promise.confirmed",
        "promise.at_risk",
        "promise.repromised",
    ]
    # Each carries the promise as the API showed it right after the change, and its entry.
    for event, shown in zip(
        events, [held.json(), confirmed.json(), at_risk, repromised.json()], strict=True
    ):
        assert event["data"]["promise"] == shown
        assert event["data"]["entry"] == shown["history"][-1]
        assert event["data"]["entry"]["event"] == event["type"]
    history = world.promise(promise["id"])["history"]
    assert [h["event"] for h in history] == [e["type"] for e in events]
    assert [h["by"] for h in history] == [f"crm:{world.crm_id}"] * 2 + ["system"] + [
        f"crm:{world.crm_id}"
    ]
    assert [datetime.fromisoformat(h["at"]) for h in history] == [
        START + timedelta(minutes=m) for m in (0, 5, 10, 15)
    ]
    old, new = (AS_OF + timedelta(days=2)).isoformat(), (AS_OF + timedelta(days=3)).isoformat()
    assert old in history[-1]["detail"]
    assert new in history[-1]["detail"]
    final = repromised.json()
    assert final["status"] == "confirmed"
    assert final["at_risk"] is None
    assert final["check"]["lines"][0]["promised_date"] == new


def test_release_and_each_webhook_gets_only_its_events(world: World) -> None:
    with receiver(fresh=False) as second:
        made = world.api.post(
            "/v1/webhooks",
            json={"url": second.url, "events": ["promise.released"]},
            headers=world.admin,
        )
        assert made.status_code == 201
        second.secret = made.json()["secret"]
        held = world.api.post("/v1/promises", json=one_unit("STOCKED", "Q-2"), headers=world.crm)
        promise_id = held.json()["id"]
        released = world.api.post(f"/v1/promises/{promise_id}/release", headers=world.crm)
        assert released.status_code == 200
        # Releasing again changes nothing, and announces nothing.
        again = world.api.post(f"/v1/promises/{promise_id}/release", headers=world.crm)
        assert again.status_code == 200
        assert world.relay() == 3

        assert [e["type"] for e in world.received(promise_id)] == [
            "promise.held",
            "promise.released",
        ]
        (only,) = second.deliveries()
        assert only.verified, only.verification_error
        assert only.json["type"] == "promise.released"
        assert only.json["data"]["promise"] == released.json()
    assert [h["event"] for h in world.promise(promise_id)["history"]] == [
        "promise.held",
        "promise.released",
    ]


def test_a_rolled_back_change_announces_nothing(
    world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hold is written, its event too, then the request fails: nothing of it remains, and
    nothing goes out."""
    real = promise_events.announce

    def announce_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        msg = "forced failure after the write"
        raise RuntimeError(msg)

    monkeypatch.setattr(promise_events, "announce", announce_then_fail)
    failing = TestClient(world.api.app, raise_server_exceptions=False)
    answer = failing.post("/v1/promises", json=one_unit("STOCKED", "Q-3"), headers=world.crm)
    assert answer.status_code == 500

    monkeypatch.undo()
    assert world.relay() == 0
    assert world.target.deliveries() == []
    assert session.scalar(select(func.count()).select_from(PromiseEventRow)) == 0
    assert session.scalar(select(func.count()).select_from(WebhookDeliveryRow)) == 0
    assert world.api.get("/v1/promises", headers=world.crm).json()["items"] == []


def test_expiry_is_marked_and_announced_once(world: World) -> None:
    held = world.api.post(
        "/v1/promises", json=one_unit("STOCKED", "Q-4") | {"hold_minutes": 30}, headers=world.crm
    )
    promise_id = held.json()["id"]
    world.clock.advance(minutes=29)
    assert world.sweep() == 0
    world.clock.advance(minutes=1)
    assert world.sweep() == 1
    assert world.sweep() == 0
    # A hold made later sweeps first too: still nothing more to mark.
    assert world.api.post("/v1/promises", json=one_unit("STOCKED", "Q-5"), headers=world.crm)
    world.relay()

    expired = [e for e in world.received(promise_id) if e["type"] == "promise.expired"]
    assert len(expired) == 1
    entry = expired[0]["data"]["entry"]
    assert entry["by"] == "system"
    assert datetime.fromisoformat(entry["at"]) == START + timedelta(minutes=30)
    shown = world.promise(promise_id)
    assert shown["status"] == "expired"
    assert shown["reservations"] == {"stock": [], "capacity": []}
    assert [h["event"] for h in shown["history"]] == ["promise.held", "promise.expired"]


def test_repromise_refusals(world: World) -> None:
    held = world.api.post("/v1/promises", json=one_unit("STOCKED", "Q-6"), headers=world.crm)
    promise_id = held.json()["id"]
    # A hold is not a confirmed promise at risk.
    refused = world.api.post(f"/v1/promises/{promise_id}/repromise", headers=world.crm)
    assert refused.status_code == 409
    world.api.post(f"/v1/promises/{promise_id}/confirm", headers=world.crm)
    # Confirmed but not at risk: nothing to re-promise.
    assert (
        world.api.post(f"/v1/promises/{promise_id}/repromise", headers=world.crm).status_code == 409
    )
    # STOCKED can never be re-ordered: with no stock left there is no date at all.
    gone = world.api.put("/v1/inventory/STOCKED", json={"on_hand": 0}, headers=world.admin)
    assert gone.json()["promises_at_risk"] == [promise_id]
    before = world.promise(promise_id)
    refused = world.api.post(f"/v1/promises/{promise_id}/repromise", headers=world.crm)
    assert refused.status_code == 409
    body = refused.json()
    assert body["check"]["status"] == "infeasible"
    after = world.promise(promise_id)
    assert after == before  # nothing changed, nothing announced
    assert world.api.post("/v1/promises/nope/repromise", headers=world.crm).status_code == 404
