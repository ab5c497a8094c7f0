"""Health probes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.db.migrate import upgrade_to_head
from app.main import create_app
from app.settings import Settings
from tests.factories import golden_dataset
from tests.keys import BOOTSTRAP_KEY, bearer
from tests.support.servers import fresh_database

SUPPLY = {"sku": "FRAME", "qty": 1, "date": "2026-12-11"}


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


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_every_route_says_migrate_on_an_unmigrated_database(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path, migrated=False) as url:
        settings = Settings(database_url=url, auth=True, bootstrap_key=BOOTSTRAP_KEY)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            admin = bearer(BOOTSTRAP_KEY)
            answers = [
                client.get("/v1/dataset", headers=admin),
                client.get("/v1/keys", headers=admin),
                client.put("/v1/dataset", json=golden_dataset(), headers=admin),
                client.put("/v1/supply/PO-1", json=SUPPLY, headers=admin),
                client.get("/v1/promises", headers=bearer("opk_0123456789ab_" + "x" * 43)),
            ]
            for response in answers:
                assert response.status_code == 503, response.text
                assert response.headers["content-type"].startswith("application/problem+json")
                problem = response.json()
                assert problem["status"] == 503
                assert "run `orderpromise migrate`" in problem["detail"]
                assert problem["detail"] == client.get("/readyz").json()["detail"]

            upgrade_to_head(url)
            assert client.get("/v1/dataset", headers=admin).status_code == 200


def test_a_database_that_does_not_answer_is_503_not_500() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    settings = Settings(database_url=url, auth=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/v1/dataset")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"].startswith("database unavailable")
