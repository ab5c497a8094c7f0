"""API keys over HTTP (admin only): create, list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth import ADMIN, require
from app.deps import ClockDep, SessionDep
from app.schemas.keys import KeyCreate, KeyCreated, KeyList, KeyOut
from app.schemas.problem import problem_responses
from app.services.keys import create_key, list_api_keys, revoke_key

router = APIRouter(prefix="/v1/keys", tags=["keys"], dependencies=[require(ADMIN)])


@router.post(
    "",
    operation_id="create_key",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyCreated,
    responses=problem_responses(422),
)
def post_key(body: KeyCreate, session: SessionDep, clock: ClockDep) -> KeyCreated:
    """Create an API key. The answer is the only time the key is shown; keep it."""
    return create_key(session, role=body.role, name=body.name, now=clock())


@router.get("", operation_id="list_keys", response_model=KeyList)
def get_keys(session: SessionDep) -> KeyList:
    """Every key, revoked ones too, without the keys themselves."""
    return list_api_keys(session)


@router.delete(
    "/{key_id}", operation_id="revoke_key", response_model=KeyOut, responses=problem_responses(404)
)
def delete_key(key_id: str, session: SessionDep, clock: ClockDep) -> KeyOut:
    """Revoke a key: it is refused from the next request on (idempotent)."""
    return revoke_key(session, key_id, clock())
