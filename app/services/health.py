"""Readiness: the database answers and its schema is at the newest migration."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.db.migrate import current_revision, head_revision
from app.errors import SchemaBehind, ServiceUnavailable


def check_ready(session: Session) -> None:
    try:
        behind = _schema_behind(session)
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(f"the database does not answer: {type(exc).__name__}") from exc
    if behind:
        raise SchemaBehind(behind)


def database_unavailable(session: Session, error: SQLAlchemyError) -> ServiceUnavailable:
    """The 503 for a database error that a request or a command ran into.

    `session` is a fresh one: the failed transaction may be aborted. A schema that is missing or
    behind is SchemaBehind, worded as /readyz words it ("run `orderpromise migrate`"); any other
    database error is "database unavailable".
    """
    try:
        behind = _schema_behind(session)
    except SQLAlchemyError:
        behind = None
    if behind:
        return SchemaBehind(behind)
    return ServiceUnavailable(f"database unavailable ({type(error).__name__}); try again later")


def _schema_behind(session: Session) -> str | None:
    """What to do when the schema is not at the newest migration; None when it is."""
    current = current_revision(session.connection())
    head = head_revision()
    if current == head:
        return None
    return (
        f"the database schema is at revision {current or 'none'}, expected {head}: "
        "run `orderpromise migrate`"
    )
