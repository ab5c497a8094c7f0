"""Stored first answers to POSTs carrying an Idempotency-Key (the rows of app.db.promises)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.locking import lock_idempotency_key
from app.db.promises import IdempotentAnswerRow


def claim_key(session: Session, key: str) -> IdempotentAnswerRow | None:
    """Wait for any other transaction using ``key``, then its stored answer if there is one."""
    lock_idempotency_key(session, key)
    return session.get(IdempotentAnswerRow, key)


def store_answer(
    session: Session,
    key: str,
    *,
    target: str,
    body_sha256: str,
    status_code: int,
    answer: dict[str, Any],
    created_at: datetime,
) -> None:
    session.add(
        IdempotentAnswerRow(
            key=key,
            target=target,
            body_sha256=body_sha256,
            status_code=status_code,
            answer=answer,
            created_at=created_at,
        )
    )
