"""reports: the aggregate queries (platform-wide: every method says ``all_tenants``).

Each method is one statement whatever the data size (GROUP BY in the database, a LIMIT on rankings),
written so that it runs the same on SQLite and PostgreSQL. Callers are platform staff only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from autotrade.catalog.models import Part
from autotrade.core.repository import ALL_TENANTS
from autotrade.ledger.models import LedgerAccount, Purpose
from autotrade.orders.models import Dispute, DisputeStatus, Order, OrderLine, OrderStatus
from autotrade.orgs.models import Org
from autotrade.payments.models import Payment, PaymentStatus, ProviderName


def counted() -> ColumnElement[bool]:
    """An order counts in the figures unless it was cancelled without ever being paid (an abandoned
    checkout, or one the auto-cancel job expired)."""
    return or_(Order.status != OrderStatus.cancelled, Order.paid_at.is_not(None))


def _int(value: Any) -> int:
    return int(value or 0)


class ReportReads:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- the dashboard ---------------------------------------------------------------------------------

    def orders_placed(self, start: datetime, end: datetime) -> tuple[int, int]:
        """(number of orders, Σ gross fen) placed in [start, end)."""
        stmt = (
            select(func.count(Order.id), func.coalesce(func.sum(Order.gross_fen), 0))
            .where(Order.placed_at >= start, Order.placed_at < end, counted())
            .execution_options(**ALL_TENANTS)
        )
        count, gross = self.session.execute(stmt).one()
        return _int(count), _int(gross)

    def top_parts(
        self, start: datetime, end: datetime, *, by: Literal["quantity", "value"], limit: int
    ) -> list[tuple[uuid.UUID, int, int, int]]:
        """The parts ordered most in [start, end): (part id, Σ quantity, Σ line gross fen, orders),
        ranked by quantity or by value (ties: the other measure, then the part id)."""
        quantity = func.sum(OrderLine.quantity).label("quantity")
        value = func.sum(OrderLine.gross_fen).label("value")
        ranking = (quantity.desc(), value.desc()) if by == "quantity" else (value.desc(), quantity.desc())
        stmt = (
            select(OrderLine.part_id, quantity, value, func.count(func.distinct(OrderLine.order_id)))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.placed_at >= start, Order.placed_at < end, counted())
            .group_by(OrderLine.part_id)
            .order_by(*ranking, OrderLine.part_id)
            .limit(limit)
            .execution_options(**ALL_TENANTS)
        )
        return [(pid, _int(q), _int(v), _int(n)) for pid, q, v, n in self.session.execute(stmt)]

    def parts(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Part]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        return {p.id: p for p in self.session.scalars(select(Part).where(Part.id.in_(wanted)))}

    def provinces(self, start: datetime, end: datetime) -> list[tuple[str, int, int]]:
        """(ship-to province, orders, Σ gross fen) of the orders placed in [start, end), most orders
        first."""
        orders = func.count(Order.id).label("orders")
        gross = func.sum(Order.gross_fen).label("gross")
        stmt = (
            select(Order.ship_province, orders, gross)
            .where(Order.placed_at >= start, Order.placed_at < end, counted())
            .group_by(Order.ship_province)
            .order_by(orders.desc(), gross.desc(), Order.ship_province)
            .execution_options(**ALL_TENANTS)
        )
        return [(p, _int(n), _int(g)) for p, n, g in self.session.execute(stmt)]

    def open_disputes(self) -> int:
        stmt = (
            select(func.count(Dispute.id))
            .where(Dispute.status == DisputeStatus.open)
            .execution_options(**ALL_TENANTS)
        )
        return _int(self.session.scalar(stmt))

    def transfers_to_confirm(self) -> tuple[int, int]:
        """(number, Σ amount fen) of pending bank-transfer payments of orders still waiting for payment."""
        stmt = (
            select(func.count(Payment.id), func.coalesce(func.sum(Payment.amount_fen), 0))
            .join(Order, Order.id == Payment.order_id)
            .where(
                Payment.provider == ProviderName.bank_transfer,
                Payment.status == PaymentStatus.pending,
                Order.status == OrderStatus.pending_payment,
            )
            .execution_options(**ALL_TENANTS)
        )
        count, amount = self.session.execute(stmt).one()
        return _int(count), _int(amount)

    # ---- finance ---------------------------------------------------------------------------------------

    def balances_by_purpose(self, currency: str) -> dict[Purpose, int]:
        """Σ cached balances (as booked: debit > 0) of every account, by purpose."""
        stmt = (
            select(LedgerAccount.purpose, func.sum(LedgerAccount.balance_fen))
            .where(LedgerAccount.currency == currency)
            .group_by(LedgerAccount.purpose)
            .execution_options(**ALL_TENANTS)
        )
        return {Purpose(p): _int(b) for p, b in self.session.execute(stmt)}

    def supplier_payables(self, currency: str) -> list[tuple[uuid.UUID, str, int]]:
        """(company id, name, what the platform owes it in fen) of every company holding a supplier
        payable account, by name."""
        stmt = (
            select(Org.id, Org.name, LedgerAccount.balance_fen)
            .join(LedgerAccount, LedgerAccount.org_id == Org.id)
            .where(LedgerAccount.purpose == Purpose.supplier_payable, LedgerAccount.currency == currency)
            .order_by(Org.name, Org.id)
            .execution_options(**ALL_TENANTS)
        )
        return [(i, n, -_int(b)) for i, n, b in self.session.execute(stmt)]

    # ---- companies (names for the pages) ---------------------------------------------------------------

    def company_names(self, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
        wanted = list({i for i in ids if i is not None})
        if not wanted:
            return {}
        stmt = select(Org.id, Org.name).where(Org.id.in_(wanted)).execution_options(**ALL_TENANTS)
        return {i: n for i, n in self.session.execute(stmt)}

    def companies_named(self, text: str, limit: int) -> list[tuple[uuid.UUID, str]]:
        """Companies (and branches) whose name contains ``text``; an exact name first."""
        stmt = (
            select(Org.id, Org.name)
            .where(Org.name.contains(text, autoescape=True))
            .order_by((Org.name == text).desc(), Org.name, Org.id)
            .limit(limit)
            .execution_options(**ALL_TENANTS)
        )
        return [(i, n) for i, n in self.session.execute(stmt)]
