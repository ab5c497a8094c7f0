"""Idempotency-Key on POST: a retry with the same key and body gets the first answer again.

The first answer (a 201, or a 409 that holds nothing) is stored in the same transaction as the
work it answers, so either both are there or neither is. Retries racing on different processes
wait for each other on a lock keyed by the key, and the second one finds the first's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.locking import lock_idempotency_key
from app.db.promises import IdempotentAnswerRow
from app.errors import FieldError, Invalid


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    media_type: str = "application/json"


def answer_once(
    session: Session,
    key: str | None,
    *,
    target: str,
    body: Any,
    now: datetime,
    work: Callable[[], Answer],
) -> Answer:
    """Run ``work`` unless an answer for ``key`` exists; remember the answer under the key."""
    if key is None:
        return work()
    lock_idempotency_key(session, key)
    digest = hashlib.sha256(
        json.dumps([target, body], sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    stored = session.get(IdempotentAnswerRow, key)
    if stored is not None:
        if stored.body_sha256 != digest:
            raise Invalid(
                "this Idempotency-Key was used with another request",
                [FieldError("", "this Idempotency-Key belongs to a different request body")],
            )
        return Answer(stored.status_code, stored.answer, _media_type(stored.status_code))
    answer = work()
    session.add(
        IdempotentAnswerRow(
            key=key,
            target=target,
            body_sha256=digest,
            status_code=answer.status_code,
            answer=answer.body,
            created_at=now,
        )
    )
    return answer


def _media_type(status_code: int) -> str:
    return "application/json" if status_code < 400 else "application/problem+json"
