"""The story of the issue, in a real browser against a real server: a sales rep checks a quote
that is late, sees the pushed-out date and the machine that binds, holds it and confirms it;
operations finds it on /ops and sees the capacity it takes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from app.pages.svg import short_date
from tests.browser.conftest import Server
from tests.browser.helpers import capacity_minutes, check_quote, fill_quote

LATE_QUOTE = "Q-DEMO-02"  # a capacity counter-proposal: the cargo-bike bay is full
BINDING = "CARGO"


def test_late_quote_held_confirmed_and_seen_by_operations(
    server: Server, context: Any, screenshots: Path
) -> None:
    quote = server.quote(LATE_QUOTE)
    # What the API answers for this quote, to compare the page with.
    expected = server.api.post("/v1/checks", json=quote).json()
    assert expected["status"] == "counter_proposal"
    promise_date = date.fromisoformat(expected["promise_date"])

    ops = context.new_page()
    ops.goto(server.url + "/ops")
    assert capacity_minutes(ops, BINDING, "held") == 0
    free_before = capacity_minutes(ops, BINDING, "free")

    sales = context.new_page()
    sales.goto(server.url + "/quote")
    fill_quote(sales, quote)
    check_quote(sales)

    status = sales.locator("#quote-status")
    # Two lines, one of them late: the quote's date, and which lines are late.
    expect(status).to_contain_text(f"Can deliver all by {short_date(promise_date)}")
    expect(status).to_contain_text("1 of 2 lines late by")
    expect(sales.locator("#result-lines")).to_contain_text(short_date(promise_date))
    expect(sales.locator(".constraints").first).to_contain_text(f"({BINDING})")
    expect(sales.locator("svg.timeline").first).to_be_visible()
    expect(sales.locator("svg.timeline").first).to_contain_text("promised")

    sales.get_by_role("button", name="Hold this promise").click()
    expect(sales.locator("#promise-status")).to_contain_text("Held until")
    expect(sales.get_by_role("button", name="Confirm")).to_be_focused()

    ops.reload()
    held_row = ops.locator("#promises tr", has_text=LATE_QUOTE)
    expect(held_row).to_contain_text("held")
    assert capacity_minutes(ops, BINDING, "held") > 0
    assert capacity_minutes(ops, BINDING, "free") < free_before

    sales.get_by_role("button", name="Confirm").click()
    expect(sales.locator("#promise-status")).to_contain_text("Confirmed")
    expect(sales.locator("#promise-intro")).to_contain_text("a firm promise")

    ops.reload()
    expect(ops.locator("#promises tr", has_text=LATE_QUOTE)).to_contain_text("confirmed")
    assert capacity_minutes(ops, BINDING, "held") == 0
    assert capacity_minutes(ops, BINDING, "confirmed") > 0
    # The pushed-out check is in the review list too, and opens its full answer.
    row = ops.locator("#check-list tr", has_text=LATE_QUOTE).first
    expect(row).to_contain_text("late")
    row.get_by_role("link", name=LATE_QUOTE).click()
    expect(ops.locator("#quote-status")).to_contain_text("lines late by")
    expect(ops.locator(".constraints").first).to_contain_text(BINDING)

    # The pictures for the README: the late answer, and operations after the hold.
    screenshots.mkdir(parents=True, exist_ok=True)
    sales.locator("#result").scroll_into_view_if_needed()
    sales.evaluate("window.scrollTo(0, 0)")
    sales.screenshot(path=str(screenshots / "quote.png"))
    ops.goto(server.url + "/ops")
    ops.screenshot(path=str(screenshots / "ops.png"))
