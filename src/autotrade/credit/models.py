"""credit: tables (see the package docstring and docs/credit.md).

Every credit row has two parties: the **debtor** (the buyer company, in ``org_id``) and the
**creditor** (the platform company or a supplier, in ``creditor_org_id``). ``__tenant_parties__`` makes
the central tenant filter show a row to either of them and to no one else; what each may *do* is a
rule in the service (only the creditor adjusts or suspends a line, only the debtor pays on credit,
only platform finance confirms repayments).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, str_enum, utcnow
from autotrade.core.tenancy import OrgOwned


class CreditLineStatus(StrEnum):
    active = "active"
    suspended = "suspended"


class CreditInvoiceStatus(StrEnum):
    open = "open"
    overdue = "overdue"  # written by the credit.mark_overdue job; payment checks read due_at itself
    paid = "paid"


class CreditParties(OrgOwned):
    """The debtor (buyer) in ``org_id`` and the creditor beside it: visible to both companies."""

    __tenant_parties__ = ("creditor_org_id",)

    creditor_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="RESTRICT"), index=True)


class CreditLine(IdMixin, TimestampMixin, Audited, CreditParties, Base):
    """A credit limit and terms (账期) a creditor grants a buyer. ``used_fen`` changes only by
    conditional SQL (consume: ``used_fen + g <= limit_fen``; restore: ``used_fen >= a``), each with its
    audit event."""

    __tablename__ = "credit_lines"
    __table_args__ = (
        UniqueConstraint("creditor_org_id", "org_id", "currency"),
        CheckConstraint("limit_fen >= 0", name="limit_not_negative"),
        CheckConstraint("used_fen >= 0", name="used_not_negative"),
        CheckConstraint("term_days >= 1 AND term_days <= 365", name="term_range"),
    )

    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    limit_fen: Mapped[int] = mapped_column(BigInteger)
    # What open credit invoices of this line still owe. May exceed a limit lowered later: the buyer
    # then cannot use the line until repayments bring it under the new limit.
    used_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    term_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[CreditLineStatus] = mapped_column(
        str_enum(CreditLineStatus, "credit_line_status"), default=CreditLineStatus.active
    )
    granted_by: Mapped[str] = mapped_column(String(200))  # who granted it (actor label)
    granted_by_id: Mapped[uuid.UUID | None]  # their user id (None for an API key or the CLI)
    note: Mapped[str | None] = mapped_column(String(500))
    suspended_at: Mapped[datetime | None]
    suspend_reason: Mapped[str | None] = mapped_column(String(500))


class CreditInvoice(IdMixin, TimestampMixin, Audited, CreditParties, Base):
    """What one order paid on credit owes: due ``term_days`` after it was paid."""

    __tablename__ = "credit_invoices"
    __table_args__ = (
        Index("ix_credit_invoices_status_due_at", "status", "due_at"),
        # A refund of a credit-paid order lowers what the invoice asks for (credit.service.refund_on_credit),
        # down to 0 when the whole order is refunded before any repayment.
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("repaid_fen >= 0 AND repaid_fen <= amount_fen", name="repaid_range"),
    )

    line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_lines.id"), index=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    repaid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    term_days: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)  # when the order was paid on credit
    due_at: Mapped[datetime]  # issued_at + term_days
    status: Mapped[CreditInvoiceStatus] = mapped_column(
        str_enum(CreditInvoiceStatus, "credit_invoice_status"), default=CreditInvoiceStatus.open
    )
    paid_at: Mapped[datetime | None]  # when the last repayment closed it


class CreditRepayment(IdMixin, TimestampMixin, Audited, CreditParties, Base):
    """A repayment received by bank transfer and confirmed by platform finance (one per bank
    reference and invoice)."""

    __tablename__ = "credit_repayments"
    __table_args__ = (
        UniqueConstraint("invoice_id", "bank_reference"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_invoices.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    bank_reference: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by: Mapped[str] = mapped_column(String(200))
    confirmed_by_id: Mapped[uuid.UUID | None]
    note: Mapped[str | None] = mapped_column(String(500))
