"""escrow: tables (see the package docstring and docs/escrow.md).

* ``commission_rates`` — platform master data (no company column, like the catalogue): a rate in basis
  points for a trade type, optionally for one category subtree, with effective dates.
* ``escrow_releases`` — one row per order whose escrow was released (unique ``order_id``: never twice),
  with the amount, the commission and what the supplier is owed; visible to buyer and supplier.
* ``order_commissions`` — the commission of each order line, written at release (the supplier's rows:
  settlement shows them).
* ``escrow_refunds`` / ``escrow_refund_lines`` — every refund out of an order's escrow (cancellation,
  return, dispute decision) and how it splits over the order's lines; unique (``cause``,
  ``reference_id``): one refund per cancelled order, received return or decided dispute.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, utcnow
from autotrade.core.tenancy import OrgOwned
from autotrade.orders.models import BothParties


class TradeType(StrEnum):
    new_vehicle = "new_vehicle"
    used_vehicle = "used_vehicle"
    wear_parts = "wear_parts"
    parts = "parts"


class ReleaseTrigger(StrEnum):
    completion = "completion"  # the buyer completed the order
    auto = "auto"  # escrow.auto_release, N days after delivery
    dispute = "dispute"  # the platform decided a dispute (release, or the rest after a partial refund)


class RefundCause(StrEnum):
    cancellation = "cancellation"  # reference: the order
    return_ = "return"  # reference: the return
    dispute = "dispute"  # reference: the dispute


class CommissionRate(IdMixin, TimestampMixin, Audited, Base):
    """A commission rate: ``rate_bp`` for ``trade_type``, for one category subtree when ``category_id``
    is set (the most specific category wins), in force from ``effective_from`` (inclusive) until
    ``effective_until`` (exclusive; NULL = open-ended)."""

    __tablename__ = "commission_rates"
    __table_args__ = (
        CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="rate_range"),
        CheckConstraint(
            "effective_until IS NULL OR effective_until > effective_from", name="effective_range"
        ),
    )

    trade_type: Mapped[str] = mapped_column(String(20))  # TradeType
    category_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("part_categories.id"), index=True)
    rate_bp: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[datetime]
    effective_until: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(300))


class EscrowRelease(IdMixin, TimestampMixin, Audited, BothParties, Base):
    """The release of an order's escrow: ``amount_fen`` left escrow, ``commission_fen`` went to the
    platform, ``payable_fen`` (= amount − commission) to the supplier's payable."""

    __tablename__ = "escrow_releases"
    __table_args__ = (
        CheckConstraint(
            "amount_fen >= 0 AND commission_fen >= 0 AND payable_fen = amount_fen - commission_fen",
            name="amounts",
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), unique=True)
    trigger: Mapped[str] = mapped_column(String(20))  # ReleaseTrigger
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    commission_fen: Mapped[int] = mapped_column(BigInteger)
    payable_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    journal_entry_id: Mapped[uuid.UUID | None]  # None when nothing was left to release
    released_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderCommission(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """The commission of one order line, computed at release (``org_id`` = the supplier):
    ``commission_fen`` = half up (``base_fen`` × ``rate_bp`` / 10000), ``base_fen`` = the line's gross
    minus what was refunded of it."""

    __tablename__ = "order_commissions"
    __table_args__ = (
        UniqueConstraint("line_id"),
        CheckConstraint("base_fen >= 0 AND commission_fen >= 0", name="amounts"),
    )

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("escrow_releases.id"), index=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"))
    rate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("commission_rates.id"))
    trade_type: Mapped[str] = mapped_column(String(20))
    rate_bp: Mapped[int] = mapped_column(Integer)
    base_fen: Mapped[int] = mapped_column(BigInteger)
    commission_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")


class EscrowRefund(IdMixin, TimestampMixin, Audited, BothParties, Base):
    """A refund out of an order's escrow to the buyer's original payment method."""

    __tablename__ = "escrow_refunds"
    __table_args__ = (
        UniqueConstraint("cause", "reference_id"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    cause: Mapped[str] = mapped_column(String(20))  # RefundCause
    reference_id: Mapped[uuid.UUID]  # the order, return or dispute
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    reason: Mapped[str] = mapped_column(String(500))


class EscrowRefundLine(IdMixin, TimestampMixin, Audited, Base):
    """The share of a refund attributed to one order line (read through its refund only)."""

    __tablename__ = "escrow_refund_lines"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    refund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("escrow_refunds.id"), index=True)
    line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int | None] = mapped_column(Integer)  # pieces, for a return's refund
    amount_fen: Mapped[int] = mapped_column(BigInteger)
