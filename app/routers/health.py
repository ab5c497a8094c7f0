"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import SessionDep
from app.schemas.problem import problem_responses
from app.services.health import check_ready

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses=problem_responses(503))
def readyz(session: SessionDep) -> dict[str, str]:
    """The database answers and the migrations are applied."""
    check_ready(session)
    return {"status": "ok"}
