"""Prometheus metrics (public, like the health probes: nothing in them is a secret)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.deps import ClockDep, SessionDep
from app.metrics import CONTENT_TYPE
from app.services.metrics import metrics_text

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
def get_metrics(session: SessionDep, clock: ClockDep) -> Response:
    """Requests and latency by route, checks by outcome, solver time, promises by status."""
    return Response(metrics_text(session, clock()), media_type=CONTENT_TYPE)
