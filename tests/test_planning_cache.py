"""The planning state is built once per data version, not per request."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

import app.services.checks as checks_service
import app.services.planning_cache as cache_module
from tests.factories import check_request, golden_dataset


def test_state_is_reused_until_the_data_changes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"load": 0, "build": 0}
    real_load = checks_service.load_plant
    real_build = cache_module.PlanningState.build

    def counting_load(session: Any) -> Any:
        calls["load"] += 1
        return real_load(session)

    def counting_build(plant: Any, as_of: Any, horizon: int) -> Any:
        calls["build"] += 1
        return real_build(plant, as_of, horizon)

    monkeypatch.setattr(checks_service, "load_plant", counting_load)
    monkeypatch.setattr(cache_module.PlanningState, "build", counting_build)

    client.put("/v1/dataset", json=golden_dataset())
    for _ in range(3):
        assert client.post("/v1/checks", json=check_request()).status_code == 201
    assert calls == {"load": 1, "build": 1}

    other_day = check_request(as_of="2026-12-02")
    assert client.post("/v1/checks", json=other_day).status_code == 201
    assert calls == {"load": 1, "build": 2}

    client.put("/v1/dataset", json=golden_dataset())
    assert client.post("/v1/checks", json=check_request()).status_code == 201
    assert calls == {"load": 2, "build": 3}
