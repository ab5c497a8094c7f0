"""Every API test runs on SQLite (a fresh file per test) and on PostgreSQL (one database per
session, created here, migrated with Alembic, emptied before each test, dropped at the end).

The SQLite files are copies of one file migrated with Alembic once per session: the same schema
and alembic_version as migrating each file, for a millisecond instead of a tenth of a second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.db.base import Base
from app.db.engine import create_db_engine, create_session_factory
from app.db.migrate import upgrade_to_head
from app.main import create_app
from app.schemas.keys import ROLES
from app.settings import Settings
from tests.keys import BOOTSTRAP_KEY, bearer
from tests.support.servers import fresh_database

# Kept across tests: the data counter only grows and the reservations token is renewed by every
# change to the promise tables (emptying them included), so nothing cached goes stale.
NOT_TRUNCATED = {"data_version", "reservations_version"}


# Run together by pytest-xdist (`make test`: -n 2 --dist loadfile): the tests that start
# several server processes on one database. Each starts up to 3 processes of up to 15
# PostgreSQL connections: two such tests at once could pass the server's max_connections (100).
ONE_AT_A_TIME = "tests/concurrency/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile``, with the files of ONE_AT_A_TIME as one unit (one worker runs them
    one after another while the other runs the rest). A file still runs whole on one worker,
    so its module fixtures (a browser test's server, the contract's app) are made once."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling  # noqa: PLC0415  (only under xdist)

    class OneUnitForServers(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope: str = super()._split_scope(nodeid)
            return ONE_AT_A_TIME if scope.startswith(ONE_AT_A_TIME) else scope

    return OneUnitForServers(config, log)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_db_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_emptier(postgres_engine: Engine) -> Callable[[], None]:
    """Empties every table but NOT_TRUNCATED and restarts their sequences, as
    ``TRUNCATE ... RESTART IDENTITY CASCADE`` does, with DELETE: a tenth of the time on the
    small tables of a test (TRUNCATE makes new files for every table, empty or not)."""
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in NOT_TRUNCATED]
    with postgres_engine.connect() as connection:
        # The sequences the tables' columns own (serial and identity columns).
        sequences = connection.scalars(
            text(
                "SELECT DISTINCT seq.oid::regclass::text FROM pg_class seq"
                " JOIN pg_depend dep ON dep.objid = seq.oid AND dep.deptype IN ('a', 'i')"
                " JOIN pg_class tab ON tab.oid = dep.refobjid"
                " WHERE seq.relkind = 'S' AND tab.relname = ANY(:tables)"
            ),
            {"tables": tables},
        ).all()
    # Children before parents, so that no foreign key is ever violated.
    statements = [f"DELETE FROM {name}" for name in reversed(tables)]
    statements += [f"ALTER SEQUENCE {name} RESTART" for name in sequences]

    def empty() -> None:
        with postgres_engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))

    return empty


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated with Alembic, once per session: each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "migrated.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


def copy_sqlite(template: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (whatever the journal holds)."""
    source, copy = sqlite3.connect(template), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        copy_sqlite(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    request.getfixturevalue("postgres_emptier")()
    url_text: str = request.getfixturevalue("postgres_url")
    return url_text


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, auth=False)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def secure_client(database_url: str) -> Iterator[TestClient]:
    """The app with authentication on; BOOTSTRAP_KEY is its PROMISE_BOOTSTRAP_KEY (admin)."""
    settings = Settings(database_url=database_url, auth=True, bootstrap_key=BOOTSTRAP_KEY)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def role_keys(secure_client: TestClient) -> dict[str, str]:
    """One API key per role (admin, crm, sales, ops), created over HTTP by the bootstrap admin."""
    keys = {}
    for role in ROLES:
        response = secure_client.post(
            "/v1/keys", json={"role": role, "name": f"test {role}"}, headers=bearer(BOOTSTRAP_KEY)
        )
        assert response.status_code == 201, response.text
        keys[role] = response.json()["key"]
    return keys


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on the test database, for looking behind the API."""
    engine = create_db_engine(database_url)
    with create_session_factory(engine)() as db_session:
        yield db_session
    engine.dispose()
