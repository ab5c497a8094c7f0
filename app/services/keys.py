"""API keys: create, list, revoke, and authenticate a request's bearer key.

A key reads ``opk_<id>_<secret>``: the id is public (it names the key in lists and in
``DELETE /v1/keys/{id}``), the secret is ``secrets.token_urlsafe(32)``. Only the SHA-256 of the
whole key is stored; a presented key is looked up by its id and its hash compared in constant
time. A plain hash is enough: the secret has 256 bits of entropy, nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.db.keys import ApiKeyRow, add_key, get_key, list_keys
from app.db.promises import as_utc
from app.errors import NotFound, Unauthorized
from app.schemas.keys import ROLES, KeyCreated, KeyList, KeyOut, Role
from app.settings import Settings

KEY_PREFIX = "opk"
_KEY_PATTERN = re.compile(r"opk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}")
# Compared against when the key id is unknown, so that both failures cost the same.
_NO_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling. ``role`` is None only when authentication is off (PROMISE_AUTH=off)."""

    key_id: str | None
    role: Role | None
    name: str


ANONYMOUS = Caller(key_id=None, role=None, name="anonymous (authentication off)")
BOOTSTRAP = Caller(key_id="bootstrap", role="admin", name="PROMISE_BOOTSTRAP_KEY")


def create_key(session: Session, *, role: Role, name: str, now: datetime) -> KeyCreated:
    key_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    row = ApiKeyRow(
        id=key_id, key_sha256=_sha256(key), role=role, name=name, created_at=now, revoked_at=None
    )
    add_key(session, row)
    return KeyCreated(id=key_id, key=key, role=role, name=name, created_at=now)


def list_api_keys(session: Session) -> KeyList:
    return KeyList(items=[_out(row) for row in list_keys(session)])


def revoke_key(session: Session, key_id: str, now: datetime) -> KeyOut:
    """Revoke a key; it is refused from the next request on. Revoking twice changes nothing."""
    row = get_key(session, key_id)
    if row is None:
        raise NotFound(f"no API key with id {key_id}")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return _out(row)


def authenticate(session: Session, settings: Settings, key: str | None) -> Caller:
    """The caller a bearer key stands for, or Unauthorized. Everyone is let in with auth off."""
    if not settings.auth:
        return ANONYMOUS
    if not key:
        raise Unauthorized("an API key is required: send `Authorization: Bearer <key>`")
    bootstrap = settings.bootstrap_key.get_secret_value() if settings.bootstrap_key else ""
    if bootstrap and hmac.compare_digest(_sha256(key), _sha256(bootstrap)):
        return BOOTSTRAP
    match = _KEY_PATTERN.fullmatch(key)
    row = get_key(session, match.group(1)) if match else None
    valid = hmac.compare_digest(row.key_sha256 if row else _NO_HASH, _sha256(key))
    if row is None or not valid:
        raise Unauthorized("the API key is not valid", invalid_token=True)
    if row.revoked_at is not None:
        raise Unauthorized(f"the API key {row.id} was revoked", invalid_token=True)
    return Caller(key_id=row.id, role=_role(row.role), name=row.name)


def _role(value: str) -> Role:
    if value not in ROLES:
        msg = f"unknown role {value!r} stored for an API key"
        raise ValueError(msg)
    return value


def _out(row: ApiKeyRow) -> KeyOut:
    return KeyOut(
        id=row.id,
        role=_role(row.role),
        name=row.name,
        created_at=as_utc(row.created_at),
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
