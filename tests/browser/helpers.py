"""Steps the browser tests share: fill the quote form, read the capacity picture, run axe."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

# axe-core as shipped inside the axe-playwright-python package (a dev dependency).
AXE_JS = files("axe_playwright_python").joinpath("axe.min.js")
BLOCKING_IMPACTS = {"serious", "critical"}


def fill_quote(page: Any, quote: dict[str, Any]) -> None:
    """Type a check request into the form, adding lines with the Add line button."""
    page.get_by_label("Customer").fill(quote["customer"])
    page.get_by_label("Quote reference").fill(quote["quote_ref"])
    page.get_by_label("Ship complete").set_checked(quote.get("ship_complete", False))
    for i, line in enumerate(quote["lines"]):
        if i > 0:
            page.get_by_role("button", name="Add line").click()
        page.locator(f"#lines-{i}-sku").fill(line["sku"])
        page.locator(f"#lines-{i}-qty").fill(str(line["qty"]))
        page.locator(f"#lines-{i}-requested_date").fill(line["requested_date"])


def check_quote(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Check quote").click()


def capacity_minutes(page: Any, resource: str, kind: str) -> int:
    """Sum of one kind of minutes (held, confirmed, free, firm) over a resource's cells."""
    total: int = page.eval_on_selector_all(
        f'svg.heatmap g.cell[data-resource="{resource}"]',
        f"cells => cells.reduce((sum, c) => sum + Number(c.dataset.{kind}), 0)",
    )
    return total


def unlabelled_inputs(page: Any) -> list[str]:
    """Inputs, selects and text areas (hidden ones aside) that no label names."""
    found: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => el.type !== 'hidden')
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.outerHTML)"""
    )
    return found


def serious_axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"] for n in v["nodes"]][:5],
        }
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
