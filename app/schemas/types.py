"""Field types shared by the documents."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

# Lax pydantic would also turn numbers and numeric text (Unix time) into dates; the API speaks
# ISO 8601 only, in bodies and in query parameters alike. Other ten-character text is left to
# pydantic, whose message says what is wrong with it.
_NUMBER = re.compile(r"[-+]?[\d.]+")
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}([T ].+)?")


def _iso_date_text(value: Any) -> Any:
    if isinstance(value, date) or (
        isinstance(value, str) and len(value) == 10 and not _NUMBER.fullmatch(value)
    ):
        return value
    msg = "must be an ISO date (YYYY-MM-DD)"
    raise ValueError(msg)


def _iso_date_time_text(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DATE_TIME.fullmatch(value)):
        return value
    msg = "must be an ISO date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SS)"
    raise ValueError(msg)


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_date_time_text)]
