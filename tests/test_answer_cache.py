"""The answer cache is exact: the same check on the same data and reservations is answered
without the engine, and any change of either is solved afresh (on both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.services import checks, promises
from app.services.answer_cache import answer_cache
from app.settings import Settings
from tests.scarce_plant import AS_OF, HORIZON_DAYS, STOCK_UNITS, one_unit, scarce_dataset
from tests.support.clock import Clock


@pytest.fixture
def api(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, list[str]]]:
    answer_cache.clear()
    solved: list[str] = []
    solve = checks.solve_quote

    def counted(state: Any, request: Any, settings: Any, **kwargs: Any) -> Any:
        solved.append(request.quote_ref)
        return solve(state, request, settings, **kwargs)

    explain = promises.explain

    def explained(planned: Any, settings: Any, **kwargs: Any) -> Any:
        solved.append("a hold explained")
        return explain(planned, settings, **kwargs)

    monkeypatch.setattr(checks, "solve_quote", counted)
    monkeypatch.setattr(promises, "explain", explained)
    settings = Settings(database_url=database_url, auth=False, horizon_days=HORIZON_DAYS)
    with TestClient(create_app(settings)) as client:
        client.app.state.clock = Clock(datetime.combine(AS_OF, time(9), tzinfo=UTC))  # type: ignore[attr-defined]
        assert client.put("/v1/dataset", json=scarce_dataset()).status_code == 200
        yield client, solved
    answer_cache.clear()


def _check(client: TestClient, quote_ref: str, qty: int) -> dict[str, Any]:
    body = one_unit("STOCKED", quote_ref)
    body["lines"][0]["qty"] = qty
    response = client.post("/v1/checks", json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _same_answer(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def core(answer: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in answer.items() if k not in {"id", "quote_ref", "created_at"}}

    return core(a) == core(b)


def test_a_repeated_check_is_answered_from_the_cache(api: tuple[TestClient, list[str]]) -> None:
    client, solved = api
    first = _check(client, "Q-1", STOCK_UNITS)
    again = _check(client, "Q-1 again", STOCK_UNITS)
    assert solved == ["Q-1"]
    assert _same_answer(first, again)
    assert first["id"] != again["id"]  # both stored, each its own check
    _check(client, "Q-other", STOCK_UNITS - 1)
    assert solved == ["Q-1", "Q-other"]


def test_a_hold_or_a_data_change_is_solved_afresh(api: tuple[TestClient, list[str]]) -> None:
    client, solved = api
    before = _check(client, "Q-1", STOCK_UNITS)
    assert before["status"] == "feasible"
    hold = one_unit("STOCKED", "Q-hold")
    assert client.post("/v1/promises", json=hold).status_code == 201
    after_hold = _check(client, "Q-2", STOCK_UNITS)
    assert after_hold["lines"][0]["qty_on_requested_date"] == STOCK_UNITS - 1
    changed = client.put("/v1/inventory/STOCKED", json={"on_hand": 0})
    assert changed.status_code == 200, changed.text
    after_change = _check(client, "Q-3", STOCK_UNITS)
    assert after_change["lines"][0]["qty_on_requested_date"] == 0
    assert solved == ["Q-1", "a hold explained", "Q-2", "Q-3"]


def test_a_hold_of_a_quote_just_checked_takes_the_kept_answer(
    api: tuple[TestClient, list[str]],
) -> None:
    client, solved = api
    checked = _check(client, "Q-1", 2)
    body = one_unit("STOCKED", "Q-1 held")
    body["lines"][0]["qty"] = 2
    held = client.post("/v1/promises", json=body)
    assert held.status_code == 201, held.text
    assert solved == ["Q-1"]  # planned, but neither solved nor explained again
    assert _same_answer(held.json()["check"], checked)
    again = client.post("/v1/promises", json=body | {"quote_ref": "Q-1 held again"})
    assert again.status_code == 201, again.text
    assert solved == ["Q-1", "a hold explained"]  # the first hold changed the state
