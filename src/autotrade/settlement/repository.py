"""settlement: queries.

Supplier-facing reads (statements, payouts) and buyer/issuer reads (tax profiles, invoices) run under
the central tenant filter: a company sees its own rows only (an invoice: its buyer and its issuer).

Platform finance reads across companies (``all_tenants``), only in the methods of
:class:`FinanceReads` and the ``platform_*`` methods below, which are called only behind
``platform.finance:*`` permissions or from CLI commands (trusted, ``SYSTEM`` scope): a statement is
computed from every company's ledger postings, the reconciliation compares every order, payment and
entry, and a payout names any supplier.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Select, cast, func, or_, select
from sqlalchemy.orm import Session

from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.ledger.models import JournalEntry, LedgerAccount, LedgerPosting, Purpose
from autotrade.orders.models import Order
from autotrade.orgs.models import Org, OrgType
from autotrade.payments.models import Payment
from autotrade.settlement.models import (
    Invoice,
    InvoiceScope,
    InvoiceStatus,
    Payout,
    SettlementLine,
    SettlementStatement,
    TaxProfile,
)


def _sum(column: Any) -> Any:
    # SUM(bigint) is numeric on PostgreSQL: cast back so Python sees an int.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


# ---- statements ---------------------------------------------------------------------------------------


class StatementRepository(Repository[SettlementStatement]):
    model = SettlementStatement
    label = "settlement statement"
    not_found_code = "statement_not_found"

    def listing(self, *, supplier_org_id: uuid.UUID | None = None) -> Select[Any]:
        stmt = self.select()
        if supplier_org_id is not None:
            stmt = stmt.where(SettlementStatement.org_id == supplier_org_id)
        return stmt

    def platform_listing(self, *, supplier_org_id: uuid.UUID | None = None) -> Select[Any]:
        """Platform finance: every supplier's statements."""
        return self.listing(supplier_org_id=supplier_org_id).execution_options(**ALL_TENANTS)

    def platform_get(self, statement_id: uuid.UUID) -> SettlementStatement | None:
        return self.get_any_tenant(statement_id)

    def for_period(
        self, supplier_org_id: uuid.UUID, start: datetime, end: datetime
    ) -> SettlementStatement | None:
        """Platform finance: the statement of this supplier and period, if generated."""
        stmt = (
            self.select()
            .where(
                SettlementStatement.org_id == supplier_org_id,
                SettlementStatement.period_start == start,
                SettlementStatement.period_end == end,
            )
            .execution_options(**ALL_TENANTS)
        )
        found: SettlementStatement | None = self.session.scalar(stmt)
        return found

    def lines(self, statement_id: uuid.UUID, *, all_tenants: bool = False) -> list[SettlementLine]:
        stmt = (
            select(SettlementLine)
            .where(SettlementLine.statement_id == statement_id)
            .order_by(SettlementLine.position)
        )
        if all_tenants:
            stmt = stmt.execution_options(**ALL_TENANTS)
        return list(self.session.scalars(stmt))

    def delete_lines(self, lines: Iterable[SettlementLine]) -> None:
        for line in lines:
            self.session.delete(line)
        self.session.flush()


# ---- payouts ------------------------------------------------------------------------------------------


class PayoutRepository(Repository[Payout]):
    model = Payout
    label = "payout"
    not_found_code = "payout_not_found"

    def listing(self, *, supplier_org_id: uuid.UUID | None = None) -> Select[Any]:
        stmt = self.select()
        if supplier_org_id is not None:
            stmt = stmt.where(Payout.org_id == supplier_org_id)
        return stmt

    def platform_listing(self, *, supplier_org_id: uuid.UUID | None = None) -> Select[Any]:
        return self.listing(supplier_org_id=supplier_org_id).execution_options(**ALL_TENANTS)

    def platform_by_reference(self, supplier_org_id: uuid.UUID, bank_reference: str) -> Payout | None:
        stmt = (
            self.select()
            .where(Payout.org_id == supplier_org_id, Payout.bank_reference == bank_reference)
            .execution_options(**ALL_TENANTS)
        )
        found: Payout | None = self.session.scalar(stmt)
        return found

    def platform_by_entries(self, entry_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Payout]:
        ids = list(entry_ids)
        if not ids:
            return {}
        stmt = self.select().where(Payout.entry_id.in_(ids)).execution_options(**ALL_TENANTS)
        return {p.entry_id: p for p in self.session.scalars(stmt)}


# ---- the ledger and the trading core, as platform finance reads them ----------------------------------


class FinanceReads:
    """Cross-company reads of ledger postings, orders, payments and companies (``all_tenants``),
    for statements, payouts and the reconciliation report only."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def company(self, org_id: uuid.UUID) -> Org | None:
        """A top-level, non-platform company (a supplier that can be paid)."""
        stmt = (
            select(Org)
            .where(Org.id == org_id, Org.parent_id.is_(None), Org.type != OrgType.platform)
            .execution_options(**ALL_TENANTS)
        )
        found: Org | None = self.session.scalar(stmt)
        return found

    def company_names(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        stmt = select(Org.id, Org.name).where(Org.id.in_(wanted)).execution_options(**ALL_TENANTS)
        return {i: n for i, n in self.session.execute(stmt)}

    def payable_account(self, org_id: uuid.UUID, currency: str) -> uuid.UUID | None:
        stmt = (
            select(LedgerAccount.id)
            .where(
                LedgerAccount.org_id == org_id,
                LedgerAccount.purpose == Purpose.supplier_payable,
                LedgerAccount.currency == currency,
            )
            .execution_options(**ALL_TENANTS)
        )
        found: uuid.UUID | None = self.session.scalar(stmt)
        return found

    def suppliers_with_payable(self, currency: str) -> list[uuid.UUID]:
        """Every company that was ever owed money (holds a ``supplier_payable`` account)."""
        stmt = (
            select(LedgerAccount.org_id)
            .where(LedgerAccount.purpose == Purpose.supplier_payable, LedgerAccount.currency == currency)
            .order_by(LedgerAccount.org_id)
            .execution_options(**ALL_TENANTS)
        )
        return list(self.session.scalars(stmt))

    def suppliers_with_refunds(self, start: datetime, end: datetime, currency: str) -> list[uuid.UUID]:
        stmt = (
            select(Order.supplier_org_id)
            .join(LedgerPosting, LedgerPosting.order_id == Order.id)
            .join(JournalEntry, JournalEntry.id == LedgerPosting.entry_id)
            .where(
                JournalEntry.kind == "refund",
                JournalEntry.currency == currency,
                LedgerPosting.created_at >= start,
                LedgerPosting.created_at < end,
            )
            .distinct()
            .execution_options(**ALL_TENANTS)
        )
        return list(self.session.scalars(stmt))

    def account_sum_before(self, account_id: uuid.UUID, at: datetime) -> int:
        stmt = (
            select(_sum(LedgerPosting.amount_fen))
            .where(LedgerPosting.account_id == account_id, LedgerPosting.created_at < at)
            .execution_options(**ALL_TENANTS)
        )
        return int(self.session.scalar(stmt) or 0)

    def account_postings_between(
        self, account_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[tuple[LedgerPosting, JournalEntry]]:
        stmt = (
            select(LedgerPosting, JournalEntry)
            .join(JournalEntry, JournalEntry.id == LedgerPosting.entry_id)
            .where(
                LedgerPosting.account_id == account_id,
                LedgerPosting.created_at >= start,
                LedgerPosting.created_at < end,
            )
            .order_by(LedgerPosting.created_at, LedgerPosting.id)
            .execution_options(**ALL_TENANTS)
        )
        return [(p, e) for p, e in self.session.execute(stmt)]

    def legs_of(self, entry_ids: Iterable[uuid.UUID]) -> list[tuple[uuid.UUID, Purpose, uuid.UUID, int, Any]]:
        """(entry id, purpose, account owner, amount, order id) of every posting of these entries."""
        ids = list(set(entry_ids))
        if not ids:
            return []
        stmt = (
            select(
                LedgerPosting.entry_id,
                LedgerAccount.purpose,
                LedgerAccount.org_id,
                LedgerPosting.amount_fen,
                LedgerPosting.order_id,
            )
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .where(LedgerPosting.entry_id.in_(ids))
            .order_by(LedgerPosting.id)
            .execution_options(**ALL_TENANTS)
        )
        return [(e, Purpose(p), o, int(a), oid) for e, p, o, a, oid in self.session.execute(stmt)]

    def supplier_refunds_between(
        self, supplier_org_id: uuid.UUID, start: datetime, end: datetime, currency: str
    ) -> list[tuple[JournalEntry, uuid.UUID, int]]:
        """Refund entries of the supplier's orders in the period: (entry, order id, amount taken out of
        escrow)."""
        stmt = (
            select(JournalEntry, LedgerPosting.order_id, _sum(LedgerPosting.amount_fen))
            .join(LedgerPosting, LedgerPosting.entry_id == JournalEntry.id)
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .join(Order, Order.id == LedgerPosting.order_id)
            .where(
                JournalEntry.kind == "refund",
                JournalEntry.currency == currency,
                LedgerAccount.purpose == Purpose.escrow,
                Order.supplier_org_id == supplier_org_id,
                JournalEntry.created_at >= start,
                JournalEntry.created_at < end,
            )
            .group_by(JournalEntry.id, LedgerPosting.order_id)
            .order_by(JournalEntry.created_at, JournalEntry.id)
            .execution_options(**ALL_TENANTS)
        )
        return [(e, oid, int(a)) for e, oid, a in self.session.execute(stmt)]

    def order_numbers(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        stmt = select(Order.id, Order.number).where(Order.id.in_(wanted)).execution_options(**ALL_TENANTS)
        return {i: n for i, n in self.session.execute(stmt)}

    # --- reconciliation ----------------------------------------------------------------------------

    def order_postings(self) -> list[tuple[uuid.UUID, uuid.UUID, str, str | None, str, str, Purpose, int]]:
        """Every posting that names an order: (order id, entry id, kind, dedupe key, reference type,
        reference id, purpose, amount)."""
        stmt = (
            select(
                LedgerPosting.order_id,
                JournalEntry.id,
                JournalEntry.kind,
                JournalEntry.dedupe_key,
                JournalEntry.reference_type,
                JournalEntry.reference_id,
                LedgerAccount.purpose,
                LedgerPosting.amount_fen,
            )
            .join(JournalEntry, JournalEntry.id == LedgerPosting.entry_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .where(LedgerPosting.order_id.is_not(None))
            .order_by(LedgerPosting.id)
            .execution_options(**ALL_TENANTS)
        )
        return [
            (oid, eid, kind, dk, rt, rid, Purpose(purpose), int(amount))
            for oid, eid, kind, dk, rt, rid, purpose, amount in self.session.execute(stmt)
            if oid is not None
        ]

    def payment_entries(self) -> list[JournalEntry]:
        stmt = (
            select(JournalEntry)
            .where(JournalEntry.kind == "payment")
            .order_by(JournalEntry.id)
            .execution_options(**ALL_TENANTS)
        )
        return list(self.session.scalars(stmt))

    def escrow_without_order(self) -> list[tuple[uuid.UUID, int]]:
        """Postings on an escrow account that name no order: (entry id, amount)."""
        stmt = (
            select(LedgerPosting.entry_id, LedgerPosting.amount_fen)
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .where(LedgerAccount.purpose == Purpose.escrow, LedgerPosting.order_id.is_(None))
            .execution_options(**ALL_TENANTS)
        )
        return [(e, int(a)) for e, a in self.session.execute(stmt)]

    def entry_count(self) -> int:
        stmt = select(func.count()).select_from(JournalEntry).execution_options(**ALL_TENANTS)
        return int(self.session.scalar(stmt) or 0)

    def payments(self) -> list[Payment]:
        stmt = select(Payment).order_by(Payment.id).execution_options(**ALL_TENANTS)
        return list(self.session.scalars(stmt))

    def orders_for_reconciliation(self, ids: Iterable[uuid.UUID]) -> list[Order]:
        """Every order that was paid, plus the named ones (orders with money or payments)."""
        wanted = list(set(ids))
        cond: Any = Order.paid_at.is_not(None)
        if wanted:
            cond = or_(cond, Order.id.in_(wanted))
        stmt = select(Order).where(cond).order_by(Order.id).execution_options(**ALL_TENANTS)
        return list(self.session.scalars(stmt))


# ---- tax profiles and invoices ------------------------------------------------------------------------


class TaxProfileRepository(Repository[TaxProfile]):
    model = TaxProfile
    label = "tax profile"
    not_found_code = "tax_profile_not_found"

    def listing(self) -> Select[Any]:
        return self.select()

    def defaults(self, org_id: uuid.UUID) -> list[TaxProfile]:
        stmt = self.select().where(TaxProfile.org_id == org_id, TaxProfile.is_default.is_(True))
        return list(self.session.scalars(stmt))

    def in_use(self, profile_id: uuid.UUID) -> bool:
        stmt = select(func.count()).select_from(Invoice).where(Invoice.tax_profile_id == profile_id)
        return int(self.session.scalar(stmt) or 0) > 0


class InvoiceRepository(Repository[Invoice]):
    model = Invoice
    label = "invoice"
    not_found_code = "invoice_not_found"

    def listing(
        self,
        *,
        buyer_scope: Iterable[uuid.UUID] | None = None,
        issuer_scope: Iterable[uuid.UUID] | None = None,
        status: InvoiceStatus | None = None,
    ) -> Select[Any]:
        stmt = self.select()
        if buyer_scope is not None:
            stmt = stmt.where(Invoice.org_id.in_(list(buyer_scope)))
        if issuer_scope is not None:
            stmt = stmt.where(Invoice.issuer_org_id.in_(list(issuer_scope)))
        if status is not None:
            stmt = stmt.where(Invoice.status == status)
        return stmt

    def locked(self, invoice_id: uuid.UUID) -> Invoice | None:
        stmt = self.select().where(Invoice.id == invoice_id).with_for_update()
        found: Invoice | None = self.session.scalar(stmt)
        return found

    def open_for_order(self, order_id: uuid.UUID) -> Invoice | None:
        stmt = self.select().where(
            Invoice.order_id == order_id,
            Invoice.status.in_([InvoiceStatus.requested, InvoiceStatus.issued]),
        )
        found: Invoice | None = self.session.scalar(stmt)
        return found

    def open_order_ids(self, order_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these orders already have an open (requested or issued) invoice, in one query."""
        ids = list(set(order_ids))
        if not ids:
            return set()
        stmt = select(Invoice.order_id).where(
            Invoice.order_id.in_(ids),
            Invoice.status.in_([InvoiceStatus.requested, InvoiceStatus.issued]),
        )
        return {x for x in self.session.scalars(stmt) if x is not None}

    def open_for_period(
        self, buyer_org_id: uuid.UUID, issuer_org_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[Invoice]:
        """Open invoices of this buyer and issuer that overlap the period (per order or per period)."""
        stmt = (
            self.select()
            .outerjoin(Order, Order.id == Invoice.order_id)
            .where(
                Invoice.org_id == buyer_org_id,
                Invoice.issuer_org_id == issuer_org_id,
                Invoice.status.in_([InvoiceStatus.requested, InvoiceStatus.issued]),
                or_(
                    (Invoice.scope == InvoiceScope.period)
                    & (Invoice.period_start < end)
                    & (Invoice.period_end > start),
                    (Invoice.scope == InvoiceScope.order) & (Order.paid_at >= start) & (Order.paid_at < end),
                ),
            )
        )
        return list(self.session.scalars(stmt))

    def by_number(self, issuer_org_id: uuid.UUID, number: str) -> Invoice | None:
        stmt = self.select().where(Invoice.issuer_org_id == issuer_org_id, Invoice.invoice_number == number)
        found: Invoice | None = self.session.scalar(stmt)
        return found

    def issued_numbers(self, issuer_org_id: uuid.UUID) -> Select[Any]:
        return self.select().where(
            Invoice.issuer_org_id == issuer_org_id, Invoice.status == InvoiceStatus.issued
        )

    def order(self, order_id: uuid.UUID) -> Order | None:
        """The order, under the caller's tenant filter (its buyer or supplier sees it)."""
        found: Order | None = self.session.scalar(select(Order).where(Order.id == order_id))
        return found

    def buyer_orders_between(
        self, buyer_org_id: uuid.UUID, supplier_org_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[Order]:
        """The buyer's orders from this supplier paid in the period (tenant-filtered: the buyer's own)."""
        stmt = (
            select(Order)
            .where(
                Order.org_id == buyer_org_id,
                Order.supplier_org_id == supplier_org_id,
                Order.paid_at >= start,
                Order.paid_at < end,
            )
            .order_by(Order.id)
        )
        return list(self.session.scalars(stmt))

    def refunded_by_order(self, order_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Σ refunds out of escrow per order (ledger ``refund`` entries). Ledger postings carry no
        company: the caller passes only orders it has loaded under its tenant filter."""
        ids = list(set(order_ids))
        if not ids:
            return {}
        stmt = (
            select(LedgerPosting.order_id, _sum(LedgerPosting.amount_fen))
            .join(JournalEntry, JournalEntry.id == LedgerPosting.entry_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .where(
                LedgerPosting.order_id.in_(ids),
                JournalEntry.kind == "refund",
                LedgerAccount.purpose == Purpose.escrow,
            )
            .group_by(LedgerPosting.order_id)
            .execution_options(**ALL_TENANTS)
        )
        return {oid: int(a) for oid, a in self.session.execute(stmt)}
