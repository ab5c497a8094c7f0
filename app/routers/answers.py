"""Answers that services compose whole (status and body), as kept for Idempotency-Key replays."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from app.services.idempotency import Answer


def respond(answer: Answer) -> JSONResponse:
    return JSONResponse(answer.body, status_code=answer.status_code, media_type=answer.media_type)
