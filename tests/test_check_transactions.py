"""A check solves outside any write transaction: checks never wait for each other's solves, and
the answer is still stored before the client sees its 201.

The interleaving is forced: the first check is held inside its solve (an event), the second is
sent and must be answered and stored meanwhile. On SQLite a check that held the write lock
through its solve (BEGIN IMMEDIATE for the whole request) made the second one wait for the lock
until its busy timeout, and fail.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import CheckRow
from app.services import checks
from tests.factories import check_request, golden_dataset

# Only a safety net against a hang: no result depends on it.
STUCK_SECONDS = 120


def test_a_check_is_answered_while_another_one_is_solving(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    solving, go_on = threading.Event(), threading.Event()
    solve = checks.solve_quote

    def held(state: Any, request: Any, settings: Any, **kwargs: Any) -> Any:
        if request.quote_ref == "HELD":
            solving.set()
            go_on.wait(STUCK_SECONDS)
        return solve(state, request, settings, **kwargs)

    monkeypatch.setattr(checks, "solve_quote", held)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, "/v1/checks", json=check_request(quote_ref="HELD"))
        assert solving.wait(STUCK_SECONDS)
        second = client.post("/v1/checks", json=check_request(quote_ref="FREE"))
        still_solving = not first.done()
        go_on.set()
        assert second.status_code == 201
        assert still_solving
        assert first.result().status_code == 201
    stored = session.scalars(select(CheckRow.quote_ref).order_by(CheckRow.created_at)).all()
    assert sorted(stored) == ["FREE", "HELD"]
