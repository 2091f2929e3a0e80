"""payments: HTTP routes (thin: parse, call the service, shape the answer). See docs/payments.md.

* the buyer: start a payment of an order (``payments:edit``), list and read its payments;
* the gateway: ``POST /payments/callbacks/gateway`` — public, authenticated by its signature only;
* platform finance: confirm a bank transfer (``platform.finance:edit``), read the callback log;
* the gateway simulator (not in production): the buyer "pays" a gateway payment.
"""

from __future__ import annotations

import uuid

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from autotrade.core.deps import get_settings_dep, public, require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.payments import service
from autotrade.payments.models import Payment, PaymentCallback, PaymentStatus, ProviderName
from autotrade.payments.repository import CallbackRepository, PaymentRepository
from autotrade.payments.schemas import (
    BankTransferConfirmIn,
    CallbackLogOut,
    CallbackOut,
    PaymentIn,
    PaymentOut,
    PaymentStarted,
    SimulatePayIn,
    SimulationOut,
)

router = api_router("/api/v1", tags=["payments"])


async def _raw_body(request: Request) -> bytes:
    """The callback's body exactly as sent: the signature covers these bytes."""
    return await request.body()


# ---- the buyer -------------------------------------------------------------------------------------------


@router.post("/orders/{order_id}/payments", status_code=201, response_model=PaymentStarted)
def start_payment(
    order_id: uuid.UUID,
    data: PaymentIn,
    p: Principal = Depends(require("payments:edit")),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> PaymentStarted:
    """Pay an order waiting for payment: ``bank_transfer`` (the transfer details and the reference code
    to quote; platform finance confirms the money) or ``gateway`` (the gateway's pay page)."""
    payment, instructions = service.start(db, p, order_id, ProviderName(data.provider), settings)
    return PaymentStarted(payment=PaymentOut.build(payment), instructions=instructions)


@router.get("/payments", response_model=Page[PaymentOut])
def list_payments(
    order_id: uuid.UUID | None = None,
    status: PaymentStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("payments:view")),
    db: Session = Depends(get_db),
) -> Page[PaymentOut]:
    """Your company's payments, newest first."""
    stmt = PaymentRepository(db).listing(order_id=order_id, status=status)
    return page_of(db, stmt, Payment.id, PaymentOut.build, cursor=cursor, limit=limit)


@router.get("/payments/{payment_id}", response_model=PaymentOut)
def get_payment(
    payment_id: uuid.UUID, p: Principal = Depends(require("payments:view")), db: Session = Depends(get_db)
) -> PaymentOut:
    return PaymentOut.build(service.get_payment(db, payment_id))


# ---- the gateway -----------------------------------------------------------------------------------------


@router.post("/payments/callbacks/gateway", response_model=CallbackOut, dependencies=[Depends(public())])
def gateway_callback(
    request: Request,
    body: bytes = Depends(_raw_body),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> CallbackOut:
    """The gateway's asynchronous callback, authenticated by its HMAC-SHA256 signature (headers
    ``X-Gateway-Timestamp``, ``X-Gateway-Signature``). 200 once handled (also a redelivery, answered
    as the first delivery was); 401 ``bad_signature`` / ``stale_callback``. Every callback is logged."""
    result = service.receive_gateway_callback(db, settings, request.headers, body)
    return CallbackOut(outcome=result.outcome, payment_id=result.payment_id, replayed=result.replayed)


# ---- platform finance ------------------------------------------------------------------------------------


@router.post("/platform/payments/bank-transfers/confirm", response_model=PaymentOut)
def confirm_bank_transfer(
    data: BankTransferConfirmIn,
    p: Principal = Depends(require("platform.finance:edit")),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> PaymentOut:
    """A transfer arrived at the collection account: it pays the order (amount = the order's gross,
    else ``amount_mismatch`` and nothing is written). Money for an order that no longer waits for
    payment is recorded and refunded at once (the answer shows the payment ``refunded``)."""
    payment, _outcome = service.confirm_bank_transfer(
        db,
        order_id=data.order_id,
        bank_reference=data.bank_reference,
        amount_fen=data.amount_fen,
        currency=data.currency,
        note=data.note,
        settings=settings,
    )
    return PaymentOut.build(payment)


@router.get("/platform/payments/callbacks", response_model=Page[CallbackLogOut])
def list_callbacks(
    outcome: str | None = None,
    payment_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("platform.finance:view")),
    db: Session = Depends(get_db),
) -> Page[CallbackLogOut]:
    """Every callback received, newest first (``outcome=amount_mismatch``: what finance must resolve)."""
    stmt = CallbackRepository(db).listing(outcome=outcome, payment_id=payment_id)
    return page_of(db, stmt, PaymentCallback.id, CallbackLogOut.build, cursor=cursor, limit=limit)


# ---- the gateway simulator (not in production) -------------------------------------------------------------


@router.post("/payments/simulator/payments/{payment_id}/pay", status_code=202, response_model=SimulationOut)
def simulator_pay(
    payment_id: uuid.UUID,
    data: SimulatePayIn | None = None,
    p: Principal = Depends(require("payments:edit")),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> SimulationOut:
    """The buyer pays a pending gateway payment on the simulated gateway; its callbacks follow
    asynchronously (job ``payments.simulator.deliver``) in the chosen ``scenario``."""
    data = data or SimulatePayIn()
    events, job_id = service.simulate_gateway_payment(
        db, settings, payment_id, data.scenario, delay_ms=data.delay_ms
    )
    return SimulationOut(payment_id=payment_id, scenario=data.scenario, events=events, job_id=job_id)
