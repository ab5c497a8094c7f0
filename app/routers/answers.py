"""The one place where an Idempotency-Key answer is given, stored and replayed.

A POST's service returns a domain outcome (the resource made or changed, or a refusal that
carries its check); this shapes it into the HTTP answer and, under an Idempotency-Key, keeps
that answer for the retries (app.services.idempotency), in the same transaction as the work.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.deps import SessionDep
from app.errors import Conflict, problem_body
from app.schemas.problem import PROBLEM_MEDIA_TYPE
from app.services import idempotency
from app.services.outcomes import Refusal, StoredCheck

Outcome = BaseModel | Refusal | StoredCheck


class OrjsonResponse(JSONResponse):
    """JSON encoded by orjson: several times faster than the standard library on a check's
    answer, which is a good part of a fast check's time outside the engine."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def answer_once(
    session: SessionDep,
    key: str | None,
    *,
    target: str,
    body: Any,
    now: Callable[[], datetime],
    status_code: int,
    work: Callable[[], Outcome],
) -> JSONResponse:
    """Run ``work`` and answer ``status_code`` with its outcome (409 for a refusal), unless
    ``key`` already has an answer: then that one again, and nothing is done."""
    if key is not None:
        stored = idempotency.replay(session, key, target=target, body=body)
        if stored is not None:
            return _response(stored)
    answer = _answer(work(), status_code)
    if key is not None:
        idempotency.remember(session, key, target=target, body=body, answer=answer, now=now())
    return _response(answer)


def _answer(outcome: Outcome, status_code: int) -> idempotency.StoredAnswer:
    if isinstance(outcome, Refusal):
        body = problem_body(
            Conflict.status,
            slug=Conflict.slug,
            title=Conflict.title,
            detail=outcome.detail,
            extra={"check": outcome.check.model_dump(mode="json")},
        )
        return idempotency.StoredAnswer(Conflict.status, body)
    if isinstance(outcome, StoredCheck):
        return idempotency.StoredAnswer(status_code, outcome.body)  # dumped once, as stored
    return idempotency.StoredAnswer(status_code, outcome.model_dump(mode="json"))


def _response(answer: idempotency.StoredAnswer) -> JSONResponse:
    media_type = "application/json" if answer.status_code < 400 else PROBLEM_MEDIA_TYPE
    return OrjsonResponse(answer.body, status_code=answer.status_code, media_type=media_type)
