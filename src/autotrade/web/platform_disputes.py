"""Platform risk staff: the disputes queue (纠纷处理), one dispute with its order's facts, timeline and
both parties' statements, and the decision form — the same service as
``POST /api/v1/platform/disputes/{id}/decide`` (``orders.disputes.decide``, which moves the escrow)."""

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
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.escrow import service as escrow
from autotrade.orders import disputes
from autotrade.orders.errors import DisputeNotFound, OrderNotFound
from autotrade.orders.models import Dispute, DisputeDecision, DisputeStatus
from autotrade.orders.repository import DisputeRepository, OrderRepository
from autotrade.orders.schemas import DecideIn
from autotrade.reports import service as reports
from autotrade.web import csrf
from autotrade.web.forms import clean, form_data, undo
from autotrade.web.money import parse_yuan
from autotrade.web.platform_common import error_of, page, validation_errors
from autotrade.web.render import redirect, translator

router = api_router("/platform/disputes")
PAGE_SIZE = 50
STATUSES = ("open", "decided", "withdrawn", "all")
DECIDE_FIELDS = ("decision", "amount", "decision_text")
NOT_STATEMENTS = frozenset({"place", "ship", "ship_part", "deliver", "mark_paid"})


@router.get("", include_in_schema=False)
def queue(
    request: Request,
    status: str | None = None,
    cursor: str | None = None,
    p: Principal = Depends(require("platform.risk:view")),
    db: Session = Depends(get_db),
) -> Response:
    wanted = status if status in STATUSES else "open"
    repo = DisputeRepository(db)
    stmt = repo.listing_any_tenant(status=None if wanted == "all" else DisputeStatus(wanted))
    rows, nxt = paginate(db, stmt, Dispute.id, cursor=cursor, limit=PAGE_SIZE)
    orders = repo.orders_any_tenant(d.order_id for d in rows)
    names = reports.company_names(db, [x for d in rows for x in (d.org_id, d.supplier_org_id)])
    return page(
        request,
        "platform/disputes.html",
        db,
        disputes=rows,
        orders=orders,
        names=names,
        status=wanted,
        statuses=STATUSES,
        next_cursor=nxt,
    )


def _detail(
    request: Request,
    db: Session,
    dispute_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    repo = DisputeRepository(db)
    d = repo.get_any_tenant(dispute_id)
    if d is None:
        raise DisputeNotFound()
    order = repo.order_any_tenant(d.order_id)
    if order is None:  # pragma: no cover - a dispute always has its order
        raise OrderNotFound()
    orders = OrderRepository(db)
    lines = orders.lines([order.id])
    parts = PartRepository(db).by_ids(line.part_id for line in lines)
    timeline = orders.timeline(order.id)
    statements: dict[str, list[Any]] = {"buyer": [], "supplier": []}
    for ev in timeline:
        # What the parties wrote: dispute and return reasons, cancellation and inspection notes — not
        # the tracking numbers of shipments, nor the buyer's order note (shown on its own).
        if (
            ev.note
            and ev.party in statements
            and ev.subject_type != "shipment"
            and ev.action not in NOT_STATEMENTS
        ):
            statements[ev.party].append(ev)
    money = escrow.view(db, order)
    default_values = {"decision": "", "amount": "", "decision_text": ""}
    return page(
        request,
        "platform/dispute.html",
        db,
        status_code=status,
        dispute=d,
        order=order,
        lines=lines,
        parts=parts,
        timeline=timeline,
        statements=statements,
        escrow=money,
        names=reports.company_names(db, [order.org_id, order.supplier_org_id]),
        values=values or default_values,
        errors=errors or {},
        error=error,
    )


@router.get("/{dispute_id}", include_in_schema=False)
def detail(
    request: Request,
    dispute_id: uuid.UUID,
    p: Principal = Depends(require("platform.risk:view")),
    db: Session = Depends(get_db),
) -> Response:
    return _detail(request, db, dispute_id)


@router.post("/{dispute_id}/decide", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def decide(
    request: Request,
    dispute_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("platform.risk:approve")),
    db: Session = Depends(get_db),
) -> Response:
    t = translator(request, db)
    values = {k: str(form.get(k) or "") for k in DECIDE_FIELDS}
    errors: dict[str, str] = {}
    amount_fen: int | None = None
    if values["decision"] == DisputeDecision.refund_partial.value:
        if not values["amount"].strip():
            errors["amount"] = t.gettext("Enter the amount to refund.")
        else:
            amount_fen = parse_yuan(values["amount"])
            if amount_fen is None:
                errors["amount"] = t.gettext("Enter an amount in yuan, for example 1234.56.")
    raw = clean({"decision": values["decision"], "decision_text": values["decision_text"]})
    try:
        data = DecideIn.model_validate({**raw, "amount_fen": amount_fen})
    except ValidationError as exc:
        errors = {**validation_errors(t, exc), **errors}
    if errors:
        return _detail(request, db, dispute_id, values=values, errors=errors, status=422)
    try:
        disputes.decide(db, p, dispute_id, data)
    except AppError as exc:
        if isinstance(exc, DisputeNotFound):
            raise
        undo(db, exc)
        field_errors, message = error_of(t, exc)
        return _detail(
            request, db, dispute_id, values=values, errors=field_errors, error=message, status=exc.status
        )
    return redirect(request, f"/platform/disputes/{dispute_id}", flash="platform_dispute_decided")
