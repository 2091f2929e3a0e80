"""settlement: tables (see the package docstring).

* ``settlement_statements`` + ``settlement_lines``: a supplier's statement for one period, a snapshot
  computed from ledger postings when it was generated (``org_id`` = the supplier).
* ``payouts``: money paid out of the platform's bank account to a supplier (``org_id`` = supplier),
  each one a ``payout`` journal entry.
* ``tax_profiles``: a buyer's invoicing details (``org_id`` = the buyer).
* ``invoices``: VAT invoice requests from a buyer (``org_id``) to the issuing supplier
  (``issuer_org_id``), with the issued number; the unique (issuer, number) index is the register of
  issued numbers.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.crypto import BlindIndex, EncryptedText
from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, str_enum, utcnow
from autotrade.core.tenancy import OrgOwned


class LineKind(StrEnum):
    release = "release"  # escrow of an order released to the supplier (net of commission)
    refund = "refund"  # money of one of the supplier's orders refunded to the buyer (information)
    payout = "payout"  # paid out to the supplier's bank account
    adjustment = "adjustment"  # any other posting on the supplier's payable


class InvoiceKind(StrEnum):
    special = "special"  # 增值税专用发票
    normal = "normal"  # 增值税普通发票


class InvoiceScope(StrEnum):
    order = "order"
    period = "period"


class InvoiceStatus(StrEnum):
    requested = "requested"
    issued = "issued"
    rejected = "rejected"


class SettlementStatement(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """One supplier's statement for one period [period_start, period_end) (UTC instants of China-time
    midnights). Amounts in fen; ``payable`` = what the platform owes the supplier."""

    __tablename__ = "settlement_statements"
    __table_args__ = (
        UniqueConstraint("org_id", "period_start", "period_end"),
        CheckConstraint("period_end > period_start", name="period"),
    )

    number: Mapped[str] = mapped_column(String(40), unique=True)  # ST202611-<supplier>-<period>
    period_label: Mapped[str] = mapped_column(String(40))  # "2026-11" or "2026-11-01~2026-11-15"
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    opening_payable_fen: Mapped[int] = mapped_column(BigInteger)
    released_gross_fen: Mapped[int] = mapped_column(BigInteger)
    commission_fen: Mapped[int] = mapped_column(BigInteger)
    released_net_fen: Mapped[int] = mapped_column(BigInteger)
    refunds_fen: Mapped[int] = mapped_column(BigInteger)  # refunds on the supplier's orders (information)
    payouts_fen: Mapped[int] = mapped_column(BigInteger)
    adjustments_fen: Mapped[int] = mapped_column(BigInteger)
    closing_payable_fen: Mapped[int] = mapped_column(BigInteger)
    payout_due_fen: Mapped[int] = mapped_column(BigInteger)
    # False while the period has not ended: generating again recomputes it; once final, a snapshot.
    final: Mapped[bool] = mapped_column(default=False)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_by: Mapped[str] = mapped_column(String(200))


class SettlementLine(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """One ledger entry as it shows on a statement. ``payable_fen`` is its effect on what the platform
    owes the supplier (release: +net, payout: −amount, refund: 0)."""

    __tablename__ = "settlement_lines"

    statement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("settlement_statements.id"), index=True)
    position: Mapped[int]
    kind: Mapped[LineKind] = mapped_column(str_enum(LineKind, "settlement_line_kind"))
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journal_entries.id"))
    order_id: Mapped[uuid.UUID | None]
    order_number: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(100))  # bank reference of a payout
    occurred_at: Mapped[datetime]
    gross_fen: Mapped[int] = mapped_column(BigInteger)
    commission_fen: Mapped[int] = mapped_column(BigInteger)
    payable_fen: Mapped[int] = mapped_column(BigInteger)


class Payout(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A transfer from the platform's bank account to a supplier (``org_id``)."""

    __tablename__ = "payouts"
    __table_args__ = (
        UniqueConstraint("org_id", "bank_reference"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    bank_reference: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    paid_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))


class TaxProfile(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A buyer's invoicing details (开票信息). The bank account is encrypted, masked in answers."""

    __tablename__ = "tax_profiles"
    __audit_redact__ = ("bank_account", "bank_account_hmac")

    title: Mapped[str] = mapped_column(String(200))  # 发票抬头
    taxpayer_id: Mapped[str] = mapped_column(String(20))  # 纳税人识别号
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))  # a company switchboard, printed on invoices
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account: Mapped[str | None] = mapped_column(EncryptedText("bank_account"))
    bank_account_hmac: Mapped[str | None] = mapped_column(BlindIndex, index=True)
    is_default: Mapped[bool] = mapped_column(default=False)

    __blind_indexes__: ClassVar[dict[str, tuple[str, str]]] = {
        "bank_account": ("bank_account_hmac", "bank_account")
    }


class Invoice(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A VAT invoice request of a buyer (``org_id``) to a supplier (``issuer_org_id``) and, once issued,
    the invoice itself. The tax details are copied from the profile when requested."""

    __tablename__ = "invoices"
    __tenant_parties__ = ("issuer_org_id",)
    __audit_redact__ = ("bank_account",)
    __table_args__ = (
        UniqueConstraint("issuer_org_id", "invoice_number"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_invoices_order_id", "order_id"),
    )

    issuer_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[InvoiceKind] = mapped_column(str_enum(InvoiceKind, "invoice_kind"))
    scope: Mapped[InvoiceScope] = mapped_column(str_enum(InvoiceScope, "invoice_scope"))
    status: Mapped[InvoiceStatus] = mapped_column(
        str_enum(InvoiceStatus, "invoice_status"), default=InvoiceStatus.requested
    )
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    period_label: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # what the buyer's orders cost, net of refunds
    tax_profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tax_profiles.id"))
    title: Mapped[str] = mapped_column(String(200))
    taxpayer_id: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account: Mapped[str | None] = mapped_column(EncryptedText("bank_account"))
    note: Mapped[str | None] = mapped_column(String(500))
    requested_by: Mapped[str] = mapped_column(String(200))
    invoice_number: Mapped[str | None] = mapped_column(String(40))
    invoice_date: Mapped[date | None] = mapped_column(Date)
    issued_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    issued_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    decided_by: Mapped[str | None] = mapped_column(String(200))
