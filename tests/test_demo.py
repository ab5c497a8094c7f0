"""The demo opens on the pages: the sample quotes are checked, and the links show each status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.main import create_app
from app.sample_plant import EXPECTED_STATUS
from app.settings import Settings

BADGES = ("Can deliver as requested", "days late", "Cannot deliver within the horizon")


def test_demo_prints_the_pages_and_links_to_all_three_statuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.cli.uvicorn.run", lambda _app, **_kwargs: None)
    db = tmp_path / "demo.db"

    result = CliRunner().invoke(cli, ["demo", "--port", "8123", "--db", str(db)])

    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/quote" in result.output
    assert "http://127.0.0.1:8123/ops" in result.output
    statuses = re.search(r"sample quotes checked: (.*)", result.output)
    assert statuses is not None
    assert statuses.group(1).split(", ") == list(EXPECTED_STATUS.values())

    links = re.findall(r"(http://127\.0\.0\.1:8123/quote\?\S+)", result.output)
    assert len(links) == 3
    settings = Settings(database_url=f"sqlite:///{db}", auth=False)
    with TestClient(create_app(settings)) as client:
        for link, badge in zip(links, BADGES, strict=True):
            page = client.get(link.removeprefix("http://127.0.0.1:8123"))
            assert page.status_code == 200
            assert badge in page.text, link
        review = client.get("/ops").text
        assert "Q-DEMO-02" in review  # pushed out
        assert "Q-DEMO-03" in review  # rejected
