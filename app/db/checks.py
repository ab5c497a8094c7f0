"""Stored checks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.models import CheckRow


def add_check(
    session: Session,
    *,
    check_id: str,
    quote_ref: str,
    customer: str,
    as_of: date,
    status: str,
    created_at: datetime,
    request: dict[str, Any],
    result: dict[str, Any],
) -> None:
    session.add(
        CheckRow(
            id=check_id,
            quote_ref=quote_ref,
            customer=customer,
            as_of=as_of,
            status=status,
            created_at=created_at,
            request=request,
            result=result,
        )
    )
    session.flush()


def get_check(session: Session, check_id: str) -> CheckRow | None:
    return session.get(CheckRow, check_id)
