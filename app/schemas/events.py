"""Promise events (SPEC section 6): history entries, and what webhooks and the stream carry."""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import BaseModel, Field

EventType = Literal[
    "promise.held",
    "promise.confirmed",
    "promise.released",
    "promise.expired",
    "promise.at_risk",
    "promise.replanned",
    "promise.risk_cleared",
    "promise.repromised",
    "promise.fulfilled",
]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
# Sent by POST /v1/webhooks/{id}/test to that endpoint, whatever it subscribes to.
TEST_EVENT = "webhook.test"
SYSTEM = "system"


class HistoryEntry(BaseModel):
    at: dt.datetime
    event: EventType
    by: str = Field(
        description='Who made the change: the API key\'s role and id ("crm:3f2a1b9c0d1e"), or '
        '"system" (expiry, re-evaluation after a planning-data change).'
    )
    detail: str
