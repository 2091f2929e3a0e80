"""Buyer pages after checkout:
my orders with timeline, receiving inspection, returns, disputes, invoices, credit.

* ``GET /buyer/orders`` (``procurement:view``): the caller's purchase orders, filter by status, pages.
* ``GET /buyer/orders/{order_id}``: one purchase order — lines, allocation, totals, payment, shipments,
  escrow, returns, disputes, VAT invoice, the timeline — and the buyer's actions by state, each a form
  posting to ``/buyer/orders/{order_id}/…`` (``orders:edit``, as the orders API): ``cancel``,
  ``receive`` (accept all), ``receive-part`` (accept some quantities, return the rest), ``complete``,
  ``returns`` (ask to return received goods), ``disputes`` (open one).
* ``POST /buyer/disputes/{dispute_id}/withdraw`` (``orders:edit``).
* Returns (``buyer_orders_returns``), invoices and credit (``buyer_orders_money``).

An order of another company — or one the caller sold rather than bought — answers 404. A failed
action changes nothing and shows the page again with what was typed and the error next to its field.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.deps import require
from autotrade.core.errors import AppError, NotFound
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.orders import disputes, returns
from autotrade.orders import service as orders
from autotrade.orders.errors import DisputeNotFound
from autotrade.orders.models import Order, OrderLine, OrderStatus
from autotrade.orders.repository import OrderRepository
from autotrade.orders.schemas import (
    CancelIn,
    DisputeIn,
    NoteIn,
    ReceiveIn,
    ReceiveLineIn,
    ReturnIn,
    ReturnLineIn,
)
from autotrade.orgs.repository import OrgRepository
from autotrade.web import buyer_orders_money, buyer_orders_returns, csrf
from autotrade.web.buyer_orders_common import (
    DISPUTE_REASONS,
    ORDER_STATUSES,
    PAGE_SIZE,
    STATE_CODES,
    failed,
    field_errors,
    form_state,
    form_values,
    message,
    page,
)
from autotrade.web.buyer_orders_reads import order_context
from autotrade.web.forms import clean, form_data, undo
from autotrade.web.i18n import N_, Translator
from autotrade.web.render import redirect, register_flashes, translator

router = api_router(tags=["web"])
orders_router = api_router("/buyer/orders", tags=["web"])

VIEW = require("procurement:view")
ACT = require("orders:edit")  # what the orders API requires for every order action

register_flashes(
    {
        "buyer_orders_cancelled": ("success", N_("Order cancelled.")),
        "buyer_orders_received": (
            "success",
            N_("Goods accepted. Confirm completion to release the payment to the supplier."),
        ),
        "buyer_orders_received_part": (
            "success",
            N_("Goods accepted in part: a return was raised for the rest and waits for the supplier."),
        ),
        "buyer_orders_completed": (
            "success",
            N_("Order completed: the payment is released to the supplier."),
        ),
        "buyer_orders_return_requested": ("success", N_("Return requested: it waits for the supplier.")),
        "buyer_orders_dispute_opened": ("success", N_("Dispute opened: the platform will decide it.")),
        "buyer_orders_dispute_withdrawn": ("success", N_("Dispute withdrawn.")),
    }
)


def _status_filter(value: str | None) -> OrderStatus | None:
    try:
        return OrderStatus(value) if value else None
    except ValueError:
        return None


# ---- the list ------------------------------------------------------------------------------------------


@orders_router.get("", include_in_schema=False)
def order_list(
    request: Request,
    status: str | None = None,
    cursor: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    wanted = _status_filter(status)
    rows, nxt = paginate(db, orders.purchase_orders(db, p, wanted), Order.id, cursor=cursor, limit=PAGE_SIZE)
    return page(
        request,
        "buyer_orders/orders.html",
        db,
        p,
        tab="/buyer/orders",
        orders=rows,
        suppliers=OrgRepository(db).names_any_tenant(o.supplier_org_id for o in rows),
        status=wanted.value if wanted else "",
        statuses=list(ORDER_STATUSES),
        cursor=cursor,
        next_cursor=nxt,
    )


# ---- one order -----------------------------------------------------------------------------------------


def _order_page(
    request: Request,
    db: Session,
    p: Principal,
    order_id: uuid.UUID,
    *,
    forms: dict[str, Any] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    order = orders.purchase_order(db, p, order_id)
    return page(
        request,
        "buyer_orders/order.html",
        db,
        p,
        tab="/buyer/orders",
        status_code=status_code,
        forms=forms or {},
        notice=notice,
        **order_context(db, p, order),
    )


@orders_router.get("/{order_id}", include_in_schema=False)
def order_detail(
    request: Request, order_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    return _order_page(request, db, p, order_id)


def _refused(
    request: Request,
    db: Session,
    p: Principal,
    order_id: uuid.UUID,
    name: str,
    values: dict[str, Any],
    exc: AppError,
    fields: dict[str, str] | None = None,
) -> Response:
    """A service refused the action: nothing it did stays; the page shows the form again."""
    if isinstance(exc, NotFound) and exc.field is None:
        raise exc
    undo(db, exc)
    t = translator(request, db)
    if exc.code in STATE_CODES:
        return _order_page(
            request,
            db,
            p,
            order_id,
            forms={name: form_state(values)},
            notice=message(t, exc),
            status_code=exc.status,
        )
    state = failed(t, exc, values, fields)
    return _order_page(request, db, p, order_id, forms={name: state}, status_code=exc.status)


def _invalid(
    request: Request,
    db: Session,
    p: Principal,
    order_id: uuid.UUID,
    name: str,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    return _order_page(request, db, p, order_id, forms={name: form_state(values, errors)}, status_code=422)


@orders_router.post("/{order_id}/cancel", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def cancel_order(
    request: Request,
    order_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(ACT),
    db: Session = Depends(get_db),
) -> Response:
    order = orders.purchase_order(db, p, order_id)
    values = form_values(form, ("reason",))
    try:
        data = CancelIn.model_validate(clean(values))
    except ValidationError as exc:
        return _invalid(
            request, db, p, order_id, "cancel", values, field_errors(translator(request, db), exc)
        )
    try:
        orders.cancel(db, p, order.id, reason=data.reason)
    except AppError as exc:
        return _refused(request, db, p, order_id, "cancel", values, exc)
    return redirect(request, f"/buyer/orders/{order_id}", flash="buyer_orders_cancelled")


@orders_router.post("/{order_id}/receive", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def receive_all(
    request: Request,
    order_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(ACT),
    db: Session = Depends(get_db),
) -> Response:
    """Receiving inspection: accept everything that was shipped."""
    order = orders.purchase_order(db, p, order_id)
    values = form_values(form, ("note",))
    try:
        note = NoteIn.model_validate(clean(values)).note
    except ValidationError as exc:
        return _invalid(
            request, db, p, order_id, "receive", values, field_errors(translator(request, db), exc)
        )
    try:
        orders.receive(db, p, order.id, ReceiveIn(note=note))
    except AppError as exc:
        return _refused(request, db, p, order_id, "receive", values, exc)
    return redirect(request, f"/buyer/orders/{order_id}", flash="buyer_orders_received")


def _quantity(t: Translator, raw: str, most: int) -> tuple[int | None, str | None]:
    """A whole number 0..most typed in a quantity box, or the message to show next to it."""
    raw = raw.strip()
    if not raw:
        return None, t.gettext("This field is required.")
    if not raw.isdigit():
        return None, t.gettext("Enter a whole number of 0 or more.")
    value = int(raw)
    if value > most:
        return None, t.gettext("At most %(num)s.", num=most)
    return value, None


@orders_router.post(
    "/{order_id}/receive-part", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def receive_part(
    request: Request,
    order_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(ACT),
    db: Session = Depends(get_db),
) -> Response:
    """Receiving inspection: accept some quantities; the rest becomes one return (with a reason)."""
    order = orders.purchase_order(db, p, order_id)
    t = translator(request, db)
    lines: list[OrderLine] = OrderRepository(db).lines([order.id])
    names = (*(f"accepted_{x.id}" for x in lines), "reason", "note")
    values = form_values(form, names)
    errors: dict[str, str] = {}
    accepted: list[ReceiveLineIn] = []
    for x in lines:
        q, err = _quantity(t, values[f"accepted_{x.id}"], x.shipped_quantity)
        if err:
            errors[f"accepted_{x.id}"] = err
        elif q is not None:
            accepted.append(ReceiveLineIn(line_id=x.id, accepted_quantity=q))
    shipped = {x.id: x.shipped_quantity for x in lines}
    refused = any(a.accepted_quantity < shipped[a.line_id] for a in accepted)
    if refused and not values["reason"].strip():
        errors["reason"] = t.gettext("Say why the rest is not accepted.")
    text = clean({"reason": values["reason"], "note": values["note"]})
    try:
        data = ReceiveIn.model_validate({"lines": [a.model_dump() for a in accepted], **text})
    except ValidationError as exc:
        return _invalid(request, db, p, order_id, "receive_part", values, {**field_errors(t, exc), **errors})
    if errors:
        return _invalid(request, db, p, order_id, "receive_part", values, errors)
    fields = {f"lines[{i}].accepted_quantity": f"accepted_{a.line_id}" for i, a in enumerate(accepted)}
    try:
        _, ret = orders.receive(db, p, order.id, data)
    except AppError as exc:
        return _refused(request, db, p, order_id, "receive_part", values, exc, fields)
    flash = "buyer_orders_received_part" if ret is not None else "buyer_orders_received"
    return redirect(request, f"/buyer/orders/{order_id}", flash=flash)


@orders_router.post(
    "/{order_id}/complete", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def complete_order(
    request: Request, order_id: uuid.UUID, p: Principal = Depends(ACT), db: Session = Depends(get_db)
) -> Response:
    """Confirm completion: releases the escrow to the supplier minus commission."""
    order = orders.purchase_order(db, p, order_id)
    try:
        orders.act(db, p, order.id, "complete")
    except AppError as exc:
        return _refused(request, db, p, order_id, "complete", {}, exc)
    return redirect(request, f"/buyer/orders/{order_id}", flash="buyer_orders_completed")


@orders_router.post("/{order_id}/returns", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def request_return(
    request: Request,
    order_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(ACT),
    db: Session = Depends(get_db),
) -> Response:
    """Ask to return received goods: a quantity per line (blank or 0: none of it) and a reason."""
    order = orders.purchase_order(db, p, order_id)
    t = translator(request, db)
    lines = OrderRepository(db).lines([order.id])
    values = form_values(form, (*(f"return_{x.id}" for x in lines), "reason"))
    errors: dict[str, str] = {}
    wanted: list[ReturnLineIn] = []
    for x in lines:
        raw = values[f"return_{x.id}"].strip()
        if not raw:
            continue
        q, err = _quantity(t, raw, max(x.received_quantity - x.returned_quantity, 0))
        if err:
            errors[f"return_{x.id}"] = err
        elif q:
            wanted.append(ReturnLineIn(line_id=x.id, quantity=q))
    if not wanted and not errors:
        errors["lines"] = t.gettext("Enter the quantity to return of at least one line.")
    body = {"lines": [w.model_dump() for w in wanted], **clean({"reason": values["reason"]})}
    try:
        data = ReturnIn.model_validate(body)
    except ValidationError as exc:
        found = {k: v for k, v in field_errors(t, exc).items() if not k.startswith("lines")}
        return _invalid(request, db, p, order_id, "return", values, {**found, **errors})
    if errors:
        return _invalid(request, db, p, order_id, "return", values, errors)
    fields = {f"lines[{i}].quantity": f"return_{w.line_id}" for i, w in enumerate(wanted)}
    try:
        returns.request_return(db, p, order.id, data)
    except AppError as exc:
        return _refused(request, db, p, order_id, "return", values, exc, fields)
    return redirect(request, f"/buyer/orders/{order_id}", flash="buyer_orders_return_requested")


@orders_router.post(
    "/{order_id}/disputes", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def open_dispute(
    request: Request,
    order_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(ACT),
    db: Session = Depends(get_db),
) -> Response:
    """Open a dispute: a reason chosen from the list and a description; the platform decides it."""
    order = orders.purchase_order(db, p, order_id)
    t = translator(request, db)
    values = form_values(form, ("reason", "description"))
    errors: dict[str, str] = {}
    if values["reason"] not in DISPUTE_REASONS:
        errors["reason"] = t.gettext("Choose one of the listed values.")
    description = values["description"].strip()
    if not description:
        errors["description"] = t.gettext("Describe the problem.")
    elif len(description) > 1800:
        errors["description"] = t.gettext("This is too long.")
    if errors:
        return _invalid(request, db, p, order_id, "dispute", values, errors)
    data = DisputeIn(reason=f"{t.gettext(DISPUTE_REASONS[values['reason']])} — {description}")
    try:
        disputes.open_dispute(db, p, order.id, data.reason)
    except AppError as exc:
        return _refused(request, db, p, order_id, "dispute", values, exc, {"reason": "description"})
    return redirect(request, f"/buyer/orders/{order_id}", flash="buyer_orders_dispute_opened")


# ---- disputes ------------------------------------------------------------------------------------------


@router.post(
    "/buyer/disputes/{dispute_id}/withdraw",
    include_in_schema=False,
    dependencies=[Depends(csrf.csrf_protect)],
)
def withdraw_dispute(
    request: Request, dispute_id: uuid.UUID, p: Principal = Depends(ACT), db: Session = Depends(get_db)
) -> Response:
    """The buyer takes back a dispute it opened."""
    d = disputes.get_dispute(db, dispute_id)
    if d.org_id not in p.scope:
        raise DisputeNotFound()
    try:
        disputes.withdraw(db, p, d.id)
    except AppError as exc:
        return _refused(request, db, p, d.order_id, f"withdraw_{d.id}", {}, exc)
    return redirect(request, f"/buyer/orders/{d.order_id}", flash="buyer_orders_dispute_withdrawn")


router.include_router(orders_router)
router.include_router(buyer_orders_returns.router)
router.include_router(buyer_orders_money.router)

__all__ = ["router"]
