"""The planning state is built once per data version, not per request."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

import app.services.checks as checks_service
import app.services.planning_cache as cache_module
from app.solver.document import plant_from_document
from app.solver.plant import CapacityUse, Reservations, StockMove
from app.solver.state import PlanningState
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


def test_the_state_with_reservations_is_reused_for_the_same_reservations_object() -> None:
    """Found by identity (the reservations cache hands out one object while nothing changes);
    an equal object taken again gives the same state, other reservations another one."""
    cache = cache_module.PlanningCache()
    plant = plant_from_document(golden_dataset())
    assert cache.plant("db", 1, lambda: plant) is plant
    as_of, horizon = date(2026, 12, 1), 30
    base = cache.state("db", 1, plant, as_of, horizon)
    held = Reservations(stock=(StockMove("WHEEL", 3, as_of),))

    def reserved(reservations: Reservations, version: int = 1) -> PlanningState:
        return cache.reserved_state("db", version, plant, as_of, horizon, reservations=reservations)

    first = reserved(held)
    assert reserved(held) is first
    expected = base.with_reservations(held)
    assert first.stock_atp("WHEEL", 0) == expected.stock_atp("WHEEL", 0)
    assert first.stock_atp("WHEEL", 0) == base.stock_atp("WHEEL", 0) - 3

    equal = Reservations(stock=(StockMove("WHEEL", 3, as_of),))
    again = reserved(equal)
    assert again is not first
    assert again.stock_atp("WHEEL", 0) == first.stock_atp("WHEEL", 0)
    other = reserved(Reservations(stock=(StockMove("WHEEL", 5, as_of),)))
    assert other.stock_atp("WHEEL", 0) == base.stock_atp("WHEEL", 0) - 5
    assert reserved(Reservations()).stock_atp("WHEEL", 0) == base.stock_atp("WHEEL", 0)
    # Another data version is never answered from this one's states.
    assert reserved(held, version=2) is not first


def test_a_state_made_from_the_kept_one_with_what_was_added_is_the_state_made_afresh() -> None:
    """Reservations the reservations cache made by adding what its links added (``lineage``):
    the state kept for the sums they came from takes what was added, and that is the state
    built from scratch with all of them, array for array."""
    cache = cache_module.PlanningCache()
    plant = plant_from_document(golden_dataset())
    assert cache.plant("db", 1, lambda: plant) is plant
    as_of, horizon = date(2026, 12, 1), 30
    resource = sorted(plant.resources)[0]
    before = Reservations(
        stock=(StockMove("WHEEL", 3, as_of),),
        capacity=(CapacityUse(resource, as_of, 30),),
    )
    added = Reservations(
        stock=(StockMove("WHEEL", 2, as_of), StockMove("FRAME", 1, date(2026, 12, 3))),
        capacity=(CapacityUse(resource, as_of, 45), CapacityUse(resource, date(2026, 12, 2), 600)),
    )
    now = Reservations(before.stock + added.stock, before.capacity + added.capacity)
    kept = cache.reserved_state("db", 1, plant, as_of, horizon, reservations=before)
    made = cache.reserved_state(
        "db", 1, plant, as_of, horizon, reservations=now, lineage=(before, added)
    )
    afresh = cache.state("db", 1, plant, as_of, horizon).with_reservations(now)
    assert made is not kept
    for name in ("free", "net", "projected", "atp"):
        ours, theirs = getattr(made, name), getattr(afresh, name)
        assert ours.keys() == theirs.keys()
        for key in ours:
            assert (ours[key] == theirs[key]).all(), (name, key)
    assert made.free[resource][0] == kept.free[resource][0] - 45
    # A lineage from sums the cache does not keep is not used: built afresh, the same.
    other = cache.reserved_state(
        "db", 1, plant, as_of, horizon, reservations=before, lineage=(Reservations(), before)
    )
    assert other.stock_atp("WHEEL", 0) == kept.stock_atp("WHEEL", 0)
