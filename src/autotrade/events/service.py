"""events: business rules — writing outbox events, managing webhook endpoints.

:func:`emit` is called by every domain inside its own transaction (it is on the checkout hot path:
no query, no flush; the rows go in with the caller's next flush or commit). Delivery happens after
commit, in :mod:`autotrade.events.dispatcher`.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from autotrade.audit.service import label, record_event
from autotrade.core.db import utcnow, uuid7
from autotrade.core.errors import ValidationFailed
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.events.delivery import queue_ping, redeliver
from autotrade.events.errors import (
    DeliveryNotFound,
    DeliveryNotRetryable,
    TooManyWebhooks,
    WebhookNotFound,
    WebhookUrlNotAllowed,
)
from autotrade.events.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint
from autotrade.events.repository import DeliveryRepository, WebhookRepository
from autotrade.events.schemas import WebhookIn, WebhookUpdate
from autotrade.events.signing import new_secret
from autotrade.events.transport import UrlNotAllowed, check_url, private_allowed

DISPATCH_JOB = "events.dispatch"

EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    raise TypeError(f"event payload value of type {type(value).__name__} is not JSON-serialisable")


def outbox_rows(
    type: str,
    *,
    org_ids: Iterable[uuid.UUID],
    subject_type: str,
    subject_id: Any,
    payload: dict[str, Any],
) -> list[dict[str, Any]]:
    """The outbox rows of one event, one per company (duplicates collapsed), to insert with
    :func:`autotrade.audit.service.insert_rows` alongside other rows of the same transaction.

    ``type`` is ``domain.action`` (``order.created``, ``order.shipped``, ``stock.low``). ``payload``
    may hold UUIDs, datetimes, enums and decimals: they are stored as strings. Raises ``ValueError``
    on a malformed type (a programming error, not a user error)."""
    if not EVENT_TYPE.match(type) or len(type) > 100:
        raise ValueError(f"event type {type!r} must look like 'domain.action' (lower case)")
    data = _jsonable(payload)
    subject = str(subject_id)
    now = utcnow()
    return [
        {
            "id": uuid7(),
            "org_id": org_id,
            "type": type,
            "subject_type": subject_type,
            "subject_id": subject,
            "payload": data,
            "created_at": now,
        }
        for org_id in dict.fromkeys(org_ids)
    ]


def emit(
    session: Session,
    type: str,
    *,
    org_ids: Iterable[uuid.UUID],
    subject_type: str,
    subject_id: Any,
    payload: dict[str, Any],
) -> None:
    """Write one outbox event per company (duplicates collapsed), in the caller's transaction (see
    :func:`outbox_rows`)."""
    rows = outbox_rows(
        type, org_ids=org_ids, subject_type=subject_type, subject_id=subject_id, payload=payload
    )
    session.add_all([OutboxEvent(**r) for r in rows])


# ---- webhook endpoints ---------------------------------------------------------------------------------

MAX_ENDPOINTS_PER_COMPANY = 20


def _checked_url(url: str, settings: Settings) -> str:
    try:
        return check_url(url.strip(), allow_private=private_allowed(settings))
    except UrlNotAllowed as e:
        raise WebhookUrlNotAllowed(str(e), field="url") from e


def create_webhook(
    session: Session, p: Principal, data: WebhookIn, settings: Settings
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for the caller's company. Returns it and its secret (shown once)."""
    url = _checked_url(data.url, settings)
    repo = WebhookRepository(session)
    if repo.count_of_org(p.org_id) >= MAX_ENDPOINTS_PER_COMPANY:
        raise TooManyWebhooks(f"at most {MAX_ENDPOINTS_PER_COMPANY} webhook endpoints per company")
    secret = new_secret()
    endpoint = WebhookEndpoint(
        org_id=p.org_id,
        url=url,
        description=data.description,
        event_types=list(data.event_types),
        active=data.active,
        secret=secret,
    )
    label(endpoint, "webhook.create")
    repo.add(endpoint)
    return endpoint, secret


def update_webhook(
    session: Session, webhook_id: uuid.UUID, data: WebhookUpdate, settings: Settings
) -> WebhookEndpoint:
    endpoint = _get(session, webhook_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("url", "event_types", "active"):
        if key in changes and changes[key] is None:
            raise ValidationFailed(f"{key} cannot be null", field=key, code="required")
    if "url" in changes:
        endpoint.url = _checked_url(changes["url"], settings)
    if "description" in changes:
        endpoint.description = changes["description"]
    if "event_types" in changes:
        endpoint.event_types = list(changes["event_types"])
    if "active" in changes:
        endpoint.active = changes["active"]
    label(endpoint, "webhook.update")
    session.flush()
    return endpoint


def rotate_secret(session: Session, webhook_id: uuid.UUID) -> tuple[WebhookEndpoint, str]:
    """A new secret at once; the old one stops signing with the next attempt."""
    endpoint = _get(session, webhook_id)
    secret = new_secret()
    endpoint.secret = secret
    endpoint.secret_rotated_at = utcnow()
    label(endpoint, "webhook.rotate_secret")
    session.flush()
    return endpoint, secret


def delete_webhook(session: Session, webhook_id: uuid.UUID) -> None:
    """Delete the endpoint with its deliveries and attempt log (the audit log keeps the deletion)."""
    endpoint = _get(session, webhook_id)
    label(endpoint, "webhook.delete")
    session.delete(endpoint)
    session.flush()


def send_test(session: Session, webhook_id: uuid.UUID) -> WebhookDelivery:
    """Queue a ``webhook.ping`` to this endpoint and ask a worker to run the dispatcher now."""
    from autotrade.jobs import service as jobs

    endpoint = _get(session, webhook_id)
    delivery = queue_ping(session, endpoint, utcnow())
    record_event(
        session,
        "webhook.test",
        entity_type="webhook_endpoints",
        entity_id=endpoint.id,
        org_id=endpoint.org_id,
        after={"delivery_id": str(delivery.id)},
    )
    jobs.submit(session, DISPATCH_JOB, org_id=endpoint.org_id)
    return delivery


def retry_delivery(session: Session, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Send a failed delivery again (same delivery id): one more attempt, continuing its schedule."""
    from autotrade.jobs import service as jobs

    endpoint = _get(session, webhook_id)
    delivery = DeliveryRepository(session).get_of_endpoint(endpoint.id, delivery_id)
    if delivery is None:
        raise DeliveryNotFound()
    if delivery.status != DeliveryStatus.failed:
        raise DeliveryNotRetryable(f"the delivery is {delivery.status.value}")
    redeliver(session, delivery, utcnow())
    record_event(
        session,
        "webhook.redeliver",
        entity_type="webhook_deliveries",
        entity_id=delivery.id,
        org_id=delivery.org_id,
        after={"webhook_id": str(endpoint.id), "event_id": str(delivery.event_id)},
    )
    jobs.submit(session, DISPATCH_JOB, org_id=endpoint.org_id)
    return delivery


def _get(session: Session, webhook_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = WebhookRepository(session).get(webhook_id)
    if endpoint is None:
        raise WebhookNotFound()
    return endpoint
