"""escrow: queries.

Commission rates are platform master data (no company column). Releases and refunds carry both
parties of their order (``BothParties``) and order commissions the supplier, so the central tenant
filter shows them to the right companies. Refund lines have no company column: they are read by refund
ids loaded under the filter first. Order lines and their part's category are read by order id, after
the order itself was loaded under the filter (or by the system: jobs, the platform deciding a dispute).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select

from autotrade.catalog.models import Category, Part
from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.escrow.commission import RateRow
from autotrade.escrow.models import (
    CommissionRate,
    EscrowRefund,
    EscrowRefundLine,
    EscrowRelease,
    OrderCommission,
)
from autotrade.ledger.models import LedgerAccount, LedgerPosting, Purpose
from autotrade.orders.models import Dispute, DisputeStatus, Order, OrderLine, OrderStatus, Return
from autotrade.orders.repository import OPEN_RETURNS


class RateRepository(Repository[CommissionRate]):
    model = CommissionRate
    label = "commission rate"
    not_found_code = "commission_rate_not_found"

    def listing(self, *, trade_type: str | None = None, category_id: uuid.UUID | None = None) -> Select[Any]:
        stmt = select(CommissionRate)
        if trade_type is not None:
            stmt = stmt.where(CommissionRate.trade_type == trade_type)
        if category_id is not None:
            stmt = stmt.where(CommissionRate.category_id == category_id)
        return stmt

    def overlapping(
        self,
        trade_type: str,
        category_id: uuid.UUID | None,
        start: datetime,
        end: datetime | None,
        *,
        exclude: uuid.UUID | None = None,
    ) -> list[CommissionRate]:
        """Rates of the same trade type and category whose period meets [start, end)."""
        stmt = select(CommissionRate).where(
            CommissionRate.trade_type == trade_type,
            CommissionRate.category_id.is_(None)
            if category_id is None
            else CommissionRate.category_id == category_id,
            or_(CommissionRate.effective_until.is_(None), CommissionRate.effective_until > start),
        )
        if end is not None:
            stmt = stmt.where(CommissionRate.effective_from < end)
        if exclude is not None:
            stmt = stmt.where(CommissionRate.id != exclude)
        return list(self.session.scalars(stmt))

    def category_exists(self, category_id: uuid.UUID) -> bool:
        return bool(self.session.scalar(select(exists().where(Category.id == category_id))))

    def rows_at(self, times: Iterable[datetime]) -> list[RateRow]:
        """Every rate in force at any of these times, with its category path (one query)."""
        wanted = list(times)
        if not wanted:
            return []
        lo, hi = min(wanted), max(wanted)
        stmt = (
            select(
                CommissionRate.id,
                CommissionRate.trade_type,
                Category.path,
                CommissionRate.rate_bp,
                CommissionRate.effective_from,
                CommissionRate.effective_until,
            )
            .outerjoin(Category, Category.id == CommissionRate.category_id)
            .where(
                CommissionRate.effective_from <= hi,
                or_(CommissionRate.effective_until.is_(None), CommissionRate.effective_until > lo),
            )
        )
        return [RateRow(*row) for row in self.session.execute(stmt)]


class EscrowRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    # ---- orders ---------------------------------------------------------------------------------------

    def lines_with_paths(self, order_id: uuid.UUID) -> list[tuple[OrderLine, str]]:
        """The order's lines (in order) with their part's category path; the order was loaded first."""
        stmt = (
            select(OrderLine, Category.path)
            .join(Part, Part.id == OrderLine.part_id)
            .join(Category, Category.id == Part.category_id)
            .where(OrderLine.order_id == order_id)
            .order_by(OrderLine.position, OrderLine.id)
        )
        return [(line, path) for line, path in self.session.execute(stmt)]

    def lock_order(self, order_id: uuid.UUID) -> Order | None:
        """The order, row-locked, across companies: the platform deciding a dispute moves its money
        (behind ``platform.risk:approve``); the order was already found through its dispute."""
        stmt = (
            select(Order)
            .where(Order.id == order_id)
            .with_for_update(of=Order)
            .execution_options(**ALL_TENANTS)
        )
        order: Order | None = self.session.scalar(stmt)
        return order

    def open_dispute(self, order_id: uuid.UUID) -> bool:
        stmt = select(
            exists().where(Dispute.order_id == order_id, Dispute.status == DisputeStatus.open)
        ).execution_options(**ALL_TENANTS)
        return bool(self.session.scalar(stmt))

    def due_for_auto_release(self, delivered_before: datetime, limit: int) -> list[Order]:
        """Delivered or received orders delivered before the cut-off, with no open dispute or return,
        oldest first, locked; on PostgreSQL rows another worker holds are skipped
        (``SKIP LOCKED``). Runs as the system (the job)."""
        no_dispute = ~exists().where(Dispute.order_id == Order.id, Dispute.status == DisputeStatus.open)
        no_return = ~exists().where(Return.order_id == Order.id, Return.status.in_(OPEN_RETURNS))
        stmt = (
            select(Order)
            .where(
                Order.status.in_((OrderStatus.delivered, OrderStatus.received)),
                and_(Order.delivered_at.is_not(None), Order.delivered_at <= delivered_before),
                no_dispute,
                no_return,
            )
            .order_by(Order.delivered_at, Order.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Order)
        )
        return list(self.session.scalars(stmt))

    # ---- releases and refunds -------------------------------------------------------------------------

    def release_of(self, order_id: uuid.UUID) -> EscrowRelease | None:
        stmt = (
            select(EscrowRelease).where(EscrowRelease.order_id == order_id).execution_options(**ALL_TENANTS)
        )
        found: EscrowRelease | None = self.session.scalar(stmt)
        return found

    def refunds_of(self, order_id: uuid.UUID) -> list[EscrowRefund]:
        stmt = (
            select(EscrowRefund)
            .where(EscrowRefund.order_id == order_id)
            .order_by(EscrowRefund.id)
            .execution_options(**ALL_TENANTS)
        )
        return list(self.session.scalars(stmt))

    def refund_exists(self, cause: str, reference_id: uuid.UUID) -> bool:
        stmt = select(
            exists().where(EscrowRefund.cause == cause, EscrowRefund.reference_id == reference_id)
        ).execution_options(**ALL_TENANTS)
        return bool(self.session.scalar(stmt))

    def refunded_by_line(self, order_id: uuid.UUID, *, cause: str | None = None) -> dict[uuid.UUID, int]:
        """Σ refunded per line of the order (optionally of one cause)."""
        stmt = (
            select(EscrowRefundLine.line_id, func.sum(EscrowRefundLine.amount_fen))
            .join(EscrowRefund, EscrowRefund.id == EscrowRefundLine.refund_id)
            .where(EscrowRefund.order_id == order_id)
            .group_by(EscrowRefundLine.line_id)
            .execution_options(**ALL_TENANTS)
        )
        if cause is not None:
            stmt = stmt.where(EscrowRefund.cause == cause)
        return {line_id: int(total) for line_id, total in self.session.execute(stmt)}

    def returned_pieces(self, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
        """Σ pieces already refunded by returns, per line of the order."""
        stmt = (
            select(EscrowRefundLine.line_id, func.sum(EscrowRefundLine.quantity))
            .join(EscrowRefund, EscrowRefund.id == EscrowRefundLine.refund_id)
            .where(EscrowRefund.order_id == order_id, EscrowRefundLine.quantity.is_not(None))
            .group_by(EscrowRefundLine.line_id)
            .execution_options(**ALL_TENANTS)
        )
        return {line_id: int(total) for line_id, total in self.session.execute(stmt)}

    def commissions_of(self, order_id: uuid.UUID) -> list[OrderCommission]:
        """The order's commission lines (the tenant filter shows them to the supplier only)."""
        stmt = (
            select(OrderCommission).where(OrderCommission.order_id == order_id).order_by(OrderCommission.id)
        )
        return list(self.session.scalars(stmt))

    def releases_any_tenant(self) -> Select[Any]:
        """Platform finance: releases of every company."""
        return select(EscrowRelease).execution_options(**ALL_TENANTS)


class SupplierEscrowReads:
    """A supplier's view of escrow (its settlement page): the releases of its orders and what its
    orders still hold. ``supplier_scope`` is the caller's tenant scope."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def releases(self, supplier_scope: Iterable[uuid.UUID]) -> Select[Any]:
        """Releases of orders the caller supplied (the tenant filter also shows the buyer's side of
        releases; the scope keeps only the supplier's)."""
        return select(EscrowRelease).where(EscrowRelease.supplier_org_id.in_(list(supplier_scope)))

    def held(self, supplier_scope: Iterable[uuid.UUID], currency: str) -> int:
        """What the caller's orders hold in escrow now: −Σ postings on escrow accounts naming one of
        them. The escrow account is the platform's and postings carry no company, hence
        ``all_tenants``; the orders are limited to the caller's scope explicitly."""
        stmt = (
            select(func.coalesce(func.sum(LedgerPosting.amount_fen), 0))
            .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
            .join(Order, Order.id == LedgerPosting.order_id)
            .where(
                LedgerAccount.purpose == Purpose.escrow,
                LedgerAccount.currency == currency,
                Order.supplier_org_id.in_(list(supplier_scope)),
            )
            .execution_options(**ALL_TENANTS)
        )
        return -int(self.session.scalar(stmt) or 0)
