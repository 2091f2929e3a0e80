"""orders: the order lifecycle after checkout — payment mark, confirmation, shipments, delivery,
receiving inspection, completion, cancellation (stock released) and the auto-cancel of unpaid orders.

Every change goes through :func:`autotrade.orders.states.transition` (the table of allowed actions and
parties), writes a timeline row and emits ``order.<new status>`` to both companies, in the caller's
transaction. Who may act is decided here from the caller's side of the order (buyer ``org_id`` or
supplier ``supplier_org_id`` in the caller's scope). Orders are row-locked before a change, so two
actions — or an action and the auto-cancel job — never interleave.

Checkout itself lives in :mod:`autotrade.orders.checkout` (re-exported here); returns and disputes in
:mod:`autotrade.orders.returns`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.db import utcnow, uuid7
from autotrade.core.errors import NotFound, ValidationFailed
from autotrade.core.tenancy import Principal
from autotrade.escrow import service as escrow
from autotrade.inventory import service as inventory
from autotrade.orders.checkout import CheckoutLine, CheckoutResult, PlacedOrder, checkout, order_number
from autotrade.orders.errors import (
    DisputeOpen,
    DuplicateLine,
    LineNotFound,
    NothingToShip,
    OrderNotFound,
    QuantityTooLarge,
    ReturnOpen,
)
from autotrade.orders.models import (
    Order,
    OrderAllocation,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Party,
    Return,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from autotrade.orders.parties import actor_for, apply
from autotrade.orders.repository import OrderRepository, SalesRepository
from autotrade.orders.returns import open_return
from autotrade.orders.schemas import ReceiveIn, ShipmentIn
from autotrade.orders.states import ORDERS, Actor

__all__ = [
    "CheckoutLine",
    "CheckoutResult",
    "PlacedOrder",
    "checkout",
    "order_number",
]  # the checkout contract

SIMPLE_ACTIONS = ("mark_paid", "confirm", "deliver", "complete")
# Who may move goods — ship and deliver an order, receive, restock or scrap a return: sales staff
# (orders:edit) or warehouse staff (logistics:edit). The API and the pages both require one of these.
FULFILMENT = ("orders:edit", "logistics:edit")
FULFILMENT_ACTIONS = ("deliver",)  # of SIMPLE_ACTIONS


def may_move_goods(principal: Principal) -> bool:
    """Whether ``principal`` holds one of the :data:`FULFILMENT` permissions."""
    return any(principal.can(x) for x in FULFILMENT)


# ---- reads ---------------------------------------------------------------------------------------------


def get_order(session: Session, order_id: uuid.UUID) -> Order:
    order = OrderRepository(session).get(order_id)
    if order is None:
        raise OrderNotFound()
    return order


def _locked(session: Session, order_id: uuid.UUID) -> Order:
    order = OrderRepository(session).get_for_update(order_id)
    if order is None:
        raise OrderNotFound()
    return order


def order_detail(session: Session, order_id: uuid.UUID) -> PlacedOrder:
    order = get_order(session, order_id)
    repo = OrderRepository(session)
    return PlacedOrder(order, repo.lines([order.id]), repo.allocations([order.id]))


def timeline(session: Session, order_id: uuid.UUID) -> list[OrderEvent]:
    order = get_order(session, order_id)
    return OrderRepository(session).timeline(order.id)


def shipments(session: Session, order_id: uuid.UUID) -> list[tuple[Shipment, list[ShipmentLine]]]:
    order = get_order(session, order_id)
    repo = OrderRepository(session)
    found = repo.shipments(order.id)
    lines = repo.shipment_lines([s.id for s in found])
    return [(s, [x for x in lines if x.shipment_id == s.id]) for s in found]


# ---- simple transitions --------------------------------------------------------------------------------


def act(
    session: Session, principal: Principal, order_id: uuid.UUID, action: str, *, note: str | None = None
) -> Order:
    """``confirm`` (supplier), ``deliver`` (supplier or a carrier update: every shipment delivered),
    ``complete`` (buyer; refused while a return or a dispute is open). Payment: :func:`mark_paid`."""
    order = _locked(session, order_id)
    actor = actor_for(principal, order.org_id, order.supplier_org_id)
    return _act(session, order, action, actor, note=note)


def mark_paid(session: Session, order_id: uuid.UUID, *, note: str | None = None) -> Order:
    """The order's money is proven (``payments``: a verified gateway callback or a bank transfer
    confirmed by platform finance; or ``credit``): ``mark_paid`` applied by the system, order row locked.
    The caller posts the money in the same transaction; the order must be visible in the session's
    scope (payments runs this in a system scope, credit as the buyer — docs/payments.md)."""
    order = _locked(session, order_id)
    return _act(session, order, "mark_paid", Actor.system("payments"), note=note)


def _act(session: Session, order: Order, action: str, actor: Actor, *, note: str | None = None) -> Order:
    if action not in SIMPLE_ACTIONS:
        raise ValueError(f"{action!r} is not a simple order action")
    now = utcnow()
    if action == "complete":
        repo = OrderRepository(session)
        if repo.open_returns(order.id):
            raise ReturnOpen("close the order's returns before completing it")
        if repo.open_disputes(order.id):
            raise DisputeOpen("the order has an open dispute: platform staff decide it first")
    apply(session, order, action, actor, note=note, at=now)
    if action == "complete":
        escrow.on_complete(session, order)  # release the escrow minus commission (docs/escrow.md)
    if action == "deliver":
        for s in OrderRepository(session).shipments(order.id):
            if s.status == ShipmentStatus.shipped:
                s.status, s.delivered_at = ShipmentStatus.delivered, now
    session.flush()
    return order


def _unshipped(allocations: Iterable[OrderAllocation]) -> list[inventory.StockLine]:
    return [
        inventory.StockLine(a.warehouse_id, a.part_id, a.quantity - a.shipped_quantity)
        for a in allocations
        if not a.released and a.quantity > a.shipped_quantity
    ]


def cancel(
    session: Session, principal: Principal, order_id: uuid.UUID, *, reason: str | None = None
) -> Order:
    """Buyer or supplier, before any shipment: the order's reserved stock goes back (inventory.release)."""
    order = _locked(session, order_id)
    _cancel(
        session,
        order,
        "cancel",
        actor_for(principal, order.org_id, order.supplier_org_id),
        reason=reason,
        at=utcnow(),
    )
    session.flush()
    return order


def _cancel(
    session: Session, order: Order, action: str, actor: Actor, *, reason: str | None, at: datetime
) -> None:
    apply(session, order, action, actor, note=reason, at=at)
    order.cancel_reason = reason
    allocations = OrderRepository(session).allocations([order.id])
    release = _unshipped(allocations)
    for a in allocations:
        a.released = True
    session.flush()
    if release:
        inventory.release(session, release, reference_type="order", reference_id=order.id)
    escrow.on_cancel(session, order, reason)  # paid: everything held goes back (docs/escrow.md)


# ---- shipments -------------------------------------------------------------------------------------------


def ship(
    session: Session, principal: Principal, order_id: uuid.UUID, data: ShipmentIn
) -> tuple[Shipment, list[ShipmentLine]]:
    """The supplier ships some or all of what is left (carrier + tracking number). Each shipment takes
    its quantities from the line's allocations (a named warehouse, or in allocation order) and calls
    ``inventory.ship`` for them. The order becomes ``shipped`` when nothing is left, else
    ``partially_shipped``."""
    order = _locked(session, order_id)
    actor = actor_for(principal, order.org_id, order.supplier_org_id)
    ORDERS.target(order.status, "ship", actor.parties)  # state and party first ("ship_part" shares both)
    repo = OrderRepository(session)
    lines = {x.id: x for x in repo.lines([order.id])}
    allocations = repo.allocations([order.id])
    wanted: list[tuple[int, OrderLine, int, uuid.UUID | None]] = []
    if data.lines is None:
        wanted = [(i, x, x.quantity - x.shipped_quantity, None) for i, x in enumerate(lines.values())]
        wanted = [w for w in wanted if w[2] > 0]
        if not wanted:
            raise NothingToShip(field="lines")
    else:
        if not data.lines:
            raise NothingToShip("name at least one line, or omit lines to ship everything", field="lines")
        for i, req in enumerate(data.lines):
            line = lines.get(req.line_id)
            if line is None:
                raise LineNotFound(field=f"lines[{i}].line_id")
            wanted.append((i, line, req.quantity, req.warehouse_id))
    remaining = sum(x.quantity - x.shipped_quantity for x in lines.values())
    total = sum(q for _, _, q, _ in wanted)
    action = "ship" if total >= remaining else "ship_part"
    now = utcnow()
    row = apply(session, order, action, actor, note=f"{data.carrier} {data.tracking_number}", at=now)

    shipment = Shipment(
        id=uuid7(),
        org_id=order.org_id,
        supplier_org_id=order.supplier_org_id,
        order_id=order.id,
        carrier=data.carrier,
        tracking_number=data.tracking_number,
        status=ShipmentStatus.shipped,
        shipped_at=now,
    )
    row.subject_type, row.subject_id = "shipment", shipment.id
    out: list[ShipmentLine] = []
    moves: list[inventory.StockLine] = []
    for i, line, quantity, warehouse_id in wanted:
        if quantity > line.quantity - line.shipped_quantity:
            raise QuantityTooLarge(
                f"line {i}: {line.quantity - line.shipped_quantity} left to ship, asked {quantity}",
                field=f"lines[{i}].quantity",
            )
        left = quantity
        for a in allocations:
            if (
                a.line_id != line.id
                or a.released
                or (warehouse_id is not None and a.warehouse_id != warehouse_id)
            ):
                continue
            q = min(left, a.quantity - a.shipped_quantity)
            if q <= 0:
                continue
            a.shipped_quantity += q
            left -= q
            out.append(
                ShipmentLine(
                    id=uuid7(),
                    shipment_id=shipment.id,
                    line_id=line.id,
                    allocation_id=a.id,
                    warehouse_id=a.warehouse_id,
                    quantity=q,
                )
            )
            moves.append(inventory.StockLine(a.warehouse_id, a.part_id, q))
            if left == 0:
                break
        if left:
            raise QuantityTooLarge(
                f"line {i}: the warehouse holds {quantity - left} of it for this order, asked {quantity}",
                field=f"lines[{i}].warehouse_id" if warehouse_id else f"lines[{i}].quantity",
            )
        line.shipped_quantity += quantity
    session.add(shipment)
    session.add_all(out)
    session.flush()
    inventory.ship(session, moves, reference_type="shipment", reference_id=shipment.id)
    return shipment, out


# ---- receiving inspection ------------------------------------------------------------------------------


def receive(
    session: Session, principal: Principal, order_id: uuid.UUID, data: ReceiveIn
) -> tuple[Order, Return | None]:
    """The buyer's receiving inspection (验收): accept everything, or accept some quantities of some
    lines — the rest becomes one return (status ``requested``, the supplier approves or rejects it)."""
    order = _locked(session, order_id)
    actor = actor_for(principal, order.org_id, order.supplier_org_id)
    now = utcnow()
    lines = OrderRepository(session).lines([order.id])
    by_id = {x.id: x for x in lines}
    rejected: list[tuple[OrderLine, int]] = []
    seen: set[uuid.UUID] = set()
    for i, req in enumerate(data.lines or ()):
        line = by_id.get(req.line_id)
        if line is None:
            raise LineNotFound(field=f"lines[{i}].line_id")
        if line.id in seen:
            raise DuplicateLine("name each line once", field=f"lines[{i}].line_id")
        seen.add(line.id)
        if req.accepted_quantity > line.shipped_quantity:
            raise QuantityTooLarge(
                f"line {i}: {line.shipped_quantity} were shipped, {req.accepted_quantity} accepted",
                field=f"lines[{i}].accepted_quantity",
            )
        if req.accepted_quantity < line.shipped_quantity:
            rejected.append((line, line.shipped_quantity - req.accepted_quantity))
    if rejected and not data.reason:
        raise ValidationFailed("say why some quantities are not accepted", field="reason", code="required")
    apply(session, order, "receive", actor, note=data.note, at=now)
    for line in lines:
        line.received_quantity = line.shipped_quantity
    ret: Return | None = None
    if rejected:
        ret = open_return(
            session, order, actor, [(line, q) for line, q in rejected], data.reason or "", at=now
        )
    session.flush()
    return order, ret


# ---- auto-cancel -----------------------------------------------------------------------------------------

AUTO_CANCEL_REASON = "payment not received in time"


def auto_cancel(session: Session, *, now: datetime | None = None, limit: int = 500) -> list[uuid.UUID]:
    """Cancel up to ``limit`` unpaid orders past ``payment_due_at`` and release their stock. One locking
    read (``SKIP LOCKED`` on PostgreSQL: a second worker takes other rows, never the same), one flush
    for every status change and timeline row, one ``inventory.release`` per order (its movements name
    the order). Returns the ids cancelled."""
    now = now or utcnow()
    repo = OrderRepository(session)
    due = repo.due_for_auto_cancel(now, limit)
    if not due:
        return []
    actor = Actor.system("orders.auto_cancel")
    allocations = repo.allocations([o.id for o in due])
    for order in due:
        apply(session, order, "expire", actor, note=AUTO_CANCEL_REASON, at=now)
        order.cancel_reason = AUTO_CANCEL_REASON
        label(order, "orders.auto_cancel")
    releases: dict[uuid.UUID, list[inventory.StockLine]] = {}
    for a in allocations:
        if not a.released and a.quantity > a.shipped_quantity:
            releases.setdefault(a.order_id, []).append(
                inventory.StockLine(a.warehouse_id, a.part_id, a.quantity - a.shipped_quantity)
            )
        a.released = True
    session.flush()
    for order_id, stock_lines in releases.items():
        inventory.release(session, stock_lines, reference_type="order", reference_id=order_id)
    return [o.id for o in due]


# ---- the supplier's workbench: sales queues -----------------------------------------------------------

# Work queues of the supplier's sales orders: name → (statuses, only orders with an open return).
SALES_QUEUES: dict[str, tuple[tuple[OrderStatus, ...], bool]] = {
    "all": ((), False),
    "to_confirm": ((OrderStatus.paid,), False),
    "to_ship": ((OrderStatus.confirmed, OrderStatus.partially_shipped), False),
    "shipped": ((OrderStatus.shipped, OrderStatus.delivered), False),
    "returns": ((), True),
    "done": ((OrderStatus.received, OrderStatus.completed), False),
    "cancelled": ((OrderStatus.cancelled,), False),
}


def sales_orders(session: Session, principal: Principal, queue: str) -> Select[Any]:
    """The caller's sales orders (as supplier) in one work queue (``SALES_QUEUES``; unknown: all)."""
    statuses, open_returns = SALES_QUEUES.get(queue, SALES_QUEUES["all"])
    return SalesRepository(session).orders(principal.scope, statuses=statuses, open_returns=open_returns)


def sales_queue_counts(session: Session, principal: Principal) -> dict[str, int]:
    """How many sales orders each work queue holds (two queries)."""
    repo = SalesRepository(session)
    by_status = repo.status_counts(principal.scope)
    out = {
        name: sum(by_status.values())
        if not statuses and not returns
        else sum(by_status.get(s, 0) for s in statuses)
        for name, (statuses, returns) in SALES_QUEUES.items()
    }
    out["returns"] = repo.orders_with_open_returns(principal.scope)
    return out


def sales_order(session: Session, principal: Principal, order_id: uuid.UUID) -> Order:
    """One of the caller's sales orders; anything else (another company's, or the caller's own
    purchase) is not found."""
    order = get_order(session, order_id)
    if order.supplier_org_id not in principal.scope:
        raise OrderNotFound()
    return order


def supplier_actions(order: Order) -> list[str]:
    """What the supplier may do with the order now, from the state table."""
    return ORDERS.allowed(order.status, {Party.supplier})


# ---- the buyer's workbench: purchases ------------------------------------------------------------------


def purchase_orders(session: Session, principal: Principal, status: OrderStatus | None = None) -> Select[Any]:
    """The caller's purchase orders (as buyer, not its sales), optionally in one status."""
    return OrderRepository(session).listing(buyer_scope=principal.scope, status=status)


def purchase_order(session: Session, principal: Principal, order_id: uuid.UUID) -> Order:
    """One of the caller's purchase orders; anything else (another company's, or the caller's own
    sale) is not found."""
    order = get_order(session, order_id)
    if order.org_id not in principal.scope:
        raise OrderNotFound()
    return order


def checkout_orders(session: Session, principal: Principal, checkout_id: uuid.UUID) -> list[Order]:
    """The caller's purchase orders placed by one checkout, by number (not found when there are none)."""
    stmt = OrderRepository(session).listing(buyer_scope=principal.scope, checkout_id=checkout_id)
    orders = list(session.scalars(stmt.order_by(Order.number)))
    if not orders:
        raise NotFound("no orders of yours come from this checkout", code="checkout_not_found")
    return orders


def buyer_actions(session: Session, order: Order) -> list[str]:
    """What the buyer may do with the order now: the state table's buyer actions (``cancel``,
    ``receive``, ``complete``), less ``complete`` while a return or a dispute is open (refused then),
    plus ``return`` (received quantities not yet in a return) and ``dispute`` (paid, none open)."""
    repo = OrderRepository(session)
    out = ORDERS.allowed(order.status, {Party.buyer})
    if "complete" in out and (repo.open_returns(order.id) or repo.open_disputes(order.id)):
        out.remove("complete")
    if order.status in (OrderStatus.received, OrderStatus.completed) and any(
        x.received_quantity > x.returned_quantity for x in repo.lines([order.id])
    ):
        out.append("return")
    if order.paid_at is not None and not repo.open_disputes(order.id):
        out.append("dispute")
    return out
