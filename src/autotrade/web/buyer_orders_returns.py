"""The buyer's returns (退货): the list of returns of the caller's purchases and the buyer's two steps
of a return — cancel it (requested or approved) and ship the goods back (approved: carrier and
tracking number). The supplier approves or rejects, receives, then restocks or scraps.

* ``GET /buyer/returns`` (``procurement:view``): filter by status, pages.
* ``POST /buyer/returns/{return_id}/cancel``, ``…/ship`` (``orders:edit``, as the returns API); the
  form says where it was (``back=order`` for the order page, else the returns list) so that an error
  shows the same page again with the input kept.
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
from autotrade.core.deps import require
from autotrade.core.errors import AppError, NotFound
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.orders import returns
from autotrade.orders import service as orders
from autotrade.orders.errors import ReturnNotFound
from autotrade.orders.models import Return, ReturnStatus
from autotrade.orders.repository import OrderRepository, ReturnRepository
from autotrade.orders.schemas import ReturnDecisionIn, ReturnShipIn
from autotrade.orgs.repository import OrgRepository
from autotrade.web import csrf
from autotrade.web.buyer_orders_common import (
    PAGE_SIZE,
    RETURN_STATUSES,
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
from autotrade.web.i18n import N_
from autotrade.web.render import redirect, register_flashes, translator

router = api_router("/buyer/returns", tags=["web"])

register_flashes(
    {
        "buyer_orders_return_cancelled": ("success", N_("Return cancelled.")),
        "buyer_orders_return_shipped": (
            "success",
            N_("Return shipped back: the supplier checks the goods when they arrive."),
        ),
    }
)


def _status(value: str | None) -> ReturnStatus | None:
    try:
        return ReturnStatus(value) if value else None
    except ValueError:
        return None


def _list_page(
    request: Request,
    db: Session,
    p: Principal,
    *,
    status: str | None = None,
    cursor: str | None = None,
    forms: dict[str, Any] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    wanted = _status(status)
    repo = ReturnRepository(db)
    rows, nxt = paginate(
        db, repo.buyer_listing(p.scope, status=wanted), Return.id, cursor=cursor, limit=PAGE_SIZE
    )
    lines = repo.lines([r.id for r in rows])
    parts = {
        part.id: (part, brand) for part, brand, _ in PartRepository(db).with_names([x.part_id for x in lines])
    }
    return page(
        request,
        "buyer_orders/returns.html",
        db,
        p,
        tab="/buyer/returns",
        status_code=status_code,
        returns=[(r, [x for x in lines if x.return_id == r.id]) for r in rows],
        parts=parts,
        orders=OrderRepository(db).by_ids(r.order_id for r in rows),
        suppliers=OrgRepository(db).names_any_tenant(r.supplier_org_id for r in rows),
        status=wanted.value if wanted else "",
        statuses=list(RETURN_STATUSES),
        cursor=cursor,
        next_cursor=nxt,
        forms=forms or {},
        notice=notice,
    )


@router.get("", include_in_schema=False)
def return_list(
    request: Request,
    status: str | None = None,
    cursor: str | None = None,
    p: Principal = Depends(require("procurement:view")),
    db: Session = Depends(get_db),
) -> Response:
    return _list_page(request, db, p, status=status, cursor=cursor)


def _my_return(db: Session, p: Principal, return_id: uuid.UUID) -> Return:
    """One of the caller's purchase returns (another company's, or one of the caller's sales: 404)."""
    ret, _ = returns.get_return(db, return_id)
    if ret.org_id not in p.scope:
        raise ReturnNotFound()
    return ret


def _back(
    request: Request,
    db: Session,
    p: Principal,
    ret: Return,
    back: str,
    forms: dict[str, Any],
    status_code: int,
    notice: str | None = None,
) -> Response:
    """Show the page the form was on again, with the form's state (and a page-level notice)."""
    if back == "order":
        order = orders.purchase_order(db, p, ret.order_id)
        return page(
            request,
            "buyer_orders/order.html",
            db,
            p,
            tab="/buyer/orders",
            status_code=status_code,
            forms=forms,
            notice=notice,
            **order_context(db, p, order),
        )
    return _list_page(request, db, p, forms=forms, notice=notice, status_code=status_code)


def _done(request: Request, ret: Return, back: str, flash: str) -> Response:
    url = f"/buyer/orders/{ret.order_id}" if back == "order" else "/buyer/returns"
    return redirect(request, url, flash=flash)


def _refused(
    request: Request,
    db: Session,
    p: Principal,
    ret: Return,
    back: str,
    name: str,
    values: dict[str, Any],
    exc: AppError,
) -> Response:
    if isinstance(exc, NotFound) and exc.field is None:
        raise exc
    undo(db, exc)
    t = translator(request, db)
    ret = _my_return(db, p, ret.id)
    if exc.code in STATE_CODES:
        return _back(request, db, p, ret, back, {name: form_state(values)}, exc.status, message(t, exc))
    return _back(request, db, p, ret, back, {name: failed(t, exc, values)}, exc.status)


@router.post("/{return_id}/cancel", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def cancel_return(
    request: Request,
    return_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> Response:
    ret = _my_return(db, p, return_id)
    back = str(form.get("back") or "")
    values = form_values(form, ("note",))
    name = f"cancel_{ret.id}"
    try:
        data = ReturnDecisionIn.model_validate(clean(values))
    except ValidationError as exc:
        errors = field_errors(translator(request, db), exc)
        return _back(request, db, p, ret, back, {name: form_state(values, errors)}, 422)
    try:
        returns.act(db, p, ret.id, "cancel", note=data.note)
    except AppError as exc:
        return _refused(request, db, p, ret, back, name, values, exc)
    return _done(request, ret, back, "buyer_orders_return_cancelled")


@router.post("/{return_id}/ship", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def ship_return(
    request: Request,
    return_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("orders:edit")),
    db: Session = Depends(get_db),
) -> Response:
    """Ship the approved return back: carrier and tracking number."""
    ret = _my_return(db, p, return_id)
    back = str(form.get("back") or "")
    values = form_values(form, ("carrier", "tracking_number"))
    name = f"ship_{ret.id}"
    try:
        data = ReturnShipIn.model_validate(clean(values))
    except ValidationError as exc:
        errors = field_errors(translator(request, db), exc)
        return _back(request, db, p, ret, back, {name: form_state(values, errors)}, 422)
    try:
        returns.act(db, p, ret.id, "ship", carrier=data.carrier, tracking_number=data.tracking_number)
    except AppError as exc:
        return _refused(request, db, p, ret, back, name, values, exc)
    return _done(request, ret, back, "buyer_orders_return_shipped")
