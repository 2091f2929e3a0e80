"""Platform finance (平台财务): the overview, bank transfers to confirm (the same service as
``POST /api/v1/platform/payments/bank-transfers/confirm``), the reconciliation report (the same as
``GET /api/v1/platform/reconciliation`` and ``autotrade settlement reconcile``), settlement statements
(generate for a period, list, one statement) and payouts to suppliers.

Views need ``platform.finance:view``; every action ``platform.finance:edit``. Commission rates are the
catalogue area's page (``/platform/commission``), linked from here."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.db import utcnow
from autotrade.core.deps import get_settings_dep, require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.payments import service as payments
from autotrade.payments.schemas import BankTransferConfirmIn
from autotrade.reports import service as reports
from autotrade.settlement import periods, reconciliation
from autotrade.settlement import service as settlement
from autotrade.settlement.models import Payout, SettlementStatement
from autotrade.settlement.repository import PayoutRepository, StatementRepository
from autotrade.settlement.schemas import GenerateIn, PayoutIn
from autotrade.web import csrf
from autotrade.web.forms import clean, form_data, undo
from autotrade.web.i18n import N_
from autotrade.web.money import parse_yuan, yuan_input
from autotrade.web.platform_common import (
    FINANCE_TABS,
    error_of,
    page,
    parse_date,
    parse_uuid,
    validation_errors,
)
from autotrade.web.render import redirect, translator

router = api_router("/platform/finance")
VIEW = require("platform.finance:view")
EDIT = require("platform.finance:edit")
PAGE_SIZE = 50

# The reconciliation's kinds of difference (docs/settlement.md), in the report's order.
DIFFERENCE_KINDS: dict[str, str] = {
    "payment_without_entry": N_("A payment took money but has no ledger entry"),
    "entry_without_payment": N_("A ledger payment entry has no payment that took money"),
    "payment_amount_mismatch": N_("A payment's amount differs from its ledger entry"),
    "refund_mismatch": N_("A payment's refunds differ from its refund entries"),
    "order_paid_without_payment": N_("An order is marked paid but no payment paid it"),
    "order_payment_amount_mismatch": N_("The payment that paid an order differs from the order's total"),
    "payment_for_unpaid_order": N_("A payment paid an order that is not marked paid"),
    "order_paid_without_entry": N_("An order is marked paid but has no ledger entry"),
    "order_ledger_amount_mismatch": N_("Escrow taken in for an order differs from its total"),
    "unpaid_order_holds_money": N_("An unpaid order still holds money"),
    "escrow_identity": N_("Held + released + refunded differs from what was paid in"),
    "escrow_negative": N_("An order holds less than nothing in escrow"),
    "escrow_not_released": N_("A completed order still holds money in escrow"),
    "escrow_not_refunded": N_("A cancelled order still holds money in escrow"),
    "escrow_total_mismatch": N_("The escrow account differs from the sum the orders hold"),
}

LINE_KINDS: dict[str, str] = {
    "release": N_("Escrow released"),
    "refund": N_("Refund to the buyer"),
    "payout": N_("Payout"),
    "adjustment": N_("Adjustment"),
}


def _tabs(active: str) -> dict[str, Any]:
    return {"tabs": FINANCE_TABS, "active_tab": active}


# ---- overview ---------------------------------------------------------------------------------------------


@router.get("", include_in_schema=False)
def overview(request: Request, p: Principal = Depends(VIEW), db: Session = Depends(get_db)) -> Response:
    return page(
        request,
        "platform/finance.html",
        db,
        o=reports.finance_overview(db),
        **_tabs("/platform/finance"),
    )


# ---- bank transfers ---------------------------------------------------------------------------------------

CONFIRM_FIELDS = ("order_id", "reference", "bank_reference", "amount", "note")


def _transfers_page(
    request: Request,
    db: Session,
    *,
    cursor: str | None = None,
    form_key: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    rows, nxt = payments.bank_transfers_to_confirm(db, cursor=cursor, limit=PAGE_SIZE)
    names = reports.company_names(db, [x for _p, o in rows for x in (o.org_id, o.supplier_org_id)])
    return page(
        request,
        "platform/bank_transfers.html",
        db,
        status_code=status,
        rows=rows,
        names=names,
        next_cursor=nxt,
        form_key=form_key,
        values=values or {},
        errors=errors or {},
        error=error,
        yuan_input=yuan_input,
        **_tabs("/platform/finance/bank-transfers"),
    )


@router.get("/bank-transfers", include_in_schema=False)
def bank_transfers(
    request: Request, cursor: str | None = None, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    return _transfers_page(request, db, cursor=cursor)


@router.post("/bank-transfers/confirm", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def confirm_transfer(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    t = translator(request, db)
    values = {k: str(form.get(k) or "").strip() for k in CONFIRM_FIELDS}
    form_key = values["order_id"] or "other"
    errors: dict[str, str] = {}
    order_id: uuid.UUID | None = None
    if values["order_id"]:
        order_id = parse_uuid(values["order_id"])
        if order_id is None:
            errors["reference"] = t.gettext("No order matches this reference.")
    elif not values["reference"]:
        errors["reference"] = t.gettext("This field is required.")
    else:
        order = payments.transfer_order(db, values["reference"])
        if order is None:
            errors["reference"] = t.gettext("No order matches this reference.")
        else:
            order_id = order.id
    amount_fen = parse_yuan(values["amount"])
    if not values["amount"]:
        errors["amount"] = t.gettext("This field is required.")
    elif amount_fen is None or amount_fen <= 0:
        errors["amount"] = t.gettext("Enter an amount in yuan, for example 1234.56.")
    payload: dict[str, Any] = {"bank_reference": values["bank_reference"], "note": values["note"]}
    if order_id is not None:
        payload["order_id"] = str(order_id)
    if amount_fen:
        payload["amount_fen"] = amount_fen
    data: BankTransferConfirmIn | None = None
    try:
        data = BankTransferConfirmIn.model_validate(clean(payload))
    except ValidationError as exc:
        checked = validation_errors(t, exc)
        checked.pop("order_id", None)  # reported on the reference (or the row) above
        checked.pop("amount", None)
        errors = {**checked, **errors}
    if errors or data is None:
        return _transfers_page(request, db, form_key=form_key, values=values, errors=errors, status=422)
    try:
        _payment, outcome = payments.confirm_bank_transfer(
            db,
            order_id=data.order_id,
            bank_reference=data.bank_reference,
            amount_fen=data.amount_fen,
            currency=data.currency,
            note=data.note,
            settings=settings,
        )
    except AppError as exc:
        undo(db, exc)
        field_errors, message = error_of(t, exc)
        if "order_id" in field_errors:
            field_errors["reference"] = field_errors.pop("order_id")
        return _transfers_page(
            request,
            db,
            form_key=form_key,
            values=values,
            errors=field_errors,
            error=message,
            status=exc.status,
        )
    flash = "platform_transfer_confirmed" if outcome == "paid" else "platform_transfer_refunded"
    return redirect(request, "/platform/finance/bank-transfers", flash=flash)


# ---- reconciliation ---------------------------------------------------------------------------------------


@router.get("/reconciliation", include_in_schema=False)
def reconciliation_report(
    request: Request, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    report = reconciliation.reconcile(db)
    counts = Counter(d.kind for d in report.differences)
    order = {k: i for i, k in enumerate(DIFFERENCE_KINDS)}
    by_kind = sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return page(
        request,
        "platform/reconciliation.html",
        db,
        report=report,
        by_kind=by_kind,
        kinds=DIFFERENCE_KINDS,
        **_tabs("/platform/finance/reconciliation"),
    )


# ---- statements and payouts -------------------------------------------------------------------------------

GENERATE_FIELDS = ("period", "date_from", "date_to", "supplier_org_id")
PAYOUT_FIELDS = ("supplier_org_id", "amount", "bank_reference", "note")


def _settlements_page(
    request: Request,
    db: Session,
    *,
    st_cursor: str | None = None,
    po_cursor: str | None = None,
    gen_values: dict[str, str] | None = None,
    gen_errors: dict[str, str] | None = None,
    gen_error: str | None = None,
    pay_values: dict[str, str] | None = None,
    pay_errors: dict[str, str] | None = None,
    pay_error: str | None = None,
    status: int = 200,
) -> Response:
    st_stmt = StatementRepository(db).platform_listing()
    statements, st_next = paginate(db, st_stmt, SettlementStatement.id, cursor=st_cursor, limit=PAGE_SIZE)
    payouts, po_next = paginate(
        db, PayoutRepository(db).platform_listing(), Payout.id, cursor=po_cursor, limit=PAGE_SIZE
    )
    suppliers = reports.supplier_payables(db)
    names = {s.org_id: s.name for s in suppliers}
    names.update(reports.company_names(db, [x.org_id for x in statements] + [x.org_id for x in payouts]))
    this_month = periods.china_date(utcnow()).strftime("%Y-%m")
    return page(
        request,
        "platform/settlements.html",
        db,
        status_code=status,
        statements=statements,
        st_next=st_next,
        payouts=payouts,
        po_next=po_next,
        suppliers=suppliers,
        names=names,
        gen_values=gen_values or {"period": this_month},
        gen_errors=gen_errors or {},
        gen_error=gen_error,
        pay_values=pay_values or {},
        pay_errors=pay_errors or {},
        pay_error=pay_error,
        **_tabs("/platform/finance/settlements"),
    )


@router.get("/settlements", include_in_schema=False)
def settlements(
    request: Request,
    st_cursor: str | None = None,
    po_cursor: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    return _settlements_page(request, db, st_cursor=st_cursor, po_cursor=po_cursor)


@router.get("/settlements/{statement_id}", include_in_schema=False)
def statement(
    request: Request, statement_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    st, lines = settlement.platform_statement(db, statement_id)
    return page(
        request,
        "platform/statement.html",
        db,
        st=st,
        lines=lines,
        supplier=reports.company_names(db, [st.org_id]).get(st.org_id, ""),
        line_kinds=LINE_KINDS,
        **_tabs("/platform/finance/settlements"),
    )


def _month_ok(text: str) -> bool:
    """A month as the form sends it: ``2026-11``."""
    parts = text.split("-")
    return len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2 and text.replace("-", "").isdigit()


@router.post("/settlements/generate", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def generate(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    t = translator(request, db)
    values = {k: str(form.get(k) or "").strip() for k in GENERATE_FIELDS}
    errors: dict[str, str] = {}
    date_from, date_to = parse_date(values["date_from"]), parse_date(values["date_to"])
    for name, parsed in (("date_from", date_from), ("date_to", date_to)):
        if parsed is False:
            errors[name] = t.gettext("Enter a date like 2026-11-30.")
    supplier: uuid.UUID | None = None
    if values["supplier_org_id"]:
        supplier = parse_uuid(values["supplier_org_id"])
        if supplier is None:
            errors["supplier_org_id"] = t.gettext("Choose one of the listed values.")
    # Dates, when given, take precedence over the month (which the form fills in by default).
    use_dates = bool(values["date_from"] or values["date_to"])
    period_text = None if use_dates else values["period"] or None
    if period_text and not _month_ok(period_text):
        errors["period"] = t.gettext("Enter a month like 2026-11.")
    if not use_dates and not period_text:
        errors["period"] = t.gettext("Choose a month, or a start and end date (at most 366 days).")
    if errors:
        return _settlements_page(request, db, gen_values=values, gen_errors=errors, status=422)
    try:
        data = GenerateIn.model_validate(
            {
                "period": period_text,
                "date_from": date_from or None,
                "date_to": date_to or None,
                "supplier_org_id": supplier,
            }
        )
        period = periods.parse(data.period, data.date_from, data.date_to)
        if data.supplier_org_id is not None:
            made = [settlement.generate(db, data.supplier_org_id, period)]
        else:
            made = settlement.generate_all(db, period)
    except ValidationError as exc:
        return _settlements_page(
            request, db, gen_values=values, gen_errors=validation_errors(t, exc), status=422
        )
    except AppError as exc:
        undo(db, exc)
        field_errors, message = error_of(t, exc)
        return _settlements_page(
            request, db, gen_values=values, gen_errors=field_errors, gen_error=message, status=exc.status
        )
    flash = "platform_statements_generated" if made else "platform_no_statements"
    return redirect(request, "/platform/finance/settlements", flash=flash)


@router.post("/payouts", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def record_payout(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    t = translator(request, db)
    values = {k: str(form.get(k) or "").strip() for k in PAYOUT_FIELDS}
    errors: dict[str, str] = {}
    amount_fen = parse_yuan(values["amount"])
    if values["amount"] and (amount_fen is None or amount_fen <= 0):
        errors["amount"] = t.gettext("Enter an amount in yuan, for example 1234.56.")
    if values["supplier_org_id"] and parse_uuid(values["supplier_org_id"]) is None:
        errors["supplier_org_id"] = t.gettext("Choose one of the listed values.")
    try:
        data = PayoutIn.model_validate(
            clean(
                {
                    "supplier_org_id": values["supplier_org_id"],
                    "amount_fen": amount_fen if amount_fen is not None else values["amount"],
                    "bank_reference": values["bank_reference"],
                    "note": values["note"],
                }
            )
        )
    except ValidationError as exc:
        errors = {**validation_errors(t, exc), **errors}
    if errors:
        return _settlements_page(request, db, pay_values=values, pay_errors=errors, status=422)
    try:
        settlement.record_payout(
            db,
            p,
            supplier_org_id=data.supplier_org_id,
            amount_fen=data.amount_fen,
            bank_reference=data.bank_reference,
            note=data.note,
        )
    except AppError as exc:
        undo(db, exc)
        field_errors, message = error_of(t, exc)
        return _settlements_page(
            request, db, pay_values=values, pay_errors=field_errors, pay_error=message, status=exc.status
        )
    return redirect(request, "/platform/finance/settlements", flash="platform_payout_recorded")
