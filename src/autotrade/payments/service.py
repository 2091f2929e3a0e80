"""payments: starting a payment, proving it (bank transfer confirmed by platform finance, gateway
callback), paying the order once, and refunds to the original method. See docs/payments.md.

Paying an order is one transaction: the ``payment`` posting (docs/money.md) and the order's
``mark_paid`` (system party). Locks are always taken order first, then payment (as the orders module
locks an order before acting and then calls the escrow/refund services), so two callbacks, a callback
and a cancellation, or a callback and the auto-cancel job never interleave. An order is never paid
twice: the one payment that pays it is marked ``pays_order`` and its posting carries the dedupe key
``order-paid:<order id>``; any other money that arrives for the order (after a cancellation, or a
second payment) is posted with ``payment:<payment id>`` and refunded at once, in the same
transaction — never lost, never kept.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.db import utcnow
from autotrade.core.settings import Settings, get_settings
from autotrade.core.tenancy import SCOPE_KEY, SYSTEM, Principal
from autotrade.ledger import service as ledger
from autotrade.ledger.models import Purpose
from autotrade.orders import service as orders
from autotrade.orders.errors import OrderNotFound, WrongParty
from autotrade.orders.models import Order, OrderStatus
from autotrade.payments.errors import (
    AmountMismatch,
    BankReferenceUsed,
    CallbackMalformed,
    CallbackRejected,
    OrderNotPayable,
    PaymentNotFound,
    ProviderNotAvailable,
    RefundNotAllowed,
    SimulatorDisabled,
)
from autotrade.payments.models import Payment, PaymentCallback, PaymentStatus, ProviderName
from autotrade.payments.providers import (
    GatewayEvent,
    GatewayProvider,
    PaymentProvider,
    peek_event_id,
    provider_for,
)
from autotrade.payments.repository import CallbackRepository, PaymentRepository

_REF_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
HOLDS_MONEY = (PaymentStatus.succeeded, PaymentStatus.partially_refunded)


def new_reference_code() -> str:
    """``PAY`` + 12 characters (no I or O): what the buyer quotes on a transfer; unique (index)."""
    return "PAY" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(12))


@contextmanager
def system_scope(session: Session) -> Iterator[None]:
    """Run the enclosed code as the system (no tenant filter), then restore the caller's scope. Used
    only once the money is proven, to lock and change rows of the buyer and of the order that the
    caller (platform finance, a gateway callback on a public route) cannot see. The audit log still
    names the caller (the principal, when there is one)."""
    previous = session.info.get(SCOPE_KEY)
    session.info[SCOPE_KEY] = SYSTEM
    try:
        yield
    finally:
        if previous is None:
            session.info.pop(SCOPE_KEY, None)
        else:
            session.info[SCOPE_KEY] = previous


# ---- reads -----------------------------------------------------------------------------------------------


def get_payment(session: Session, payment_id: uuid.UUID) -> Payment:
    payment = PaymentRepository(session).get(payment_id)
    if payment is None:
        raise PaymentNotFound()
    return payment


def order_payment(session: Session, order_id: uuid.UUID) -> Payment | None:
    """The payment that paid the order (for refunds to the original method), whoever calls."""
    return PaymentRepository(session).order_payment_any_tenant(order_id)


def callback_log(session: Session, *, outcome: str | None = None, limit: int = 50) -> list[PaymentCallback]:
    """The callbacks received, newest first (platform finance, the CLI)."""
    return CallbackRepository(session).newest(outcome=outcome, limit=limit)


# ---- starting a payment ------------------------------------------------------------------------------------


def start(
    session: Session, principal: Principal, order_id: uuid.UUID, provider: ProviderName, settings: Settings
) -> tuple[Payment, dict[str, object]]:
    """The buyer chooses how to pay an order waiting for payment: a pending payment of the order's
    gross, and the provider's instructions (transfer details with the reference code to quote, or the
    gateway's pay page)."""
    repo = PaymentRepository(session)
    order = repo.order(order_id)
    if order is None:
        raise OrderNotFound()
    if order.org_id not in principal.scope:
        raise WrongParty("only the buyer pays an order", allowed_parties=["buyer"])
    if order.status != OrderStatus.pending_payment:
        raise OrderNotPayable(
            f"the order is {order.status.value}, not waiting for a payment", current_status=order.status.value
        )
    if provider == ProviderName.credit:
        raise ProviderNotAvailable("orders are paid on credit through the credit service", field="provider")
    chosen = provider_for(provider, settings)
    payment = Payment(
        org_id=order.org_id,
        order_id=order.id,
        provider=provider,
        amount_fen=order.gross_fen,
        currency=order.currency,
        status=PaymentStatus.pending,
        refunded_fen=0,
        reference_code=new_reference_code(),
        pays_order=False,
        created_by_id=principal.user_id,
    )
    label(payment, "payments.start")
    repo.add(payment)
    return payment, chosen.instructions(payment, order)


# ---- the money arrives -----------------------------------------------------------------------------------


def _settle(session: Session, payment: Payment, order: Order, provider: PaymentProvider, *, note: str) -> str:
    """Money of ``payment`` arrived (both rows locked). It pays the order when the order waits for
    payment; otherwise it is recorded and refunded at once. Returns the outcome."""
    platform = ledger.platform_org_id(session)
    pays = order.status == OrderStatus.pending_payment
    amount = payment.amount_fen
    ledger.post(
        session,
        kind="payment",
        legs=[
            ledger.Leg(platform, provider.clearing, amount, order_id=order.id),
            ledger.Leg(platform, Purpose.escrow, -amount, order_id=order.id),
        ],
        reference_type="payment",
        reference_id=payment.id,
        currency=payment.currency,
        memo=f"{payment.provider.value} {payment.reference_code} for order {order.number}",
        dedupe_key=f"order-paid:{order.id}" if pays else f"payment:{payment.id}",
    )
    payment.status, payment.paid_at, payment.failure_reason = PaymentStatus.succeeded, utcnow(), None
    if pays:
        payment.pays_order = True
        label(payment, "payments.paid")
        session.flush()
        orders.mark_paid(session, order.id, note=note)
        return "paid"
    why = "the order was cancelled" if order.status == OrderStatus.cancelled else "the order was already paid"
    label(payment, "payments.late")
    session.flush()
    _refund(session, payment, provider, amount, f"late payment refunded: {why}")
    return "refunded_late"


def confirm_bank_transfer(
    session: Session,
    *,
    order_id: uuid.UUID,
    bank_reference: str,
    amount_fen: int,
    currency: str,
    note: str | None,
    settings: Settings,
) -> tuple[Payment, str]:
    """Platform finance confirms a transfer received at the collection account for an order. The
    amount must be the order's gross (else nothing is written). The order's pending bank-transfer
    payment is used, or one is created (the buyer may transfer without asking for instructions).
    Money for an order that no longer waits for payment is recorded and refunded at once."""
    repo = PaymentRepository(session)
    bank_reference = bank_reference.strip()
    with system_scope(session):
        order = repo.lock_order_any_tenant(order_id)
        if order is None:
            raise OrderNotFound(field="order_id")
        if currency != order.currency or amount_fen != order.gross_fen:
            raise AmountMismatch(
                f"the order's gross is {order.gross_fen} fen {order.currency}; "
                f"the transfer is {amount_fen} fen {currency}",
                field="amount_fen",
                expected_fen=order.gross_fen,
            )
        if repo.by_bank_reference_any_tenant(bank_reference) is not None:
            raise BankReferenceUsed(field="bank_reference")
        pending = repo.pending_any_tenant(order.id, ProviderName.bank_transfer)
        payment = repo.get_for_update_any_tenant(pending.id) if pending else None
        if payment is None or payment.status != PaymentStatus.pending:
            payment = repo.add(
                Payment(
                    org_id=order.org_id,
                    order_id=order.id,
                    provider=ProviderName.bank_transfer,
                    amount_fen=order.gross_fen,
                    currency=order.currency,
                    status=PaymentStatus.pending,
                    refunded_fen=0,
                    reference_code=new_reference_code(),
                    pays_order=False,
                )
            )
        payment.bank_reference = bank_reference
        # Two confirmations of one transfer at once (for different orders): the unique bank reference
        # decides before any money moves; the later one waits for the first and is refused like a
        # reference seen before (only this savepoint is rolled back).
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise BankReferenceUsed(field="bank_reference") from None
        outcome = _settle(
            session,
            payment,
            order,
            provider_for(ProviderName.bank_transfer, settings),
            note=note or f"bank transfer {bank_reference}",
        )
        session.flush()
    return payment, outcome


# ---- gateway callbacks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackResult:
    outcome: str
    payment_id: uuid.UUID | None
    replayed: bool


def receive_gateway_callback(
    session: Session, settings: Settings, headers: Mapping[str, str], body: bytes, *, now: int | None = None
) -> CallbackResult:
    """Verify, log and apply one gateway callback. Every callback is logged (``payment_callbacks``):
    a refused one (bad signature, stale timestamp, unreadable) raises after its row is added — the
    boundary commits it (``commit = True`` errors). The first verified delivery of an event is
    applied; a redelivery (same event id) is logged and answered with the first one's outcome."""
    gateway = GatewayProvider(settings)
    text = body.decode("utf-8", errors="replace")
    callbacks = CallbackRepository(session)
    try:
        event = gateway.verify_callback(headers, body, now=int(time.time()) if now is None else now)
    except (CallbackRejected, CallbackMalformed) as e:
        callbacks.add(
            PaymentCallback(
                provider=ProviderName.gateway,
                event_id=peek_event_id(body),
                body=text,
                signature_ok=not isinstance(e, CallbackRejected) or e.code == "stale_callback",
                outcome=e.code,
                detail=e.detail[:500],
            )
        )
        raise
    key = f"gateway:{event.event_id}"
    row = PaymentCallback(
        provider=ProviderName.gateway,
        event_id=event.event_id,
        dedupe_key=key,
        body=text,
        signature_ok=True,
        outcome="received",
    )
    with system_scope(session):
        if not callbacks.add_first(row):
            first = callbacks.first_delivery(key)
            assert first is not None  # the unique index said it exists
            callbacks.add(
                PaymentCallback(
                    provider=ProviderName.gateway,
                    event_id=event.event_id,
                    body=text,
                    signature_ok=True,
                    outcome="duplicate",
                    detail=f"redelivery of callback {first.id} ({first.outcome})",
                    payment_id=first.payment_id,
                )
            )
            return CallbackResult(first.outcome, first.payment_id, replayed=True)
        outcome, payment_id, detail = _apply_gateway_event(session, gateway, event)
        row.outcome, row.payment_id, row.detail = outcome, payment_id, detail
        session.flush()
    return CallbackResult(outcome, payment_id, replayed=False)


def _apply_gateway_event(
    session: Session, gateway: GatewayProvider, event: GatewayEvent
) -> tuple[str, uuid.UUID | None, str | None]:
    """The payment's state machine for a verified event (run as the system). Outcomes:

    * ``payment.succeeded`` on a pending payment — or on one a ``closed`` event cancelled before (out
      of order: the money did arrive): ``paid``, or ``refunded_late`` when the order no longer waits
      for payment; ``amount_mismatch`` when the amount or currency differs (the payment is ``failed``
      with the reason, the order untouched, finance sees it in the callback log);
      ``already_succeeded`` / ``ignored_failed`` otherwise (nothing changes).
    * ``payment.closed`` (the buyer never paid): a pending payment is ``cancelled`` (``closed``);
      anything else is ``ignored_closed`` (a stale close after the success).
    """
    repo = PaymentRepository(session)
    found = repo.by_reference_any_tenant(event.out_trade_no)
    if found is None or found.provider != ProviderName.gateway:
        return "unknown_payment", None, f"no gateway payment {event.out_trade_no!r}"
    order = repo.lock_order_any_tenant(found.order_id)  # order first, then payment
    payment = repo.get_for_update_any_tenant(found.id)
    if order is None or payment is None:
        raise PaymentNotFound()
    if event.type == "payment.closed":
        if payment.status != PaymentStatus.pending:
            return "ignored_closed", payment.id, f"payment is {payment.status.value}"
        payment.status = PaymentStatus.cancelled
        label(payment, "payments.closed")
        return "closed", payment.id, None
    if payment.status in (PaymentStatus.succeeded, PaymentStatus.refunded, PaymentStatus.partially_refunded):
        return "already_succeeded", payment.id, f"payment is {payment.status.value}"
    if payment.status == PaymentStatus.failed:
        return "ignored_failed", payment.id, payment.failure_reason
    if event.trade_no and payment.provider_reference is None:
        payment.provider_reference = event.trade_no
    if event.amount_fen != payment.amount_fen or event.currency != payment.currency:
        reason = (
            f"amount mismatch: the gateway reported {event.amount_fen} fen {event.currency}, "
            f"the payment is {payment.amount_fen} fen {payment.currency}"
        )
        payment.status, payment.failure_reason = PaymentStatus.failed, reason
        label(payment, "payments.amount_mismatch")
        return "amount_mismatch", payment.id, reason
    outcome = _settle(session, payment, order, gateway, note=f"gateway {event.trade_no or event.event_id}")
    return outcome, payment.id, None


# ---- refunds ---------------------------------------------------------------------------------------------


def refund(
    session: Session, payment: Payment, amount_fen: int, reason: str, *, settings: Settings | None = None
) -> Payment:
    """Refund ``amount_fen`` of a payment to its original method (escrow: cancellations after payment,
    returns, dispute decisions): the ``refund`` posting (Dr escrow of the order, Cr the method's
    clearing account), the provider's refund, ``refunded_fen`` and the status (``refunded`` when all of
    it went back, else ``partially_refunded``). The payment row is locked (callers holding the order's
    lock keep the order-then-payment order)."""
    with system_scope(session):
        locked = PaymentRepository(session).get_for_update_any_tenant(payment.id)
        if locked is None:
            raise PaymentNotFound()
        provider = provider_for(locked.provider, settings or get_settings())
        _refund(session, locked, provider, amount_fen, reason)
        session.flush()
    return locked


def _refund(
    session: Session, payment: Payment, provider: PaymentProvider, amount_fen: int, reason: str
) -> None:
    if payment.status not in HOLDS_MONEY:
        raise RefundNotAllowed(f"the payment is {payment.status.value}: it holds no money to refund")
    left = payment.amount_fen - payment.refunded_fen
    if type(amount_fen) is not int or not 0 < amount_fen <= left:
        raise RefundNotAllowed(f"refund between 1 and {left} fen, not {amount_fen!r}", field="amount_fen")
    platform = ledger.platform_org_id(session)
    # The credit method's "clearing" is what the buyer owes on credit: its own account, not the platform's.
    clearing_owner = payment.org_id if provider.clearing == Purpose.credit_receivable else platform
    refunded = payment.refunded_fen + amount_fen
    reference = provider.refund(payment, amount_fen, reason)
    ledger.post(
        session,
        kind="refund",
        legs=[
            ledger.Leg(platform, Purpose.escrow, amount_fen, order_id=payment.order_id),
            ledger.Leg(clearing_owner, provider.clearing, -amount_fen, order_id=payment.order_id),
        ],
        reference_type="payment",
        reference_id=payment.id,
        currency=payment.currency,
        memo=f"{reference}: {reason}"[:500],
        dedupe_key=f"refund:{payment.id}:{refunded}",
    )
    payment.refunded_fen = refunded
    payment.status = (
        PaymentStatus.refunded if refunded == payment.amount_fen else PaymentStatus.partially_refunded
    )
    payment.refunded_at = utcnow()
    label(payment, "payments.refund")


# ---- the gateway simulator (not in production) -------------------------------------------------------------


def simulate_gateway_payment(
    session: Session, settings: Settings, payment_id: uuid.UUID, scenario: str, *, delay_ms: int = 0
) -> tuple[list[dict[str, Any]], uuid.UUID]:
    """The buyer pays a pending gateway payment on the simulated gateway: its callbacks in ``scenario``
    are delivered asynchronously by the job ``payments.simulator.deliver``. (events, job id)."""
    from autotrade.jobs import service as jobs
    from autotrade.payments import simulator
    from autotrade.payments import tasks as _tasks

    if settings.env == "production":
        raise SimulatorDisabled()
    payment = get_payment(session, payment_id)
    if payment.provider != ProviderName.gateway or payment.status != PaymentStatus.pending:
        raise OrderNotPayable(
            f"the simulator pays pending gateway payments; this one is a {payment.status.value} "
            f"{payment.provider.value} payment",
            code="payment_not_pending",
        )
    events = simulator.events_for(payment, scenario)
    run = jobs.submit(session, _tasks.DELIVER_JOB, {"events": events, "delay_ms": delay_ms})
    return events, run.id


# ---- the buyer's payment page --------------------------------------------------------------------------


def order_payments(session: Session, order_id: uuid.UUID) -> list[Payment]:
    """The caller's payments of an order, newest first (tenant-scoped: only the buyer sees them)."""
    stmt = PaymentRepository(session).listing(order_id=order_id).order_by(Payment.id.desc())
    return list(session.scalars(stmt))


def instructions_of(payment: Payment, order: Order, settings: Settings) -> dict[str, object]:
    """How to pay an existing payment (the transfer details and reference code, or the gateway page)."""
    return provider_for(payment.provider, settings).instructions(payment, order)


def start_or_resume(
    session: Session, principal: Principal, order_id: uuid.UUID, provider: ProviderName, settings: Settings
) -> tuple[Payment, dict[str, object]]:
    """Like :func:`start`, but when the caller already has a pending payment of the order through this
    provider, that one and its instructions (the same reference code to quote): asking twice for the
    transfer details, or pressing "pay" twice, does not open a second payment."""
    order = PaymentRepository(session).order(order_id)
    if order is not None and order.org_id in principal.scope and order.status == OrderStatus.pending_payment:
        for payment in order_payments(session, order.id):
            if payment.provider == provider and payment.status == PaymentStatus.pending:
                return payment, instructions_of(payment, order, settings)
    return start(session, principal, order_id, provider, settings)


def pay_with_simulator(
    session: Session,
    principal: Principal,
    order_id: uuid.UUID,
    settings: Settings,
    *,
    scenario: str = "normal",
) -> tuple[Payment, uuid.UUID]:
    """The buyer pays an order on the gateway simulator: its pending gateway payment (started now when
    there is none) is "paid" on the simulated gateway, whose callback follows asynchronously (job
    ``payments.simulator.deliver``). Returns the payment and the delivery job's id."""
    if settings.env == "production":
        raise SimulatorDisabled()
    payment, _instructions = start_or_resume(session, principal, order_id, ProviderName.gateway, settings)
    _events, job_id = simulate_gateway_payment(session, settings, payment.id, scenario)
    return payment, job_id


# ---- platform finance: the transfers to confirm ---------------------------------------------------------


def bank_transfers_to_confirm(
    session: Session, *, cursor: str | None = None, limit: int = 50
) -> tuple[list[tuple[Payment, Order]], str | None]:
    """Platform finance: pending bank-transfer payments of orders still waiting for payment (the buyer
    asked for transfer instructions), with their order, newest first; and the next page's cursor."""
    from autotrade.core.pagination import decode_cursor, encode_cursor

    before = decode_cursor(cursor) if cursor else None
    rows = PaymentRepository(session).pending_bank_transfers_any_tenant(before=before, limit=limit + 1)
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(rows[-1][0].id)
    return rows, None


def transfer_order(session: Session, reference: str) -> Order | None:
    """Platform finance: the order a received transfer is for, from what the bank statement shows —
    the payment reference code the buyer quoted (``PAY…``) or the order number (``SO…``)."""
    repo = PaymentRepository(session)
    ref = reference.strip().upper()
    payment = repo.by_reference_any_tenant(ref) if ref.startswith("PAY") else None
    if payment is not None:
        return repo.order_any_tenant(payment.order_id)
    return repo.order_by_number_any_tenant(ref)
