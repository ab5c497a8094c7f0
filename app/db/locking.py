"""Serialising the writers that take stock and capacity (holds, confirms, planning changes).

PostgreSQL: a transaction-scoped advisory lock on one key per site. Unlike ``SELECT ... FOR
UPDATE`` it needs no row to exist, and it is released by the commit or rollback that ends the
transaction, so a crashed process never leaves it behind. Under READ COMMITTED every statement
after the lock sees everything the previous holder committed.

SQLite: every writing request runs in a ``BEGIN IMMEDIATE`` transaction (see
``app.deps.get_session``), which takes SQLite's single write lock before the first read, so
the same re-read, solve and reserve sequence is serialised there too. A ``reads_first`` route
(a check, a hold) reads in a plain transaction first and takes the write lock in
``app.db.engine.begin_writing``, before it calls ``lock_reservations``.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

# One site: one lock. (A second site would get its own key.)
RESERVATIONS_LOCK_KEY = 0x6F70_5F72_6573_7276  # "op_resrv"


def lock_reservations(session: Session) -> None:
    """Block until no other transaction can change what is reserved, until this one ends."""
    _advisory_xact_lock(session, RESERVATIONS_LOCK_KEY)


def lock_idempotency_key(session: Session, key: str) -> None:
    """Racing retries of one Idempotency-Key wait for each other, whatever process they hit."""
    digest = hashlib.sha256(key.encode()).digest()
    _advisory_xact_lock(session, int.from_bytes(digest[:8], "big", signed=True))


def _advisory_xact_lock(session: Session, key: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(key)))
    # SQLite: the writing transaction already holds the database's write lock.
