"""GET /v1/events: the promise events as they commit, one SSE message each with its id, resumed
with Last-Event-ID; on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.factories import check_request, golden_dataset
from tests.support.clock import Clock
from tests.support.sse import open_stream

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url, auth=False))) as client:
        client.app.state.clock = Clock(NOW)  # type: ignore[attr-defined]
        assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
        yield client


def _hold(api: TestClient, quote_ref: str) -> dict[str, Any]:
    held = api.post("/v1/promises", json=check_request(quote_ref=quote_ref))
    assert held.status_code == 201, held.text
    body: dict[str, Any] = held.json()
    return body


def test_events_stream_as_they_commit_and_resume(api: TestClient) -> None:
    with open_stream(api, "/v1/events") as stream:
        held = _hold(api, "Q-1")
        released = api.post(f"/v1/promises/{held['id']}/release").json()
        first, second = stream.next_event(), stream.next_event()

    assert (first.event, second.event) == ("promise.held", "promise.released")
    assert first.id is not None
    assert second.id is not None
    assert int(second.id) > int(first.id)
    body = json.loads(first.data)
    assert body["type"] == "promise.held"
    assert body["data"]["promise"] == held
    assert body["data"]["entry"] == held["history"][-1]
    assert json.loads(second.data)["data"]["promise"] == released

    # Resumed after the first: the second comes again, then what committed since.
    with open_stream(api, "/v1/events", headers={"Last-Event-ID": first.id}) as stream:
        again = stream.next_event()
        third = _hold(api, "Q-2")
        after = stream.next_event()
    assert (again.id, again.data) == (second.id, second.data)
    assert json.loads(after.data)["data"]["promise"]["id"] == third["id"]


def test_a_new_stream_starts_with_the_next_event(api: TestClient) -> None:
    _hold(api, "Q-before")
    with open_stream(api, "/v1/events") as stream:
        after = _hold(api, "Q-after")
        assert json.loads(stream.next_event().data)["data"]["promise"]["id"] == after["id"]


def test_a_refused_hold_announces_nothing(api: TestClient) -> None:
    with open_stream(api, "/v1/events") as stream:
        refused = api.post(
            "/v1/promises",
            json=check_request(line={"sku": "FRAME", "qty": 1000, "requested_date": "2026-12-02"})
            | {"mode": "requested_only"},
        )
        assert refused.status_code == 409
        held = _hold(api, "Q-next")
        # The next event is the next hold's: the refusal wrote none.
        assert json.loads(stream.next_event().data)["data"]["promise"]["id"] == held["id"]


@pytest.mark.parametrize("value", ["x", "-1", "1.5"])
def test_a_bad_last_event_id_is_422(api: TestClient, value: str) -> None:
    response = api.get("/v1/events", headers={"Last-Event-ID": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/header/Last-Event-ID"
