"""Buyer: paying an order — bank transfer instructions (the platform's escrow collection account and
the reference to quote), the gateway simulator (its callback arrives asynchronously: the page polls
until the order is paid), or on credit when a credit line covers it."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.deps import get_settings_dep, require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.credit import service as credit
from autotrade.credit.schemas import PayOnCreditIn
from autotrade.ledger import service as ledger
from autotrade.orders import service as orders
from autotrade.orders.errors import OrderNotFound
from autotrade.orders.models import Order, OrderStatus
from autotrade.orgs.repository import OrgRepository
from autotrade.payments import service as payments
from autotrade.payments.models import PaymentStatus, ProviderName
from autotrade.web import csrf
from autotrade.web.buyer_common import error_message, page, parse_uuid
from autotrade.web.forms import form_data, undo
from autotrade.web.render import redirect, translator

router = api_router("/buyer/orders/{order_id}/pay")
POLL_SECONDS = 1


def buyer_order(db: Session, p: Principal, order_id: uuid.UUID) -> Order:
    """The caller's purchase: another company's order — or the caller's own sale — is not found."""
    order = orders.get_order(db, order_id)
    if order.org_id not in p.scope:
        raise OrderNotFound()
    return order


def _state(order: Order, pays: list[Any]) -> str:
    """paid | cancelled | waiting (a gateway payment is pending) | failed (the last gateway payment
    failed or was closed) | open (nothing started, or a bank transfer awaited)."""
    if order.status == OrderStatus.cancelled:
        return "cancelled"
    if order.status != OrderStatus.pending_payment:
        return "paid"
    gateway = [x for x in pays if x.provider == ProviderName.gateway]
    if gateway and gateway[0].status == PaymentStatus.pending:
        return "waiting"
    if gateway and gateway[0].status in (PaymentStatus.failed, PaymentStatus.cancelled):
        return "failed"
    return "open"


def pay_context(
    request: Request, db: Session, p: Principal, order: Order, settings: Settings
) -> dict[str, Any]:
    pays = payments.order_payments(db, order.id)
    bank = next(
        (x for x in pays if x.provider == ProviderName.bank_transfer and x.status == PaymentStatus.pending),
        None,
    )
    options = None
    creditors: dict[uuid.UUID, str] = {}
    if order.status == OrderStatus.pending_payment:
        try:
            options = credit.credit_options(db, p, order.id)
        except AppError:
            options = None
        if options is not None:
            creditors = OrgRepository(db).names_any_tenant(o.line.creditor_org_id for o in options.options)
    platform = ledger.platform_org_id(db) if options is not None and options.options else None
    return {
        "order": order,
        "supplier": OrgRepository(db)
        .names_any_tenant([order.supplier_org_id])
        .get(order.supplier_org_id, ""),
        "payments": pays,
        "state": _state(order, pays),
        "bank": bank,
        "bank_instructions": payments.instructions_of(bank, order, settings) if bank else None,
        "credit": options,
        "creditors": creditors,
        "platform_id": platform,
        "simulator": settings.env != "production",
        "can_pay": p.can("payments:edit"),
        "poll_seconds": POLL_SECONDS,
        "error": None,
    }


def _pay_page(
    request: Request,
    db: Session,
    p: Principal,
    order_id: uuid.UUID,
    settings: Settings,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    order = buyer_order(db, p, order_id)
    ctx = pay_context(request, db, p, order, settings)
    ctx["error"] = error
    return page(request, "buyer/pay.html", db, status_code=status, **ctx)


@router.get("", include_in_schema=False)
def pay_page(
    request: Request,
    order_id: uuid.UUID,
    p: Principal = Depends(require("payments:view")),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """支付: how to pay this order (bank transfer, the gateway simulator, on credit) and its payments."""
    return _pay_page(request, db, p, order_id, settings)


@router.get("/status", include_in_schema=False)
def pay_status(
    request: Request,
    order_id: uuid.UUID,
    p: Principal = Depends(require("payments:view")),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """The payment state block, polled by the page while the gateway's callback is awaited."""
    order = buyer_order(db, p, order_id)
    pays = payments.order_payments(db, order.id)
    return page(
        request,
        "buyer/_pay_status.html",
        db,
        order=order,
        state=_state(order, pays),
        poll_seconds=POLL_SECONDS,
    )


def _act(
    request: Request,
    db: Session,
    p: Principal,
    order_id: uuid.UUID,
    settings: Settings,
    fn: Any,
    flash: str,
    anchor: str,
) -> Response:
    buyer_order(db, p, order_id)
    try:
        fn()
    except AppError as exc:
        undo(db, exc)
        if exc.status == 404 or exc.status >= 500:
            raise
        message = error_message(translator(request, db), exc)
        return _pay_page(request, db, p, order_id, settings, status=exc.status, error=message)
    return redirect(request, f"/buyer/orders/{order_id}/pay#{anchor}", flash=flash)


@router.post("/bank-transfer", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def pay_by_bank_transfer(
    request: Request,
    order_id: uuid.UUID,
    p: Principal = Depends(require("payments:edit")),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """The transfer details and the reference code to quote (a pending bank-transfer payment; asking
    again shows the same one). Platform finance confirms the money when it arrives."""
    return _act(
        request,
        db,
        p,
        order_id,
        settings,
        lambda: payments.start_or_resume(db, p, order_id, ProviderName.bank_transfer, settings),
        "buyer_bank_transfer_ready",
        "bank-transfer",
    )


@router.post("/gateway", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def pay_with_gateway(
    request: Request,
    order_id: uuid.UUID,
    p: Principal = Depends(require("payments:edit")),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """Pay on the gateway simulator (the path of ``POST /api/v1/orders/{id}/payments`` with the gateway,
    then ``POST /api/v1/payments/simulator/payments/{id}/pay``): the callback follows through a job."""
    return _act(
        request,
        db,
        p,
        order_id,
        settings,
        lambda: payments.pay_with_simulator(db, p, order_id, settings),
        "buyer_gateway_started",
        "pay-status",
    )


@router.post("/credit", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def pay_on_credit(
    request: Request,
    order_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("payments:edit")),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """Pay on credit (the credit service behind ``POST /api/v1/orders/{id}/pay-on-credit``)."""
    line_id = parse_uuid(str(form.get("line_id") or ""))
    return _act(
        request,
        db,
        p,
        order_id,
        settings,
        lambda: credit.pay_on_credit(db, p, order_id, PayOnCreditIn(line_id=line_id)),
        "buyer_paid_on_credit",
        "pay-status",
    )
