"""What the books say about orders, read straight from the tables, for the property test of the money
flows (tests/test_money_properties.py): per order, the escrow postings by kind; the payments rows and
the credit invoice; every global invariant (ledger, credit, stock) as a list of problems; a
fingerprint of the state a refused request must leave untouched."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from autotrade.core.db import Base
from autotrade.credit import service as credit
from autotrade.credit.models import CreditInvoice, CreditLine
from autotrade.inventory.models import StockLevel, StockMovement
from autotrade.ledger import service as ledger
from autotrade.ledger.models import JournalEntry, LedgerAccount, LedgerPosting, Purpose
from autotrade.orders.models import Order, OrderAllocation
from autotrade.payments.models import Payment, PaymentStatus

TOOK_MONEY = (PaymentStatus.succeeded, PaymentStatus.refunded, PaymentStatus.partially_refunded)
PAYING = ("payment", "credit_payment")


@dataclass
class OrderBooks:
    """One order's money as the ledger, the payments rows and the credit invoice tell it."""

    status: str
    gross: int
    paid: bool  # paid_at is set
    # the ledger: escrow postings of the order, by kind
    paid_in: int = 0  # escrow credited by payment / credit_payment entries
    released: int = 0  # escrow debited by escrow_release
    refunded: int = 0  # escrow debited by refund
    other: int = 0  # escrow postings of any other kind (signed): must stay 0
    held: int = 0  # −Σ escrow postings
    owed_back: int = 0  # refunds_payable credited to the buyer for this order (credit refunds)
    # the payments rows and the credit invoice
    payments_in: int = 0  # Σ amount of the order's payments that took money
    payments_refunded: int = 0  # Σ refunded_fen of them
    invoice_amount: int | None = None  # what the credit invoice asks now (lowered by credit refunds)


def order_books(s: Session, order_ids: list[uuid.UUID]) -> dict[uuid.UUID, OrderBooks]:
    out: dict[uuid.UUID, OrderBooks] = {}
    if not order_ids:
        return out
    for oid, status, gross, paid_at in s.execute(
        select(Order.id, Order.status, Order.gross_fen, Order.paid_at)
        .where(Order.id.in_(order_ids))
        .execution_options(all_tenants=True)
    ):
        out[oid] = OrderBooks(status=status.value, gross=gross, paid=paid_at is not None)
    rows = s.execute(
        select(LedgerPosting.order_id, JournalEntry.kind, LedgerAccount.purpose, LedgerPosting.amount_fen)
        .join(JournalEntry, JournalEntry.id == LedgerPosting.entry_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(LedgerPosting.order_id.in_(order_ids))
        .execution_options(all_tenants=True)
    )
    for oid, kind, purpose, amount in rows:
        b = out[oid]
        if purpose == Purpose.refunds_payable:
            b.owed_back -= amount
        if purpose != Purpose.escrow:
            continue
        b.held -= amount
        if kind in PAYING:
            b.paid_in -= amount
        elif kind == "escrow_release":
            b.released += amount
        elif kind == "refund":
            b.refunded += amount
        else:
            b.other += amount
    for oid, status, amount, refunded in s.execute(
        select(Payment.order_id, Payment.status, Payment.amount_fen, Payment.refunded_fen)
        .where(Payment.order_id.in_(order_ids))
        .execution_options(all_tenants=True)
    ):
        if status in TOOK_MONEY:
            out[oid].payments_in += amount
            out[oid].payments_refunded += refunded
        else:
            assert refunded == 0, f"payment of order {oid} is {status.value} with {refunded} fen refunded"
    for oid, amount in s.execute(
        select(CreditInvoice.order_id, CreditInvoice.amount_fen)
        .where(CreditInvoice.order_id.in_(order_ids))
        .execution_options(all_tenants=True)
    ):
        assert out[oid].invoice_amount is None, f"order {oid} has two credit invoices"
        out[oid].invoice_amount = amount
    return out


def book_problems(oid: uuid.UUID, b: OrderBooks) -> list[str]:
    """The per-order identities: paid-in = held + released + refunded (ledger), never negative, and the
    ledger agrees with the payments rows and the credit invoice."""
    p: list[str] = []
    if b.held + b.released + b.refunded != b.paid_in or b.other:
        p.append(f"{oid}: held {b.held} + released {b.released} + refunded {b.refunded} ≠ paid {b.paid_in}")
    if b.held < 0:
        p.append(f"{oid}: escrow negative ({b.held})")
    on_credit = b.gross if b.invoice_amount is not None else 0
    if b.paid_in != b.payments_in + on_credit:
        p.append(f"{oid}: ledger took {b.paid_in}, payments {b.payments_in} + credit {on_credit}")
    credit_refunded = (b.gross - b.invoice_amount + b.owed_back) if b.invoice_amount is not None else 0
    if b.refunded != b.payments_refunded + credit_refunded:
        p.append(
            f"{oid}: ledger refunded {b.refunded}, payments {b.payments_refunded} + credit {credit_refunded}"
        )
    if b.invoice_amount is None and b.owed_back:
        p.append(f"{oid}: {b.owed_back} fen owed back without a credit invoice")
    if b.status in ("completed", "cancelled") and b.held:
        p.append(f"{oid}: {b.status} but holds {b.held} fen")
    if not b.paid and b.held:
        p.append(f"{oid}: unpaid but holds {b.held} fen")
    if b.paid and b.paid_in < b.gross:
        p.append(f"{oid}: paid, but only {b.paid_in} of its gross {b.gross} fen came in")
    if not b.paid and b.invoice_amount is not None:
        p.append(f"{oid}: a credit invoice for an unpaid order")
    return p


def stock_problems(s: Session) -> list[str]:
    """Every stock level: on hand / reserved = Σ its movements; reserved = what unreleased allocations
    still hold (quantity − shipped); 0 ≤ reserved ≤ on hand (the query of bench_orders_seed)."""
    al = OrderAllocation.__table__
    held = (
        select(al.c.warehouse_id, al.c.part_id, func.sum(al.c.quantity - al.c.shipped_quantity).label("q"))
        .where(al.c.released.is_(False))
        .group_by(al.c.warehouse_id, al.c.part_id)
        .subquery()
    )
    sl = StockLevel.__table__
    mv = StockMovement.__table__
    rows = s.execute(
        select(sl.c.id, sl.c.on_hand, sl.c.reserved, func.coalesce(held.c.q, 0)).select_from(
            sl.outerjoin(held, (held.c.warehouse_id == sl.c.warehouse_id) & (held.c.part_id == sl.c.part_id))
        )
    ).all()
    sums = {
        r[0]: (int(r[1]), int(r[2]))
        for r in s.execute(
            select(mv.c.stock_level_id, func.sum(mv.c.on_hand_delta), func.sum(mv.c.reserved_delta)).group_by(
                mv.c.stock_level_id
            )
        )
    }
    out = []
    for lid, on_hand, reserved, q in rows:
        if sums.get(lid, (0, 0)) != (on_hand, reserved):
            out.append(f"stock level {lid}: ({on_hand}, {reserved}) but movements say {sums.get(lid)}")
        if reserved != q:
            out.append(f"stock level {lid}: reserved {reserved} but allocations hold {q}")
        if not 0 <= reserved <= on_hand:
            out.append(f"stock level {lid}: reserved {reserved}, on hand {on_hand}")
    return out


def global_problems(s: Session, platform: uuid.UUID) -> list[str]:
    """Everything that must hold for the whole database: the ledger verifies, credit lines match their
    invoices, stock matches movements and allocations, no company's account is on the wrong side."""
    out = [f"ledger: {p}" for p in ledger.verify(s)]
    out += [f"credit: {p}" for p in credit.verify(s)]
    out += stock_problems(s)
    for org, purpose, balance in s.execute(
        select(LedgerAccount.org_id, LedgerAccount.purpose, LedgerAccount.balance_fen).execution_options(
            all_tenants=True
        )
    ):
        wrong = (
            (purpose == Purpose.supplier_payable and balance > 0)  # paid out more than owed
            or (purpose == Purpose.credit_receivable and balance < 0)  # repaid more than owed
            or (purpose == Purpose.refunds_payable and balance > 0)
            or (purpose == Purpose.escrow and balance > 0)
        )
        if wrong:
            out.append(f"account {org} {purpose.value}: balance {balance} on the wrong side")
    for line_id, used, limit in s.execute(
        select(CreditLine.id, CreditLine.used_fen, CreditLine.limit_fen).execution_options(all_tenants=True)
    ):
        if used < 0:
            out.append(f"credit line {line_id}: used {used} (limit {limit})")
    assert platform  # the escrow account belongs to it
    return out


def fingerprint(s: Session, order_ids: list[uuid.UUID]) -> dict[str, Any]:
    """What a refused request must not change: every table's row count, the orders' statuses, the
    payments, the credit lines, the ledger balances and the stock levels."""
    counts = {
        t: int(s.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in Base.metadata.tables
    }
    statuses = dict(
        s.execute(
            select(Order.id, Order.status).where(Order.id.in_(order_ids)).execution_options(all_tenants=True)
        ).all()
    )
    pays = sorted(
        (str(r[0]), r[1].value, r[2])
        for r in s.execute(
            select(Payment.id, Payment.status, Payment.refunded_fen).execution_options(all_tenants=True)
        )
    )
    lines = sorted(
        (str(r[0]), r[1], r[2].value)
        for r in s.execute(
            select(CreditLine.id, CreditLine.used_fen, CreditLine.status).execution_options(all_tenants=True)
        )
    )
    balances = defaultdict(int)
    for org, purpose, bal in s.execute(
        select(LedgerAccount.org_id, LedgerAccount.purpose, LedgerAccount.balance_fen).execution_options(
            all_tenants=True
        )
    ):
        balances[f"{org}:{purpose.value}"] = bal
    stock = sorted(
        (str(r[0]), r[1], r[2])
        for r in s.execute(select(StockLevel.id, StockLevel.on_hand, StockLevel.reserved))
    )
    return {
        "counts": counts,
        "statuses": statuses,
        "payments": pays,
        "credit": lines,
        "balances": dict(balances),
        "stock": stock,
    }
