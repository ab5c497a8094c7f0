"""Writes of planning data: replace everything, bump the data version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from app.db.base import Base
from app.db.locking import lock_reservations
from app.db.models import PLANNING_TABLES_DELETE_ORDER, DataVersionRow
from app.db.queries import DATA_VERSION_ROW_ID, get_data_version


def replace_planning_data(
    session: Session, rows: Mapping[type[Base], Sequence[dict[str, Any]]]
) -> int:
    """Delete all planning rows, insert `rows` (parents first), return the new data version."""
    lock_reservations(session)
    for model in PLANNING_TABLES_DELETE_ORDER:
        session.execute(delete(model))
    for model in reversed(PLANNING_TABLES_DELETE_ORDER):
        values = rows.get(model, ())
        if values:
            session.execute(insert(model), list(values))
    return bump_data_version(session)


def bump_data_version(session: Session) -> int:
    # Planning changes and holds never interleave: a hold solves on the data it commits with.
    lock_reservations(session)
    # The UPDATE takes the row lock: concurrent writers of planning data serialise here.
    session.execute(
        update(DataVersionRow)
        .where(DataVersionRow.id == DATA_VERSION_ROW_ID)
        .values(version=DataVersionRow.version + 1)
    )
    return get_data_version(session)
