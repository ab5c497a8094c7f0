"""A reservations version, renewed by triggers on every change to what promises take

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:00:00

Processes cache the live reservations' sums per version (app.services.reservations_cache), so
every change to what promises take or deliver must renew it in its own transaction, whoever
writes it: the database does it, with triggers on the promise tables, not the application.
A promise's row counts by its status and expiry only, so only those columns renew it on update
(at-risk flags and stored answers do not).

The version is a random token, not a counter: a transaction sees its own renewal before it
commits, and a token that was rolled back is never drawn again, so nothing cached under it can
ever be taken for a committed state (a counter would be reused by the next writer).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the columns whose update changes what it reserves; None: any column)
WATCHED: tuple[tuple[str, str | None], ...] = (
    ("promises", "status, expires_at"),
    ("promise_stock", None),
    ("promise_capacity", None),
    ("promise_deliveries", None),
)
RENEW = {
    "postgresql": "UPDATE reservations_version "
    "SET token = replace(gen_random_uuid()::text, '-', '') WHERE id = 1",
    "sqlite": "UPDATE reservations_version SET token = lower(hex(randomblob(16))) WHERE id = 1",
}


def upgrade() -> None:
    op.create_table(
        "reservations_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations_version")),
    )
    op.bulk_insert(
        sa.table("reservations_version", sa.column("id"), sa.column("token")),
        [{"id": 1, "token": uuid.uuid4().hex}],
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    # Once per statement: a hold's rows are a few multi-row INSERTs, each renewing once.
    op.execute(
        "CREATE FUNCTION renew_reservations_version() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {RENEW['postgresql']}; RETURN NULL; END $$"
    )
    for table, columns in WATCHED:
        update = "UPDATE" if columns is None else f"UPDATE OF {columns}"
        op.execute(
            f"CREATE TRIGGER {table}_renews_reservations_version "
            f"AFTER INSERT OR DELETE OR {update} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION renew_reservations_version()"
        )


def _sqlite_triggers() -> None:
    # SQLite has row triggers only: a renewal is a one-row update in the writer's transaction.
    for table, columns in WATCHED:
        update = "UPDATE" if columns is None else f"UPDATE OF {columns}"
        for event in ("INSERT", "DELETE", update):
            name = f"{table}_{event.split()[0].lower()}_renews_reservations_version"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {RENEW['sqlite']}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _ in WATCHED:
            op.execute(f"DROP TRIGGER {table}_renews_reservations_version ON {table}")
        op.execute("DROP FUNCTION renew_reservations_version()")
    else:
        for table, _ in WATCHED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_{event}_renews_reservations_version")
    op.drop_table("reservations_version")
