"""The suggested limit: the pure formula on crafted facts, and the creditor's and the platform's views
of a crafted history built through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autotrade.credit.models import CreditInvoiceStatus
from autotrade.credit.repository import InvoiceFacts, Volume
from autotrade.credit.suggestions import Facts, apply_bp, compute
from tests.credit.conftest import books_ok, grant, pay, repay, set_due
from tests.helpers import assert_problem
from tests.orders.conftest import Market

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _inv(due_days: int, paid_days: int | None, amount: int = 1_000) -> InvoiceFacts:
    """An invoice due ``due_days`` from NOW, repaid ``paid_days`` from NOW (None: unpaid)."""
    return InvoiceFacts(
        amount,
        NOW + due_days * DAY,
        None if paid_days is None else NOW + paid_days * DAY,
        CreditInvoiceStatus.open if paid_days is None else CreditInvoiceStatus.paid,
    )


def test_formula_on_crafted_facts() -> None:
    facts = Facts(
        volume=Volume(orders_180=6, volume_180_fen=1_200_000_00, volume_90_fen=450_000_00),
        invoices=[_inv(-60, -61), _inv(-40, -40), _inv(-20, -15), _inv(10, None)],
        disputes=2,
    )
    base, suggested, term, factors = compute(facts, now=NOW)
    # monthly = max(45,000,000 // 3, 120,000,000 // 6) = 20,000,000 fen; 30 % → 6,000,000
    assert base == 6_000_000
    assert [(f.name, f.value, f.effect_bp) for f in factors] == [
        ("orders", 6, 10_000),
        ("on_time", 6_666, 5_000 + 6_666 * 7_000 // 10_000),  # 2 of 3 on time → 9666 bp
        ("lateness", 5, 9_000),  # one invoice 5 days late
        ("disputes", 2, 8_000),
    ]
    expected = 6_000_000
    for bp in (10_000, 9_666, 9_000, 8_000):
        expected = apply_bp(expected, bp)
    assert expected == 4_175_712
    assert suggested == 4_170_000 and term == 15


def test_formula_overdue_and_empty_history() -> None:
    facts = Facts(Volume(10, 600_000, 300_000), [_inv(-3, None)], 0)
    base, suggested, term, factors = compute(facts, now=NOW)
    assert base == 30_000 and suggested == 0 and term == 15
    assert (factors[2].name, factors[2].value, factors[2].effect_bp) == ("lateness", 3, 0)
    base, suggested, term, factors = compute(Facts(Volume(0, 0, 0), [], 0), now=NOW)
    assert (base, suggested, term) == (0, 0, 30)
    assert [f.effect_bp for f in factors] == [5_000, 10_000, 10_000, 10_000]


def test_suggestion_from_a_crafted_history(cm: Market) -> None:
    m = cm
    a = str(m.world.orgs["a"])
    # B knows nothing of A before A orders from it
    assert_problem(
        m.client.get(f"/api/v1/credit/suggestions/{a}", headers=m.world.h("b_owner")), 404, "buyer_not_found"
    )
    orders = [m.order("a_owner", [("toyota_pad", 10)]) for _ in range(3)]  # 113,000 fen each
    assert [o["gross_fen"] for o in orders] == [113_000] * 3
    grant(m, "b_owner", "a", 400_000, term_days=30)
    invoices = [pay(m, o["id"]).json()["invoice"] for o in orders]
    # invoice 0 repaid on time; invoice 1 repaid 3 days late; invoice 2 open, not due; one dispute
    assert repay(m, invoices[0]["id"], 113_000, "ON-TIME").status_code == 201
    set_due(m.db, invoices[1]["id"], datetime.now(UTC) - 3 * DAY + timedelta(hours=1))
    assert repay(m, invoices[1]["id"], 113_000, "LATE").status_code == 201
    r = m.post("a_owner", f"/orders/{orders[2]['id']}/disputes", {"reason": "货不对板"})
    assert r.status_code == 201, r.text

    r = m.client.get(f"/api/v1/credit/suggestions/{a}", headers=m.world.h("b_owner"))
    assert r.status_code == 200, r.text
    s = r.json()
    # monthly = max(339,000 // 3, 339,000 // 6) = 113,000; 30 % → 33,900
    assert (s["history"], s["base_fen"], s["current_limit_fen"]) == ("with_creditor", 33_900, 400_000)
    assert [(f["name"], f["value"], f["effect_bp"]) for f in s["factors"]] == [
        ("orders", 3, 8_000),
        ("on_time", 5_000, 8_500),
        ("lateness", 3, 9_400),
        ("disputes", 1, 9_000),
    ]
    # 33,900 → 27,120 → 23,052 → 21,669 → 19,502 → whole 100 元: 10,000
    assert (s["suggested_limit_fen"], s["suggested_term_days"]) == (10_000, 15)

    p = m.client.get(f"/api/v1/platform/credit/suggestions/{a}", headers=m.world.h("admin")).json()
    assert (p["history"], p["base_fen"], p["suggested_limit_fen"]) == ("platform_wide", 33_900, 10_000)
    assert p["current_limit_fen"] is None
    # C has no such history with A
    assert_problem(
        m.client.get(f"/api/v1/credit/suggestions/{a}", headers=m.world.h("c_owner")), 404, "buyer_not_found"
    )
    books_ok(m.db)
