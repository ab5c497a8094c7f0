"""Every API test runs on SQLite (a fresh file per test) and on PostgreSQL (one database per
session, created here, migrated with Alembic, truncated before each test, dropped at the end).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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

# Kept across tests: the counter only grows, so cached planning states never go stale.
NOT_TRUNCATED = {"data_version"}


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_db_engine(postgres_url)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in NOT_TRUNCATED]
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade_to_head(url)
        return url
    engine: Engine = request.getfixturevalue("postgres_engine")
    _truncate(engine)
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
