"""credit: queries.

Credit lines, invoices and repayments carry both parties (debtor in ``org_id``, creditor in
``creditor_org_id``): the central tenant filter shows a row to either company. Statements that say
``all_tenants`` are few and named here:

* **on the buyer's behalf** (``*_of_debtor``, ``consume``, ``restore``): paying on credit reads and
  updates the lines and invoices *of the caller's own company* (``org_id == debtor``, the caller's
  top-level company) — a user limited to a branch pays from the company's line, which their branch
  scope alone would not show;
* **platform finance** (``*_any_tenant``, ``platform_listing``, history with ``platform_wide``): only
  called behind ``platform.finance:*`` permissions (the platform confirms every repayment and may
  adjust or suspend any line).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.engine import CursorResult

from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.credit.models import (
    CreditInvoice,
    CreditInvoiceStatus,
    CreditLine,
    CreditLineStatus,
    CreditRepayment,
)
from autotrade.orders.models import Dispute, Order, OrderStatus
from autotrade.orgs.models import Org


class CreditLineRepository(Repository[CreditLine]):
    model = CreditLine
    label = "credit line"
    not_found_code = "credit_line_not_found"

    def between(
        self, creditor_org_id: uuid.UUID, debtor_org_id: uuid.UUID, currency: str
    ) -> CreditLine | None:
        """The line a creditor grants a debtor (any tenant: the unique key is global)."""
        stmt = select(CreditLine).where(
            CreditLine.creditor_org_id == creditor_org_id,
            CreditLine.org_id == debtor_org_id,
            CreditLine.currency == currency,
        )
        line: CreditLine | None = self.session.scalar(stmt.execution_options(**ALL_TENANTS))
        return line

    def exists_between(self, creditor_org_id: uuid.UUID, debtor_org_id: uuid.UUID) -> bool:
        """Whether the creditor grants the debtor a line in any currency (read in the creditor's scope)."""
        stmt = select(CreditLine.id).where(
            CreditLine.creditor_org_id == creditor_org_id, CreditLine.org_id == debtor_org_id
        )
        return self.session.scalar(stmt.limit(1)) is not None

    def reload(self, lines: Iterable[CreditLine]) -> None:
        """Read these lines again (after a conditional UPDATE that bypassed the identity map); any tenant
        because a branch user's payment reads the company's lines on its behalf."""
        ids = [x.id for x in lines]
        if ids:
            stmt = select(CreditLine).where(CreditLine.id.in_(ids))
            list(self.session.scalars(stmt.execution_options(populate_existing=True, **ALL_TENANTS)))

    def of_debtor(
        self, debtor_org_id: uuid.UUID, creditor_org_ids: Sequence[uuid.UUID], currency: str
    ) -> list[CreditLine]:
        """On the buyer's behalf: the debtor's lines from these creditors."""
        stmt = select(CreditLine).where(
            CreditLine.org_id == debtor_org_id,
            CreditLine.creditor_org_id.in_(list(creditor_org_ids)),
            CreditLine.currency == currency,
        )
        return list(self.session.scalars(stmt.execution_options(**ALL_TENANTS)))

    def consume(self, line_id: uuid.UUID, amount_fen: int) -> bool:
        """On the buyer's behalf, atomically: ``used_fen += amount`` only while the line is active and
        the result stays within the limit. False when it does not fit (nothing changed). Concurrent
        payments queue on the row lock and each re-checks the condition against the committed value."""
        stmt = (
            update(CreditLine)
            .where(
                CreditLine.id == line_id,
                CreditLine.status == CreditLineStatus.active,
                CreditLine.used_fen + amount_fen <= CreditLine.limit_fen,
            )
            .values(used_fen=CreditLine.used_fen + amount_fen)
            .execution_options(audited=True, synchronize_session=False, **ALL_TENANTS)
        )
        result: CursorResult[Any] = self.session.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1

    def restore(self, line_id: uuid.UUID, amount_fen: int) -> bool:
        """``used_fen -= amount`` (a repayment), never below zero. False if that would go negative."""
        stmt = (
            update(CreditLine)
            .where(CreditLine.id == line_id, CreditLine.used_fen >= amount_fen)
            .values(used_fen=CreditLine.used_fen - amount_fen)
            .execution_options(audited=True, synchronize_session=False, **ALL_TENANTS)
        )
        result: CursorResult[Any] = self.session.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1

    def listing(
        self,
        *,
        creditor_scope: Iterable[uuid.UUID] | None = None,
        debtor_scope: Iterable[uuid.UUID] | None = None,
        status: CreditLineStatus | None = None,
    ) -> Select[Any]:
        stmt = select(CreditLine)
        if creditor_scope is not None:
            stmt = stmt.where(CreditLine.creditor_org_id.in_(list(creditor_scope)))
        if debtor_scope is not None:
            stmt = stmt.where(CreditLine.org_id.in_(list(debtor_scope)))
        if status is not None:
            stmt = stmt.where(CreditLine.status == status)
        return stmt

    def platform_listing(
        self,
        *,
        creditor_org_id: uuid.UUID | None = None,
        debtor_org_id: uuid.UUID | None = None,
        status: CreditLineStatus | None = None,
    ) -> Select[Any]:
        """Platform finance: every line."""
        stmt = self.listing(status=status).execution_options(**ALL_TENANTS)
        if creditor_org_id is not None:
            stmt = stmt.where(CreditLine.creditor_org_id == creditor_org_id)
        if debtor_org_id is not None:
            stmt = stmt.where(CreditLine.org_id == debtor_org_id)
        return stmt

    def used_vs_outstanding(self) -> list[tuple[uuid.UUID, int, int]]:
        """(line id, used_fen, Σ outstanding of its unpaid invoices) where the two differ (SYSTEM)."""
        owed = (
            select(
                CreditInvoice.line_id,
                func.coalesce(func.sum(CreditInvoice.amount_fen - CreditInvoice.repaid_fen), 0).label("owed"),
            )
            .group_by(CreditInvoice.line_id)
            .subquery()
        )
        stmt = (
            select(CreditLine.id, CreditLine.used_fen, func.coalesce(owed.c.owed, 0))
            .outerjoin(owed, owed.c.line_id == CreditLine.id)
            .where(CreditLine.used_fen != func.coalesce(owed.c.owed, 0))
            .order_by(CreditLine.id)
        )
        return [(r[0], int(r[1]), int(r[2])) for r in self.session.execute(stmt)]


def _status_filter(status: CreditInvoiceStatus | None, now: datetime) -> Any:
    """The status as of ``now``: ``overdue`` = unpaid past due (whatever the stored status)."""
    if status is None:
        return None
    if status == CreditInvoiceStatus.paid:
        return CreditInvoice.status == CreditInvoiceStatus.paid
    unpaid = CreditInvoice.status != CreditInvoiceStatus.paid
    if status == CreditInvoiceStatus.overdue:
        return and_(unpaid, CreditInvoice.due_at < now)
    return and_(unpaid, CreditInvoice.due_at >= now)


class CreditInvoiceRepository(Repository[CreditInvoice]):
    model = CreditInvoice
    label = "credit invoice"
    not_found_code = "credit_invoice_not_found"

    def overdue_of_debtor(self, debtor_org_id: uuid.UUID, now: datetime) -> list[CreditInvoice]:
        """On the buyer's behalf: the debtor's unpaid invoices past due (any creditor), read from
        ``due_at`` directly."""
        stmt = (
            select(CreditInvoice)
            .where(
                CreditInvoice.org_id == debtor_org_id,
                CreditInvoice.status != CreditInvoiceStatus.paid,
                CreditInvoice.due_at < now,
            )
            .order_by(CreditInvoice.due_at, CreditInvoice.id)
            .execution_options(**ALL_TENANTS)
        )
        return list(self.session.scalars(stmt))

    def for_order_for_update_any_tenant(self, order_id: uuid.UUID) -> CreditInvoice | None:
        """A refund of an order (escrow, on the buyer's or platform's behalf): the credit invoice of the
        order if it was paid on credit, row-locked until commit."""
        stmt = (
            select(CreditInvoice)
            .where(CreditInvoice.order_id == order_id)
            .with_for_update()
            .execution_options(**ALL_TENANTS)
        )
        invoice: CreditInvoice | None = self.session.scalar(stmt)
        return invoice

    def for_update_any_tenant(self, invoice_id: uuid.UUID) -> CreditInvoice | None:
        """Platform finance: the invoice, row-locked until commit (repayments of one invoice queue)."""
        stmt = (
            select(CreditInvoice)
            .where(CreditInvoice.id == invoice_id)
            .with_for_update()
            .execution_options(**ALL_TENANTS)
        )
        invoice: CreditInvoice | None = self.session.scalar(stmt)
        return invoice

    def due_unmarked(self, now: datetime, limit: int) -> list[CreditInvoice]:
        """Open invoices past due, for the ``credit.mark_overdue`` job (SYSTEM scope)."""
        stmt = (
            select(CreditInvoice)
            .where(CreditInvoice.status == CreditInvoiceStatus.open, CreditInvoice.due_at < now)
            .order_by(CreditInvoice.due_at, CreditInvoice.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(stmt))

    def listing(
        self,
        *,
        now: datetime,
        creditor_scope: Iterable[uuid.UUID] | None = None,
        debtor_scope: Iterable[uuid.UUID] | None = None,
        status: CreditInvoiceStatus | None = None,
        line_id: uuid.UUID | None = None,
    ) -> Select[Any]:
        stmt = select(CreditInvoice)
        if creditor_scope is not None:
            stmt = stmt.where(CreditInvoice.creditor_org_id.in_(list(creditor_scope)))
        if debtor_scope is not None:
            stmt = stmt.where(CreditInvoice.org_id.in_(list(debtor_scope)))
        cond = _status_filter(status, now)
        if cond is not None:
            stmt = stmt.where(cond)
        if line_id is not None:
            stmt = stmt.where(CreditInvoice.line_id == line_id)
        return stmt

    def platform_listing(
        self,
        *,
        now: datetime,
        status: CreditInvoiceStatus | None = None,
        debtor_org_id: uuid.UUID | None = None,
    ) -> Select[Any]:
        """Platform finance: every invoice (it collects every repayment)."""
        stmt = self.listing(now=now, status=status).execution_options(**ALL_TENANTS)
        if debtor_org_id is not None:
            stmt = stmt.where(CreditInvoice.org_id == debtor_org_id)
        return stmt

    def repayments(self, invoice_id: uuid.UUID, *, any_tenant: bool = False) -> list[CreditRepayment]:
        """The invoice's repayments (read after the invoice itself was loaded for the caller)."""
        stmt = (
            select(CreditRepayment)
            .where(CreditRepayment.invoice_id == invoice_id)
            .order_by(CreditRepayment.received_at, CreditRepayment.id)
        )
        if any_tenant:
            stmt = stmt.execution_options(**ALL_TENANTS)
        return list(self.session.scalars(stmt))

    def repayment_exists(self, invoice_id: uuid.UUID, bank_reference: str) -> bool:
        stmt = (
            select(CreditRepayment.id)
            .where(CreditRepayment.invoice_id == invoice_id, CreditRepayment.bank_reference == bank_reference)
            .execution_options(**ALL_TENANTS)
        )
        return self.session.scalar(stmt) is not None

    def for_order(self, order_id: uuid.UUID) -> CreditInvoice | None:
        """The credit invoice of an order paid on credit, if the caller may see it (tenant filter)."""
        invoice: CreditInvoice | None = self.session.scalar(
            select(CreditInvoice).where(CreditInvoice.order_id == order_id)
        )
        return invoice

    def repayment_listing(self, *, debtor_scope: Iterable[uuid.UUID] | None = None) -> Select[Any]:
        """Repayments of credit invoices (the tenant filter: ones the caller owes or is owed); with
        ``debtor_scope``, only those of the caller as debtor. For keyset pagination by id."""
        stmt = select(CreditRepayment)
        if debtor_scope is not None:
            stmt = stmt.where(CreditRepayment.org_id.in_(list(debtor_scope)))
        return stmt


# ---- history for the suggested limit ------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    orders_180: int
    volume_180_fen: int
    volume_90_fen: int


@dataclass(frozen=True)
class InvoiceFacts:
    amount_fen: int
    due_at: datetime
    paid_at: datetime | None
    status: CreditInvoiceStatus


class HistoryRepository:
    """What the suggested limit reads. The creditor's view (``platform_wide=False``): orders the buyer
    placed with this supplier, invoices this creditor issued, disputes on those orders — all visible to
    the supplier through the tenant filter anyway. ``platform_wide=True`` (platform finance only): the
    buyer's whole history, any tenant."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def _opts(self, stmt: Any, platform_wide: bool) -> Any:
        return stmt.execution_options(**ALL_TENANTS) if platform_wide else stmt

    def company(self, org_id: uuid.UUID) -> Org | None:
        """The company (any tenant: existence and type only; callers never show more than the id)."""
        org: Org | None = self.session.scalar(
            select(Org).where(Org.id == org_id).execution_options(**ALL_TENANTS)
        )
        return org

    def subtree_ids(self, root_id: uuid.UUID) -> list[uuid.UUID]:
        tree = select(Org.id).where(Org.id == root_id).cte("credit_tree", recursive=True)
        tree = tree.union_all(select(Org.id).where(Org.parent_id == tree.c.id))
        return list(self.session.scalars(select(tree.c.id).execution_options(**ALL_TENANTS)))

    def has_ordered_from(self, buyer_ids: Sequence[uuid.UUID], supplier_org_id: uuid.UUID) -> bool:
        """Whether the buyer ever placed an order with the supplier (read in the supplier's scope)."""
        stmt = (
            select(Order.id)
            .where(Order.org_id.in_(list(buyer_ids)), Order.supplier_org_id == supplier_org_id)
            .limit(1)
        )
        return self.session.scalar(stmt) is not None

    def volume(
        self,
        buyer_ids: Sequence[uuid.UUID],
        supplier_org_id: uuid.UUID | None,
        *,
        since_180: datetime,
        since_90: datetime,
        currency: str,
        platform_wide: bool,
    ) -> Volume:
        """Paid orders (not cancelled) of the buyer in the last 180 days: count, Σ gross, Σ gross of
        the last 90 days."""
        stmt = select(
            func.count(Order.id),
            func.coalesce(func.sum(Order.gross_fen), 0),
            func.coalesce(func.sum(case((Order.paid_at >= since_90, Order.gross_fen), else_=0)), 0),
        ).where(
            Order.org_id.in_(list(buyer_ids)),
            Order.paid_at.is_not(None),
            Order.paid_at >= since_180,
            Order.status != OrderStatus.cancelled,
            Order.currency == currency,
        )
        if supplier_org_id is not None:
            stmt = stmt.where(Order.supplier_org_id == supplier_org_id)
        n, v180, v90 = self.session.execute(self._opts(stmt, platform_wide)).one()
        return Volume(int(n), int(v180), int(v90))

    def invoices(
        self,
        debtor_org_id: uuid.UUID,
        creditor_org_id: uuid.UUID | None,
        *,
        since: datetime,
        currency: str,
        platform_wide: bool,
    ) -> list[InvoiceFacts]:
        """The debtor's credit invoices issued since ``since``, plus any still unpaid (whenever issued)."""
        stmt = select(
            CreditInvoice.amount_fen, CreditInvoice.due_at, CreditInvoice.paid_at, CreditInvoice.status
        ).where(
            CreditInvoice.org_id == debtor_org_id,
            CreditInvoice.currency == currency,
            or_(CreditInvoice.issued_at >= since, CreditInvoice.status != CreditInvoiceStatus.paid),
        )
        if creditor_org_id is not None:
            stmt = stmt.where(CreditInvoice.creditor_org_id == creditor_org_id)
        rows = self.session.execute(self._opts(stmt.order_by(CreditInvoice.id), platform_wide))
        return [InvoiceFacts(int(a), d, p, s) for a, d, p, s in rows]

    def disputes(
        self,
        buyer_ids: Sequence[uuid.UUID],
        supplier_org_id: uuid.UUID | None,
        *,
        since: datetime,
        platform_wide: bool,
    ) -> int:
        """Disputes opened since ``since`` on the buyer's orders (with this supplier)."""
        stmt = select(func.count(Dispute.id)).where(
            Dispute.org_id.in_(list(buyer_ids)), Dispute.created_at >= since
        )
        if supplier_org_id is not None:
            stmt = stmt.where(Dispute.supplier_org_id == supplier_org_id)
        return int(self.session.scalar(self._opts(stmt, platform_wide)) or 0)
