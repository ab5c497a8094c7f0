"""Browser tests: a real `orderpromise serve` process per test module, driven by the machine's
Chromium through Playwright (one browser for the session, a new context per test).

The server runs on a free port with a fresh, migrated SQLite file, authentication off, and the
sample plant loaded through PUT /v1/dataset, dated from today (UTC, the server's default zone).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.db.migrate import upgrade_to_head
from app.sample_plant import sample_dataset, sample_quotes
from tests.support.servers import servers

CHROMIUM = Path(os.environ.get("PROMISE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
# The README's pictures are tracked files: rewritten only when asked (`make screenshots`).
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS_ASKED = os.environ.get("PROMISE_TEST_SCREENSHOTS") == "1"

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


@pytest.fixture(scope="session", autouse=True)
def readme_screenshots_untouched() -> Iterator[None]:
    """A test run leaves the tracked pictures as they were, unless asked to rewrite them."""
    before = _digests(README_SCREENSHOTS)
    yield
    after = _digests(README_SCREENSHOTS)
    assert SCREENSHOTS_ASKED or after == before, "docs/screenshots changed without being asked"


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.glob("*.png")
    }


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the pictures go: the README's folder when asked, else a scratch folder (the
    screenshots are still taken, so the code that takes them keeps working)."""
    return README_SCREENSHOTS if SCREENSHOTS_ASKED else tmp_path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    url = f"sqlite:///{folder / 'pages.db'}"
    upgrade_to_head(url)
    with servers(url, 1, folder, PROMISE_TIMEZONE="UTC") as (process,):
        as_of = datetime.now(UTC).date()
        with httpx.Client(base_url=process.url, timeout=60) as api:
            body = json.dumps(sample_dataset(as_of), default=str)
            loaded = api.put(
                "/v1/dataset", content=body, headers={"content-type": "application/json"}
            )
            assert loaded.status_code == 200, loaded.text
            yield Server(url=process.url, as_of=as_of, api=api)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the session (~1.2 s to start with Playwright): each test gets a context
    of its own (cookies, storage, pages), so nothing passes from one test to the next."""
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
