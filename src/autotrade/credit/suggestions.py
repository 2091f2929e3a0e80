"""credit: the suggested limit, computed from the buyer's history and explained factor by factor.

Integers only (fen, days, counts, basis points; 10000 bp = ×1). The formula, also in docs/credit.md:

    monthly   = max(V90 // 3, V180 // 6)            # average monthly volume: the better of 3 and 6 months
    base      = round_half_up(monthly × 3000 bp)    # 30 % of a month of purchases
    suggested = base × orders × on_time × lateness × disputes   (each step rounded half up)
    suggested = suggested // 10000 × 10000          # rounded down to whole 100 元

V90 / V180: gross of the buyer's paid, not cancelled orders paid in the last 90 / 180 days (with this
supplier; platform-wide for the platform). Factors (effect in bp):

* ``orders``: orders in 180 days n — n ≥ 5: 10000; else 5000 + 1000 × n (a thin history counts less);
* ``on_time``: share r (bp) of repaid credit invoices repaid by their due date — none yet: 10000
  (neutral); else 5000 + r × 7000 // 10000 (all on time: ×1.2, none: ×0.5);
* ``lateness``: an invoice overdue now: 0 (no new credit until it is repaid); else the average whole
  days late d of invoices repaid late: max(4000, 10000 − 200 × d) (−2 % per day, at most −60 %);
* ``disputes``: disputes opened on the buyer's orders in 180 days k: max(5000, 10000 − 1000 × k).

Suggested terms: 30 days, 15 when any invoice was repaid late or is overdue.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.core.tenancy import Principal
from autotrade.credit.models import CreditInvoiceStatus
from autotrade.credit.repository import CreditLineRepository, HistoryRepository, InvoiceFacts, Volume
from autotrade.credit.schemas import FactorOut, SuggestionOut
from autotrade.credit.service import check_buyer, creditor_of
from autotrade.credit.terms import days_late

BP = 10_000
BASE_SHARE_BP = 3_000  # 30 % of the average monthly volume
ROUND_TO_FEN = 10_000  # suggestions are whole 100 元
FORMULA = (
    "suggested = floor_100yuan(round(max(V90 // 3, V180 // 6) × 30%)"
    " × orders × on_time × lateness × disputes)"
)


def apply_bp(amount_fen: int, bp: int) -> int:
    """``amount × bp / 10000`` rounded half up (non-negative integers)."""
    return (amount_fen * bp + BP // 2) // BP


@dataclass(frozen=True)
class Facts:
    volume: Volume
    invoices: list[InvoiceFacts]
    disputes: int


def compute(facts: Facts, *, now: datetime) -> tuple[int, int, int, list[FactorOut]]:
    """(base_fen, suggested_fen, suggested_term_days, factors) — pure, so it is tested on its own."""
    v = facts.volume
    monthly = max(v.volume_90_fen // 3, v.volume_180_fen // 6)
    base = apply_bp(monthly, BASE_SHARE_BP)
    factors: list[FactorOut] = []

    n = v.orders_180
    effect = BP if n >= 5 else 5_000 + 1_000 * n
    factors.append(
        FactorOut(
            name="orders",
            value=n,
            unit="orders in 180 days",
            effect_bp=effect,
            explanation=f"{n} paid orders in 180 days"
            + (" (5 or more: full weight)" if n >= 5 else ": thin history"),
        )
    )

    repaid = [x for x in facts.invoices if x.status == CreditInvoiceStatus.paid and x.paid_at is not None]
    on_time = [x for x in repaid if x.paid_at is not None and x.paid_at <= x.due_at]
    if repaid:
        ratio = len(on_time) * BP // len(repaid)
        effect = 5_000 + ratio * 7_000 // BP
        why = f"{len(on_time)} of {len(repaid)} credit invoices repaid by their due date"
    else:
        ratio, effect, why = 0, BP, "no credit invoice repaid yet: neutral"
    factors.append(FactorOut(name="on_time", value=ratio, unit="bp", effect_bp=effect, explanation=why))

    overdue = [x for x in facts.invoices if x.status != CreditInvoiceStatus.paid and x.due_at < now]
    late = [days_late(x.due_at, x.paid_at) for x in repaid if x.paid_at is not None and x.paid_at > x.due_at]
    if overdue:
        worst = max(days_late(x.due_at, now) for x in overdue)
        factors.append(
            FactorOut(
                name="lateness",
                value=worst,
                unit="days overdue now",
                effect_bp=0,
                explanation=(
                    f"{len(overdue)} invoice(s) overdue now, up to {worst} days: no new credit until repaid"
                ),
            )
        )
    else:
        avg = sum(late) // len(late) if late else 0
        effect = max(4_000, BP - 200 * avg)
        why = (
            f"{len(late)} invoice(s) repaid late, {avg} days on average (−2 % a day)"
            if late
            else "no invoice repaid late"
        )
        factors.append(
            FactorOut(name="lateness", value=avg, unit="average days late", effect_bp=effect, explanation=why)
        )

    k = facts.disputes
    factors.append(
        FactorOut(
            name="disputes",
            value=k,
            unit="disputes in 180 days",
            effect_bp=max(5_000, BP - 1_000 * k),
            explanation=(
                f"{k} dispute(s) opened on the buyer's orders in 180 days (−10 % each, at most −50 %)"
            ),
        )
    )

    suggested = base
    for f in factors:
        suggested = apply_bp(suggested, f.effect_bp)
    suggested = suggested // ROUND_TO_FEN * ROUND_TO_FEN
    term = 15 if (late or overdue) else 30
    return base, suggested, term, factors


def suggest(
    session: Session,
    principal: Principal,
    buyer_org_id: uuid.UUID,
    *,
    platform: bool,
    currency: str = "CNY",
    now: datetime | None = None,
) -> SuggestionOut:
    """The creditor's view of a buyer: a supplier sees its history with the buyer (404 for a company
    that never ordered from it); platform finance sees the buyer's whole history."""
    now = now or utcnow()
    creditor = creditor_of(session, principal, platform=platform)
    check_buyer(session, creditor, buyer_org_id, platform=platform)
    history = HistoryRepository(session)
    buyer_ids = history.subtree_ids(buyer_org_id)
    supplier = None if platform else creditor
    since_180 = now - timedelta(days=180)
    facts = Facts(
        volume=history.volume(
            buyer_ids,
            supplier,
            since_180=since_180,
            since_90=now - timedelta(days=90),
            currency=currency,
            platform_wide=platform,
        ),
        invoices=history.invoices(
            buyer_org_id, supplier, since=since_180, currency=currency, platform_wide=platform
        ),
        disputes=history.disputes(buyer_ids, supplier, since=since_180, platform_wide=platform),
    )
    base, suggested, term, factors = compute(facts, now=now)
    line = CreditLineRepository(session).between(creditor, buyer_org_id, currency)
    return SuggestionOut(
        buyer_org_id=buyer_org_id,
        creditor_org_id=creditor,
        history="platform_wide" if platform else "with_creditor",
        currency=currency,
        base_fen=base,
        suggested_limit_fen=suggested,
        suggested_term_days=term,
        current_limit_fen=line.limit_fen if line else None,
        formula=FORMULA,
        factors=factors,
        computed_at=now,
    )
