"""Field types shared by the documents."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator


def _iso_date_text(value: Any) -> Any:
    # Lax pydantic would also turn numbers (Unix time) into dates; the API speaks ISO dates only.
    if isinstance(value, date) or (isinstance(value, str) and len(value) == 10):
        return value
    msg = "must be an ISO date (YYYY-MM-DD)"
    raise ValueError(msg)


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
