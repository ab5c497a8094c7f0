"""Webhook endpoints and their deliveries (SPEC section 6, Standard Webhooks 1.0)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

from app.schemas.events import EventType

DeliveryStatus = Literal["pending", "delivered", "failed"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Strict(), Field(min_length=1, max_length=2000)] = Field(
        description="http or https; a host that resolves to a loopback, private or link-local "
        "address is refused unless PROMISE_WEBHOOKS_ALLOW_PRIVATE=1."
    )
    events: Annotated[list[EventType], Field(min_length=1)]
    description: Annotated[str, Strict(), Field(max_length=500)] = ""

    @field_validator("events")
    @classmethod
    def _once_each(cls, events: list[EventType]) -> list[EventType]:
        return list(dict.fromkeys(events))


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[EventType]
    description: str
    created_at: dt.datetime
    enabled: bool
    disabled_at: dt.datetime | None
    disabled_reason: str | None


class WebhookCreated(WebhookOut):
    """The answer to creating an endpoint: the only time its secret is shown."""

    secret: str = Field(
        description="`whsec_` + base64 of 32 random bytes; the HMAC key is the decoded bytes. "
        "It is not shown again."
    )


class WebhookList(BaseModel):
    items: list[WebhookOut]


class DeliveryOut(BaseModel):
    id: str
    event_id: str = Field(description="The webhook-id header: the same on every attempt.")
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: dt.datetime | None = Field(
        description="When a pending delivery is tried next; null once delivered or failed."
    )
    delivered_at: dt.datetime | None


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
