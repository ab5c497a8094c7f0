"""The pages in a real browser: bad input, keyboard-only use, labels, accessibility, deep links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server
from tests.browser.helpers import (
    check_quote,
    fill_quote,
    serious_axe_violations,
    unlabelled_inputs,
)

FEASIBLE = "Q-DEMO-01"
LATE = "Q-DEMO-05"  # pushed out by a purchase lead time; holds nothing, so tests stay independent
INFEASIBLE = "Q-DEMO-03"


def _api_message(server: Server, body: dict[str, Any], pointer: str) -> str:
    """What the JSON API says about one field of this request."""
    answer = server.api.post("/v1/checks", json=body)
    assert answer.status_code == 422, answer.text
    return next(e["message"] for e in answer.json()["errors"] if e["pointer"] == pointer)


BAD_INPUT = [
    ("quantity 0", {"qty": 0}, "qty"),
    ("date in the past", {"requested_date": "yesterday"}, "requested_date"),
    ("unknown item", {"sku": "NO-SUCH-ITEM"}, "sku"),
]


@pytest.mark.parametrize(
    ("change", "field"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_shows_the_api_error_next_to_the_field(
    server: Server, page: Any, change: dict[str, Any], field: str
) -> None:
    quote = server.quote(FEASIBLE)
    quote["lines"] = quote["lines"][:1]
    if change.get("requested_date") == "yesterday":
        change = {"requested_date": (server.as_of - timedelta(days=1)).isoformat()}
    quote["lines"][0] |= change
    expected = _api_message(server, quote, f"/lines/0/{field}")

    page.goto(server.url + "/quote")
    fill_quote(page, quote)
    check_quote(page)

    field_input = page.locator(f"#lines-0-{field}")
    error = page.locator(f"#lines-0-{field}-error")
    expect(error).to_have_text(expected)
    expect(field_input).to_have_attribute("aria-invalid", "true")
    expect(field_input).to_have_attribute("aria-describedby", f"lines-0-{field}-error")
    # What was typed stays, and no stack trace or raw JSON reaches the page.
    expect(page.locator("#customer")).to_have_value(quote["customer"])
    content = page.content()
    assert "Traceback" not in content
    assert '"pointer"' not in content
    expect(page.locator("#result")).to_have_count(0)


def test_keyboard_only_add_remove_lines_and_check(server: Server, page: Any) -> None:
    quote = server.quote(FEASIBLE)
    first, second = quote["lines"]
    page.goto(server.url + "/quote")

    _tab_to(page, "#customer")
    page.keyboard.type(quote["customer"])
    _tab_to(page, "#quote_ref")
    page.keyboard.type(quote["quote_ref"])
    _tab_to(page, "#lines-0-sku")  # past ship complete, left unticked
    page.keyboard.type(first["sku"])
    _tab_to(page, "#lines-0-qty")
    page.keyboard.type(str(first["qty"]))
    _tab_to(page, "#lines-0-requested_date")
    _type_date(page, first["requested_date"])

    # "Add line" with Enter: the new line's item takes the focus.
    _tab_to(page, "#add-line")
    page.keyboard.press("Enter")
    _expect_focus(page, "#lines-1-sku")
    page.keyboard.type("EB-MTB")
    # Change of mind: add a third line, then remove the second with Space on its Remove button.
    _tab_to(page, "#add-line")
    page.keyboard.press("Enter")
    _expect_focus(page, "#lines-2-sku")
    page.keyboard.press("Shift+Tab")  # back from the new line to the Remove button before it
    _expect_focus(page, '[aria-label="Remove line 2"]')
    page.keyboard.press("Space")
    expect(page.locator("#line-list li.line")).to_have_count(2)
    # The focus moves to the line that took its place, which is now line 2.
    _expect_focus(page, "#lines-2-sku")
    expect(page.locator('[aria-label="Remove line 2"]')).to_have_count(1)

    page.keyboard.type(second["sku"])
    _tab_to(page, "#lines-2-qty")
    page.keyboard.type(str(second["qty"]))
    _tab_to(page, "#lines-2-requested_date")
    _type_date(page, second["requested_date"])
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form from a field

    expect(page.locator("#quote-status")).to_have_text("Can deliver as requested")
    expect(page.locator("#result-lines tbody tr")).to_have_count(2)
    expect(page.locator("#result-lines")).to_contain_text(second["sku"])


def _tab_to(page: Any, selector: str, most: int = 15) -> None:
    """Press Tab until the element has the focus (date inputs take a Tab per part)."""
    for _ in range(most):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    _expect_focus(page, selector)


def _expect_focus(page: Any, selector: str) -> None:
    focused = page.evaluate("document.activeElement.outerHTML")
    assert page.evaluate("s => document.activeElement.matches(s)", selector), focused


def _type_date(page: Any, iso: str) -> None:
    """Type into a focused date input as a person would (en-US: month, day, year)."""
    year, month, day = iso.split("-")
    page.keyboard.type(month + day + year)


def test_deep_link_fills_the_form_and_checks(server: Server, page: Any) -> None:
    line = server.quote(INFEASIBLE)["lines"][1]
    page.goto(
        f"{server.url}/quote?sku={line['sku']}&qty={line['qty']}&date={line['requested_date']}"
    )
    expect(page.locator("#lines-0-sku")).to_have_value(line["sku"])
    expect(page.locator("#lines-0-qty")).to_have_value(str(line["qty"]))
    expect(page.locator("#quote-status")).to_have_text("Cannot deliver within the horizon")
    expect(page.get_by_role("button", name="Hold this promise")).to_have_count(0)


def test_root_opens_the_quote_page(server: Server, page: Any) -> None:
    page.goto(server.url + "/")
    assert page.url == server.url + "/quote"
    expect(page.get_by_role("heading", level=1)).to_have_text("Quote check")


def test_every_input_has_a_label(server: Server, page: Any) -> None:
    page.goto(server.url + "/quote")
    fill_quote(page, server.quote(LATE) | {"lines": server.quote(FEASIBLE)["lines"]})
    check_quote(page)
    page.get_by_role("button", name="Add line").click()
    assert unlabelled_inputs(page) == []
    page.goto(server.url + "/ops")
    assert unlabelled_inputs(page) == []


def test_no_serious_accessibility_violations(server: Server, page: Any) -> None:
    page.goto(server.url + "/quote")
    assert serious_axe_violations(page) == []

    page.goto(server.url + "/quote")
    fill_quote(page, server.quote(LATE))
    check_quote(page)
    expect(page.locator("#quote-status")).to_contain_text("late")
    assert serious_axe_violations(page) == []

    quote = server.quote(FEASIBLE)
    quote["lines"][0]["qty"] = 0
    page.goto(server.url + "/quote")
    fill_quote(page, quote)
    check_quote(page)
    assert serious_axe_violations(page) == []

    page.goto(server.url + "/ops")
    assert serious_axe_violations(page) == []
    page.locator("#check-list a").first.click()
    assert serious_axe_violations(page) == []


def test_ops_filters_and_capacity_numbers_on_hover(server: Server, page: Any) -> None:
    for ref in (LATE, INFEASIBLE):
        assert server.api.post("/v1/checks", json=server.quote(ref)).status_code == 201
    page.goto(server.url + "/ops")
    rows = page.locator("#check-list tbody tr")
    expect(rows.filter(has_text=LATE).first).to_be_visible()
    expect(rows.filter(has_text=INFEASIBLE).first).to_be_visible()

    page.get_by_label("Item").fill("DISPLAY")  # only the late quote has a DISPLAY line
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    expect(rows.filter(has_text=INFEASIBLE)).to_have_count(0)
    expect(rows.filter(has_text=LATE).first).to_be_visible()

    cell = page.locator('svg.heatmap g.cell[data-resource="ASSY"]').first
    cell.hover()
    expect(page.locator("#cell-readout")).to_contain_text("calendar")
    expect(page.locator("#cell-readout")).to_contain_text("free")
