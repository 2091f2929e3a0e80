"""Supplier pages: incoming orders (confirm, ship, mark delivered, cancel), returns
(``supplier_orders_returns``) and settlement (``supplier_orders_settlement``).

Every page is for selling companies (manufacturer, distributor, dealer: :func:`seller`); an order is
found only on the supplier's side (:func:`autotrade.orders.service.sales_order`), so another company's
order — or the caller's own purchase — answers 404. What the supplier may do with an order comes from
the state table (``orders/states.py``) through :func:`autotrade.orders.service.supplier_actions`.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.catalog.repository import PartRepository
from autotrade.core.crypto import mask
from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.escrow import service as escrow
from autotrade.orders import service as orders
from autotrade.orders.models import Order, OrderLine
from autotrade.orders.repository import OrderRepository, SalesRepository
from autotrade.orders.schemas import ShipmentIn
from autotrade.orders.service import FULFILMENT, may_move_goods
from autotrade.web import csrf, supplier_orders_returns, supplier_orders_settlement
from autotrade.web.forms import clean, field_errors, form_data, undo
from autotrade.web.i18n import N_
from autotrade.web.render import redirect, register_flashes, render, translator
from autotrade.web.supplier_orders_common import error_message, page_context, seller

router = api_router(tags=["web"])
router.include_router(supplier_orders_returns.router)
router.include_router(supplier_orders_settlement.router)

PAGE_SIZE = 30
VIEW = require("orders:view")
EDIT = require("orders:edit")
# Moving goods: sales or warehouse staff (orders.service.FULFILMENT), as in the API.
SHIP = require(*FULFILMENT, any_of=True)

register_flashes(
    {
        "supplier_orders_confirmed": ("success", N_("Order confirmed. Ship it when the goods are ready.")),
        "supplier_orders_shipped": ("success", N_("Shipment recorded. The buyer can follow it now.")),
        "supplier_orders_delivered": ("success", N_("Order marked delivered.")),
        "supplier_orders_cancelled": ("success", N_("Order cancelled. Its reserved stock is released.")),
    }
)

COMMON_CARRIERS = ("顺丰速运", "京东物流", "中通快递", "圆通速递", "韵达快递", "申通快递", "德邦快递", "EMS")


# ---- the list --------------------------------------------------------------------------------------------


@router.get("/supplier/orders", include_in_schema=False)
def sales_orders(
    request: Request,
    queue: str = "all",
    cursor: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    if queue not in orders.SALES_QUEUES:
        queue = "all"
    rows, nxt = paginate(db, orders.sales_orders(db, p, queue), Order.id, cursor=cursor, limit=PAGE_SIZE)
    return render(
        request,
        "supplier_orders/list.html",
        db,
        orders=rows,
        buyers=SalesRepository(db).party_names(o.org_id for o in rows),
        queue=queue,
        queues=list(orders.SALES_QUEUES),
        counts=orders.sales_queue_counts(db, p),
        next_cursor=nxt,
        **page_context(p, "/supplier/orders"),
    )


# ---- one order -------------------------------------------------------------------------------------------


def _remaining(line: OrderLine) -> int:
    return line.quantity - (line.shipped_quantity or 0)


def _detail(
    request: Request,
    db: Session,
    p: Principal,
    order: Order,
    *,
    status: int = 200,
    ship_values: dict[str, Any] | None = None,
    ship_errors: dict[str, str] | None = None,
    cancel_values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    placed = orders.order_detail(db, order.id)
    repo = OrderRepository(db)
    parts = {
        part.id: (part, brand)
        for part, brand, _ in PartRepository(db).with_names(list({x.part_id for x in placed.lines}))
    }
    warehouses = SalesRepository(db).warehouses(a.warehouse_id for a in placed.allocations)
    allocations: dict[uuid.UUID, list[Any]] = {}
    for a in placed.allocations:
        allocations.setdefault(a.line_id, []).append(a)
    lines_by_id = {x.id: x for x in placed.lines}
    actions = orders.supplier_actions(order)
    can_ship = "ship" in actions and may_move_goods(p)
    defaults = {f"quantity_{x.id}": str(_remaining(x)) for x in placed.lines if _remaining(x) > 0}
    return render(
        request,
        "supplier_orders/detail.html",
        db,
        status_code=status,
        order=order,
        lines=placed.lines,
        lines_by_id=lines_by_id,
        remaining={x.id: _remaining(x) for x in placed.lines},
        parts=parts,
        allocations=allocations,
        warehouses=warehouses,
        shipments=orders.shipments(db, order.id),
        timeline=repo.timeline(order.id),
        returns=repo.returns_of(order.id),
        disputes=repo.disputes_of(order.id),
        money=escrow.view(db, order),
        buyer=SalesRepository(db).party_names([order.org_id]).get(order.org_id, ""),
        phone=order.ship_phone if p.can("pii:view") else mask(order.ship_phone, "phone"),
        actions=actions,
        can_edit=p.can("orders:edit"),
        can_ship=can_ship,
        can_deliver="deliver" in actions and may_move_goods(p),
        carriers=COMMON_CARRIERS,
        ship_values=ship_values or defaults,
        ship_errors=ship_errors or {},
        cancel_values=cancel_values or {},
        errors=errors or {},
        **page_context(p, "/supplier/orders"),
    )


@router.get("/supplier/orders/{order_id}", include_in_schema=False)
def sales_order(
    request: Request,
    order_id: uuid.UUID,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    return _detail(request, db, p, orders.sales_order(db, p, order_id))


def _failed(
    request: Request, db: Session, p: Principal, order_id: uuid.UUID, exc: AppError, key: str, **kw: Any
) -> Response:
    """Render the order again with the service's error next to the form that failed; nothing of the
    failed request is kept (``undo``)."""
    if exc.status == 404 and exc.field is None:
        raise exc
    undo(db, exc)
    message = error_message(translator(request, db), exc)
    return _detail(
        request, db, p, orders.sales_order(db, p, order_id), status=exc.status, errors={key: message}, **kw
    )


def _simple(request: Request, db: Session, p: Principal, order_id: uuid.UUID, action: str) -> Response:
    seller(p)
    orders.sales_order(db, p, order_id)
    try:
        orders.act(db, p, order_id, action)
    except AppError as exc:
        return _failed(request, db, p, order_id, exc, action)
    flash = {"confirm": "supplier_orders_confirmed", "deliver": "supplier_orders_delivered"}[action]
    return redirect(request, f"/supplier/orders/{order_id}", flash=flash)


@router.post(
    "/supplier/orders/{order_id}/confirm", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def confirm_order(
    request: Request, order_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    return _simple(request, db, p, order_id, "confirm")


@router.post(
    "/supplier/orders/{order_id}/deliver", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def deliver_order(
    request: Request, order_id: uuid.UUID, p: Principal = Depends(SHIP), db: Session = Depends(get_db)
) -> Response:
    return _simple(request, db, p, order_id, "deliver")


@router.post(
    "/supplier/orders/{order_id}/cancel", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def cancel_order(
    request: Request,
    order_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    order = orders.sales_order(db, p, order_id)
    reason = str(form.get("reason") or "").strip()
    values = {"reason": reason}
    t = translator(request, db)
    if not reason:
        return _detail(
            request,
            db,
            p,
            order,
            status=422,
            cancel_values=values,
            errors={"reason": t.gettext("Tell the buyer why the order is cancelled.")},
        )
    if len(reason) > 500:
        return _detail(
            request,
            db,
            p,
            order,
            status=422,
            cancel_values=values,
            errors={"reason": t.gettext("This is too long.")},
        )
    try:
        orders.cancel(db, p, order_id, reason=reason)
    except AppError as exc:
        return _failed(request, db, p, order_id, exc, "cancel", cancel_values=values)
    return redirect(request, f"/supplier/orders/{order_id}", flash="supplier_orders_cancelled")


# ---- shipping --------------------------------------------------------------------------------------------


def _ship_form(
    form: FormData, lines: list[OrderLine], t: Any
) -> tuple[dict[str, Any], dict[str, str], list[tuple[OrderLine, int]]]:
    """The ship form's values as typed, per-field errors, and the (line, quantity > 0) to ship."""
    values: dict[str, Any] = {
        "carrier": str(form.get("carrier") or ""),
        "tracking_number": str(form.get("tracking_number") or ""),
    }
    errors: dict[str, str] = {}
    wanted: list[tuple[OrderLine, int]] = []
    for line in lines:
        if _remaining(line) <= 0:
            continue
        key = f"quantity_{line.id}"
        raw = str(form.get(key) or "").strip()
        values[key] = raw
        if not raw:
            continue
        if not raw.isdigit():
            errors[key] = t.gettext("Enter a whole number of pieces (0 or more).")
            continue
        quantity = int(raw)
        if quantity > _remaining(line):
            errors[key] = t.gettext("Only %(num)d left to ship on this line.", num=_remaining(line))
        elif quantity > 0:
            wanted.append((line, quantity))
    return values, errors, wanted


@router.post(
    "/supplier/orders/{order_id}/ship", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def ship_order(
    request: Request,
    order_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(SHIP),
    db: Session = Depends(get_db),
) -> Response:
    """A shipment of the quantities typed per line (partial shipments are fine; several may follow),
    with the carrier and the tracking number."""
    seller(p)
    order = orders.sales_order(db, p, order_id)
    t = translator(request, db)
    lines = OrderRepository(db).lines([order.id])
    values, errors, wanted = _ship_form(form, lines, t)
    try:
        data = ShipmentIn.model_validate(
            {
                **clean({"carrier": values["carrier"], "tracking_number": values["tracking_number"]}),
                "lines": [{"line_id": line.id, "quantity": q} for line, q in wanted],
            }
        )
    except ValidationError as exc:
        errors = {**{k: v for k, v in field_errors(t, exc).items() if not k.startswith("lines")}, **errors}
        data = None
    if not wanted and not any(k.startswith("quantity_") for k in errors):
        errors["lines"] = t.gettext("Enter a quantity to ship for at least one line.")
    if errors or data is None:
        return _detail(request, db, p, order, status=422, ship_values=values, ship_errors=errors)
    try:
        orders.ship(db, p, order_id, data)
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        message = error_message(t, exc)
        field = exc.field or ""
        key = "__all__"
        if field.startswith("lines[") and "]" in field:
            index = int(field[6 : field.index("]")])
            key = f"quantity_{wanted[index][0].id}" if index < len(wanted) else "lines"
        elif field in ("carrier", "tracking_number", "lines"):
            key = field
        return _detail(
            request,
            db,
            p,
            orders.sales_order(db, p, order_id),
            status=exc.status,
            ship_values=values,
            ship_errors={key: message},
        )
    return redirect(request, f"/supplier/orders/{order_id}", flash="supplier_orders_shipped")
