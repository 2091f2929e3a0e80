"""Returns (退货): the buyer asks to return received quantities; the supplier approves or rejects; the
buyer ships them back (carrier, tracking number); the supplier receives them, then restocks them into
one of its warehouses (``inventory.restock``) or scraps them. The table is
``states.RETURN_TRANSITIONS``. An exchange (换货) is a return plus a new order for the replacement.

A line's ``returned_quantity`` counts the quantities in returns that are not rejected or cancelled,
so the same piece cannot be returned twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.db import utcnow, uuid7
from autotrade.core.tenancy import Principal
from autotrade.escrow import service as escrow
from autotrade.events import service as events
from autotrade.inventory import service as inventory
from autotrade.inventory.errors import WarehouseNotFound
from autotrade.orders.errors import (
    IllegalTransition,
    LineNotFound,
    OrderNotFound,
    QuantityTooLarge,
    ReturnNotFound,
    WrongParty,
)
from autotrade.orders.models import Order, OrderLine, OrderStatus, Party, Return, ReturnLine, ReturnStatus
from autotrade.orders.parties import actor_for
from autotrade.orders.repository import OrderRepository, ReturnRepository
from autotrade.orders.schemas import ReturnIn
from autotrade.orders.states import ORDERS, RETURNS, Actor, event_row

RETURNABLE = (OrderStatus.received, OrderStatus.completed)
_GIVES_BACK = (ReturnStatus.rejected, ReturnStatus.cancelled)  # the quantities become returnable again


def _emit(session: Session, ret: Return, **extra: Any) -> None:
    events.emit(
        session,
        f"return.{ret.status.value}",
        org_ids=(ret.org_id, ret.supplier_org_id),
        subject_type="return",
        subject_id=ret.id,
        payload={"return_id": ret.id, "order_id": ret.order_id, "status": ret.status, **extra},
    )


def open_return(
    session: Session,
    order: Order,
    actor: Actor,
    items: list[tuple[OrderLine, int]],
    reason: str,
    *,
    at: datetime,
) -> Return:
    """A new return (``requested``) of these quantities; the caller checked them against the lines."""
    ret = Return(
        id=uuid7(),
        org_id=order.org_id,
        supplier_org_id=order.supplier_org_id,
        order_id=order.id,
        status=ReturnStatus.requested,
        reason=reason,
        requested_by_id=actor.user_id,
    )
    session.add(ret)
    for line, quantity in items:
        session.add(
            ReturnLine(id=uuid7(), return_id=ret.id, line_id=line.id, part_id=line.part_id, quantity=quantity)
        )
        line.returned_quantity += quantity
    session.add(
        event_row(
            order.id,
            "return",
            ret.id,
            "request",
            None,
            ret.status.value,
            Party.buyer,
            actor,
            note=reason,
            at=at,
        )
    )
    _emit(session, ret, lines=[{"line_id": line.id, "quantity": q} for line, q in items])
    return ret


def request_return(session: Session, principal: Principal, order_id: uuid.UUID, data: ReturnIn) -> Return:
    """The buyer asks to return quantities of a received order (each at most what was received and is
    not in another return)."""
    repo = OrderRepository(session)
    order = repo.get_for_update(order_id)
    if order is None:
        raise OrderNotFound()
    actor = actor_for(principal, order.org_id, order.supplier_org_id)
    if Party.buyer not in actor.parties:
        raise WrongParty("only the buyer may ask for a return", allowed_parties=["buyer"])
    if order.status not in RETURNABLE:
        raise IllegalTransition(
            f"returns are possible once the order is received; it is {order.status.value}",
            allowed_actions=ORDERS.allowed(order.status, actor.parties),
            current_status=order.status.value,
        )
    lines = {x.id: x for x in repo.lines([order.id])}
    wanted: dict[uuid.UUID, int] = {}
    for i, req in enumerate(data.lines):
        line = lines.get(req.line_id)
        if line is None:
            raise LineNotFound(field=f"lines[{i}].line_id")
        wanted[line.id] = wanted.get(line.id, 0) + req.quantity
        left = line.received_quantity - line.returned_quantity
        if wanted[line.id] > left:
            raise QuantityTooLarge(
                f"line {i}: {left} received and not yet in a return, asked {wanted[line.id]}",
                field=f"lines[{i}].quantity",
            )
    ret = open_return(
        session, order, actor, [(lines[k], q) for k, q in wanted.items()], data.reason, at=utcnow()
    )
    session.flush()
    return ret


def get_return(session: Session, return_id: uuid.UUID) -> tuple[Return, list[ReturnLine]]:
    ret = ReturnRepository(session).get(return_id)
    if ret is None:
        raise ReturnNotFound()
    return ret, ReturnRepository(session).lines([ret.id])


def act(
    session: Session,
    principal: Principal,
    return_id: uuid.UUID,
    action: str,
    *,
    note: str | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
    warehouse_id: uuid.UUID | None = None,
) -> tuple[Return, list[ReturnLine]]:
    """One step of a return: ``approve``/``reject`` (supplier, with a note), ``cancel`` (buyer),
    ``ship`` (buyer: carrier + tracking number), ``receive`` (supplier), ``restock`` (supplier: into
    ``warehouse_id``, one of its warehouses) or ``scrap`` (supplier)."""
    repo = ReturnRepository(session)
    ret = repo.get_for_update(return_id)
    if ret is None:
        raise ReturnNotFound()
    actor = actor_for(principal, ret.org_id, ret.supplier_org_id)
    to, party = RETURNS.target(ret.status, action, actor.parties)
    lines = repo.lines([ret.id])
    now = utcnow()
    if action == "restock":
        if (
            warehouse_id is None
            or OrderRepository(session).warehouse_owner(warehouse_id) != ret.supplier_org_id
        ):
            raise WarehouseNotFound("restock into one of the supplier's warehouses", field="warehouse_id")
        ret.restock_warehouse_id = warehouse_id
    session.add(
        event_row(
            ret.order_id,
            "return",
            ret.id,
            action,
            ret.status.value,
            to.value,
            party,
            actor,
            note=note,
            at=now,
        )
    )
    ret.status = to
    label(ret, f"returns.{action}")
    if action in ("approve", "reject"):
        ret.decided_at, ret.decision_note = now, note
    elif action == "ship":
        ret.carrier, ret.tracking_number, ret.shipped_back_at = carrier, tracking_number, now
    elif action == "receive":
        ret.received_at = now
    if to in (*_GIVES_BACK, ReturnStatus.restocked, ReturnStatus.scrapped):
        ret.closed_at = now
    if to in _GIVES_BACK:
        order_lines = {x.id: x for x in OrderRepository(session).lines([ret.order_id])}
        for x in lines:
            order_lines[x.line_id].returned_quantity -= x.quantity
    _emit(session, ret)
    session.flush()
    if action == "receive":  # the goods are back: refund their share out of escrow (docs/escrow.md)
        order = OrderRepository(session).get_for_update(ret.order_id)
        if order is not None:
            escrow.on_return_received(session, order, ret, lines)
    if action == "restock" and warehouse_id is not None:
        inventory.restock(
            session,
            [inventory.StockLine(warehouse_id, x.part_id, x.quantity) for x in lines],
            reference_type="return",
            reference_id=ret.id,
        )
    return ret, lines
