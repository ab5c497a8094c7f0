"""Issue 11 in a real browser against a real server (SPEC section 5): a rep sees a late line's
options in words and pictures and holds the split as offered; operations add the proposed
overtime from /ops, and the rep's fresh check meets the requested date."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import expect

from app.pages.svg import short_date
from tests.browser.conftest import Server
from tests.browser.helpers import check_quote, fill_quote

LATE_QUOTE = "Q-DEMO-06"  # 20 cargo bikes: the bay is booked, a second shift would make it


def _options(server: Server, quote: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The options the API offers for the quote's one line, by kind."""
    answer = server.api.post("/v1/checks", json=quote | {"options": ["split", "extra_capacity"]})
    assert answer.status_code == 201, answer.text
    (line,) = answer.json()["lines"]
    return {option["kind"]: option for option in line["options"]}


def test_the_rep_holds_a_split_as_offered(server: Server, context: Any) -> None:
    quote = server.quote(LATE_QUOTE)
    split = _options(server, quote)["split"]
    (first, second) = split["deliveries"]

    sales = context.new_page()
    sales.goto(server.url + "/quote")
    fill_quote(sales, quote)
    check_quote(sales)

    offered = sales.locator('.option[data-kind="split"]')
    words = (
        f"Ship {first['qty']} on {short_date(date.fromisoformat(first['date']))} and "
        f"{second['qty']} on {short_date(date.fromisoformat(second['date']))}"
    )
    expect(offered).to_contain_text(words)
    expect(offered.locator("svg.timeline")).to_have_count(2)
    expect(sales.locator('.option[data-kind="extra_capacity"]')).to_contain_text("ask operations")

    offered.get_by_role("button", name="Hold this split").click()
    expect(sales.locator("#promise-status")).to_contain_text("Held until")
    expect(sales.locator("#promise-status")).to_contain_text(
        f"{first['qty']} on {short_date(date.fromisoformat(first['date']))}, "
        f"{second['qty']} on {short_date(date.fromisoformat(second['date']))}"
    )
    held = server.api.get("/v1/promises", params={"status": "held"}).json()["items"]
    (promise,) = [p for p in held if p["quote_ref"] == LATE_QUOTE]
    assert [
        (x["line_ref"], x["qty"], x["requested_date"], x["promised_date"])
        for x in promise["check"]["lines"]
    ] == [
        (x["line_ref"], x["qty"], x["requested_date"], x["requested_date"]) for x in split["lines"]
    ]
    # Give it back: the next test starts from the same capacity.
    sales.get_by_role("button", name="Release").click()
    expect(sales.locator("#promise-status")).to_contain_text("Released")


def test_operations_add_the_proposed_minutes_and_the_date_holds(
    server: Server, context: Any
) -> None:
    quote = server.quote(LATE_QUOTE)
    extra = _options(server, quote)["extra_capacity"]
    requested = date.fromisoformat(quote["lines"][0]["requested_date"])

    sales = context.new_page()
    sales.goto(server.url + "/quote")
    fill_quote(sales, quote)
    check_quote(sales)
    expect(sales.locator("#quote-status")).to_contain_text("late")
    offered = sales.locator('.option[data-kind="extra_capacity"]')
    expect(offered).to_contain_text(extra["detail"].rstrip(".") + ": ask operations.")

    ops = context.new_page()
    ops.goto(server.url + "/ops")
    proposal = ops.locator(".proposal", has_text=extra["detail"]).first
    expect(proposal).to_be_visible()
    for added in extra["extra"]:
        cell = ops.locator(
            f'svg.heatmap g.cell[data-resource="{added["resource"]}"][data-date="{added["date"]}"]'
        )
        expect(cell).to_have_attribute("data-proposed", str(added["minutes"]))
    proposal.get_by_role("button", name="Add these minutes").click()
    expect(proposal.locator(".add-status")).to_contain_text("Added")

    check_quote(sales)
    expect(sales.locator("#quote-status")).to_have_text("Can deliver as requested")
    (line,) = server.api.post("/v1/checks", json=quote).json()["lines"]
    assert (line["feasible_on_requested_date"], line["promised_date"]) == (
        True,
        requested.isoformat(),
    )
