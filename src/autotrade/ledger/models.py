"""ledger: tables (see the package docstring and docs/money.md, section "ledger").

Tenant scoping. An account belongs to one company (``org_id``; the platform's accounts belong to the
platform company) and is :class:`OrgOwned`: a company sees its own accounts only. A journal entry
touches several companies at once, so entries and postings carry no company column: a company reads
a posting only through one of its own accounts (the repository loads the account under the tenant
filter first), and platform finance reads everything through the documented ``all_tenants``
repository methods.

Audit. Entries and postings are the immutable record of every money movement (the database refuses
UPDATE and DELETE on them, migration 0009); they record who posted (``actor_label``). An account's
``balance_fen`` is derived from its postings (a cached running sum, checked by ``verify``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Base, IdMixin, utcnow
from autotrade.core.tenancy import OrgOwned


class Purpose(StrEnum):
    """What an account holds. Sides as the platform's books see them: assets are debit-normal
    (``bank_clearing``, ``gateway_clearing``, ``credit_receivable``), liabilities and revenue are
    credit-normal (``escrow``, ``supplier_payable``, ``refunds_payable``, ``commission_revenue``)."""

    bank_clearing = "bank_clearing"
    gateway_clearing = "gateway_clearing"
    escrow = "escrow"
    supplier_payable = "supplier_payable"
    commission_revenue = "commission_revenue"
    refunds_payable = "refunds_payable"
    credit_receivable = "credit_receivable"


DEBIT_NORMAL = frozenset({Purpose.bank_clearing, Purpose.gateway_clearing, Purpose.credit_receivable})


class LedgerAccount(IdMixin, OrgOwned, Base):
    """One company's account for one purpose and currency; created on first use by ``post``."""

    __tablename__ = "ledger_accounts"
    __audit_exempt__ = "balance_fen is derived: ledger_postings is its immutable history"
    __table_args__ = (UniqueConstraint("org_id", "purpose", "currency"),)

    purpose: Mapped[Purpose] = mapped_column(
        Enum(
            Purpose,
            name="ledger_purpose",
            native_enum=False,
            validate_strings=True,
            length=30,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    currency: Mapped[str] = mapped_column(String(3))
    # Σ amount_fen of the account's postings (debit > 0), changed only by ``post`` in SQL.
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JournalEntry(IdMixin, Base):
    """One balanced money movement (its postings sum to zero). Immutable."""

    __tablename__ = "journal_entries"
    __audit_exempt__ = "immutable journal: each entry is the record of one money movement"
    __table_args__ = (Index("ix_journal_entries_reference", "reference_type", "reference_id"),)

    kind: Mapped[str] = mapped_column(String(40), index=True)  # payment, escrow_release, refund, …
    currency: Mapped[str] = mapped_column(String(3))
    reference_type: Mapped[str] = mapped_column(String(40))  # "order", "payment", "payout", …
    reference_id: Mapped[str] = mapped_column(String(100))  # a uuid or the caller's own reference
    memo: Mapped[str] = mapped_column(String(500), default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerPosting(IdMixin, Base):
    """One leg of an entry: a signed amount on one account (debit > 0, credit < 0). Immutable."""

    __tablename__ = "ledger_postings"
    __audit_exempt__ = "immutable journal: postings are written once with their entry"
    __table_args__ = (
        CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
        Index("ix_ledger_postings_account_id_id", "account_id", "id"),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # Which order's money this is (the escrow held per order); no foreign key: a dimension.
    order_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
