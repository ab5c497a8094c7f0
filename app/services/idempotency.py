"""Idempotency-Key on POST: a retry with the same key and body gets the first answer again.

The first answer (a 201, or a 409 that holds nothing) is stored in the same transaction as the
work it answers, so either both are there or neither is. Retries racing on different processes
wait for each other on a lock keyed by the key, and the second one finds the first's answer.
What an answer looks like is the HTTP edge's business (``app.routers.answers``); this keeps it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.engine import begin_writing
from app.db.idempotency import claim_key, store_answer
from app.errors import FieldError, Invalid


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: dict[str, Any]


def replay(session: Session, key: str, *, target: str, body: Any) -> StoredAnswer | None:
    """The first answer given under ``key``, None if there is none yet (the key is then ours
    until the transaction ends); Invalid when the key was used for another request."""
    # The key's stored answer is read and written in one writing transaction, as holds do.
    begin_writing(session)
    stored = claim_key(session, key)
    if stored is None:
        return None
    if stored.body_sha256 != _digest(target, body):
        raise Invalid(
            "this Idempotency-Key was used with another request",
            [FieldError("", "this Idempotency-Key belongs to a different request body")],
        )
    return StoredAnswer(stored.status_code, stored.answer)


def remember(
    session: Session, key: str, *, target: str, body: Any, answer: StoredAnswer, now: datetime
) -> None:
    """Keep ``answer`` for the retries of ``key``, in the transaction of the work it answers."""
    store_answer(
        session,
        key,
        target=target,
        body_sha256=_digest(target, body),
        status_code=answer.status_code,
        answer=answer.body,
        created_at=now,
    )


def _digest(target: str, body: Any) -> str:
    # Decimal numbers of the raw JSON body are hashed as their text: 6.50 and 6.5 differ.
    text = json.dumps([target, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
