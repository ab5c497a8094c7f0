"""GET /v1/checks: filters, newest first, cursor pages that stay stable under inserts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.db.checks import CheckFilter, checks_query
from app.db.engine import create_db_engine
from app.db.migrate import alembic_config
from app.db.models import CheckRow, CheckSkuRow
from app.main import create_app
from app.settings import Settings
from tests.factories import check_request, golden_dataset
from tests.support.clock import Clock

PROBLEM = "application/problem+json"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

# Purchased items of the golden plant: answers without CP-SAT, so the tests stay fast.
FEASIBLE = {"sku": "FRAME", "qty": 10, "requested_date": "2026-12-02"}
COUNTER = {"sku": "FRAME", "qty": 100, "requested_date": "2026-12-05"}  # lead time 15 days
INFEASIBLE = {"sku": "SADDLE", "qty": 1000, "requested_date": "2026-12-05"}  # never re-ordered


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def api(client: TestClient, clock: Clock) -> TestClient:
    client.app.state.clock = clock  # type: ignore[attr-defined]
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return client


def store(api: TestClient, line: dict[str, Any], *, customer: str = "ACME", **extra: Any) -> str:
    body = check_request(line=line, customer=customer, **extra)
    response = api.post("/v1/checks", json=body)
    assert response.status_code == 201, response.text
    check_id: str = response.json()["id"]
    return check_id


def listed(api: TestClient, **params: Any) -> list[str]:
    response = api.get("/v1/checks", params=params)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_newest_first_with_each_filter(api: TestClient, clock: Clock) -> None:
    ids = {}
    for name, line, customer in [
        ("feasible", FEASIBLE, "ACME"),
        ("counter", COUNTER, "ACME"),
        ("infeasible", INFEASIBLE, "Globex"),
        ("feasible_globex", FEASIBLE, "Globex"),
    ]:
        clock.now += timedelta(minutes=1)
        ids[name] = store(api, line, customer=customer)

    assert listed(api) == [ids[n] for n in ("feasible_globex", "infeasible", "counter", "feasible")]
    assert listed(api, outcome="feasible") == [ids["feasible_globex"], ids["feasible"]]
    assert listed(api, outcome="counter_proposal") == [ids["counter"]]
    assert listed(api, outcome="rejected") == [ids["infeasible"], ids["counter"]]
    assert listed(api, customer="Globex") == [ids["feasible_globex"], ids["infeasible"]]
    assert listed(api, sku="SADDLE") == [ids["infeasible"]]
    assert listed(api, sku="FRAME", customer="ACME", outcome="rejected") == [ids["counter"]]
    assert listed(api, sku="BIKE") == []
    # since inclusive, until exclusive; a time without a zone is in PROMISE_TIMEZONE (UTC here).
    assert listed(api, since="2026-11-20T09:02:00Z", until="2026-11-20T09:04:00Z") == [
        ids["infeasible"],
        ids["counter"],
    ]
    assert listed(api, since="2026-11-20T09:03:00") == [ids["feasible_globex"], ids["infeasible"]]
    assert listed(api, until="2026-11-20") == []
    assert len(listed(api, since="2026-11-20", until="2026-11-21")) == 4


def test_the_full_stored_answer_is_listed(api: TestClient) -> None:
    check_id = store(api, COUNTER)
    stored = api.get(f"/v1/checks/{check_id}").json()
    assert api.get("/v1/checks").json() == {"items": [stored], "next_cursor": None}


def test_a_check_is_found_by_any_of_its_skus(api: TestClient, session: Session) -> None:
    body = check_request(line=FEASIBLE)
    body["lines"] += [
        {"line_ref": "2", "sku": "SADDLE", "qty": 1, "requested_date": "2026-12-02"},
        {"line_ref": "3", "sku": "FRAME", "qty": 1, "requested_date": "2026-12-03"},
    ]
    check_id = api.post("/v1/checks", json=body).json()["id"]

    assert listed(api, sku="FRAME") == [check_id]
    assert listed(api, sku="SADDLE") == [check_id]
    rows = session.scalars(select(CheckSkuRow.sku).where(CheckSkuRow.check_id == check_id)).all()
    assert sorted(rows) == ["FRAME", "SADDLE"]


def _pages(api: TestClient, limit: int, **params: Any) -> Iterator[list[str]]:
    cursor = None
    while True:
        query = {"limit": limit, **params} | ({"cursor": cursor} if cursor else {})
        page = api.get("/v1/checks", params=query).json()
        yield [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return


def test_pages_are_stable_under_inserts(api: TestClient, clock: Clock) -> None:
    created = []
    for _ in range(7):
        clock.now += timedelta(seconds=1)
        created.append(store(api, FEASIBLE))
    newest_first = created[::-1]

    seen: list[str] = []
    for page in _pages(api, 3):
        seen += page
        # New checks arrive while the client pages: they belong before the first page.
        clock.now += timedelta(seconds=1)
        store(api, FEASIBLE)
    assert seen == newest_first


def test_checks_stored_at_the_same_instant_are_paged_by_id(api: TestClient) -> None:
    same_instant = sorted((store(api, FEASIBLE) for _ in range(5)), reverse=True)

    pages = list(_pages(api, 2, sku="FRAME"))

    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i for page in pages for i in page] == same_instant
    assert [i for page in _pages(api, 2) for i in page] == same_instant


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"cursor": "not-a-cursor"}, "/query/cursor"),
        ({"cursor": "WyJ4IiwgMV0"}, "/query/cursor"),  # ["x", 1]
        ({"limit": 0}, "/query/limit"),
        ({"limit": 501}, "/query/limit"),
        ({"outcome": "maybe"}, "/query/outcome"),
        ({"since": "last week"}, "/query/since"),
    ],
)
def test_bad_queries_are_422(api: TestClient, params: dict[str, Any], pointer: str) -> None:
    response = api.get("/v1/checks", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]


def test_zone_of_times_without_one(database_url: str) -> None:
    settings = Settings(database_url=database_url, auth=False, timezone="Europe/Berlin")
    with TestClient(create_app(settings)) as api:
        api.app.state.clock = lambda: T0  # type: ignore[attr-defined]
        assert api.put("/v1/dataset", json=golden_dataset()).status_code == 200
        check_id = store(api, FEASIBLE)
        # 09:00 UTC is 10:00 in Berlin.
        assert listed(api, since="2026-11-20T10:00:00") == [check_id]
        assert listed(api, since="2026-11-20T10:00:01") == []


# -- the indexes ------------------------------------------------------------------------------


def _plan(session: Session, where: CheckFilter, *, after: bool) -> str:
    query = checks_query(where, after=(T0, "x") if after else None, limit=50)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    return "\n".join(session.execute(text(f"EXPLAIN {compiled}")).scalars())


FILTERS = [
    (CheckFilter(), "ix_checks_created_at_id"),
    (CheckFilter(status="feasible"), "ix_checks_status_created_at_id"),
    (CheckFilter(rejected=True), "ix_checks_rejected_created_at_id"),
    (CheckFilter(customer="ACME", since=T0), "ix_checks_customer_created_at_id"),
    (CheckFilter(sku="FRAME", rejected=True), "ix_check_skus_sku_created_at_check_id"),
]


@pytest.mark.parametrize(("where", "index"), FILTERS, ids=[f[1] for f in FILTERS])
def test_each_filter_pages_on_an_index_without_sorting(
    postgres_url: str, where: CheckFilter, index: str
) -> None:
    """On PostgreSQL, with sequential scans and sorts priced out (as with a million checks),
    every listing is an index scan in the listing's order."""
    engine = create_db_engine(postgres_url)
    with Session(engine) as session, session.begin():
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_sort = off"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
        for after in (False, True):
            plan = _plan(session, where, after=after)
            assert index in plan, plan
            assert "Sort" not in plan, plan
    engine.dispose()


def test_migration_fills_check_skus_of_stored_checks(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0003")
    engine = create_db_engine(url)
    request = {"lines": [{"sku": "A"}, {"sku": "B"}, {"sku": "A"}]}
    with engine.begin() as connection:
        connection.execute(
            insert(CheckRow.__table__).values(  # type: ignore[arg-type]
                id="c1",
                quote_ref="Q",
                customer="C",
                as_of=T0.date(),
                status="feasible",
                created_at=T0,
                request=request,
                result={},
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(select(CheckSkuRow.check_id, CheckSkuRow.sku)).all()
    engine.dispose()
    assert sorted(rows) == [("c1", "A"), ("c1", "B")]
