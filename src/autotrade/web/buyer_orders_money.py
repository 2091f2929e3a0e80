"""The buyer's money pages after checkout: VAT invoices (with tax profiles) and credit (账期).

* ``GET /buyer/invoices`` (``payments:view``, as the invoices API): invoices requested and issued,
  the company's tax profiles (bank accounts always masked here), and — with ``payments:edit`` — the
  forms to request an invoice for a completed order (``POST /buyer/invoices``) and to add a tax
  profile (``POST /buyer/invoices/tax-profiles``). ``?order_id=`` preselects the order.
* ``GET /buyer/credit`` (``payments:view``): credit lines (limit, used, available, overdue), what is
  owed (credit invoices with due dates) and the repayments made. Paying on credit is on the order's
  pay page; repayments are bank transfers that platform finance confirms.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.crypto import mask
from autotrade.core.db import utcnow
from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.credit.models import CreditInvoice, CreditInvoiceStatus, CreditLine, CreditRepayment
from autotrade.credit.repository import CreditInvoiceRepository, CreditLineRepository
from autotrade.credit.schemas import InvoiceOut as CreditInvoiceOut
from autotrade.orders import service as orders
from autotrade.orders.models import Order, OrderStatus
from autotrade.orders.repository import OrderRepository
from autotrade.orgs.repository import OrgRepository
from autotrade.settlement import invoices
from autotrade.settlement.models import Invoice, InvoiceKind, TaxProfile
from autotrade.settlement.repository import InvoiceRepository, TaxProfileRepository
from autotrade.settlement.schemas import InvoiceRequestIn, TaxProfileIn
from autotrade.web import csrf
from autotrade.web.buyer_orders_common import (
    INVOICE_KINDS,
    PAGE_SIZE,
    failed,
    field_errors,
    form_state,
    form_values,
    page,
)
from autotrade.web.forms import clean, form_data, undo
from autotrade.web.i18n import N_
from autotrade.web.render import redirect, register_flashes, translator

router = api_router(tags=["web"])

register_flashes(
    {
        "buyer_orders_invoice_requested": (
            "success",
            N_("Invoice requested: the supplier issues it and records the invoice number here."),
        ),
        "buyer_orders_tax_profile_created": ("success", N_("Tax profile saved.")),
    }
)

INVOICE_FIELDS = ("order_id", "kind", "tax_profile_id", "note")
PROFILE_FIELDS = ("title", "taxpayer_id", "address", "phone", "bank_name", "bank_account")


# ---- invoices ------------------------------------------------------------------------------------------


def _invoiceable(db: Session, p: Principal) -> list[Order]:
    """The caller's completed orders that have no open invoice yet (newest 100)."""
    done, _ = paginate(
        db, orders.purchase_orders(db, p, OrderStatus.completed), Order.id, cursor=None, limit=100
    )
    taken = InvoiceRepository(db).open_order_ids(o.id for o in done)
    return [o for o in done if o.id not in taken]


def _invoices_page(
    request: Request,
    db: Session,
    p: Principal,
    *,
    cursor: str | None = None,
    forms: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    rows, nxt = paginate(
        db, InvoiceRepository(db).listing(buyer_scope=p.scope), Invoice.id, cursor=cursor, limit=PAGE_SIZE
    )
    profiles, _ = paginate(db, TaxProfileRepository(db).listing(), TaxProfile.id, cursor=None, limit=100)
    candidates = _invoiceable(db, p) if p.can("payments:edit") else []
    numbers = OrderRepository(db).by_ids(x.order_id for x in rows if x.order_id)
    forms = forms or {}
    if "invoice" not in forms:
        default = next((x for x in profiles if x.is_default), None)
        wanted = request.query_params.get("order_id", "")
        forms["invoice"] = form_state(
            {
                "order_id": wanted,
                "kind": InvoiceKind.normal.value,
                "tax_profile_id": str(default.id) if default else "",
                "note": "",
            }
        )
    return page(
        request,
        "buyer_orders/invoices.html",
        db,
        p,
        tab="/buyer/invoices",
        status_code=status_code,
        invoices=rows,
        order_numbers={k: v.number for k, v in numbers.items()},
        issuers=OrgRepository(db).names_any_tenant(x.issuer_org_id for x in rows),
        profiles=profiles,
        masked={x.id: mask(x.bank_account, "bank_account") for x in [*rows, *profiles]},
        candidates=candidates,
        kinds=list(INVOICE_KINDS),
        cursor=cursor,
        next_cursor=nxt,
        forms=forms,
    )


@router.get("/buyer/invoices", include_in_schema=False)
def invoice_list(
    request: Request,
    cursor: str | None = None,
    p: Principal = Depends(require("payments:view")),
    db: Session = Depends(get_db),
) -> Response:
    return _invoices_page(request, db, p, cursor=cursor)


@router.post("/buyer/invoices", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def request_invoice(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("payments:edit")),
    db: Session = Depends(get_db),
) -> Response:
    """Ask the supplier of a completed order for a VAT invoice, with one of the company's tax profiles."""
    t = translator(request, db)
    values = form_values(form, INVOICE_FIELDS)
    errors = {} if values["order_id"] else {"order_id": t.gettext("Choose the order to invoice.")}
    try:
        data = InvoiceRequestIn.model_validate(clean(values))
    except ValidationError as exc:
        errors = {**field_errors(t, exc), **errors}
    if errors:
        return _invoices_page(request, db, p, forms={"invoice": form_state(values, errors)}, status_code=422)
    try:
        invoices.request(db, p, data)
    except AppError as exc:
        undo(db, exc)
        state = failed(t, exc, values)
        return _invoices_page(request, db, p, forms={"invoice": state}, status_code=exc.status)
    return redirect(request, "/buyer/invoices", flash="buyer_orders_invoice_requested")


@router.post(
    "/buyer/invoices/tax-profiles", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def create_tax_profile(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("payments:edit")),
    db: Session = Depends(get_db),
) -> Response:
    t = translator(request, db)
    values: dict[str, Any] = form_values(form, PROFILE_FIELDS)
    values["is_default"] = bool(form.get("is_default"))
    try:
        data = TaxProfileIn.model_validate(clean(values))
    except ValidationError as exc:
        state = form_state(values, field_errors(t, exc))
        return _invoices_page(request, db, p, forms={"profile": state}, status_code=422)
    try:
        invoices.create_profile(db, p, data)
    except AppError as exc:
        undo(db, exc)
        return _invoices_page(
            request, db, p, forms={"profile": failed(t, exc, values)}, status_code=exc.status
        )
    return redirect(request, "/buyer/invoices", flash="buyer_orders_tax_profile_created")


# ---- credit --------------------------------------------------------------------------------------------


@router.get("/buyer/credit", include_in_schema=False)
def credit(
    request: Request,
    cursor: str | None = None,
    p: Principal = Depends(require("payments:view")),
    db: Session = Depends(get_db),
) -> Response:
    now = utcnow()
    inv_repo = CreditInvoiceRepository(db)
    lines, _ = paginate(
        db, CreditLineRepository(db).listing(debtor_scope=p.scope), CreditLine.id, cursor=None, limit=100
    )
    owed, nxt = paginate(
        db,
        inv_repo.listing(now=now, debtor_scope=p.scope),
        CreditInvoice.id,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    overdue, _ = paginate(
        db,
        inv_repo.listing(now=now, debtor_scope=p.scope, status=CreditInvoiceStatus.overdue),
        CreditInvoice.id,
        cursor=None,
        limit=200,
    )
    repaid, _ = paginate(
        db, inv_repo.repayment_listing(debtor_scope=p.scope), CreditRepayment.id, cursor=None, limit=PAGE_SIZE
    )
    repaid_invoices = inv_repo.by_ids(r.invoice_id for r in repaid)
    order_ids = {x.order_id for x in owed} | {x.order_id for x in repaid_invoices.values()}
    numbers = {k: v.number for k, v in OrderRepository(db).by_ids(order_ids).items()}
    overdue_by_line: dict[uuid.UUID, int] = {}
    for x in overdue:
        overdue_by_line[x.line_id] = overdue_by_line.get(x.line_id, 0) + x.amount_fen - x.repaid_fen
    return page(
        request,
        "buyer_orders/credit.html",
        db,
        p,
        tab="/buyer/credit",
        lines=lines,
        overdue_by_line=overdue_by_line,
        invoices=[CreditInvoiceOut.build(x, now=now) for x in owed],
        repayments=repaid,
        repaid_order={
            r.id: repaid_invoices[r.invoice_id].order_id for r in repaid if r.invoice_id in repaid_invoices
        },
        order_numbers=numbers,
        creditors=OrgRepository(db).names_any_tenant(
            [x.creditor_org_id for x in lines] + [x.creditor_org_id for x in owed]
        ),
        totals={
            "limit": sum(x.limit_fen for x in lines),
            "used": sum(x.used_fen for x in lines),
            "available": sum(max(x.limit_fen - x.used_fen, 0) for x in lines if x.status.value == "active"),
            "overdue": sum(overdue_by_line.values()),
        },
        cursor=cursor,
        next_cursor=nxt,
    )
