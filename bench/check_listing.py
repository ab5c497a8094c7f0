"""GET /v1/checks with a million stored checks: the time of one page per filter (PostgreSQL).

    .venv/bin/python -m bench.check_listing [--checks N] [--postgres URL]

It creates a throw-away database, migrates it, inserts N checks (a quarter each counter
proposals and infeasible, 5,000 customers, 2,000 skus) in SQL, then times the second page of
each filter through ``app.db.checks.find_checks``, and drops the database. A benchmark, not a
test: it prints the figures and exits 0.
"""

from __future__ import annotations

import argparse
import secrets
import time
from datetime import UTC, datetime

import psycopg
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from app.db.checks import CheckFilter, find_checks
from app.db.engine import create_db_engine
from app.db.migrate import upgrade_to_head

FILTERS = {
    "newest first": CheckFilter(),
    "outcome=feasible": CheckFilter(status="feasible"),
    "outcome=rejected": CheckFilter(rejected=True),
    "customer": CheckFilter(customer="CUST-42"),
    "sku": CheckFilter(sku="SKU-7"),
    "sku, rejected": CheckFilter(sku="SKU-7", rejected=True),
    "one day": CheckFilter(
        since=datetime(2026, 1, 5, tzinfo=UTC), until=datetime(2026, 1, 6, tzinfo=UTC)
    ),
}
_FILL = """
INSERT INTO checks (id, quote_ref, customer, as_of, status, created_at, request, result)
SELECT lpad(g::text, 36, '0'), 'Q-' || g, 'CUST-' || (g % 5000), date '2026-12-01',
       (ARRAY['feasible', 'feasible', 'counter_proposal', 'infeasible'])[1 + g % 4],
       timestamptz '2026-01-01' + (g || ' seconds')::interval, '{}'::json, '{}'::json
FROM generate_series(1, :n) g;
INSERT INTO check_skus (check_id, sku, created_at)
SELECT id, 'SKU-' || (abs(hashtext(id)) % 2000), created_at FROM checks;
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    name = f"orderpromise_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.postgres, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(args.postgres).set(drivername="postgresql+psycopg", database=name)
    try:
        upgrade_to_head(url.render_as_string(hide_password=False))
        engine = create_db_engine(url.render_as_string(hide_password=False))
        started = time.perf_counter()
        with engine.begin() as connection:
            for statement in filter(str.strip, _FILL.split(";")):
                connection.execute(text(statement), {"n": args.checks})
        print(f"{args.checks:,} checks stored in {time.perf_counter() - started:.1f} s")  # noqa: T201
        with Session(engine) as session:
            for label, where in FILTERS.items():
                first = find_checks(session, where, after=None, limit=51)
                # The second page when there is one (a keyset page), else the first.
                after = (first[-1].created_at, first[-1].id) if len(first) == 51 else None
                started = time.perf_counter()
                for _ in range(20):
                    page = find_checks(session, where, after=after, limit=51)
                elapsed = (time.perf_counter() - started) / 20
                print(f"{label:18} {len(page)} rows  {elapsed * 1000:6.2f} ms a page")  # noqa: T201
        engine.dispose()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
