"""What the demo shows a newcomer: the sample quotes already checked, and links to try.

The sample quotes have known outcomes (``app.sample_plant.EXPECTED_STATUS``): checking them at
start fills the operations review with pushed-out and rejected quotes at once.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from app.sample_plant import sample_quotes
from app.schemas.check import CheckRequest
from app.services.checks import run_check
from app.settings import Settings

# (what it shows, quote ref, line index): one line of a sample quote per quote status.
EXAMPLES = (
    ("can deliver as requested", "Q-DEMO-01", 0),
    ("late: the cargo-bike bay is full", "Q-DEMO-02", 0),
    ("cannot deliver: a discontinued motor", "Q-DEMO-03", 1),
)


def check_sample_quotes(session: Session, settings: Settings, now: datetime) -> list[str]:
    """Check every sample quote as of today; returns their statuses."""
    today = now.astimezone(settings.zone).date()
    return [
        run_check(session, settings, CheckRequest.model_validate(quote), now).status
        for quote in sample_quotes(today)
    ]


def example_links(base_url: str, today: date) -> list[tuple[str, str]]:
    """Deep links into the quote page, one per quote status."""
    quotes = {q["quote_ref"]: q for q in sample_quotes(today)}
    links = []
    for words, ref, index in EXAMPLES:
        line = quotes[ref]["lines"][index]
        query = urlencode(
            {
                "sku": line["sku"],
                "qty": line["qty"],
                "date": line["requested_date"],
                "quote_ref": ref,
            }
        )
        links.append((words, f"{base_url}/quote?{query}"))
    return links
