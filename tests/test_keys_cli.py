"""`orderpromise keys create/list/revoke`, and the keys it makes work over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.main import create_app
from app.settings import Settings
from tests.keys import bearer

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    monkeypatch.setenv("PROMISE_DATABASE_URL", url)
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    return url


def test_create_list_revoke(database: str) -> None:
    created = runner.invoke(cli, ["keys", "create", "--role", "crm", "--name", "CRM prod"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("opk_")
    assert "shown only this once" in created.stderr
    key_id = key.split("_")[1]

    listed = runner.invoke(cli, ["keys", "list"])
    assert listed.exit_code == 0
    assert key_id in listed.stdout
    assert "CRM prod" in listed.stdout
    assert key not in listed.stdout

    app = create_app(Settings(database_url=database, auth=True))
    with TestClient(app) as client:
        assert client.get("/v1/promises", headers=bearer(key)).status_code == 200
        assert client.get("/v1/dataset", headers=bearer(key)).status_code == 403

        revoked = runner.invoke(cli, ["keys", "revoke", key_id])
        assert revoked.exit_code == 0, revoked.output
        assert client.get("/v1/promises", headers=bearer(key)).status_code == 401


@pytest.mark.usefixtures("database")
def test_create_refuses_an_unknown_role() -> None:
    result = runner.invoke(cli, ["keys", "create", "--role", "root", "--name", "x"])
    assert result.exit_code == 2
    assert "--role" in result.stderr


@pytest.mark.usefixtures("database")
def test_revoke_of_an_unknown_key_exits_1() -> None:
    result = runner.invoke(cli, ["keys", "revoke", "nope"])
    assert result.exit_code == 1
    assert "no API key with id nope" in result.stderr


def test_keys_on_an_unmigrated_database_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMISE_DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    for command in (["keys", "list"], ["keys", "create", "--role", "crm", "--name", "x"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 1, result.output
        assert "run `orderpromise migrate`" in result.stderr
        assert "Traceback" not in result.output
