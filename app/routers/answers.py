"""Answers that services compose whole (status and body), as kept for Idempotency-Key replays."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse

from app.services.idempotency import Answer


class OrjsonResponse(JSONResponse):
    """JSON encoded by orjson: several times faster than the standard library on a check's
    answer, which is a good part of a fast check's time outside the engine."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def respond(answer: Answer) -> JSONResponse:
    return OrjsonResponse(answer.body, status_code=answer.status_code, media_type=answer.media_type)
