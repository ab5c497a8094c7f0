"""Webhook endpoints, their deliveries, and the steps of the relay that sends them.

Every event is queued for every endpoint subscribed to it in the transaction that writes the
event (``enqueue``). The relay (app.background) claims due attempts, sends them and records the
outcome, each step its own short transaction around the functions here: a 2xx answer ends a
delivery; a 410 disables the endpoint at once; anything else is retried after the configured
waits (PROMISE_WEBHOOK_RETRY_SECONDS), then the delivery is failed, and an endpoint that has
failed every attempt for 5 days is disabled.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.db import webhooks as db
from app.db.promises import as_utc
from app.errors import Conflict, FieldError, Invalid, NotFound, pointer
from app.schemas.events import TEST_EVENT
from app.schemas.webhooks import (
    DeliveryList,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookOut,
)
from app.services.webhook_signing import new_secret
from app.services.webhook_targets import target_refusal
from app.settings import Settings

# SPEC section 6: a 2xx answer within 15 s ends a delivery.
DELIVERY_TIMEOUT_SECONDS = 15.0
# An attempt is leased to the process that claimed it for this long: enough to send it and
# record the outcome; after that (the process died) the next attempt is due.
ATTEMPT_LEASE = timedelta(seconds=DELIVERY_TIMEOUT_SECONDS + 45)
DISABLE_AFTER_FAILING = timedelta(days=5)
EVENT_ID_PREFIX = "evt_"


def new_event_id() -> str:
    return EVENT_ID_PREFIX + uuid.uuid4().hex


def event_body(event_type: str, at: datetime, data: dict[str, Any]) -> str:
    """The JSON text delivered (and signed) for an event: the same bytes on every attempt."""
    document = {"type": event_type, "timestamp": as_utc(at).isoformat(), "data": data}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


# -- endpoints -------------------------------------------------------------------------------


def create_endpoint(
    session: Session, settings: Settings, body: WebhookCreate, now: datetime
) -> WebhookCreated:
    refusal = target_refusal(body.url, allow_private=settings.webhooks_allow_private)
    if refusal is not None:
        raise Invalid("this URL cannot receive webhooks", [FieldError(pointer("url"), refusal)])
    row = db.WebhookEndpointRow(
        id=str(uuid.uuid4()),
        url=body.url,
        description=body.description,
        events=list(body.events),
        secret=new_secret(),
        created_at=now,
        disabled_at=None,
        disabled_reason=None,
        failing_since=None,
    )
    db.add_endpoint(session, row)
    return WebhookCreated(**_out(row).model_dump(), secret=row.secret)


def list_endpoints(session: Session) -> WebhookList:
    return WebhookList(items=[_out(row) for row in db.list_endpoints(session)])


def read_endpoint(session: Session, endpoint_id: str) -> WebhookOut:
    return _out(_endpoint(session, endpoint_id))


def delete_endpoint(session: Session, endpoint_id: str) -> WebhookOut:
    row = _endpoint(session, endpoint_id)
    gone = _out(row)
    db.delete_endpoint(session, row)
    return gone


def send_test(session: Session, endpoint_id: str, now: datetime) -> DeliveryOut:
    """Queue a ``webhook.test`` event for this endpoint alone, whatever it subscribes to."""
    row = _endpoint(session, endpoint_id)
    if row.disabled_at is not None:
        raise Conflict(f"webhook endpoint {endpoint_id} is disabled: {row.disabled_reason}")
    body = event_body(TEST_EVENT, now, {"webhook": {"id": row.id, "url": row.url}})
    delivery = _delivery(row.id, new_event_id(), TEST_EVENT, body, now, seq=0)
    db.add_delivery(session, delivery)
    session.flush()
    return _delivery_out(delivery)


def enqueue(
    session: Session, event_id: str, event_type: str, body: str, now: datetime, *, seq: int
) -> None:
    """One delivery of the event per endpoint subscribed to it, in the caller's transaction."""
    for endpoint in db.subscribed_endpoints(session, event_type):
        db.add_delivery(session, _delivery(endpoint.id, event_id, event_type, body, now, seq=seq))


# -- deliveries ------------------------------------------------------------------------------


def list_deliveries(
    session: Session, endpoint_id: str, *, status: str | None, limit: int
) -> DeliveryList:
    _endpoint(session, endpoint_id)
    rows = db.deliveries_of(session, endpoint_id, status=status, limit=limit)
    return DeliveryList(items=[_delivery_out(row) for row in rows])


def retry_delivery(
    session: Session, endpoint_id: str, delivery_id: str, now: datetime
) -> DeliveryOut:
    """Send it again now (also a delivered or failed one), as one more attempt."""
    endpoint = _endpoint(session, endpoint_id)
    row = db.get_delivery(session, endpoint_id, delivery_id)
    if row is None:
        raise NotFound(f"no delivery {delivery_id} for webhook endpoint {endpoint_id}")
    if endpoint.disabled_at is not None:
        raise Conflict(f"webhook endpoint {endpoint_id} is disabled: {endpoint.disabled_reason}")
    row.status = db.PENDING
    row.next_attempt_at = now
    session.flush()
    return _delivery_out(row)


# -- the relay's steps -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt of one delivery, claimed by this process."""

    delivery_id: str
    number: int
    endpoint_id: str
    url: str
    secret: str
    event_id: str
    body: str


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def any_due(session: Session, now: datetime) -> bool:
    return db.any_due(session, now)


def claim_attempts(session: Session, now: datetime, *, limit: int) -> list[Attempt]:
    claimed = db.claim_due(session, now, limit=limit, lease_until=now + ATTEMPT_LEASE)
    return [
        Attempt(
            delivery_id=row.id,
            number=row.attempts,
            endpoint_id=endpoint.id,
            url=endpoint.url,
            secret=endpoint.secret,
            event_id=row.event_id,
            body=row.body,
        )
        for row, endpoint in claimed
    ]


def record_outcome(
    session: Session, settings: Settings, attempt: Attempt, outcome: Outcome, now: datetime
) -> None:
    """What the attempt's answer means for its delivery and its endpoint."""
    found = db.claimed_attempt(session, attempt.delivery_id, attempt.number)
    if found is None:
        return  # deleted, or retried by hand meanwhile: a newer attempt decides
    row, endpoint = found
    row.last_status_code = outcome.status_code
    row.last_error = outcome.error[:500] if outcome.error else None
    if outcome.delivered:
        row.status = db.DELIVERED
        row.delivered_at = now
        row.next_attempt_at = None
        endpoint.failing_since = None
    elif outcome.status_code == 410:
        _disable(session, endpoint, now, "the receiver answered 410 Gone")
    else:
        _failed_attempt(session, settings, row, endpoint, now)
    session.flush()


def _failed_attempt(
    session: Session,
    settings: Settings,
    row: db.WebhookDeliveryRow,
    endpoint: db.WebhookEndpointRow,
    now: datetime,
) -> None:
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    elif now - as_utc(endpoint.failing_since) >= DISABLE_AFTER_FAILING:
        _disable(session, endpoint, now, "every delivery failed for 5 days")
        return
    waits = settings.webhook_retry_seconds
    if row.attempts <= len(waits):
        row.next_attempt_at = now + timedelta(seconds=waits[row.attempts - 1])
    else:
        row.status = db.FAILED
        row.next_attempt_at = None


def _disable(session: Session, endpoint: db.WebhookEndpointRow, now: datetime, reason: str) -> None:
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason
    db.fail_pending_of(session, endpoint.id, f"not sent: the endpoint was disabled ({reason})")


# -- shapes ----------------------------------------------------------------------------------


def _endpoint(session: Session, endpoint_id: str) -> db.WebhookEndpointRow:
    row = db.get_endpoint(session, endpoint_id)
    if row is None:
        raise NotFound(f"no webhook endpoint with id {endpoint_id}")
    return row


def _delivery(
    endpoint_id: str, event_id: str, event_type: str, body: str, now: datetime, *, seq: int
) -> db.WebhookDeliveryRow:
    return db.WebhookDeliveryRow(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint_id,
        event_id=event_id,
        event_type=event_type,
        event_seq=seq,
        body=body,
        status=db.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )


def _out(row: db.WebhookEndpointRow) -> WebhookOut:
    return WebhookOut(
        id=row.id,
        url=row.url,
        events=row.events,
        description=row.description,
        created_at=as_utc(row.created_at),
        enabled=row.disabled_at is None,
        disabled_at=as_utc(row.disabled_at) if row.disabled_at else None,
        disabled_reason=row.disabled_reason,
    )


def _delivery_out(row: db.WebhookDeliveryRow) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status,
        attempts=row.attempts,
        created_at=as_utc(row.created_at),
        last_attempt_at=as_utc(row.last_attempt_at) if row.last_attempt_at else None,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        next_attempt_at=(
            as_utc(row.next_attempt_at)
            if row.status == db.PENDING and row.next_attempt_at
            else None
        ),
        delivered_at=as_utc(row.delivered_at) if row.delivered_at else None,
    )
