"""GET /v1/events: the events as they commit, one SSE message each with its id, resumed with
Last-Event-ID; on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.main import create_app
from app.services.events import announce
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


def _promise(api: TestClient) -> str:
    held = api.post("/v1/promises", json=check_request())
    assert held.status_code == 201, held.text
    promise_id: str = held.json()["id"]
    return promise_id


def _announce(session: Session, promise_id: str, detail: str) -> None:
    announce(
        session,
        promise_id,
        "promise.at_risk",
        by="system",
        detail=detail,
        at=NOW,
        shape=lambda: {"id": promise_id},
    )
    session.commit()


def test_events_stream_as_they_commit_and_resume(api: TestClient, session: Session) -> None:
    promise_id = _promise(api)
    with open_stream(api, "/v1/events") as stream:
        _announce(session, promise_id, "first")
        _announce(session, promise_id, "second")
        first, second = stream.next_event(), stream.next_event()

    assert (first.event, second.event) == ("promise.at_risk", "promise.at_risk")
    assert first.id is not None
    assert second.id is not None
    assert int(second.id) > int(first.id)
    body = json.loads(first.data)
    assert body["type"] == "promise.at_risk"
    assert body["data"]["entry"]["detail"] == "first"
    assert body["data"]["promise"] == {"id": promise_id}
    assert json.loads(second.data)["data"]["entry"]["detail"] == "second"

    # Resumed after the first: the second comes again, then what committed since.
    with open_stream(api, "/v1/events", headers={"Last-Event-ID": first.id}) as stream:
        again = stream.next_event()
        _announce(session, promise_id, "third")
        third = stream.next_event()
    assert (again.id, again.data) == (second.id, second.data)
    assert json.loads(third.data)["data"]["entry"]["detail"] == "third"


def test_a_new_stream_starts_with_the_next_event(api: TestClient, session: Session) -> None:
    promise_id = _promise(api)
    _announce(session, promise_id, "before")
    with open_stream(api, "/v1/events") as stream:
        _announce(session, promise_id, "after")
        assert json.loads(stream.next_event().data)["data"]["entry"]["detail"] == "after"


@pytest.mark.parametrize("value", ["x", "-1", "1.5"])
def test_a_bad_last_event_id_is_422(api: TestClient, value: str) -> None:
    response = api.get("/v1/events", headers={"Last-Event-ID": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/header/Last-Event-ID"
