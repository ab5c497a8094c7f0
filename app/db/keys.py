"""API keys: only a SHA-256 hash of each key is stored, never the key itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db.base import Base


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    # The public part of the key (also inside the key text), shown by `keys list`.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def add_key(session: Session, row: ApiKeyRow) -> None:
    session.add(row)
    session.flush()


def get_key(session: Session, key_id: str) -> ApiKeyRow | None:
    return session.get(ApiKeyRow, key_id)


def list_keys(session: Session) -> Sequence[ApiKeyRow]:
    return session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)).all()
