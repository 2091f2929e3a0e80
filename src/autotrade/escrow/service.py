"""escrow: an order's money between payment and the supplier (交易担保).

The ``payment`` posting (payments) credits the order's escrow; what an order holds is
``-ledger.order_balance(escrow, O)``. Money leaves escrow in two ways only, each a balanced posting:

* **release** (:func:`release`) — the ``escrow_release`` posting of everything the order still holds:
  commission (per line, :mod:`autotrade.escrow.commission`) to the platform's revenue, the rest to the
  supplier's payable. On buyer completion, automatically N days after delivery (:func:`auto_release`),
  or when the platform decides a dispute. Never while a dispute is open (:class:`EscrowFrozen`); never
  twice (``escrow_releases.order_id`` is unique and the posting's dedupe key is
  ``escrow-release:<order id>``).
* **refund** (:func:`refund_order`, through payments' refund to the original method) — on cancellation
  after payment (everything held), when the supplier receives returned goods (the returned pieces'
  share of their lines' gross), on a dispute decision (the amount decided). Never more than the order
  holds (:class:`RefundExceedsEscrow`): escrow never goes negative. One refund per cancelled order,
  received return and decided dispute (``escrow_refunds`` unique on cause + reference).

The orders module calls these functions at those points, in its own transaction, with the order row
locked (services never commit).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from autotrade.core.db import utcnow, uuid7
from autotrade.core.pagination import paginate
from autotrade.core.settings import get_settings
from autotrade.core.tenancy import Principal
from autotrade.escrow.commission import commission_fen, pick_rate, return_share, spread
from autotrade.escrow.errors import EscrowFrozen, RefundExceedsEscrow
from autotrade.escrow.models import (
    EscrowRefund,
    EscrowRefundLine,
    EscrowRelease,
    OrderCommission,
    RefundCause,
    ReleaseTrigger,
)
from autotrade.escrow.repository import EscrowRepository, RateRepository, SupplierEscrowReads
from autotrade.ledger import service as ledger
from autotrade.ledger.models import Purpose
from autotrade.orders.models import (
    Dispute,
    DisputeDecision,
    Order,
    OrderLine,
    OrderStatus,
    Return,
    ReturnLine,
)
from autotrade.orders.parties import apply
from autotrade.orders.repository import OrderRepository
from autotrade.orders.states import Actor

RELEASABLE = (OrderStatus.delivered, OrderStatus.received, OrderStatus.completed)


def held_fen(session: Session, order: Order) -> int:
    """What the order holds in escrow now (escrow is a liability: its postings are credits)."""
    return -ledger.order_balance(session, Purpose.escrow, order.id, currency=order.currency)


# ---- refunds ---------------------------------------------------------------------------------------------


def refund_order(session: Session, order: Order, amount_fen: int, reason: str) -> None:
    """Move ``amount_fen`` out of the order's escrow back to the buyer's original payment method: the
    ``refund`` posting, through payments' refund of the payment that paid the order."""
    from autotrade.credit import service as credit  # credit → orders → escrow: imported late
    from autotrade.payments import service as payments  # payments → orders → escrow: imported late

    if credit.refund_on_credit(session, order.id, amount_fen, reason):
        return  # paid on credit: the buyer's debt is cancelled first (credit.service.refund_on_credit)
    payment = payments.order_payment(session, order.id)
    if payment is None:
        raise RefundExceedsEscrow(
            "the order was not paid through payments: there is no money to refund", field="amount_fen"
        )
    payments.refund(session, payment, amount_fen, reason)


def _record_refund(
    session: Session,
    order: Order,
    cause: RefundCause,
    reference_id: uuid.UUID,
    shares: dict[uuid.UUID, tuple[int, int | None]],
    reason: str,
) -> EscrowRefund | None:
    """Record and move one refund: ``shares`` maps line id → (fen, pieces or None). Nothing when the
    total is 0 or this cause + reference was refunded before."""
    repo = EscrowRepository(session)
    total = sum(fen for fen, _ in shares.values())
    if total <= 0 or repo.refund_exists(cause.value, reference_id):
        return None
    held = held_fen(session, order)
    if total > held:
        raise RefundExceedsEscrow(
            f"a refund of {total} fen is more than the {held} fen the order holds in escrow",
            field="amount_fen",
        )
    refund = EscrowRefund(
        id=uuid7(),
        org_id=order.org_id,
        supplier_org_id=order.supplier_org_id,
        order_id=order.id,
        cause=cause.value,
        reference_id=reference_id,
        amount_fen=total,
        currency=order.currency,
        reason=reason[:500],
    )
    session.add(refund)
    session.add_all(
        EscrowRefundLine(id=uuid7(), refund_id=refund.id, line_id=line_id, quantity=pieces, amount_fen=fen)
        for line_id, (fen, pieces) in shares.items()
        if fen > 0
    )
    session.flush()
    refund_order(session, order, total, reason)
    return refund


def _remaining(session: Session, order: Order) -> list[tuple[OrderLine, int]]:
    """Each line of the order with what it still holds (its gross minus what was refunded of it)."""
    repo = EscrowRepository(session)
    refunded = repo.refunded_by_line(order.id)
    return [
        (line, max(line.gross_fen - refunded.get(line.id, 0), 0))
        for line, _ in repo.lines_with_paths(order.id)
    ]


def _spread_shares(
    session: Session, order: Order, amount_fen: int
) -> dict[uuid.UUID, tuple[int, int | None]]:
    remaining = _remaining(session, order)
    weights = [left for _, left in remaining]
    if amount_fen > sum(weights):
        raise RefundExceedsEscrow(
            f"a refund of {amount_fen} fen is more than the {sum(weights)} fen the order's lines still hold",
            field="amount_fen",
        )
    return {
        line.id: (fen, None) for (line, _), fen in zip(remaining, spread(amount_fen, weights), strict=True)
    }


def on_cancel(session: Session, order: Order, reason: str | None) -> EscrowRefund | None:
    """Cancellation after payment: everything the order holds goes back to the buyer."""
    if order.paid_at is None:
        return None
    held = held_fen(session, order)
    if held <= 0:
        return None
    shares = _spread_shares(session, order, min(held, sum(left for _, left in _remaining(session, order))))
    return _record_refund(
        session, order, RefundCause.cancellation, order.id, shares, f"order cancelled: {reason or ''}".strip()
    )


def on_return_received(
    session: Session, order: Order, ret: Return, lines: list[ReturnLine]
) -> EscrowRefund | None:
    """The supplier received returned goods: refund the returned pieces' share of their lines' gross
    (:func:`~autotrade.escrow.commission.return_share`), at most what each line and the order still
    hold. After release (a completed order) escrow holds nothing and no refund is made here."""
    repo = EscrowRepository(session)
    before = repo.returned_pieces(order.id)
    left = dict((line.id, held) for line, held in _remaining(session, order))
    by_id = {line.id: line for line, _ in repo.lines_with_paths(order.id)}
    shares: dict[uuid.UUID, tuple[int, int | None]] = {}
    for x in lines:
        line = by_id[x.line_id]
        fen = return_share(line.gross_fen, line.quantity, before.get(line.id, 0), x.quantity)
        fen = min(fen, left.get(line.id, 0))
        before[line.id] = before.get(line.id, 0) + x.quantity
        left[line.id] = left.get(line.id, 0) - fen
        old_fen, old_q = shares.get(line.id, (0, 0))
        shares[line.id] = (old_fen + fen, (old_q or 0) + x.quantity)
    held = held_fen(session, order)
    total = sum(fen for fen, _ in shares.values())
    if total > held:  # released already, or partly refunded: refund what escrow still holds
        ids = list(shares)
        capped = spread(max(held, 0), [shares[i][0] for i in ids]) if held > 0 else [0] * len(ids)
        shares = {i: (fen, shares[i][1]) for i, fen in zip(ids, capped, strict=True)}
    return _record_refund(
        session, order, RefundCause.return_, ret.id, shares, f"return received: {ret.reason}"
    )


def on_dispute_decided(session: Session, order: Order, dispute: Dispute) -> EscrowRelease | None:
    """The platform's decision moves the money: a refund (full: everything held; partial: the amount),
    then — for ``release`` and ``refund_partial`` once the goods were delivered — the release of the
    rest. Before delivery the rest stays in escrow and is released on completion as usual."""
    EscrowRepository(session).lock_order(order.id)  # the same object, now row-locked
    if dispute.decision == DisputeDecision.refund_full:
        held = held_fen(session, order)
        if held > 0:
            shares = _spread_shares(session, order, held)
            _record_refund(session, order, RefundCause.dispute, dispute.id, shares, "dispute: full refund")
        return None
    if dispute.decision == DisputeDecision.refund_partial and dispute.amount_fen:
        held = held_fen(session, order)
        if dispute.amount_fen > held:
            raise RefundExceedsEscrow(
                f"the order holds {held} fen in escrow; a refund of {dispute.amount_fen} fen is more",
                field="amount_fen",
            )
        shares = _spread_shares(session, order, dispute.amount_fen)
        _record_refund(session, order, RefundCause.dispute, dispute.id, shares, "dispute: partial refund")
    if order.status in RELEASABLE and EscrowRepository(session).release_of(order.id) is None:
        return release(session, order, ReleaseTrigger.dispute)
    return None


# ---- release ---------------------------------------------------------------------------------------------


@dataclass
class CommissionLine:
    line: OrderLine
    rate_id: uuid.UUID | None
    trade_type: str
    rate_bp: int
    base_fen: int
    commission_fen: int


@dataclass
class CommissionPlan:
    lines: list[CommissionLine] = field(default_factory=list)

    @property
    def base_fen(self) -> int:
        return sum(x.base_fen for x in self.lines)

    @property
    def commission_fen(self) -> int:
        return sum(x.commission_fen for x in self.lines)


def commission_plan(session: Session, order: Order) -> CommissionPlan:
    """The commission of each line of the order, at the rates in force when it was placed, on what each
    line still holds (gross minus refunds)."""
    repo = EscrowRepository(session)
    refunded = repo.refunded_by_line(order.id)
    rates = RateRepository(session).rows_at([order.placed_at])
    plan = CommissionPlan()
    for line, path in repo.lines_with_paths(order.id):
        rate, trade = pick_rate(rates, path, order.placed_at)
        bp = rate.rate_bp if rate else 0
        base = max(line.gross_fen - refunded.get(line.id, 0), 0)
        plan.lines.append(
            CommissionLine(line, rate.id if rate else None, trade, bp, base, commission_fen(base, bp))
        )
    return plan


def release(
    session: Session, order: Order, trigger: ReleaseTrigger, *, at: datetime | None = None
) -> EscrowRelease:
    """Release what the order holds: commission to the platform, the rest to the supplier's payable (the
    ``escrow_release`` posting). The caller holds the order row lock. Refused while a dispute is open;
    a second call returns the first release and moves nothing."""
    repo = EscrowRepository(session)
    done = repo.release_of(order.id)
    if done is not None:
        return done
    if repo.open_dispute(order.id):
        raise EscrowFrozen("the order has an open dispute: platform staff decide it first")
    now = at or utcnow()
    held = max(held_fen(session, order), 0)
    plan = commission_plan(session, order)
    commission = min(plan.commission_fen, held)
    row = EscrowRelease(
        id=uuid7(),
        org_id=order.org_id,
        supplier_org_id=order.supplier_org_id,
        order_id=order.id,
        trigger=trigger.value,
        amount_fen=held,
        commission_fen=commission,
        payable_fen=held - commission,
        currency=order.currency,
        released_at=now,
    )
    if held > 0:
        platform = ledger.platform_org_id(session)
        legs = [ledger.Leg(platform, Purpose.escrow, held, order.id)]
        if held - commission:
            legs.append(
                ledger.Leg(order.supplier_org_id, Purpose.supplier_payable, -(held - commission), order.id)
            )
        if commission:
            legs.append(ledger.Leg(platform, Purpose.commission_revenue, -commission, order.id))
        entry = ledger.post(
            session,
            kind="escrow_release",
            legs=legs,
            reference_type="order",
            reference_id=order.id,
            currency=order.currency,
            memo=f"escrow of {order.number} released ({trigger.value})",
            dedupe_key=f"escrow-release:{order.id}",
        )
        row.journal_entry_id = entry.id
    session.add(row)
    session.add_all(
        OrderCommission(
            id=uuid7(),
            org_id=order.supplier_org_id,
            release_id=row.id,
            order_id=order.id,
            line_id=x.line.id,
            rate_id=x.rate_id,
            trade_type=x.trade_type,
            rate_bp=x.rate_bp,
            base_fen=x.base_fen,
            commission_fen=x.commission_fen,
            currency=order.currency,
        )
        for x in plan.lines
    )
    session.flush()
    return row


def on_complete(session: Session, order: Order) -> EscrowRelease | None:
    """The buyer completed the order (orders' ``complete``): release its escrow."""
    if order.paid_at is None:
        return None
    return release(session, order, ReleaseTrigger.completion)


AUTO_RELEASE_NOTE = "auto-completed: no dispute or return within {days} days of delivery"


def auto_release(session: Session, *, now: datetime | None = None, limit: int = 500) -> list[uuid.UUID]:
    """Complete (as the system) and release up to ``limit`` orders delivered at least
    ``AUTOTRADE_ESCROW_AUTO_RELEASE_DAYS`` ago with no open dispute or return. Orders are taken with
    ``SKIP LOCKED`` (PostgreSQL): two workers share the work, never the same order. A delivered order
    not yet inspected counts as received in full (默认收货). Returns the ids released."""
    now = now or utcnow()
    days = get_settings().escrow_auto_release_days
    due = EscrowRepository(session).due_for_auto_release(now - timedelta(days=days), limit)
    actor = Actor.system("escrow.auto_release")
    done: list[uuid.UUID] = []
    for order in due:
        if order.status == OrderStatus.delivered:
            for line, _ in EscrowRepository(session).lines_with_paths(order.id):
                line.received_quantity = line.shipped_quantity
        apply(session, order, "auto_complete", actor, note=AUTO_RELEASE_NOTE.format(days=days), at=now)
        if order.paid_at is not None:
            release(session, order, ReleaseTrigger.auto, at=now)
        done.append(order.id)
    session.flush()
    return done


# ---- reads -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscrowView:
    order: Order
    held_fen: int
    release: EscrowRelease | None
    refunds: list[EscrowRefund]
    commissions: list[OrderCommission]
    frozen: bool

    @property
    def refunded_fen(self) -> int:
        return sum(r.amount_fen for r in self.refunds)


def view(session: Session, order: Order) -> EscrowView:
    """The escrow of an order the caller may see (loaded under the tenant filter first). Commission lines
    are the supplier's rows: the buyer sees the total only."""
    repo = EscrowRepository(session)
    return EscrowView(
        order=order,
        held_fen=held_fen(session, order),
        release=repo.release_of(order.id),
        refunds=repo.refunds_of(order.id),
        commissions=repo.commissions_of(order.id),
        frozen=repo.open_dispute(order.id),
    )


# ---- the supplier's escrow (settlement page) ---------------------------------------------------------


def supplier_releases(
    session: Session, principal: Principal, *, cursor: str | None, limit: int
) -> tuple[list[tuple[EscrowRelease, str]], str | None]:
    """Releases of the caller's sales orders, newest first, each with its order number: what left
    escrow (gross), the commission and the net credited to the caller's payable."""
    rows, nxt = paginate(
        session,
        SupplierEscrowReads(session).releases(principal.scope),
        EscrowRelease.id,
        cursor=cursor,
        limit=limit,
    )
    orders = OrderRepository(session).by_ids(r.order_id for r in rows)
    return [(r, orders[r.order_id].number if r.order_id in orders else "") for r in rows], nxt


def held_for_supplier(session: Session, principal: Principal, *, currency: str = "CNY") -> int:
    """What the caller's sales orders hold in escrow now (paid, not yet released or refunded)."""
    return SupplierEscrowReads(session).held(principal.scope, currency)
