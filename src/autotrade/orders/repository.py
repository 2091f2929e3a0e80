"""orders: queries.

Orders, shipments, returns and disputes are tenant-scoped with both parties (``BothParties``): the
central filter shows them to the buyer and to the supplier, and to no one else. Their children (lines,
allocations, shipment and return lines, timeline rows) carry no company column: every method here
reads them *by parent ids that were loaded under the tenant filter first* — never by their own id from
a request. Platform-wide reads say ``all_tenants`` and are named ``*_any_tenant`` (platform risk staff
deciding disputes; the auto-cancel job runs as SYSTEM and needs no option).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.inventory.models import Warehouse
from autotrade.orders.models import (
    Dispute,
    DisputeStatus,
    Order,
    OrderAllocation,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Return,
    ReturnLine,
    ReturnStatus,
    Shipment,
    ShipmentLine,
)

OPEN_RETURNS = (
    ReturnStatus.requested,
    ReturnStatus.approved,
    ReturnStatus.shipped_back,
    ReturnStatus.received,
)


class OrderRepository(Repository[Order]):
    model = Order
    label = "order"
    not_found_code = "order_not_found"

    def get_for_update(self, order_id: uuid.UUID) -> Order | None:
        """The order, row-locked until commit (PostgreSQL; SQLite's writer lock serialises anyway), so
        two actions on one order — or an action and the auto-cancel job — never interleave."""
        stmt = select(Order).where(Order.id == order_id).with_for_update(of=Order)
        order: Order | None = self.session.scalar(stmt)
        return order

    def lines(self, order_ids: Iterable[uuid.UUID]) -> list[OrderLine]:
        ids = list(order_ids)
        if not ids:
            return []
        stmt = (
            select(OrderLine)
            .where(OrderLine.order_id.in_(ids))
            .order_by(OrderLine.order_id, OrderLine.position)
        )
        return list(self.session.scalars(stmt))

    def allocations(self, order_ids: Iterable[uuid.UUID]) -> list[OrderAllocation]:
        ids = list(order_ids)
        if not ids:
            return []
        stmt = select(OrderAllocation).where(OrderAllocation.order_id.in_(ids)).order_by(OrderAllocation.id)
        return list(self.session.scalars(stmt))

    def timeline(self, order_id: uuid.UUID) -> list[OrderEvent]:
        stmt = (
            select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.at, OrderEvent.id)
        )
        return list(self.session.scalars(stmt))

    def listing(
        self,
        *,
        buyer_scope: Iterable[uuid.UUID] | None = None,
        supplier_scope: Iterable[uuid.UUID] | None = None,
        status: OrderStatus | None = None,
        checkout_id: uuid.UUID | None = None,
    ) -> Select[Any]:
        """The caller's orders (the tenant filter already limits them to buyer or supplier side)."""
        stmt = select(Order)
        if buyer_scope is not None:
            stmt = stmt.where(Order.org_id.in_(list(buyer_scope)))
        if supplier_scope is not None:
            stmt = stmt.where(Order.supplier_org_id.in_(list(supplier_scope)))
        if status is not None:
            stmt = stmt.where(Order.status == status)
        if checkout_id is not None:
            stmt = stmt.where(Order.checkout_id == checkout_id)
        return stmt

    def due_for_auto_cancel(self, now: datetime, limit: int) -> list[Order]:
        """Unpaid orders past their payment deadline, oldest first, locked; on PostgreSQL rows another
        worker holds are skipped (``SKIP LOCKED``), so two workers share the work without waiting."""
        stmt = (
            select(Order)
            .where(Order.status == OrderStatus.pending_payment, Order.payment_due_at < now)
            .order_by(Order.payment_due_at, Order.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Order)
        )
        return list(self.session.scalars(stmt))

    def open_returns(self, order_id: uuid.UUID) -> int:
        stmt = (
            select(func.count())
            .select_from(Return)
            .where(Return.order_id == order_id, Return.status.in_(OPEN_RETURNS))
        )
        return int(self.session.scalar(stmt) or 0)

    def open_disputes(self, order_id: uuid.UUID) -> int:
        stmt = (
            select(func.count())
            .select_from(Dispute)
            .where(Dispute.order_id == order_id, Dispute.status == DisputeStatus.open)
        )
        return int(self.session.scalar(stmt) or 0)

    def shipments(self, order_id: uuid.UUID) -> list[Shipment]:
        stmt = select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.id)
        return list(self.session.scalars(stmt))

    def shipment_lines(self, shipment_ids: Iterable[uuid.UUID]) -> list[ShipmentLine]:
        ids = list(shipment_ids)
        if not ids:
            return []
        stmt = select(ShipmentLine).where(ShipmentLine.shipment_id.in_(ids)).order_by(ShipmentLine.id)
        return list(self.session.scalars(stmt))

    def returns_of(self, order_id: uuid.UUID) -> list[Return]:
        stmt = select(Return).where(Return.order_id == order_id).order_by(Return.id)
        return list(self.session.scalars(stmt))

    def disputes_of(self, order_id: uuid.UUID) -> list[Dispute]:
        stmt = select(Dispute).where(Dispute.order_id == order_id).order_by(Dispute.id)
        return list(self.session.scalars(stmt))

    def warehouse_owner(self, warehouse_id: uuid.UUID) -> uuid.UUID | None:
        """The company owning a warehouse, if the caller may see it (the tenant filter applies)."""
        owner: uuid.UUID | None = self.session.scalar(
            select(Warehouse.org_id).where(Warehouse.id == warehouse_id)
        )
        return owner


class ReturnRepository(Repository[Return]):
    model = Return
    label = "return"
    not_found_code = "return_not_found"

    def get_for_update(self, return_id: uuid.UUID) -> Return | None:
        stmt = select(Return).where(Return.id == return_id).with_for_update(of=Return)
        ret: Return | None = self.session.scalar(stmt)
        return ret

    def lines(self, return_ids: Iterable[uuid.UUID]) -> list[ReturnLine]:
        ids = list(return_ids)
        if not ids:
            return []
        stmt = select(ReturnLine).where(ReturnLine.return_id.in_(ids)).order_by(ReturnLine.id)
        return list(self.session.scalars(stmt))

    def listing(
        self, *, status: ReturnStatus | None = None, order_id: uuid.UUID | None = None
    ) -> Select[Any]:
        stmt = select(Return)
        if status is not None:
            stmt = stmt.where(Return.status == status)
        if order_id is not None:
            stmt = stmt.where(Return.order_id == order_id)
        return stmt


class DisputeRepository(Repository[Dispute]):
    model = Dispute
    label = "dispute"
    not_found_code = "dispute_not_found"

    def get_for_update(self, dispute_id: uuid.UUID) -> Dispute | None:
        stmt = select(Dispute).where(Dispute.id == dispute_id).with_for_update(of=Dispute)
        dispute: Dispute | None = self.session.scalar(stmt)
        return dispute

    def get_for_update_any_tenant(self, dispute_id: uuid.UUID) -> Dispute | None:
        """Platform risk staff deciding a dispute (behind ``platform.risk:approve``)."""
        stmt = (
            select(Dispute)
            .where(Dispute.id == dispute_id)
            .with_for_update(of=Dispute)
            .execution_options(**ALL_TENANTS)
        )
        dispute: Dispute | None = self.session.scalar(stmt)
        return dispute

    def order_any_tenant(self, order_id: uuid.UUID) -> Order | None:
        """Platform risk staff deciding a dispute read the order across companies."""
        order: Order | None = self.session.scalar(
            select(Order).where(Order.id == order_id).execution_options(**ALL_TENANTS)
        )
        return order

    def listing(self, *, status: DisputeStatus | None = None) -> Select[Any]:
        stmt = select(Dispute)
        if status is not None:
            stmt = stmt.where(Dispute.status == status)
        return stmt

    def listing_any_tenant(self, *, status: DisputeStatus | None = None) -> Select[Any]:
        """Platform risk staff: disputes of every company."""
        return self.listing(status=status).execution_options(**ALL_TENANTS)
