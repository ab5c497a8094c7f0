"""Webhook endpoints (admin): register, list, read, delete, test; their deliveries, retry one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.auth import ADMIN, require
from app.deps import ClockDep, SessionDep, SettingsDep
from app.schemas.problem import problem_responses
from app.schemas.webhooks import (
    DeliveryList,
    DeliveryOut,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookOut,
)
from app.services import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], dependencies=[require(ADMIN)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    responses=problem_responses(422),
)
def create_webhook(
    body: WebhookCreate, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> WebhookCreated:
    """Register an endpoint for some promise events. The answer is the only time its signing
    secret is shown; keep it."""
    return webhooks.create_endpoint(session, settings, body, clock())


@router.get("", response_model=WebhookList)
def list_webhooks(session: SessionDep) -> WebhookList:
    """Every endpoint, without its secret."""
    return webhooks.list_endpoints(session)


@router.get(
    "/{webhook_id}",
    response_model=WebhookOut,
    responses=problem_responses(404),
)
def get_webhook(webhook_id: str, session: SessionDep) -> WebhookOut:
    return webhooks.read_endpoint(session, webhook_id)


@router.delete(
    "/{webhook_id}",
    response_model=WebhookOut,
    responses=problem_responses(404),
)
def delete_webhook(webhook_id: str, session: SessionDep) -> WebhookOut:
    """Remove the endpoint and its deliveries: nothing more is sent to it."""
    return webhooks.delete_endpoint(session, webhook_id)


@router.post(
    "/{webhook_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses=problem_responses(404, 409),
)
def test_webhook(webhook_id: str, session: SessionDep, clock: ClockDep) -> DeliveryOut:
    """Send a `webhook.test` event to this endpoint (whatever it subscribes to), signed like
    every other delivery; follow it in the deliveries list."""
    return webhooks.send_test(session, webhook_id, clock())


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryList,
    responses=problem_responses(404, 422),
)
def list_webhook_deliveries(
    webhook_id: str,
    session: SessionDep,
    *,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryList:
    """Deliveries to this endpoint, newest first: event, status, attempts, last HTTP code,
    next attempt."""
    return webhooks.list_deliveries(session, webhook_id, status=status, limit=limit)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses=problem_responses(404, 409),
)
def retry_webhook_delivery(
    webhook_id: str, delivery_id: str, session: SessionDep, clock: ClockDep
) -> DeliveryOut:
    """Send this delivery again now, as one more attempt (also one delivered or failed)."""
    return webhooks.retry_delivery(session, webhook_id, delivery_id, clock())
