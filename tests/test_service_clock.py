"""Every service reads "today" from the service clock, never the wall clock: tests move it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.factories import golden_dataset

# Far from the wall clock, and past midnight UTC but not yet in the zone's next day.
MOVED = datetime(2031, 3, 4, 23, 30, tzinfo=UTC)


@pytest.fixture
def moved(client: TestClient) -> TestClient:
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    client.app.state.clock = lambda: MOVED  # type: ignore[attr-defined]
    return client


def test_the_capacity_view_starts_on_the_service_clocks_today(moved: TestClient) -> None:
    response = moved.get("/v1/capacity", params={"days": 3})
    assert response.status_code == 200, response.text
    assert response.json()["first"] == "2031-03-04"


def test_the_stats_period_ends_on_the_service_clocks_today(moved: TestClient) -> None:
    response = moved.get("/v1/stats")
    assert response.status_code == 200, response.text
    assert response.json()["until"] == "2031-03-04"
