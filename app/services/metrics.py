"""GET /metrics: the process's metrics and the promise counts of the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.db.risk import promise_counts
from app.metrics import render


def metrics_text(session: Session, now: datetime) -> bytes:
    counts, at_risk = promise_counts(session, now)
    return render(counts, at_risk)
