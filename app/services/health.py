"""Readiness: the database answers and its schema is at the newest migration."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.db.migrate import current_revision, head_revision
from app.errors import ServiceUnavailable


def check_ready(session: Session) -> None:
    try:
        current = current_revision(session.connection())
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(f"the database does not answer: {type(exc).__name__}") from exc
    head = head_revision()
    if current != head:
        raise ServiceUnavailable(
            f"the database schema is at revision {current or 'none'}, expected {head}: "
            "run `orderpromise migrate`"
        )
