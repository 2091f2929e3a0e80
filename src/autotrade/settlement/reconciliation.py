"""The reconciliation report: orders vs payments vs the ledger, every difference listed.

Three sources, each compared with the others (``docs/settlement.md`` lists the kinds):

* **payments ↔ ledger**, per payment: a payment that took money (succeeded, refunded, partially
  refunded) has exactly one ``payment`` entry (reference ``payment``/its id) crediting escrow with its
  amount; every ``payment`` entry belongs to such a payment; its ``refunded_fen`` equals the
  ``refund`` entries that name it.
* **orders ↔ payments**, per order: a paid order has one payment that paid it (``pays_order``), of
  the order's gross; a payment that paid an order points at an order marked paid.
* **orders ↔ ledger**, per order: a paid order has money in escrow from a ``payment`` or
  ``credit_payment`` entry equal to its gross; escrow held + released + refunded = paid in; nothing
  is held negative; a completed order holds nothing (released) and so does a cancelled one (refunded);
  the platform's escrow account equals the sum of what the orders hold.

Read-only; platform finance (cross-company reads in ``FinanceReads``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.ledger import service as ledger
from autotrade.ledger.models import Purpose
from autotrade.ledger.service import NoPlatformCompany
from autotrade.orders.models import Order, OrderStatus
from autotrade.payments.models import Payment, PaymentStatus, ProviderName
from autotrade.settlement.repository import FinanceReads

TOOK_MONEY = frozenset({PaymentStatus.succeeded, PaymentStatus.refunded, PaymentStatus.partially_refunded})
PAYING_KINDS = ("payment", "credit_payment")


@dataclass
class Difference:
    kind: str
    detail: str
    order_id: uuid.UUID | None = None
    order_number: str | None = None
    payment_ids: list[uuid.UUID] = field(default_factory=list)
    entry_ids: list[uuid.UUID] = field(default_factory=list)
    expected_fen: int | None = None
    actual_fen: int | None = None


@dataclass
class Report:
    checked_at: datetime
    orders_checked: int
    payments_checked: int
    entries_checked: int
    differences: list[Difference]

    @property
    def clean(self) -> bool:
        return not self.differences


@dataclass
class _OrderMoney:
    paid_in: int = 0  # escrow credits of payment / credit_payment entries
    credit_paid_in: int = 0  # of which credit_payment
    released: int = 0
    refunded: int = 0
    other: int = 0  # escrow postings of any other kind (signed)
    escrow_sum: int = 0  # Σ escrow postings (−held)
    entries: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def reconcile(session: Session) -> Report:
    reads = FinanceReads(session)
    postings = reads.order_postings()
    payments = reads.payments()

    money: dict[uuid.UUID, _OrderMoney] = defaultdict(_OrderMoney)
    # per payment: escrow credited by its payment entry, refunded by its refund entries
    pay_entry: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(lambda: defaultdict(int))
    refund_by_payment: dict[uuid.UUID, int] = defaultdict(int)
    refund_entries_by_payment: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for order_id, entry_id, kind, _dedupe, ref_type, ref_id, purpose, amount in postings:
        if purpose != Purpose.escrow:
            continue
        m = money[order_id]
        m.escrow_sum += amount
        m.entries[kind].add(entry_id)
        if kind in PAYING_KINDS:
            m.paid_in -= amount
            if kind == "credit_payment":
                m.credit_paid_in -= amount
        elif kind == "escrow_release":
            m.released += amount
        elif kind == "refund":
            m.refunded += amount
        else:
            m.other += amount
        pid = _uuid(ref_id) if ref_type == "payment" else None
        if pid is not None and kind == "payment":
            pay_entry[pid][entry_id] -= amount
        if pid is not None and kind == "refund":
            refund_by_payment[pid] += amount
            refund_entries_by_payment[pid].add(entry_id)

    by_order_payments: dict[uuid.UUID, list[Payment]] = defaultdict(list)
    for p in payments:
        by_order_payments[p.order_id].append(p)
    orders = reads.orders_for_reconciliation(set(money) | set(by_order_payments))
    order_by_id: dict[uuid.UUID, Order] = {o.id: o for o in orders}
    diffs: list[Difference] = []

    def number(oid: uuid.UUID | None) -> str | None:
        o = order_by_id.get(oid) if oid else None
        return o.number if o else None

    # --- payments ↔ ledger ---------------------------------------------------------------------------
    payment_ids = {p.id for p in payments}
    for p in payments:
        entries = pay_entry.get(p.id, {})
        took = p.status in TOOK_MONEY
        if took and not entries and p.provider != ProviderName.credit:
            diffs.append(
                Difference(
                    "payment_without_entry",
                    f"payment {p.id} ({p.status.value}, {p.amount_fen} fen) has no payment entry",
                    p.order_id,
                    number(p.order_id),
                    [p.id],
                    expected_fen=p.amount_fen,
                    actual_fen=0,
                )
            )
        elif entries and not took:
            diffs.append(
                Difference(
                    "entry_without_payment",
                    f"the ledger holds money of payment {p.id}, which is {p.status.value}",
                    p.order_id,
                    number(p.order_id),
                    [p.id],
                    sorted(entries),
                    expected_fen=0,
                    actual_fen=sum(entries.values()),
                )
            )
        elif entries and (len(entries) > 1 or sum(entries.values()) != p.amount_fen):
            diffs.append(
                Difference(
                    "payment_amount_mismatch",
                    f"payment {p.id} is {p.amount_fen} fen; its ledger entries credit escrow with "
                    f"{sum(entries.values())} fen",
                    p.order_id,
                    number(p.order_id),
                    [p.id],
                    sorted(entries),
                    expected_fen=p.amount_fen,
                    actual_fen=sum(entries.values()),
                )
            )
        if p.refunded_fen != refund_by_payment.get(p.id, 0):
            diffs.append(
                Difference(
                    "refund_mismatch",
                    f"payment {p.id} says {p.refunded_fen} fen refunded; the ledger refunded "
                    f"{refund_by_payment.get(p.id, 0)} fen",
                    p.order_id,
                    number(p.order_id),
                    [p.id],
                    sorted(refund_entries_by_payment.get(p.id, set())),
                    expected_fen=p.refunded_fen,
                    actual_fen=refund_by_payment.get(p.id, 0),
                )
            )
    for pid, entries in pay_entry.items():
        if pid not in payment_ids:
            diffs.append(
                Difference(
                    "entry_without_payment",
                    f"payment entry names payment {pid}, which does not exist",
                    entry_ids=sorted(entries),
                    expected_fen=0,
                    actual_fen=sum(entries.values()),
                )
            )
    for entry in reads.payment_entries():
        if entry.reference_type != "payment" or _uuid(entry.reference_id) is None:
            diffs.append(
                Difference(
                    "entry_without_payment",
                    f"payment entry {entry.id} names no payment: {entry.reference_type} {entry.reference_id}"[
                        :300
                    ],
                    entry_ids=[entry.id],
                )
            )

    # --- orders ↔ payments and orders ↔ ledger -----------------------------------------------------------
    for o in orders:
        m = money.get(o.id, _OrderMoney())
        ps = by_order_payments.get(o.id, [])
        paying = [p for p in ps if p.pays_order and p.status in TOOK_MONEY]
        ids = [p.id for p in ps]
        entry_ids = sorted({e for s in m.entries.values() for e in s})
        paid = o.paid_at is not None
        on_credit = m.credit_paid_in > 0
        if paid and not paying and not on_credit:
            diffs.append(
                Difference(
                    "order_paid_without_payment",
                    f"order {o.number} is marked paid but no payment paid it",
                    o.id,
                    o.number,
                    ids,
                    entry_ids,
                    expected_fen=o.gross_fen,
                    actual_fen=0,
                )
            )
        elif paid and paying and sum(p.amount_fen for p in paying) != o.gross_fen:
            diffs.append(
                Difference(
                    "order_payment_amount_mismatch",
                    f"order {o.number} costs {o.gross_fen} fen; the payment that paid it is "
                    f"{sum(p.amount_fen for p in paying)} fen",
                    o.id,
                    o.number,
                    [p.id for p in paying],
                    entry_ids,
                    expected_fen=o.gross_fen,
                    actual_fen=sum(p.amount_fen for p in paying),
                )
            )
        if paying and not paid:
            diffs.append(
                Difference(
                    "payment_for_unpaid_order",
                    f"payment {paying[0].id} paid order {o.number}, which is not marked paid",
                    o.id,
                    o.number,
                    [p.id for p in paying],
                    entry_ids,
                )
            )
        paying_entries = sorted(m.entries.get("payment", set()) | m.entries.get("credit_payment", set()))
        surplus = sum(p.amount_fen for p in ps if p.status in TOOK_MONEY and not p.pays_order)
        if paid and not paying_entries:
            diffs.append(
                Difference(
                    "order_paid_without_entry",
                    f"order {o.number} is marked paid but the ledger holds no payment for it",
                    o.id,
                    o.number,
                    ids,
                    entry_ids,
                    expected_fen=o.gross_fen,
                    actual_fen=0,
                )
            )
        elif paid and m.paid_in - surplus != o.gross_fen:
            diffs.append(
                Difference(
                    "order_ledger_amount_mismatch",
                    f"order {o.number} costs {o.gross_fen} fen; the ledger took {m.paid_in - surplus} fen "
                    "into escrow for it",
                    o.id,
                    o.number,
                    ids,
                    paying_entries,
                    expected_fen=o.gross_fen,
                    actual_fen=m.paid_in - surplus,
                )
            )
        elif not paid and m.paid_in and m.paid_in != m.refunded:
            diffs.append(
                Difference(
                    "unpaid_order_holds_money",
                    f"order {o.number} is not marked paid, yet {m.paid_in} fen came in and {m.refunded} fen "
                    "went back",
                    o.id,
                    o.number,
                    ids,
                    entry_ids,
                    expected_fen=m.paid_in,
                    actual_fen=m.refunded,
                )
            )
        held = -m.escrow_sum
        if held + m.released + m.refunded != m.paid_in:
            diffs.append(
                Difference(
                    "escrow_identity",
                    f"order {o.number}: held {held} + released {m.released} + refunded {m.refunded} ≠ paid "
                    f"{m.paid_in} (escrow postings of other kinds: {m.other} fen)",
                    o.id,
                    o.number,
                    ids,
                    entry_ids,
                    expected_fen=m.paid_in,
                    actual_fen=held + m.released + m.refunded,
                )
            )
        if held < 0:
            diffs.append(
                Difference(
                    "escrow_negative",
                    f"order {o.number} holds {held} fen in escrow",
                    o.id,
                    o.number,
                    ids,
                    entry_ids,
                    expected_fen=0,
                    actual_fen=held,
                )
            )
        elif held and o.status in (OrderStatus.completed, OrderStatus.cancelled):
            kind = "escrow_not_released" if o.status == OrderStatus.completed else "escrow_not_refunded"
            diffs.append(
                Difference(
                    kind,
                    f"order {o.number} is {o.status.value} but still holds {held} fen in escrow",
                    o.id,
                    o.number,
                    ids,
                    entry_ids,
                    expected_fen=0,
                    actual_fen=held,
                )
            )

    # --- the platform's escrow account -------------------------------------------------------------------
    try:
        platform = ledger.platform_org_id(session)
    except NoPlatformCompany:
        platform = None
    if platform is not None:
        account_held = -ledger.balance(session, platform, Purpose.escrow)
        orders_held = -sum(m.escrow_sum for m in money.values())
        loose = reads.escrow_without_order()
        if account_held != orders_held or loose:
            diffs.append(
                Difference(
                    "escrow_total_mismatch",
                    f"the escrow account holds {account_held} fen; the orders hold {orders_held} fen "
                    f"({len(loose)} escrow posting(s) name no order)",
                    entry_ids=sorted({e for e, _ in loose}),
                    expected_fen=orders_held,
                    actual_fen=account_held,
                )
            )
    return Report(utcnow(), len(orders), len(payments), reads.entry_count(), diffs)
