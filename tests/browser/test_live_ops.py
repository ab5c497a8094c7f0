"""The operations page is live: with /ops open, a hold made over the API appears without a
reload, then its confirmation, then the at-risk flag after an ERP feed change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Server

QUOTE_REF = "Q-LIVE-1"


def test_ops_shows_promise_events_without_a_reload(server: Server, context: Any) -> None:
    ops = context.new_page()
    ops.goto(server.url + "/ops")
    expect(ops.locator("#promises")).not_to_contain_text(QUOTE_REF)
    # Gone if the page were loaded again.
    ops.evaluate("window.notReloaded = true")

    # 10 cells from stock; cells take 49 days to buy, so nothing else can cover them soon.
    quote = {
        "quote_ref": QUOTE_REF,
        "customer": "Live Bikes",
        "lines": [
            {
                "line_ref": "1",
                "sku": "CELL",
                "qty": 10,
                "requested_date": (server.as_of + timedelta(days=5)).isoformat(),
            }
        ],
    }
    held = server.api.post("/v1/promises", json=quote)
    assert held.status_code == 201, held.text
    row = ops.locator("#promises tr", has_text=QUOTE_REF)
    expect(row).to_contain_text("held")
    expect(ops.locator("#live-status")).to_contain_text(f"{QUOTE_REF} for Live Bikes: held")

    confirmed = server.api.post(f"/v1/promises/{held.json()['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    expect(row).to_contain_text("confirmed")

    # The ERP books every cell there is for a firm order: the promise can no longer be met.
    short = {"sku": "CELL", "qty": 1_000_000, "date": server.as_of.isoformat()}
    booked = server.api.put("/v1/demand/SO-LIVE-ALL-CELLS", json=short)
    assert booked.status_code == 201, booked.text
    expect(ops.locator("#at-risk")).to_contain_text(QUOTE_REF)
    expect(row).to_contain_text("at risk")

    assert ops.evaluate("window.notReloaded") is True
    # Put back for the other tests of this module's server.
    assert server.api.delete("/v1/demand/SO-LIVE-ALL-CELLS").status_code == 200
