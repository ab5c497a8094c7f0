"""Browser tests: a real `orderpromise serve` process per test module, driven by the machine's
Chromium through Playwright.

The server runs on a free port with a fresh, migrated SQLite file, authentication off, and the
sample plant loaded through PUT /v1/dataset, dated from today (UTC, the server's default zone).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sample_plant import sample_dataset, sample_quotes

CHROMIUM = Path(os.environ.get("PROMISE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
STARTUP_SECONDS = 60
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

REQUIRED = bool(os.environ.get("PROMISE_TEST_REQUIRE_BROWSER"))

try:
    from playwright import sync_api as playwright_sync
except ImportError:  # pragma: no cover - the dev extras install it
    if REQUIRED:
        raise
    pytest.skip("playwright is not installed (pip install -e '.[dev]')", allow_module_level=True)


@dataclass(frozen=True)
class Server:
    url: str
    as_of: date
    api: httpx.Client

    def quote(self, ref: str) -> dict[str, Any]:
        """A sample quote (without as_of: the page checks as of today, as a person would)."""
        quote = next(q for q in sample_quotes(self.as_of) if q["quote_ref"] == ref)
        return {k: v for k, v in quote.items() if k != "as_of"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command() -> str:
    # The console script of the interpreter running the tests, else the one on PATH.
    beside = Path(sys.executable).with_name("orderpromise")
    found = str(beside) if beside.exists() else shutil.which("orderpromise")
    if found is None:
        pytest.fail("the orderpromise command is not installed (pip install -e .)")
    return found


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not become ready in {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    env = os.environ | {
        "PROMISE_DATABASE_URL": f"sqlite:///{folder / 'pages.db'}",
        "PROMISE_AUTH": "off",
        "PROMISE_TIMEZONE": "UTC",
    }
    command = _command()
    # Our own console script with fixed arguments.
    subprocess.run([command, "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [command, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_ready(url, process, log)
        as_of = datetime.now(UTC).date()
        with httpx.Client(base_url=url, timeout=60) as api:
            body = json.dumps(sample_dataset(as_of), default=str)
            loaded = api.put(
                "/v1/dataset", content=body, headers={"content-type": "application/json"}
            )
            assert loaded.status_code == 200, loaded.text
            yield Server(url=url, as_of=as_of, api=api)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    with playwright_sync.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    # en-US: the date inputs take month/day/year when typed from the keyboard.
    ctx = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="UTC")
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()
