"""events: request and response shapes of the webhook API."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from autotrade.events.models import (
    AttemptOutcome,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from autotrade.orgs.schemas import Strict

# "*", "order.*", "order.created", "transfer.*" — lower-case domain.action, "*" as a whole segment.
PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.([a-z0-9_]+|\*))*)$")


def _check_patterns(v: list[str] | None) -> list[str] | None:
    if v is None:
        return None
    for p in v:
        if len(p) > 100 or not PATTERN.match(p):
            raise PydanticCustomError(
                "invalid_event_pattern",
                "{p!r} is not an event type pattern (e.g. order.created, order.*, *)",
                {"p": p},
            )
    return sorted(set(v))


class WebhookIn(Strict):
    url: str = Field(min_length=1, max_length=2000, description="http:// or https:// URL receiving POSTs")
    description: str | None = Field(default=None, max_length=200)
    event_types: list[str] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        max_length=50,
        description="Event types to receive: exact (order.created), a domain (order.*) or all (*)",
    )
    active: bool = True

    _patterns = field_validator("event_types")(_check_patterns)


class WebhookUpdate(Strict):
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    description: str | None = Field(default=None, max_length=200)
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=50)
    active: bool | None = None

    _patterns = field_validator("event_types")(_check_patterns)


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime
    secret_rotated_at: datetime | None

    @classmethod
    def build(cls, w: WebhookEndpoint) -> WebhookOut:
        return cls(
            id=w.id,
            url=w.url,
            description=w.description,
            event_types=list(w.event_types),
            active=w.active,
            created_at=w.created_at,
            updated_at=w.updated_at,
            secret_rotated_at=w.secret_rotated_at,
        )


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signing secret. Shown only in this response; store it now.")


class AttemptOut(BaseModel):
    id: uuid.UUID
    delivery_id: uuid.UUID = Field(description="Stable across retries: the X-Autotrade-Delivery header")
    event_id: uuid.UUID
    event_type: str
    attempt: int
    outcome: AttemptOutcome
    status_code: int | None
    error: str | None
    duration_ms: int | None
    started_at: datetime
    next_retry_at: datetime | None

    @classmethod
    def build(cls, a: WebhookAttempt) -> AttemptOut:
        return cls(
            id=a.id,
            delivery_id=a.delivery_id,
            event_id=a.event_id,
            event_type=a.event_type,
            attempt=a.attempt,
            outcome=a.outcome,
            status_code=a.status_code,
            error=a.error,
            duration_ms=a.duration_ms,
            started_at=a.started_at,
            next_retry_at=a.next_retry_at,
        )


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    attempt_log: list[AttemptOut] = Field(description="Every attempt, first to last")

    @classmethod
    def build(cls, d: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryOut:
        return cls(
            id=d.id,
            event_id=d.event_id,
            event_type=d.event_type,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
            attempt_log=[AttemptOut.build(a) for a in attempts],
        )


class PingQueued(BaseModel):
    event_id: uuid.UUID
    delivery_id: uuid.UUID = Field(description="Follow it in GET /webhooks/{id}/deliveries")
