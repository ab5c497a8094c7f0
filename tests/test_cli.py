"""The console command, through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.factories import golden_dataset, sorted_document

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PROMISE_DATABASE_URL", url)
    return url


@pytest.mark.usefixtures("database")
def test_migrate_load_export(tmp_path: Path) -> None:
    source = tmp_path / "plant.json"
    source.write_text(json.dumps(golden_dataset()), encoding="utf-8")

    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    loaded = runner.invoke(cli, ["load", str(source)])
    assert loaded.exit_code == 0, loaded.output
    assert "data version 1" in loaded.output

    target = tmp_path / "out.json"
    assert runner.invoke(cli, ["export", str(target)]).exit_code == 0
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert sorted_document(exported) == sorted_document(golden_dataset())

    to_stdout = runner.invoke(cli, ["export"])
    assert json.loads(to_stdout.stdout) == exported


@pytest.mark.usefixtures("database")
def test_load_lists_every_error_and_exits_1(tmp_path: Path) -> None:
    doc = golden_dataset()
    doc["items"][0]["kind"] = "invented"
    doc["supply"][0]["sku"] = "GHOST"
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    runner.invoke(cli, ["migrate"])

    result = runner.invoke(cli, ["load", str(source)])

    assert result.exit_code == 1
    assert "/items/0/kind" in result.output
    assert "/supply/0/sku" in result.output
    assert "unknown item GHOST" in result.output


@pytest.mark.usefixtures("database")
def test_load_rejects_malformed_json(tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text("{", encoding="utf-8")
    runner.invoke(cli, ["migrate"])
    result = runner.invoke(cli, ["load", str(source)])
    assert result.exit_code == 1
    assert "malformed JSON" in result.output


def test_demo_prepares_a_fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, object] = {}
    monkeypatch.setattr("app.cli.uvicorn.run", lambda _app, **kwargs: served.update(kwargs))
    db = tmp_path / "demo.db"
    db.write_text("not a database", encoding="utf-8")  # replaced, not reused

    result = runner.invoke(cli, ["demo", "--port", "8123", "--db", str(db)])

    assert result.exit_code == 0, result.output
    assert served["port"] == 8123
    monkeypatch.setenv("PROMISE_DATABASE_URL", f"sqlite:///{db}")
    exported = json.loads(runner.invoke(cli, ["export"]).stdout)
    assert exported["items"]
    assert exported["routings"]


@pytest.mark.usefixtures("database")
@pytest.mark.parametrize("command", [["load", "PLANT"], ["export"], ["keys", "list"]])
def test_an_unmigrated_database_is_one_line_and_exit_1(tmp_path: Path, command: list[str]) -> None:
    source = tmp_path / "plant.json"
    source.write_text(json.dumps(golden_dataset()), encoding="utf-8")
    args = [str(source) if part == "PLANT" else part for part in command]

    result = runner.invoke(cli, args)

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.strip().endswith("run `orderpromise migrate`")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert "no such table" not in result.output
