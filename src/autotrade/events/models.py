"""events: tables (see the package docstring).

* ``outbox_events``: one row per company per state change, written in the business transaction
  (:func:`autotrade.events.service.emit`); ``dispatched_at`` is set once the dispatcher has fanned it
  out to the company's matching webhook endpoints.
* ``webhook_endpoints``: where a company wants its events POSTed, with the signing secret (encrypted).
* ``webhook_deliveries``: one row per (endpoint, event) — its id is the stable ``X-Autotrade-Delivery``
  header — with the retry state and the claim lease of the worker currently sending it.
* ``webhook_attempts``: append-only log of every attempt (status code, error, duration, next retry).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.crypto import EncryptedText
from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, json_type, str_enum, utcnow
from autotrade.core.tenancy import OrgOwned

SECRET_PURPOSE = "webhook_secret"  # noqa: S105  (a crypto purpose, not a secret) — bound as associated data of the encrypted secret column


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its next attempt (next_attempt_at)
    delivering = "delivering"  # claimed by a worker until leased_until
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # gave up after the last attempt


class AttemptOutcome(StrEnum):
    delivered = "delivered"
    retry = "retry"  # failed, another attempt is scheduled at next_retry_at
    failed = "failed"  # failed, and it was the last attempt
    lost = "lost"  # the worker stopped before recording a result; its lease expired


class OutboxEvent(IdMixin, OrgOwned, Base):
    __tablename__ = "outbox_events"
    __audit_exempt__ = "an outbox event is itself the record of a state change, written with it"

    type: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(json_type())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(index=True)


class WebhookEndpoint(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    __tablename__ = "webhook_endpoints"
    __audit_redact__ = ("secret",)

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    # Event type patterns: exact ("order.created"), a domain ("order.*") or everything ("*").
    event_types: Mapped[list[str]] = mapped_column(json_type())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    secret: Mapped[str] = mapped_column(EncryptedText(SECRET_PURPOSE))
    secret_rotated_at: Mapped[datetime | None]


class WebhookDelivery(IdMixin, TimestampMixin, OrgOwned, Base):
    __tablename__ = "webhook_deliveries"
    __audit_exempt__ = "the delivery log, written by the dispatcher; webhook_attempts is its history"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_status", "status", "next_attempt_at"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "webhook_delivery_status", length=16), default=DeliveryStatus.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_token: Mapped[uuid.UUID | None]
    leased_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(IdMixin, OrgOwned, Base):
    __tablename__ = "webhook_attempts"
    __audit_exempt__ = "append-only log of delivery attempts; it is its own record"
    __table_args__ = (UniqueConstraint("delivery_id", "attempt"),)

    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(100))
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[AttemptOutcome] = mapped_column(
        str_enum(AttemptOutcome, "webhook_attempt_outcome", length=16)
    )
    started_at: Mapped[datetime]
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    next_retry_at: Mapped[datetime | None]
