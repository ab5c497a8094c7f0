"""Health probes."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.db.migrate import upgrade_to_head
from app.main import create_app
from app.settings import Settings


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_on_a_migrated_database(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_until_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with TestClient(create_app(Settings(database_url=url))) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "migrate" in response.json()["detail"]

        upgrade_to_head(url)
        assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_the_database_does_not_answer() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.get("/readyz").status_code == 503
