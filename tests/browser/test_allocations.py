"""Allocations in a real browser: a dealer's quote that the allocation pushes out says so in
words on the quote page, and after it is held the operations page's allocation picture shows
the units held in the period they use."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Server
from tests.browser.helpers import check_quote, fill_quote

PUSHED_OUT = "Q-DEMO-07"  # the dealers' first-period allocation of EB-MTB is too small


def period(page: Any, ref: str) -> dict[str, Any]:
    """What the picture draws for one allocation period: its numbers and bar widths."""
    found: dict[str, Any] = page.eval_on_selector(
        f'svg.allocations g.period[data-ref="{ref}"]',
        """g => ({
            held: Number(g.dataset.held),
            left: Number(g.dataset.left),
            held_width: Array.from(g.querySelectorAll("rect.held"))
                .reduce((sum, r) => sum + Number(r.getAttribute("width")), 0),
        })""",
    )
    return found


def test_the_allocation_picture_changes_after_a_hold(server: Server, context: Any) -> None:
    quote = server.quote(PUSHED_OUT)
    expected = server.api.post("/v1/checks", json=quote).json()
    (line,) = expected["lines"]
    assert [c["kind"] for c in line["constraints"]] == ["allocation"]
    listed = server.api.get("/v1/allocations", params={"sku": "EB-MTB"}).json()["items"]
    promised = date.fromisoformat(line["promised_date"])
    # The period the line delivers in.
    (used,) = [
        row["ref"]
        for row in listed
        if row["group"] == "Dealers"
        and date.fromisoformat(row["from"]) <= promised <= date.fromisoformat(row["until"])
    ]

    ops = context.new_page()
    ops.goto(server.url + "/ops")
    expect(ops.locator("#allocations-heading")).to_be_visible()
    before = period(ops, used)
    assert before["held"] == 0
    assert before["held_width"] == 0

    sales = context.new_page()
    sales.goto(server.url + "/quote")
    fill_quote(sales, quote)
    check_quote(sales)
    why = sales.locator(".constraints").first
    expect(why).to_contain_text("Customer allocation")
    expect(why).to_contain_text("Dealers' ")
    expect(why).to_contain_text("allocation of EB-MTB")
    sales.get_by_role("button", name="Hold this promise").click()
    expect(sales.locator("#promise-status")).to_contain_text("Held until")

    ops.reload()
    after = period(ops, used)
    assert after["held"] == line["qty"]
    assert after["held_width"] > 0
    assert after["left"] == before["left"] - line["qty"]
    expect(ops.locator(f'#allocations-table tr[data-ref="{used}"]')).to_contain_text(
        str(line["qty"])
    )
