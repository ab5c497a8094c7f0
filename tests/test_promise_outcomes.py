"""The promise services answer in domain terms: a promise, or a refusal carrying its check.
Status codes and problem bodies are the HTTP edge's (app.routers.answers)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.schemas.promise import PromiseOut
from app.services.outcomes import Refusal
from app.services.promises import PromiseContext, confirm, hold
from app.settings import Settings
from tests.factories import check_request, golden_dataset
from tests.support.clock import Clock


def test_hold_returns_a_promise_or_a_refusal_with_its_check(
    client: TestClient, session: Session, settings: Settings
) -> None:
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    ctx = PromiseContext(session, settings, Clock(datetime(2026, 11, 25, 9, tzinfo=UTC)), "system")
    # More FRAME than there is before a purchase could arrive, held only as requested.
    late = check_request(line={"sku": "FRAME", "qty": 1000, "requested_date": "2026-12-02"})

    refused = hold(ctx, late | {"mode": "requested_only"})

    assert isinstance(refused, Refusal)
    assert refused.check.status == "counter_proposal"
    assert "mode requested_only" in refused.detail

    held = hold(ctx, check_request())
    assert isinstance(held, PromiseOut)
    assert held.status == "held"
    confirmed = confirm(ctx, held.id)
    assert isinstance(confirmed, PromiseOut)
    assert confirmed.status == "confirmed"
    session.rollback()
