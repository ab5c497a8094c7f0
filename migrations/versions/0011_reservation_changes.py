"""What each renewal of the reservations version added: a chain of changes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:30:00

Migration 0009 renews a random token with every change to what promises take. This one also
records, with every renewal, the token before it, the token after it and what it added (the
stock, minutes and deliveries of the rows inserted): a **link**. A process that cached the
sums under a token walks the links from it to the current token and adds what they added,
instead of summing every reserved row again (app.services.reservations_cache). A change that
does not only add (a delete, an update of a reserved row, an expiry or status change that may
stop a promise counting) is recorded as a ``reset`` link: a reader then sums everything again.
A link that adds nothing (a new promise row, a live hold confirmed) is ``none``.

The renewal locks the version row, so links are made one at a time, in commit order: their
``seq`` orders them, and a walk that reaches the token it read first has seen every link up to
it. Old links are pruned (app.services.expiry); a walk that does not find its start reads all.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the kind of what its inserted rows add, its name (the item, the resource, or the
# customer the delivery is to, as app.db.promises.live_reservations sums them), sku, day and
# amount, of a row ``r``)
ADDING: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("promise_stock", "stock", "r.sku", "NULL", "r.date", "r.qty"),
    ("promise_capacity", "capacity", "r.resource", "NULL", "r.date", "r.minutes"),
    (
        "promise_deliveries",
        "delivery",
        "(SELECT customer FROM promises WHERE promises.id = r.promise_id)",
        "r.sku",
        "r.date",
        "r.qty",
    ),
)
# A live hold confirmed (the same expiry) still counts, as it did: nothing changes.
CONFIRMED = "OLD.status = 'held' AND NEW.status = 'confirmed' AND OLD.expires_at = NEW.expires_at"
_LINK_COLUMNS = "(prev_token, token, kind, name, sku, day, amount)"


def upgrade() -> None:
    op.create_table(
        "reservation_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prev_token", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("sku", sa.String(length=200), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_reservation_changes")),
    )
    op.create_index(
        "ix_reservation_changes_prev_token", "reservation_changes", ["prev_token"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        _drop_postgresql_0009()
        _postgresql_triggers()
    else:
        _drop_sqlite_0009()
        _sqlite_triggers()


def _drop_postgresql_0009() -> None:
    for table in ("promises", "promise_stock", "promise_capacity", "promise_deliveries"):
        op.execute(f"DROP TRIGGER {table}_renews_reservations_version ON {table}")
    op.execute("DROP FUNCTION renew_reservations_version()")


def _drop_sqlite_0009() -> None:
    for table in ("promises", "promise_stock", "promise_capacity", "promise_deliveries"):
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {table}_{event}_renews_reservations_version")


def _postgresql_triggers() -> None:
    # Once per statement: a hold's rows are a few multi-row INSERTs, each one link.
    branches = "\n".join(
        f"  {'IF' if i == 0 else 'ELSIF'} TG_ARGV[0] = '{kind}' THEN\n"  # noqa: S608  (constants)
        f"    INSERT INTO reservation_changes {_LINK_COLUMNS}\n"
        f"      SELECT prev, next, '{kind}', {name}, {sku}, {day}, {amount} FROM added AS r;"
        for i, (_, kind, name, sku, day, amount) in enumerate(ADDING)
    )
    op.execute(
        "CREATE FUNCTION link_reservations_version() RETURNS trigger LANGUAGE plpgsql AS $$\n"  # noqa: S608
        "DECLARE\n"
        "  prev text;\n"
        "  next text := replace(gen_random_uuid()::text, '-', '');\n"
        "  adding boolean := TG_ARGV[0] IN ('stock', 'capacity', 'delivery');\n"
        "BEGIN\n"
        "  SELECT token INTO prev FROM reservations_version WHERE id = 1 FOR UPDATE;\n"
        "  UPDATE reservations_version SET token = next WHERE id = 1;\n"
        f"{branches}\n"
        "  END IF;\n"
        "  IF NOT adding OR NOT FOUND THEN\n"
        f"    INSERT INTO reservation_changes {_LINK_COLUMNS}\n"
        "      VALUES (prev, next, CASE WHEN adding THEN 'none' ELSE TG_ARGV[0] END,\n"
        "              NULL, NULL, NULL, NULL);\n"
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END $$"
    )
    for table, kind, *_ in ADDING:
        op.execute(
            f"CREATE TRIGGER {table}_inserted_links AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
            f"EXECUTE FUNCTION link_reservations_version('{kind}')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_changed_links AFTER DELETE OR UPDATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION link_reservations_version('reset')"
        )
    op.execute(
        "CREATE TRIGGER promises_inserted_links AFTER INSERT ON promises "
        "FOR EACH STATEMENT EXECUTE FUNCTION link_reservations_version('none')"
    )
    op.execute(
        "CREATE TRIGGER promises_deleted_links AFTER DELETE ON promises "
        "FOR EACH STATEMENT EXECUTE FUNCTION link_reservations_version('reset')"
    )
    op.execute(
        "CREATE TRIGGER promises_confirmed_links AFTER UPDATE OF status, expires_at ON promises "
        f"FOR EACH ROW WHEN ({CONFIRMED}) EXECUTE FUNCTION link_reservations_version('none')"
    )
    op.execute(
        "CREATE TRIGGER promises_changed_links AFTER UPDATE OF status, expires_at ON promises "
        f"FOR EACH ROW WHEN (NOT ({CONFIRMED})) "
        "EXECUTE FUNCTION link_reservations_version('reset')"
    )


def _sqlite_link(kind: str, values: str = "NULL, NULL, NULL, NULL") -> str:
    # SQLite has row triggers only: one link per row. The new token is drawn into the link,
    # then copied to the version row (one writer at a time: the link just made is the last).
    return (
        f"INSERT INTO reservation_changes {_LINK_COLUMNS} "  # noqa: S608  (constants only)
        f"SELECT token, lower(hex(randomblob(16))), '{kind}', {values} "
        "FROM reservations_version WHERE id = 1; "
        "UPDATE reservations_version SET token = (SELECT token FROM reservation_changes "
        "WHERE seq = (SELECT max(seq) FROM reservation_changes)) WHERE id = 1;"
    )


def _sqlite_triggers() -> None:
    for table, kind, name, sku, day, amount in ADDING:
        row = ", ".join(column.replace("r.", "NEW.") for column in (name, sku, day, amount))
        op.execute(
            f"CREATE TRIGGER {table}_inserted_links AFTER INSERT ON {table} "
            f"BEGIN {_sqlite_link(kind, row)} END"
        )
        for event in ("DELETE", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()}d_links AFTER {event} ON {table} "
                f"BEGIN {_sqlite_link('reset')} END"
            )
    op.execute(
        f"CREATE TRIGGER promises_inserted_links AFTER INSERT ON promises "
        f"BEGIN {_sqlite_link('none')} END"
    )
    op.execute(
        f"CREATE TRIGGER promises_deleted_links AFTER DELETE ON promises "
        f"BEGIN {_sqlite_link('reset')} END"
    )
    op.execute(
        "CREATE TRIGGER promises_confirmed_links AFTER UPDATE OF status, expires_at ON promises "
        f"WHEN {CONFIRMED} BEGIN {_sqlite_link('none')} END"
    )
    op.execute(
        "CREATE TRIGGER promises_changed_links AFTER UPDATE OF status, expires_at ON promises "
        f"WHEN NOT ({CONFIRMED}) BEGIN {_sqlite_link('reset')} END"
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in ("promises", "promise_stock", "promise_capacity", "promise_deliveries"):
        for name in (
            "inserted_links",
            "changed_links",
            "deleted_links",
            "updated_links",
            "confirmed_links",
        ):
            if postgresql:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{name}")
    if postgresql:
        op.execute("DROP FUNCTION link_reservations_version()")
    op.drop_index("ix_reservation_changes_prev_token", table_name="reservation_changes")
    op.drop_table("reservation_changes")
    _restore_0009(postgresql=postgresql)


# Migration 0009's triggers, as it made them.
_WATCHED_0009 = (
    ("promises", "status, expires_at"),
    ("promise_stock", None),
    ("promise_capacity", None),
    ("promise_deliveries", None),
)


def _restore_0009(*, postgresql: bool) -> None:
    if postgresql:
        op.execute(
            "CREATE FUNCTION renew_reservations_version() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN UPDATE reservations_version "
            "SET token = replace(gen_random_uuid()::text, '-', '') WHERE id = 1; "
            "RETURN NULL; END $$"
        )
    for table, columns in _WATCHED_0009:
        update = "UPDATE" if columns is None else f"UPDATE OF {columns}"
        if postgresql:
            op.execute(
                f"CREATE TRIGGER {table}_renews_reservations_version "
                f"AFTER INSERT OR DELETE OR {update} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION renew_reservations_version()"
            )
            continue
        for event in ("INSERT", "DELETE", update):
            name = f"{table}_{event.split()[0].lower()}_renews_reservations_version"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "  # noqa: S608
                "UPDATE reservations_version SET token = lower(hex(randomblob(16))) WHERE id = 1; "
                "END"
            )
