"""settlement: statements and payouts (business rules; never commit, only flush).

A statement is computed from ledger postings only (``docs/settlement.md``): the supplier's
``supplier_payable`` account gives the opening balance (Σ postings before the period), every entry
posted on it in the period (``escrow_release``: gross out of escrow, commission, net to the supplier;
``payout``; anything else an adjustment) and the closing balance; ``refund`` entries of the supplier's
orders are listed for information (they leave escrow before any release and do not change what the
supplier is owed). Payable amounts are positive when the platform owes the supplier (the account is a
liability: payable = −Σ postings).
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from autotrade.audit import service as audit
from autotrade.core.db import utcnow, uuid7
from autotrade.core.tenancy import Principal, current_principal
from autotrade.ledger import service as ledger
from autotrade.ledger.models import Purpose
from autotrade.settlement import periods
from autotrade.settlement.errors import (
    DuplicateBankReference,
    InvalidAmount,
    PayoutExceedsPayable,
    StatementNotFound,
    SupplierNotFound,
)
from autotrade.settlement.models import LineKind, Payout, SettlementLine, SettlementStatement
from autotrade.settlement.repository import FinanceReads, PayoutRepository, StatementRepository

CURRENCY = "CNY"


def _actor(session: Session) -> str:
    p = current_principal(session)
    return (p.actor_label if p else str(session.info.get("actor_label", "system")))[:200]


# ---- computing a statement ----------------------------------------------------------------------------


@dataclass
class Line:
    kind: LineKind
    entry_id: uuid.UUID
    occurred_at: datetime
    order_id: uuid.UUID | None = None
    reference: str | None = None
    gross_fen: int = 0
    commission_fen: int = 0
    payable_fen: int = 0  # effect on what the platform owes the supplier


@dataclass
class Computed:
    supplier_org_id: uuid.UUID
    period: periods.Period
    opening_payable_fen: int
    closing_payable_fen: int
    lines: list[Line] = field(default_factory=list)

    def total(self, kind: LineKind, attr: str) -> int:
        return sum(getattr(x, attr) for x in self.lines if x.kind == kind)


def compute(session: Session, supplier_org_id: uuid.UUID, period: periods.Period) -> Computed:
    """The statement of one supplier for one period, from ledger postings (no writes)."""
    reads = FinanceReads(session)
    account = reads.payable_account(supplier_org_id, CURRENCY)
    opening = closing = 0
    lines: list[Line] = []
    if account is not None:
        opening = -reads.account_sum_before(account, period.start)
        closing = -reads.account_sum_before(account, period.end)
        rows = reads.account_postings_between(account, period.start, period.end)
        legs = reads.legs_of(e.id for _, e in rows)
        payouts = PayoutRepository(session).platform_by_entries(e.id for _, e in rows if e.kind == "payout")
        by_entry: dict[uuid.UUID, list[tuple[Purpose, uuid.UUID, int, uuid.UUID | None]]] = {}
        for entry_id, purpose, org_id, amount, order_id in legs:
            by_entry.setdefault(entry_id, []).append((purpose, org_id, amount, order_id))
        for posting, entry in rows:
            effect = -posting.amount_fen
            entry_legs = by_entry.get(entry.id, [])
            if entry.kind == "escrow_release":
                escrow = [x for x in entry_legs if x[0] == Purpose.escrow]
                lines.append(
                    Line(
                        LineKind.release,
                        entry.id,
                        posting.created_at,
                        order_id=posting.order_id or next((x[3] for x in escrow if x[3]), None),
                        gross_fen=sum(x[2] for x in escrow),
                        commission_fen=-sum(x[2] for x in entry_legs if x[0] == Purpose.commission_revenue),
                        payable_fen=effect,
                    )
                )
            elif entry.kind == "payout":
                payout = payouts.get(entry.id)
                lines.append(
                    Line(
                        LineKind.payout,
                        entry.id,
                        posting.created_at,
                        reference=payout.bank_reference if payout else entry.reference_id[:100],
                        gross_fen=-effect,
                        payable_fen=effect,
                    )
                )
            else:
                lines.append(
                    Line(
                        LineKind.refund if entry.kind == "refund" else LineKind.adjustment,
                        entry.id,
                        posting.created_at,
                        order_id=posting.order_id,
                        reference=entry.kind,
                        gross_fen=effect,
                        payable_fen=effect,
                    )
                )
    seen = {x.entry_id for x in lines}
    for entry, order_id, amount in reads.supplier_refunds_between(
        supplier_org_id, period.start, period.end, CURRENCY
    ):
        if entry.id not in seen:
            lines.append(
                Line(LineKind.refund, entry.id, entry.created_at, order_id=order_id, gross_fen=amount)
            )
    lines.sort(key=lambda x: (x.occurred_at, x.entry_id))
    computed = Computed(supplier_org_id, period, opening, closing, lines)
    # The books must agree with themselves: opening + movements = closing (both read from postings).
    assert opening + sum(x.payable_fen for x in lines) == closing, "statement does not add up"
    return computed


def _number(period: periods.Period) -> str:
    tail = base64.b32encode(os.urandom(5)).decode()  # 8 characters
    return f"ST{period.code}-{tail}"


def generate(
    session: Session,
    supplier_org_id: uuid.UUID,
    period: periods.Period,
    *,
    now: datetime | None = None,
) -> tuple[SettlementStatement, bool]:
    """The supplier's statement for the period: created (True) or the existing one (False).

    Idempotent per supplier and period: a statement of an ended period is a snapshot and is returned
    unchanged; one of a period that has not ended yet (``final`` False) is recomputed in place."""
    now = now or utcnow()
    if FinanceReads(session).company(supplier_org_id) is None:
        raise SupplierNotFound("no such supplier company", field="supplier_org_id")
    repo = StatementRepository(session)
    existing = repo.for_period(supplier_org_id, period.start, period.end)
    if existing is not None and existing.final:
        return existing, False
    c = compute(session, supplier_org_id, period)
    st = existing or SettlementStatement(
        org_id=supplier_org_id,
        number=_number(period),
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        currency=CURRENCY,
    )
    st.opening_payable_fen = c.opening_payable_fen
    st.released_gross_fen = c.total(LineKind.release, "gross_fen")
    st.commission_fen = c.total(LineKind.release, "commission_fen")
    st.released_net_fen = c.total(LineKind.release, "payable_fen")
    st.refunds_fen = c.total(LineKind.refund, "gross_fen")
    st.payouts_fen = c.total(LineKind.payout, "gross_fen")
    st.adjustments_fen = c.total(LineKind.adjustment, "payable_fen") + c.total(LineKind.refund, "payable_fen")
    st.closing_payable_fen = c.closing_payable_fen
    st.payout_due_fen = max(c.closing_payable_fen, 0)
    st.final = period.end <= now
    st.generated_at = now
    st.generated_by = _actor(session)
    if existing is not None:
        repo.delete_lines(repo.lines(existing.id, all_tenants=True))
        audit.label(st, "settlement.regenerate")
    else:
        # Two generators racing for the same supplier and period: the unique index decides; the loser
        # rolls back its savepoint only and answers with the winner's statement.
        try:
            with session.begin_nested():
                session.add(st)
                audit.label(st, "settlement.generate")
                session.flush()
        except IntegrityError:
            won = repo.for_period(supplier_org_id, period.start, period.end)
            if won is None:
                raise
            return won, False
    session.flush()
    numbers = FinanceReads(session).order_numbers(x.order_id for x in c.lines if x.order_id)
    for i, x in enumerate(c.lines, start=1):
        session.add(
            SettlementLine(
                org_id=supplier_org_id,
                statement_id=st.id,
                position=i,
                kind=x.kind,
                entry_id=x.entry_id,
                order_id=x.order_id,
                order_number=numbers.get(x.order_id) if x.order_id else None,
                reference=x.reference,
                occurred_at=x.occurred_at,
                gross_fen=x.gross_fen,
                commission_fen=x.commission_fen,
                payable_fen=x.payable_fen,
            )
        )
    session.flush()
    return st, existing is None


def suppliers_for(session: Session, period: periods.Period) -> list[uuid.UUID]:
    """Every supplier with a statement to make: ever owed money, or with refunds in the period."""
    reads = FinanceReads(session)
    found = set(reads.suppliers_with_payable(CURRENCY))
    found.update(reads.suppliers_with_refunds(period.start, period.end, CURRENCY))
    return sorted(found)


def generate_all(
    session: Session,
    period: periods.Period,
    *,
    now: datetime | None = None,
    progress: Callable[[uuid.UUID], None] | None = None,
) -> list[tuple[SettlementStatement, bool]]:
    out = []
    for supplier in suppliers_for(session, period):
        out.append(generate(session, supplier, period, now=now))
        if progress:
            progress(supplier)
    return out


def get_statement(
    session: Session, statement_id: uuid.UUID
) -> tuple[SettlementStatement, list[SettlementLine]]:
    """A statement of the caller's company (tenant-filtered: another company's id is not found)."""
    repo = StatementRepository(session)
    st = repo.get(statement_id)
    if st is None:
        raise StatementNotFound("settlement statement not found")
    return st, repo.lines(st.id)


def platform_statement(
    session: Session, statement_id: uuid.UUID
) -> tuple[SettlementStatement, list[SettlementLine]]:
    repo = StatementRepository(session)
    st = repo.platform_get(statement_id)
    if st is None:
        raise StatementNotFound("settlement statement not found")
    return st, repo.lines(st.id, all_tenants=True)


# ---- payouts ------------------------------------------------------------------------------------------


def payable(session: Session, supplier_org_id: uuid.UUID) -> int:
    """What the platform owes the supplier now (fen)."""
    return -ledger.balance(session, supplier_org_id, Purpose.supplier_payable, currency=CURRENCY)


def record_payout(
    session: Session,
    principal: Principal,
    *,
    supplier_org_id: uuid.UUID,
    amount_fen: int,
    bank_reference: str,
    note: str | None = None,
) -> tuple[Payout, int]:
    """Record money sent from the platform's bank account to the supplier: the ``payout`` posting
    (Dr supplier_payable, Cr bank_clearing). Returns the payout and what is still owed after it."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise InvalidAmount("amount_fen must be a positive integer number of fen", field="amount_fen")
    if FinanceReads(session).company(supplier_org_id) is None:
        raise SupplierNotFound("no such supplier company", field="supplier_org_id")
    ref = bank_reference.strip()
    repo = PayoutRepository(session)
    if repo.platform_by_reference(supplier_org_id, ref) is not None:
        raise DuplicateBankReference(
            f"bank reference {ref!r} is already recorded for this supplier", field="bank_reference"
        )
    owed = payable(session, supplier_org_id)
    if amount_fen > owed:
        raise PayoutExceedsPayable(
            f"the platform owes this supplier {owed} fen; a payout of {amount_fen} fen is more",
            field="amount_fen",
            payable_fen=owed,
        )
    payout_id = uuid7()
    entry = ledger.post(
        session,
        kind="payout",
        legs=[
            ledger.Leg(supplier_org_id, Purpose.supplier_payable, amount_fen),
            ledger.Leg(ledger.platform_org_id(session), Purpose.bank_clearing, -amount_fen),
        ],
        reference_type="payout",
        reference_id=payout_id,
        currency=CURRENCY,
        memo=f"payout {ref}"[:500],
        dedupe_key=f"payout:{payout_id}",
    )
    # Two payouts racing for the same money: the account row is updated in SQL under its row lock, so
    # the second one reads the first one's result here and fails (its transaction rolls back).
    after = payable(session, supplier_org_id)
    if after < 0:
        raise PayoutExceedsPayable(
            f"the platform owes this supplier {after + amount_fen} fen; a payout of {amount_fen} fen is more",
            field="amount_fen",
            payable_fen=after + amount_fen,
        )
    payout = Payout(
        id=payout_id,
        org_id=supplier_org_id,
        amount_fen=amount_fen,
        currency=CURRENCY,
        bank_reference=ref,
        note=note,
        entry_id=entry.id,
        paid_at=entry.created_at,
        recorded_by=principal.actor_label[:200],
    )
    session.add(payout)
    audit.label(payout, "settlement.payout")
    session.flush()
    return payout, after


def my_payable(session: Session) -> int:
    """What the platform owes the caller's company now (fen): the holder balance of its
    ``supplier_payable`` accounts (tenant filter: the caller's own accounts)."""
    return sum(
        bal
        for account, bal in ledger.my_accounts(session)
        if account.purpose == Purpose.supplier_payable and account.currency == CURRENCY
    )
