"""events: HTTP routes (thin: parse, call the service, shape the answer).

Webhook endpoints are integration credentials: reading needs ``api_keys:view``, changing them
``api_keys:admin``. See docs/webhooks.md.
"""

from __future__ import annotations

import uuid

from fastapi import Depends, Query, Response
from sqlalchemy.orm import Session

from autotrade.core.deps import get_settings_dep, require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of, paginate
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.events import service
from autotrade.events.errors import WebhookNotFound
from autotrade.events.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from autotrade.events.repository import DeliveryRepository, WebhookRepository
from autotrade.events.schemas import (
    DeliveryOut,
    PingQueued,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookUpdate,
)

router = api_router("/api/v1", tags=["events"])

VIEW = "api_keys:view"
ADMIN = "api_keys:admin"


def _created(endpoint: WebhookEndpoint, secret: str) -> WebhookCreated:
    return WebhookCreated(**WebhookOut.build(endpoint).model_dump(), secret=secret)


@router.get("/webhooks", response_model=Page[WebhookOut])
def list_webhooks(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require(VIEW)),
    db: Session = Depends(get_db),
) -> Page[WebhookOut]:
    return page_of(
        db, WebhookRepository(db).select(), WebhookEndpoint.id, WebhookOut.build, cursor=cursor, limit=limit
    )


@router.post("/webhooks", status_code=201, response_model=WebhookCreated)
def create_webhook(
    data: WebhookIn,
    p: Principal = Depends(require(ADMIN)),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> WebhookCreated:
    """Register an endpoint. The signing secret is in this response only."""
    endpoint, secret = service.create_webhook(db, p, data, settings)
    return _created(endpoint, secret)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut)
def get_webhook(
    webhook_id: uuid.UUID, p: Principal = Depends(require(VIEW)), db: Session = Depends(get_db)
) -> WebhookOut:
    endpoint = WebhookRepository(db).get(webhook_id)
    if endpoint is None:
        raise WebhookNotFound()
    return WebhookOut.build(endpoint)


@router.patch("/webhooks/{webhook_id}", response_model=WebhookOut)
def update_webhook(
    webhook_id: uuid.UUID,
    data: WebhookUpdate,
    p: Principal = Depends(require(ADMIN)),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> WebhookOut:
    return WebhookOut.build(service.update_webhook(db, webhook_id, data, settings))


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(
    webhook_id: uuid.UUID, p: Principal = Depends(require(ADMIN)), db: Session = Depends(get_db)
) -> Response:
    service.delete_webhook(db, webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=WebhookCreated)
def rotate_secret(
    webhook_id: uuid.UUID, p: Principal = Depends(require(ADMIN)), db: Session = Depends(get_db)
) -> WebhookCreated:
    """Replace the signing secret at once. The new secret is in this response only."""
    endpoint, secret = service.rotate_secret(db, webhook_id)
    return _created(endpoint, secret)


@router.post("/webhooks/{webhook_id}/test", status_code=202, response_model=PingQueued)
def send_test(
    webhook_id: uuid.UUID, p: Principal = Depends(require(ADMIN)), db: Session = Depends(get_db)
) -> PingQueued:
    """Queue a ``webhook.ping`` event to this endpoint (whatever its filters); see its deliveries."""
    d = service.send_test(db, webhook_id)
    return PingQueued(event_id=d.event_id, delivery_id=d.id)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryOut])
def list_deliveries(
    webhook_id: uuid.UUID,
    status: DeliveryStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require(VIEW)),
    db: Session = Depends(get_db),
) -> Page[DeliveryOut]:
    """The delivery log, newest first: each delivery with every attempt (status code, error,
    duration, next retry)."""
    if WebhookRepository(db).get(webhook_id) is None:
        raise WebhookNotFound()
    repo = DeliveryRepository(db)
    rows, nxt = paginate(
        db, repo.of_endpoint(webhook_id, status), WebhookDelivery.id, cursor=cursor, limit=limit
    )
    attempts = repo.attempts_of([d.id for d in rows])
    return Page(items=[DeliveryOut.build(d, attempts[d.id]) for d in rows], next_cursor=nxt)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", status_code=202, response_model=DeliveryOut
)
def retry_delivery(
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    p: Principal = Depends(require(ADMIN)),
    db: Session = Depends(get_db),
) -> DeliveryOut:
    """Send a failed delivery again, with the same delivery id."""
    d = service.retry_delivery(db, webhook_id, delivery_id)
    return DeliveryOut.build(d, DeliveryRepository(db).attempts_of([d.id])[d.id])
