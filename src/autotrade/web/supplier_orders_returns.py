"""Supplier pages: returns to handle (approve / reject, receive the goods back, restock or scrap).

A return is found only on the supplier's side (``supplier_org_id`` in the caller's scope): another
company's return, or a return the caller asked for as a buyer, answers 404. What may be done with a
return comes from the state table (``orders/states.py``, ``RETURNS``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.catalog.repository import PartRepository
from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.orders import returns as returns_service
from autotrade.orders.errors import ReturnNotFound
from autotrade.orders.models import Party, Return, ReturnStatus
from autotrade.orders.repository import OPEN_RETURNS, OrderRepository, ReturnRepository, SalesRepository
from autotrade.orders.service import FULFILMENT, may_move_goods
from autotrade.orders.states import RETURNS
from autotrade.web import csrf
from autotrade.web.forms import form_data, undo
from autotrade.web.i18n import N_
from autotrade.web.render import redirect, register_flashes, render, translator
from autotrade.web.supplier_orders_common import error_message, page_context, seller

router = api_router(tags=["web"])
PAGE_SIZE = 30
VIEW = require("orders:view")
DECIDE = require("orders:edit")
# Moving goods: sales or warehouse staff (orders.service.FULFILMENT), as in the API.
HANDLE = require(*FULFILMENT, any_of=True)

QUEUES: dict[str, tuple[ReturnStatus, ...]] = {
    "open": OPEN_RETURNS,
    "closed": (
        ReturnStatus.rejected,
        ReturnStatus.cancelled,
        ReturnStatus.restocked,
        ReturnStatus.scrapped,
    ),
    "all": (),
}

register_flashes(
    {
        "supplier_orders_return_approve": ("success", N_("Return approved. The buyer ships the goods back.")),
        "supplier_orders_return_reject": ("success", N_("Return rejected.")),
        "supplier_orders_return_receive": (
            "success",
            N_("Returned goods received. The buyer's refund is on its way."),
        ),
        "supplier_orders_return_restock": ("success", N_("Returned goods are back in stock.")),
        "supplier_orders_return_scrap": ("success", N_("Returned goods scrapped.")),
    }
)


def _page(
    request: Request,
    db: Session,
    p: Principal,
    queue: str,
    *,
    cursor: str | None = None,
    status: int = 200,
    row_errors: dict[uuid.UUID, dict[str, str]] | None = None,
    row_values: dict[uuid.UUID, dict[str, str]] | None = None,
) -> Response:
    rows, nxt = paginate(
        db,
        SalesRepository(db).returns(p.scope, statuses=QUEUES[queue]),
        Return.id,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    lines = ReturnRepository(db).lines([r.id for r in rows])
    by_return: dict[uuid.UUID, list[Any]] = {}
    for x in lines:
        by_return.setdefault(x.return_id, []).append(x)
    parts = {
        part.id: (part, brand)
        for part, brand, _ in PartRepository(db).with_names(list({x.part_id for x in lines}))
    }
    return render(
        request,
        "supplier_orders/returns.html",
        db,
        status_code=status,
        returns=rows,
        lines=by_return,
        parts=parts,
        orders=OrderRepository(db).by_ids(r.order_id for r in rows),
        buyers=SalesRepository(db).party_names(r.org_id for r in rows),
        allowed={r.id: RETURNS.allowed(r.status, {Party.supplier}) for r in rows},
        warehouses=SalesRepository(db).my_warehouses(p.scope),
        queue=queue,
        queues=list(QUEUES),
        next_cursor=nxt,
        can_decide=p.can("orders:edit"),
        can_handle=may_move_goods(p),
        row_errors=row_errors or {},
        row_values=row_values or {},
        **page_context(p, "/supplier/returns"),
    )


@router.get("/supplier/returns", include_in_schema=False)
def sales_returns(
    request: Request,
    status: str = "open",
    cursor: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    return _page(request, db, p, status if status in QUEUES else "open", cursor=cursor)


def _sales_return(db: Session, p: Principal, return_id: uuid.UUID) -> Return:
    ret = ReturnRepository(db).get(return_id)
    if ret is None or ret.supplier_org_id not in p.scope:
        raise ReturnNotFound()
    return ret


def _act(
    request: Request, db: Session, p: Principal, return_id: uuid.UUID, action: str, form: FormData
) -> Response:
    seller(p)
    _sales_return(db, p, return_id)
    queue = str(form.get("status") or "open")
    queue = queue if queue in QUEUES else "open"
    note = str(form.get("note") or "").strip() or None
    values = {"note": note or "", "warehouse_id": str(form.get("warehouse_id") or "")}
    t = translator(request, db)
    warehouse_id: uuid.UUID | None = None
    if action == "restock":
        try:
            warehouse_id = uuid.UUID(values["warehouse_id"])
        except ValueError:
            errors = {"warehouse_id": t.gettext("Choose the warehouse the goods go back into.")}
            return _page(
                request,
                db,
                p,
                queue,
                status=422,
                row_errors={return_id: errors},
                row_values={return_id: values},
            )
    if note is not None and len(note) > 1000:
        errors = {"note": t.gettext("This is too long.")}
        return _page(
            request, db, p, queue, status=422, row_errors={return_id: errors}, row_values={return_id: values}
        )
    try:
        returns_service.act(db, p, return_id, action, note=note, warehouse_id=warehouse_id)
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        key = exc.field if exc.field in ("warehouse_id", "note") else "__all__"
        errors = {key: error_message(t, exc, subject="return")}
        return _page(
            request,
            db,
            p,
            queue,
            status=exc.status,
            row_errors={return_id: errors},
            row_values={return_id: values},
        )
    return redirect(request, f"/supplier/returns?status={queue}", flash=f"supplier_orders_return_{action}")


def _route(action: str, dependency: Any) -> None:
    def route(
        request: Request,
        return_id: uuid.UUID,
        form: FormData = Depends(form_data),
        p: Principal = Depends(dependency),
        db: Session = Depends(get_db),
    ) -> Response:
        return _act(request, db, p, return_id, action, form)

    route.__name__ = f"sales_return_{action}"
    router.add_api_route(
        f"/supplier/returns/{{return_id}}/{action}",
        route,
        methods=["POST"],
        include_in_schema=False,
        dependencies=[Depends(csrf.csrf_protect)],
    )


for _action, _dependency in (
    ("approve", DECIDE),
    ("reject", DECIDE),
    ("receive", HANDLE),
    ("restock", HANDLE),
    ("scrap", HANDLE),
):
    _route(_action, _dependency)
