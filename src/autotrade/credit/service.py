"""credit: credit lines (grant, adjust, suspend, resume), paying an order on credit, repayments and
the overdue mark. The suggested limit lives in :mod:`autotrade.credit.suggestions`.

Money rules (docs/money.md, docs/credit.md):

* paying order O on credit = ``orders.mark_paid`` (order row locked, refused unless pending payment)
  + the line's limit consumed by one conditional UPDATE (``used_fen + G <= limit_fen``) + the
  ``credit_payment`` posting (Dr ``credit_receivable``(buyer) +G · Cr ``escrow``(platform, O) −G,
  dedupe key ``order-paid:<O>``: whatever the method, an order is paid once) + its credit invoice,
  all in the caller's transaction;
* a repayment A confirmed by platform finance = the ``credit_repayment`` posting (Dr
  ``bank_clearing``(platform) +A · Cr ``credit_receivable``(buyer) −A) + ``used_fen -= A`` + the
  invoice's ``repaid_fen += A`` (closed when it reaches the amount).

Invariant (``autotrade credit verify``): a line's ``used_fen`` = Σ (amount − repaid) of its invoices.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from autotrade.audit.service import label, record_event
from autotrade.core.db import utcnow, uuid7
from autotrade.core.errors import ValidationFailed
from autotrade.core.tenancy import Principal
from autotrade.credit.errors import (
    BuyerNotFound,
    CreditInvoiceNotFound,
    CreditLimitExceeded,
    CreditLineExists,
    CreditLineNotFound,
    CreditLineSuspended,
    CreditOverdue,
    CurrencyMismatch,
    DuplicateRepayment,
    InvalidLineState,
    InvoiceAlreadyPaid,
    NoCreditLine,
    NotTheCreditor,
    RepaymentTooLarge,
    WrongParty,
)
from autotrade.credit.models import (
    CreditInvoice,
    CreditInvoiceStatus,
    CreditLine,
    CreditLineStatus,
    CreditRepayment,
)
from autotrade.credit.repository import CreditInvoiceRepository, CreditLineRepository, HistoryRepository
from autotrade.credit.schemas import LineAdjustIn, LineIn, PayOnCreditIn, RepaymentIn
from autotrade.credit.terms import days_overdue, due_at
from autotrade.events import service as events
from autotrade.ledger import service as ledger
from autotrade.ledger.models import Purpose
from autotrade.orders import service as orders
from autotrade.orgs.models import OrgStatus, OrgType

# ---- who is the creditor -------------------------------------------------------------------------------


def creditor_of(session: Session, principal: Principal, *, platform: bool) -> uuid.UUID:
    """The company acting as creditor: the platform (platform finance routes) or the caller's company."""
    return ledger.platform_org_id(session) if platform else principal.root_company_id


def check_buyer(
    session: Session, creditor_org_id: uuid.UUID, buyer_org_id: uuid.UUID, *, platform: bool
) -> None:
    """The creditor may extend credit to this company: an approved top-level company other than
    itself; a supplier only to its own buyers (who ordered from it, or already hold a line from it).
    Anything else is ``buyer_not_found`` (404) — a supplier learns nothing about strangers."""
    history = HistoryRepository(session)
    org = history.company(buyer_org_id)
    if (
        org is None
        or org.parent_id is not None
        or org.type == OrgType.platform
        or org.id == creditor_org_id
        or org.status != OrgStatus.approved
    ):
        raise BuyerNotFound(field="debtor_org_id")
    if platform:
        return
    if not (
        CreditLineRepository(session).exists_between(creditor_org_id, buyer_org_id)
        or history.has_ordered_from(history.subtree_ids(buyer_org_id), creditor_org_id)
    ):
        raise BuyerNotFound(
            "not one of your buyers: a company that has ordered from you", field="debtor_org_id"
        )


# ---- lines ---------------------------------------------------------------------------------------------


def grant(session: Session, principal: Principal, data: LineIn, *, platform: bool) -> CreditLine:
    """Grant ``debtor_org_id`` a limit and terms. One line per creditor, debtor and currency."""
    creditor = creditor_of(session, principal, platform=platform)
    check_buyer(session, creditor, data.debtor_org_id, platform=platform)
    repo = CreditLineRepository(session)
    if repo.between(creditor, data.debtor_org_id, data.currency) is not None:
        raise CreditLineExists(field="debtor_org_id")
    line = CreditLine(
        id=uuid7(),
        org_id=data.debtor_org_id,
        creditor_org_id=creditor,
        currency=data.currency,
        limit_fen=data.limit_fen,
        used_fen=0,
        term_days=data.term_days,
        status=CreditLineStatus.active,
        granted_by=principal.actor_label[:200],
        granted_by_id=principal.user_id,
        note=data.note,
    )
    label(line, "credit.grant")
    session.add(line)
    session.flush()
    _emit_line(session, line, "credit.line_granted")
    return line


def get_line(session: Session, line_id: uuid.UUID, *, platform: bool = False) -> CreditLine:
    """A line the caller is a party to (platform finance: any line)."""
    repo = CreditLineRepository(session)
    line = repo.get_any_tenant(line_id) if platform else repo.get(line_id)
    if line is None:
        raise CreditLineNotFound()
    return line


def _own_line(session: Session, principal: Principal, line_id: uuid.UUID, *, platform: bool) -> CreditLine:
    line = get_line(session, line_id, platform=platform)
    if not platform and line.creditor_org_id != principal.root_company_id:
        raise NotTheCreditor()
    return line


def adjust(
    session: Session, principal: Principal, line_id: uuid.UUID, data: LineAdjustIn, *, platform: bool
) -> CreditLine:
    """The creditor changes the limit and/or the terms (new invoices only: issued invoices keep their
    due date). A limit below what is used is allowed: the buyer then cannot pay on credit until
    repayments bring ``used`` under it."""
    line = _own_line(session, principal, line_id, platform=platform)
    if data.limit_fen is not None:
        line.limit_fen = data.limit_fen
    if data.term_days is not None:
        line.term_days = data.term_days
    if data.note is not None:
        line.note = data.note
    label(line, "credit.adjust")
    session.flush()
    return line


def suspend(
    session: Session, principal: Principal, line_id: uuid.UUID, reason: str, *, platform: bool
) -> CreditLine:
    line = _own_line(session, principal, line_id, platform=platform)
    if line.status != CreditLineStatus.active:
        raise InvalidLineState("the credit line is already suspended", current_status=line.status.value)
    line.status, line.suspended_at, line.suspend_reason = CreditLineStatus.suspended, utcnow(), reason
    label(line, "credit.suspend")
    session.flush()
    _emit_line(session, line, "credit.line_suspended")
    return line


def resume(session: Session, principal: Principal, line_id: uuid.UUID, *, platform: bool) -> CreditLine:
    line = _own_line(session, principal, line_id, platform=platform)
    if line.status != CreditLineStatus.suspended:
        raise InvalidLineState("the credit line is active", current_status=line.status.value)
    line.status, line.suspended_at, line.suspend_reason = CreditLineStatus.active, None, None
    label(line, "credit.resume")
    session.flush()
    return line


def _emit_line(session: Session, line: CreditLine, type_: str) -> None:
    events.emit(
        session,
        type_,
        org_ids=(line.org_id, line.creditor_org_id),
        subject_type="credit_line",
        subject_id=line.id,
        payload={
            "line_id": line.id,
            "creditor_org_id": line.creditor_org_id,
            "debtor_org_id": line.org_id,
            "limit_fen": line.limit_fen,
            "term_days": line.term_days,
            "status": line.status,
        },
    )


# ---- paying an order on credit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditPayment:
    order_id: uuid.UUID
    order_status: str
    invoice: CreditInvoice
    line: CreditLine


def _available(line: CreditLine) -> int:
    return max(0, line.limit_fen - line.used_fen)


def pay_on_credit(
    session: Session,
    principal: Principal,
    order_id: uuid.UUID,
    data: PayOnCreditIn,
    *,
    now: datetime | None = None,
) -> CreditPayment:
    """The buyer pays a pending order on credit. Refused — nothing changed — when any of the buyer's
    credit invoices is overdue (``credit_overdue``, listing them), when it has no line from the
    platform or the order's supplier (``no_credit_line``), when its lines are suspended
    (``credit_line_suspended``) or when the order does not fit in what is available
    (``credit_limit_exceeded``, with ``available_fen``). The supplier's line is used first, then the
    platform's (or the one named by ``line_id``)."""
    now = now or utcnow()
    order = orders.get_order(session, order_id)  # 404 unless the caller is a party to it
    if order.org_id not in principal.scope:
        raise WrongParty("only the buyer pays an order; the supplier cannot pay it on credit")
    gross = order.gross_fen
    if gross <= 0:
        raise ValidationFailed("the order has nothing to pay", code="nothing_to_pay")
    debtor = principal.root_company_id
    platform = ledger.platform_org_id(session)

    invoices = CreditInvoiceRepository(session)
    overdue = invoices.overdue_of_debtor(debtor, now)
    if overdue:
        raise CreditOverdue(
            f"{len(overdue)} credit invoice(s) overdue: repay them before paying on credit again",
            errors=[
                {
                    "invoice_id": str(x.id),
                    "order_id": str(x.order_id),
                    "creditor_org_id": str(x.creditor_org_id),
                    "due_at": x.due_at.isoformat(),
                    "outstanding_fen": x.amount_fen - x.repaid_fen,
                    "days_overdue": days_overdue(x, now),
                }
                for x in overdue
            ],
        )

    creditors = [order.supplier_org_id, platform]
    lines = CreditLineRepository(session).of_debtor(debtor, creditors, order.currency)
    lines.sort(key=lambda x: creditors.index(x.creditor_org_id))
    if data.line_id is not None:
        lines = [x for x in lines if x.id == data.line_id]
        if not lines:
            raise CreditLineNotFound(
                "no such credit line of yours from the platform or this order's supplier", field="line_id"
            )
    if not lines:
        raise NoCreditLine()
    active = [x for x in lines if x.status == CreditLineStatus.active]
    if not active:
        raise CreditLineSuspended(
            "your credit line is suspended"
            + (f": {lines[0].suspend_reason}" if lines[0].suspend_reason else ""),
            line_id=str(lines[0].id),
        )

    # Lock the order and apply mark_paid first: a second payment of the same order (any method) waits
    # on the row lock and is then refused (invalid_transition) before touching any limit.
    orders.mark_paid(session, order.id, note=data.note or "paid on credit")
    repo = CreditLineRepository(session)
    chosen = next((x for x in active if repo.consume(x.id, gross)), None)
    repo.reload(active)  # the conditional UPDATE bypassed the identity map
    if chosen is None:
        best = max(active, key=_available)
        raise CreditLimitExceeded(
            f"the order's {gross} fen exceed the {_available(best)} fen of credit available",
            required_fen=gross,
            available_fen=_available(best),
            errors=[
                {
                    "line_id": str(x.id),
                    "creditor_org_id": str(x.creditor_org_id),
                    "limit_fen": x.limit_fen,
                    "used_fen": x.used_fen,
                    "available_fen": _available(x),
                }
                for x in active
            ],
        )
    record_event(
        session,
        "credit.consume",
        entity_type="credit_lines",
        entity_id=chosen.id,
        org_id=chosen.org_id,
        after={"order_id": order.id, "amount_fen": gross, "used_fen": chosen.used_fen},
    )
    ledger.post(
        session,
        kind="credit_payment",
        legs=[
            ledger.Leg(debtor, Purpose.credit_receivable, gross, order_id=order.id),
            ledger.Leg(platform, Purpose.escrow, -gross, order_id=order.id),
        ],
        reference_type="order",
        reference_id=order.id,
        currency=order.currency,
        memo=f"order {order.number} paid on credit",
        dedupe_key=f"order-paid:{order.id}",
    )
    invoice = CreditInvoice(
        id=uuid7(),
        org_id=debtor,
        creditor_org_id=chosen.creditor_org_id,
        line_id=chosen.id,
        order_id=order.id,
        currency=order.currency,
        amount_fen=gross,
        repaid_fen=0,
        term_days=chosen.term_days,
        issued_at=now,
        due_at=due_at(now, chosen.term_days),
        status=CreditInvoiceStatus.open,
    )
    label(invoice, "credit.invoice")
    session.add(invoice)
    session.flush()
    return CreditPayment(order.id, order.status.value, invoice, chosen)


# ---- repayments ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repaid:
    repayment: CreditRepayment
    invoice: CreditInvoice
    line: CreditLine


def get_invoice(session: Session, invoice_id: uuid.UUID, *, platform: bool = False) -> CreditInvoice:
    repo = CreditInvoiceRepository(session)
    invoice = repo.get_any_tenant(invoice_id) if platform else repo.get(invoice_id)
    if invoice is None:
        raise CreditInvoiceNotFound()
    return invoice


def repayments(session: Session, invoice: CreditInvoice, *, platform: bool = False) -> list[CreditRepayment]:
    return CreditInvoiceRepository(session).repayments(invoice.id, any_tenant=platform)


def repay(
    session: Session,
    principal: Principal,
    invoice_id: uuid.UUID,
    data: RepaymentIn,
    *,
    now: datetime | None = None,
) -> Repaid:
    """Platform finance confirms a bank transfer received against a credit invoice (the platform
    collects every repayment in this version): the ``credit_repayment`` posting, the line's limit
    restored by the amount, the invoice closed once fully repaid. One confirmation per bank reference
    and invoice (``duplicate_repayment``)."""
    now = now or utcnow()
    received = data.received_at or now
    if received.tzinfo is None:
        raise ValidationFailed("received_at needs a time zone", field="received_at", code="invalid_time")
    if received > now:
        raise ValidationFailed("received_at is in the future", field="received_at", code="invalid_time")
    repo = CreditInvoiceRepository(session)
    invoice = repo.for_update_any_tenant(invoice_id)
    if invoice is None:
        raise CreditInvoiceNotFound()
    if data.currency != invoice.currency:
        raise CurrencyMismatch(f"the invoice is in {invoice.currency}", field="currency")
    if invoice.status == CreditInvoiceStatus.paid:
        raise InvoiceAlreadyPaid()
    outstanding = invoice.amount_fen - invoice.repaid_fen
    if data.amount_fen > outstanding:
        raise RepaymentTooLarge(
            f"the invoice still owes {outstanding} fen", field="amount_fen", outstanding_fen=outstanding
        )
    if repo.repayment_exists(invoice.id, data.bank_reference):
        raise DuplicateRepayment(field="bank_reference")
    if not CreditLineRepository(session).restore(invoice.line_id, data.amount_fen):
        raise RuntimeError(f"credit line {invoice.line_id}: used_fen below an invoice's outstanding amount")
    line = CreditLineRepository(session).get_any_tenant(invoice.line_id)
    assert line is not None
    CreditLineRepository(session).reload([line])
    record_event(
        session,
        "credit.restore",
        entity_type="credit_lines",
        entity_id=line.id,
        org_id=line.org_id,
        after={"invoice_id": invoice.id, "amount_fen": data.amount_fen, "used_fen": line.used_fen},
    )
    repayment = CreditRepayment(
        id=uuid7(),
        org_id=invoice.org_id,
        creditor_org_id=invoice.creditor_org_id,
        invoice_id=invoice.id,
        currency=invoice.currency,
        amount_fen=data.amount_fen,
        bank_reference=data.bank_reference,
        received_at=received,
        confirmed_by=principal.actor_label[:200],
        confirmed_by_id=principal.user_id,
        note=data.note,
    )
    session.add(repayment)
    invoice.repaid_fen += data.amount_fen  # the row is locked: repayments of one invoice queue
    if invoice.repaid_fen == invoice.amount_fen:
        invoice.status, invoice.paid_at = CreditInvoiceStatus.paid, received
    label(invoice, "credit.repay")
    session.flush()
    ledger.post(
        session,
        kind="credit_repayment",
        legs=[
            ledger.Leg(ledger.platform_org_id(session), Purpose.bank_clearing, data.amount_fen),
            ledger.Leg(
                invoice.org_id, Purpose.credit_receivable, -data.amount_fen, order_id=invoice.order_id
            ),
        ],
        reference_type="credit_invoice",
        reference_id=invoice.id,
        currency=invoice.currency,
        memo=f"credit repayment, bank reference {data.bank_reference}"[:500],
        dedupe_key=f"credit-repayment:{repayment.id}",
    )
    return Repaid(repayment, invoice, line)


# ---- refunds of credit-paid orders -----------------------------------------------------------------------


def refund_on_credit(
    session: Session, order_id: uuid.UUID, amount_fen: int, reason: str, *, now: datetime | None = None
) -> bool:
    """Give back ``amount_fen`` of an order paid on credit; ``False`` when it was not paid on credit.

    The money goes back the way it came: first by cancelling what the buyer still owes on the order's
    credit invoice (its amount is lowered, the line's limit restored); what the buyer had already repaid
    is owed back to them (``refunds_payable``). One ``refund`` posting: Dr escrow(order) · Cr
    credit_receivable(buyer) · Cr refunds_payable(buyer). The caller (escrow) guards against refunding
    the same cause twice and more than the order holds."""
    invoice = CreditInvoiceRepository(session).for_order_for_update_any_tenant(order_id)
    if invoice is None:
        return False
    now = now or utcnow()
    credited = min(amount_fen, invoice.amount_fen - invoice.repaid_fen)
    owed_back = amount_fen - credited
    if credited:
        if not CreditLineRepository(session).restore(invoice.line_id, credited):
            raise RuntimeError(f"credit line {invoice.line_id}: used_fen below the invoice's outstanding")
        record_event(
            session,
            "credit.restore",
            entity_type="credit_lines",
            entity_id=invoice.line_id,
            org_id=invoice.creditor_org_id,
            after={"invoice_id": invoice.id, "amount_fen": credited, "cause": "refund"},
        )
        invoice.amount_fen -= credited
        if invoice.amount_fen == invoice.repaid_fen:
            invoice.status, invoice.paid_at = CreditInvoiceStatus.paid, invoice.paid_at or now
        label(invoice, "credit.refund")
        session.flush()
    legs = [ledger.Leg(ledger.platform_org_id(session), Purpose.escrow, amount_fen, order_id=order_id)]
    if credited:
        legs.append(ledger.Leg(invoice.org_id, Purpose.credit_receivable, -credited, order_id=order_id))
    if owed_back:
        legs.append(ledger.Leg(invoice.org_id, Purpose.refunds_payable, -owed_back, order_id=order_id))
    ledger.post(
        session,
        kind="refund",
        legs=legs,
        reference_type="order",
        reference_id=order_id,
        currency=invoice.currency,
        memo=f"refund of a credit-paid order: {reason}"[:500],
    )
    return True


# ---- overdue -------------------------------------------------------------------------------------------


def mark_overdue(session: Session, *, now: datetime | None = None, limit: int = 500) -> list[uuid.UUID]:
    """Mark open invoices past due ``overdue`` (a batch of ``limit``) and tell both parties. Payment
    checks do not depend on this mark: they read ``due_at``."""
    now = now or utcnow()
    due = CreditInvoiceRepository(session).due_unmarked(now, limit)
    for invoice in due:
        invoice.status = CreditInvoiceStatus.overdue
        label(invoice, "credit.overdue")
        events.emit(
            session,
            "credit.invoice_overdue",
            org_ids=(invoice.org_id, invoice.creditor_org_id),
            subject_type="credit_invoice",
            subject_id=invoice.id,
            payload={
                "invoice_id": invoice.id,
                "order_id": invoice.order_id,
                "due_at": invoice.due_at,
                "outstanding_fen": invoice.amount_fen - invoice.repaid_fen,
            },
        )
    session.flush()
    return [x.id for x in due]


def verify(session: Session) -> list[str]:
    """Every line whose ``used_fen`` differs from Σ outstanding of its invoices (``[]`` when right)."""
    return [
        f"credit line {line_id}: used_fen {used} but its invoices owe {owed}"
        for line_id, used, owed in CreditLineRepository(session).used_vs_outstanding()
    ]


# ---- what the buyer could pay an order with (the payment page) -------------------------------------------


@dataclass(frozen=True)
class CreditOption:
    line: CreditLine
    available_fen: int
    usable: bool  # active and the order fits in what is available


@dataclass(frozen=True)
class CreditOptions:
    options: list[CreditOption]  # the lines pay_on_credit would try, in its order
    overdue: int  # the buyer's invoices unpaid past due (paying on credit is refused while any is)

    @property
    def payable(self) -> bool:
        return self.overdue == 0 and any(o.usable for o in self.options)


def credit_options(
    session: Session, principal: Principal, order_id: uuid.UUID, *, now: datetime | None = None
) -> CreditOptions:
    """The buyer's credit lines that :func:`pay_on_credit` would consider for this order (the
    supplier's first, then the platform's), each with what is available and whether the order fits,
    and how many of the buyer's invoices are overdue. Reads only."""
    order = orders.get_order(session, order_id)
    if order.org_id not in principal.scope:
        raise WrongParty("only the buyer pays an order; the supplier cannot pay it on credit")
    debtor = principal.root_company_id
    creditors = [order.supplier_org_id, ledger.platform_org_id(session)]
    lines = CreditLineRepository(session).of_debtor(debtor, creditors, order.currency)
    lines.sort(key=lambda x: creditors.index(x.creditor_org_id))
    overdue = CreditInvoiceRepository(session).overdue_of_debtor(debtor, now or utcnow())
    return CreditOptions(
        options=[
            CreditOption(
                x,
                _available(x),
                x.status == CreditLineStatus.active and _available(x) >= order.gross_fen,
            )
            for x in lines
        ],
        overdue=len(overdue),
    )
