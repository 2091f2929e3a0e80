"""orders: HTTP routes (thin: parse, call the service, shape the answer).

Checkout, orders (both parties see them; who may do what is a service rule), shipments, receiving,
returns, disputes, and the platform's dispute decisions. See docs/orders.md.
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from autotrade.core.deps import get_settings_dep, require
from autotrade.core.http import get_db
from autotrade.core.idempotency import Idempotency, idempotency
from autotrade.core.pagination import Page, page_of, paginate
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.orders import disputes, returns, service
from autotrade.orders import tasks as _tasks  # noqa: F401  (registers the orders.* jobs)
from autotrade.orders.models import Dispute, DisputeStatus, Order, OrderStatus, Return, ReturnStatus
from autotrade.orders.repository import DisputeRepository, OrderRepository, ReturnRepository
from autotrade.orders.schemas import (
    CancelIn,
    CheckoutIn,
    CheckoutOut,
    DecideIn,
    DisputeIn,
    DisputeOut,
    NoteIn,
    OrderOut,
    OrderSummary,
    ReceiveIn,
    ReceiveOut,
    RestockIn,
    ReturnDecisionIn,
    ReturnIn,
    ReturnOut,
    ReturnShipIn,
    ShipmentIn,
    ShipmentOut,
    TimelineEntry,
)

router = api_router("/api/v1", tags=["orders"])


def _order_out(db: Session, p: Principal, order_id: uuid.UUID) -> OrderOut:
    placed = service.order_detail(db, order_id)
    return OrderOut.full(placed.order, placed.lines, placed.allocations, reveal=p.can("pii:view"))


# ---- checkout --------------------------------------------------------------------------------------------


@router.post("/checkout", status_code=201, response_model=CheckoutOut)
def create_checkout(
    data: CheckoutIn,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
    idem: Idempotency = Depends(idempotency("checkout")),
    settings: Settings = Depends(get_settings_dep),
) -> JSONResponse:
    """One order per supplier, priced, allocated to the nearest stocked warehouses and reserved — all or
    nothing. Send an ``Idempotency-Key``: a retry with the same key returns the same orders."""

    def run() -> CheckoutOut:
        result = service.checkout(
            db,
            p,
            [service.CheckoutLine(x.offer_id, x.quantity) for x in data.lines],
            data.ship_to,
            note=data.note,
            payment_timeout_minutes=settings.order_payment_timeout_minutes,
        )
        return CheckoutOut.build(result, reveal=p.can("pii:view"))

    return idem.run(run, status_code=201)


# ---- orders ----------------------------------------------------------------------------------------------


@router.get("/orders", response_model=Page[OrderSummary])
def list_orders(
    role: Literal["buyer", "supplier"] | None = None,
    status: OrderStatus | None = None,
    checkout_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("orders:view")),
    db: Session = Depends(get_db),
) -> Page[OrderSummary]:
    """Your orders, newest first: as buyer, as supplier (``role``), or both."""
    stmt = OrderRepository(db).listing(
        buyer_scope=p.scope if role == "buyer" else None,
        supplier_scope=p.scope if role == "supplier" else None,
        status=status,
        checkout_id=checkout_id,
    )
    return page_of(db, stmt, Order.id, OrderSummary.build, cursor=cursor, limit=limit)


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(
    order_id: uuid.UUID, p: Principal = Depends(require("orders:view")), db: Session = Depends(get_db)
) -> OrderOut:
    return _order_out(db, p, order_id)


@router.get("/orders/{order_id}/timeline", response_model=list[TimelineEntry])
def order_timeline(
    order_id: uuid.UUID, p: Principal = Depends(require("orders:view")), db: Session = Depends(get_db)
) -> list[TimelineEntry]:
    """Every transition of the order and of its shipments, returns and disputes, oldest first."""
    return [TimelineEntry.build(e) for e in service.timeline(db, order_id)]


# Moving goods: sales or warehouse staff (orders.service.FULFILMENT).
FULFIL = require(*service.FULFILMENT, any_of=True)


def _simple(action: str, doc: str) -> None:
    path = action.replace("_", "-")
    allowed = FULFIL if action in service.FULFILMENT_ACTIONS else require("orders:edit")

    def route(
        order_id: uuid.UUID,
        data: NoteIn | None = None,
        p: Principal = Depends(allowed),
        db: Session = Depends(get_db),
    ) -> OrderOut:
        service.act(db, p, order_id, action, note=data.note if data else None)
        return _order_out(db, p, order_id)

    route.__doc__ = doc
    route.__name__ = f"order_{action}"
    router.add_api_route(f"/orders/{{order_id}}/{path}", route, methods=["POST"], response_model=OrderOut)


_simple("confirm", "The supplier confirms a paid order.")
_simple("deliver", "The supplier (or a carrier update) reports the shipped order delivered.")
_simple("complete", "The buyer completes a received order (refused while a return or dispute is open).")


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
def cancel_order(
    order_id: uuid.UUID,
    data: CancelIn | None = None,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> OrderOut:
    """Buyer or supplier, before the first shipment: the reserved stock is released."""
    service.cancel(db, p, order_id, reason=data.reason if data else None)
    return _order_out(db, p, order_id)


@router.post("/orders/{order_id}/shipments", status_code=201, response_model=ShipmentOut)
def create_shipment(
    order_id: uuid.UUID,
    data: ShipmentIn,
    p: Principal = Depends(FULFIL),
    db: Session = Depends(get_db),
) -> ShipmentOut:
    """The supplier ships all that is left, or some lines and quantities (a partial shipment)."""
    shipment, lines = service.ship(db, p, order_id, data)
    return ShipmentOut.build(shipment, lines)


@router.get("/orders/{order_id}/shipments", response_model=list[ShipmentOut])
def list_shipments(
    order_id: uuid.UUID, p: Principal = Depends(require("orders:view")), db: Session = Depends(get_db)
) -> list[ShipmentOut]:
    return [ShipmentOut.build(s, lines) for s, lines in service.shipments(db, order_id)]


@router.post("/orders/{order_id}/receive", response_model=ReceiveOut)
def receive_order(
    order_id: uuid.UUID,
    data: ReceiveIn | None = None,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> ReceiveOut:
    """The buyer's receiving inspection: accept all, or accept some quantities and return the rest."""
    order, ret = service.receive(db, p, order_id, data or ReceiveIn())
    return ReceiveOut(order=OrderSummary.build(order), return_id=ret.id if ret else None)


# ---- returns ---------------------------------------------------------------------------------------------


def _return_out(db: Session, ret: Return) -> ReturnOut:
    return ReturnOut.build(ret, ReturnRepository(db).lines([ret.id]))


@router.post("/orders/{order_id}/returns", status_code=201, response_model=ReturnOut)
def request_return(
    order_id: uuid.UUID,
    data: ReturnIn,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> ReturnOut:
    """The buyer asks to return received quantities (an exchange: a return plus a new order)."""
    return _return_out(db, returns.request_return(db, p, order_id, data))


@router.get("/orders/{order_id}/returns", response_model=list[ReturnOut])
def order_returns(
    order_id: uuid.UUID, p: Principal = Depends(require("orders:view")), db: Session = Depends(get_db)
) -> list[ReturnOut]:
    order = service.get_order(db, order_id)
    found = OrderRepository(db).returns_of(order.id)
    lines = ReturnRepository(db).lines([r.id for r in found])
    return [ReturnOut.build(r, [x for x in lines if x.return_id == r.id]) for r in found]


@router.get("/returns", response_model=Page[ReturnOut])
def list_returns(
    status: ReturnStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("orders:view")),
    db: Session = Depends(get_db),
) -> Page[ReturnOut]:
    """Returns of your orders, as buyer or supplier, newest first."""
    repo = ReturnRepository(db)
    rows, nxt = paginate(db, repo.listing(status=status), Return.id, cursor=cursor, limit=limit)
    lines = repo.lines([r.id for r in rows])
    return Page(
        items=[ReturnOut.build(r, [x for x in lines if x.return_id == r.id]) for r in rows], next_cursor=nxt
    )


@router.get("/returns/{return_id}", response_model=ReturnOut)
def get_return(
    return_id: uuid.UUID, p: Principal = Depends(require("orders:view")), db: Session = Depends(get_db)
) -> ReturnOut:
    ret, lines = returns.get_return(db, return_id)
    return ReturnOut.build(ret, lines)


@router.post("/returns/{return_id}/approve", response_model=ReturnOut)
def approve_return(
    return_id: uuid.UUID,
    data: ReturnDecisionIn | None = None,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> ReturnOut:
    return ReturnOut.build(*returns.act(db, p, return_id, "approve", note=data.note if data else None))


@router.post("/returns/{return_id}/reject", response_model=ReturnOut)
def reject_return(
    return_id: uuid.UUID,
    data: ReturnDecisionIn | None = None,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> ReturnOut:
    return ReturnOut.build(*returns.act(db, p, return_id, "reject", note=data.note if data else None))


@router.post("/returns/{return_id}/cancel", response_model=ReturnOut)
def cancel_return(
    return_id: uuid.UUID,
    data: ReturnDecisionIn | None = None,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> ReturnOut:
    return ReturnOut.build(*returns.act(db, p, return_id, "cancel", note=data.note if data else None))


@router.post("/returns/{return_id}/ship", response_model=ReturnOut)
def ship_return(
    return_id: uuid.UUID,
    data: ReturnShipIn,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> ReturnOut:
    """The buyer ships the approved return back (carrier, tracking number)."""
    ret = returns.act(db, p, return_id, "ship", carrier=data.carrier, tracking_number=data.tracking_number)
    return ReturnOut.build(*ret)


@router.post("/returns/{return_id}/receive", response_model=ReturnOut)
def receive_return(
    return_id: uuid.UUID,
    data: ReturnDecisionIn | None = None,
    p: Principal = Depends(FULFIL),
    db: Session = Depends(get_db),
) -> ReturnOut:
    return ReturnOut.build(*returns.act(db, p, return_id, "receive", note=data.note if data else None))


@router.post("/returns/{return_id}/restock", response_model=ReturnOut)
def restock_return(
    return_id: uuid.UUID,
    data: RestockIn,
    p: Principal = Depends(FULFIL),
    db: Session = Depends(get_db),
) -> ReturnOut:
    """The supplier puts the returned goods back into one of its warehouses."""
    return ReturnOut.build(
        *returns.act(db, p, return_id, "restock", note=data.note, warehouse_id=data.warehouse_id)
    )


@router.post("/returns/{return_id}/scrap", response_model=ReturnOut)
def scrap_return(
    return_id: uuid.UUID,
    data: ReturnDecisionIn | None = None,
    p: Principal = Depends(FULFIL),
    db: Session = Depends(get_db),
) -> ReturnOut:
    return ReturnOut.build(*returns.act(db, p, return_id, "scrap", note=data.note if data else None))


# ---- disputes --------------------------------------------------------------------------------------------


@router.post("/orders/{order_id}/disputes", status_code=201, response_model=DisputeOut)
def open_dispute(
    order_id: uuid.UUID,
    data: DisputeIn,
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> DisputeOut:
    """Either party of a paid order opens a dispute; platform staff decide it."""
    return DisputeOut.build(disputes.open_dispute(db, p, order_id, data.reason))


@router.get("/orders/{order_id}/disputes", response_model=list[DisputeOut])
def order_disputes(
    order_id: uuid.UUID, p: Principal = Depends(require("orders:view")), db: Session = Depends(get_db)
) -> list[DisputeOut]:
    order = service.get_order(db, order_id)
    return [DisputeOut.build(d) for d in OrderRepository(db).disputes_of(order.id)]


@router.get("/disputes/{dispute_id}", response_model=DisputeOut)
def get_dispute(
    dispute_id: uuid.UUID, p: Principal = Depends(require("orders:view")), db: Session = Depends(get_db)
) -> DisputeOut:
    return DisputeOut.build(disputes.get_dispute(db, dispute_id))


@router.post("/disputes/{dispute_id}/withdraw", response_model=DisputeOut)
def withdraw_dispute(
    dispute_id: uuid.UUID, p: Principal = Depends(require("orders:edit")), db: Session = Depends(get_db)
) -> DisputeOut:
    """The party that opened the dispute takes it back."""
    return DisputeOut.build(disputes.withdraw(db, p, dispute_id))


@router.get("/platform/disputes", response_model=Page[DisputeOut])
def platform_disputes(
    status: DisputeStatus | None = DisputeStatus.open,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("platform.risk:view")),
    db: Session = Depends(get_db),
) -> Page[DisputeOut]:
    """Platform risk staff: disputes of every company (open ones by default)."""
    stmt = DisputeRepository(db).listing_any_tenant(status=status)
    return page_of(db, stmt, Dispute.id, DisputeOut.build, cursor=cursor, limit=limit)


@router.post("/platform/disputes/{dispute_id}/decide", response_model=DisputeOut)
def decide_dispute(
    dispute_id: uuid.UUID,
    data: DecideIn,
    p: Principal = Depends(require("platform.risk:approve")),
    db: Session = Depends(get_db),
) -> DisputeOut:
    """Platform risk staff decide: release, refund_partial (amount_fen) or refund_full."""
    return DisputeOut.build(disputes.decide(db, p, dispute_id, data))
