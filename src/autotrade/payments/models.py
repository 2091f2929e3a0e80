"""payments: tables (see the package docstring and docs/payments.md).

``payments``: one attempt of a buyer to pay one order through one provider. Its ``reference_code`` is
what the buyer quotes on a bank transfer and what the gateway knows the payment by (``out_trade_no``);
``provider_reference`` is the gateway's own trade number, ``bank_reference`` the bank's reference of a
confirmed transfer (each unique: one transfer or trade never pays twice). ``pays_order`` marks the one
payment that paid its order (a late or second payment is recorded, then refunded at once).

``payment_callbacks``: every callback the gateway sent us, verified or not, with its raw body and what
we made of it (``outcome``). ``dedupe_key`` (``<provider>:<event id>``, unique) is set on the first
verified delivery of an event only: a redelivery is logged beside it (``outcome`` ``duplicate``) and
answered with the first one's outcome; a forged callback carrying a real event id cannot block it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, str_enum, utcnow
from autotrade.core.tenancy import OrgOwned


class ProviderName(StrEnum):
    bank_transfer = "bank_transfer"
    gateway = "gateway"
    credit = "credit"


class PaymentStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"
    refunded = "refunded"
    partially_refunded = "partially_refunded"


class Payment(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A buyer's payment of an order (``org_id`` is the buyer)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", name="refunded_range"),
        Index("ix_payments_order_id_status", "order_id", "status"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    provider: Mapped[ProviderName] = mapped_column(str_enum(ProviderName, "payment_provider"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[PaymentStatus] = mapped_column(
        str_enum(PaymentStatus, "payment_status"), default=PaymentStatus.pending
    )
    refunded_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reference_code: Mapped[str] = mapped_column(String(32), unique=True)  # quoted by the buyer
    provider_reference: Mapped[str | None] = mapped_column(String(64), unique=True)  # gateway trade no
    bank_reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    pays_order: Mapped[bool] = mapped_column(Boolean, default=False)
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[uuid.UUID | None]
    paid_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]


class PaymentCallback(IdMixin, Base):
    """One callback received from a provider, as it came (append-only)."""

    __tablename__ = "payment_callbacks"
    __audit_exempt__ = "append-only log: each row is the record of one callback received"

    provider: Mapped[ProviderName] = mapped_column(str_enum(ProviderName, "payment_provider"))
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    body: Mapped[str] = mapped_column(Text)
    signature_ok: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(500))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payments.id", ondelete="RESTRICT"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
