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

from sqlalchemy import Select, exists, func, select

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
from autotrade.orgs.models import Org

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

    def buyer_notes(self, buyer_org_id: uuid.UUID, notes: Iterable[str]) -> set[str]:
        """Which of ``notes`` the company's purchase orders carry as their buyer's note (the demo
        recognises the checkouts it placed on an earlier run by their notes)."""
        wanted = list(set(notes))
        if not wanted:
            return set()
        stmt = (
            select(Order.buyer_note)
            .where(Order.org_id == buyer_org_id, Order.buyer_note.in_(wanted))
            .distinct()
        )
        return {note for note in self.session.scalars(stmt) if note is not None}

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

    def allocation_warehouses(self, warehouse_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Warehouse]:
        """The supplier's warehouses named on allocations or shipments of orders the caller loaded under
        the tenant filter (the buyer sees where its goods ship from: code, name, city). One query, any
        tenant: pass only ids read from such rows, never ids from a request."""
        ids = list(set(warehouse_ids))
        if not ids:
            return {}
        stmt = select(Warehouse).where(Warehouse.id.in_(ids)).execution_options(**ALL_TENANTS)
        return {w.id: w for w in self.session.scalars(stmt)}


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

    def buyer_listing(
        self, buyer_scope: Iterable[uuid.UUID], *, status: ReturnStatus | None = None
    ) -> Select[Any]:
        """Returns of the caller's purchases only (not those of its sales), newest first by the caller."""
        return self.listing(status=status).where(Return.org_id.in_(list(buyer_scope)))


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

    def orders_any_tenant(self, order_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Order]:
        """Platform risk staff: the orders of a page of disputes, in one query."""
        ids = list(set(order_ids))
        if not ids:
            return {}
        stmt = select(Order).where(Order.id.in_(ids)).execution_options(**ALL_TENANTS)
        return {o.id: o for o in self.session.scalars(stmt)}

    def listing(self, *, status: DisputeStatus | None = None) -> Select[Any]:
        stmt = select(Dispute)
        if status is not None:
            stmt = stmt.where(Dispute.status == status)
        return stmt

    def listing_any_tenant(self, *, status: DisputeStatus | None = None) -> Select[Any]:
        """Platform risk staff: disputes of every company."""
        return self.listing(status=status).execution_options(**ALL_TENANTS)


class SalesRepository:
    """The supplier's side of orders and returns (the supplier's web workbench): rows whose supplier is
    in ``supplier_scope``. The tenant filter applies as well, so only rows the caller is a party of are
    ever read; the scope keeps out the caller's own purchases."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def orders(
        self,
        supplier_scope: Iterable[uuid.UUID],
        *,
        statuses: Iterable[OrderStatus] = (),
        open_returns: bool = False,
    ) -> Select[Any]:
        stmt = select(Order).where(Order.supplier_org_id.in_(list(supplier_scope)))
        wanted = list(statuses)
        if wanted:
            stmt = stmt.where(Order.status.in_(wanted))
        if open_returns:
            stmt = stmt.where(exists().where(Return.order_id == Order.id, Return.status.in_(OPEN_RETURNS)))
        return stmt

    def status_counts(self, supplier_scope: Iterable[uuid.UUID]) -> dict[OrderStatus, int]:
        """How many of the supplier's orders are in each status (one grouped query)."""
        stmt = (
            select(Order.status, func.count())
            .where(Order.supplier_org_id.in_(list(supplier_scope)))
            .group_by(Order.status)
        )
        return {OrderStatus(s): int(n) for s, n in self.session.execute(stmt)}

    def orders_with_open_returns(self, supplier_scope: Iterable[uuid.UUID]) -> int:
        stmt = select(func.count(func.distinct(Return.order_id))).where(
            Return.supplier_org_id.in_(list(supplier_scope)), Return.status.in_(OPEN_RETURNS)
        )
        return int(self.session.scalar(stmt) or 0)

    def returns(
        self, supplier_scope: Iterable[uuid.UUID], *, statuses: Iterable[ReturnStatus] = ()
    ) -> Select[Any]:
        stmt = select(Return).where(Return.supplier_org_id.in_(list(supplier_scope)))
        wanted = list(statuses)
        if wanted:
            stmt = stmt.where(Return.status.in_(wanted))
        return stmt

    def returns_of_orders(self, order_ids: Iterable[uuid.UUID]) -> list[Return]:
        ids = list(order_ids)
        if not ids:
            return []
        stmt = select(Return).where(Return.order_id.in_(ids)).order_by(Return.id)
        return list(self.session.scalars(stmt))

    def warehouses(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Warehouse]:
        """The caller's warehouses among these ids (the tenant filter applies)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        return {w.id: w for w in self.session.scalars(select(Warehouse).where(Warehouse.id.in_(wanted)))}

    def my_warehouses(self, org_ids: Iterable[uuid.UUID]) -> list[Warehouse]:
        """Active warehouses of these companies (the supplier's), by code."""
        stmt = (
            select(Warehouse)
            .where(Warehouse.org_id.in_(list(org_ids)), Warehouse.active.is_(True))
            .order_by(Warehouse.code)
        )
        return list(self.session.scalars(stmt))

    def party_names(self, org_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Company names of the other party of orders or returns the caller loaded under the tenant
        filter (a trading partner's name is shown on the order; nothing else of it is read)."""
        wanted = list(set(org_ids))
        if not wanted:
            return {}
        stmt = select(Org.id, Org.name).where(Org.id.in_(wanted)).execution_options(**ALL_TENANTS)
        return {i: n for i, n in self.session.execute(stmt)}
