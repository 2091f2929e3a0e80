"""The reconciliation report: clean after real scenarios; each planted inconsistency is reported."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.orders.models import Order
from autotrade.payments.models import Payment
from autotrade.settlement import reconciliation
from tests.orders.conftest import pay_order
from tests.settlement.conftest import Market, paid_order, payout, refund, release, verify


def report(m: Market) -> dict[str, Any]:
    r = m.client.get("/api/v1/platform/reconciliation", headers=m.world.h("admin"))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def kinds(rep: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted((d["kind"], d["order_id"]) for d in rep["differences"])


def _clean_scenario(m: Market) -> dict[str, Any]:
    o1 = paid_order(m, [("toyota_pad", 2)])
    o2 = paid_order(m, [("bosch_pad", 1)])
    o3 = paid_order(m, [("toyota_pad", 1)])
    release(m, o1["id"])
    refund(m, o2["id"], 1_040)
    release(m, o2["id"])
    # cancelled after payment: everything goes back
    r = m.post("a_owner", f"/orders/{o3['id']}/cancel", {"reason": "不要了"})
    assert r.status_code == 200, r.text
    # a late transfer for a cancelled, never-paid order is recorded and refunded at once
    o4 = m.order("a_owner", [("bosch_pad", 1)])
    assert m.post("a_owner", f"/orders/{o4['id']}/cancel", {"reason": "改主意"}).status_code == 200
    late = pay_order(m.world, o4["id"])
    assert late.status_code == 200, late.text
    assert late.json()["status"] == "refunded"
    assert payout(m, "b", 10_000, "BANK-R1").status_code == 201
    return {"o1": o1, "o2": o2, "o3": o3, "o4": o4}


def test_clean_scenario_shows_no_difference(m: Market) -> None:
    _clean_scenario(m)
    rep = report(m)
    assert rep["differences"] == []
    assert rep["clean"] is True
    assert rep["orders_checked"] == 4
    assert rep["payments_checked"] == 4
    assert verify(m) == []
    assert m.client.get("/api/v1/platform/reconciliation", headers=m.world.h("b_owner")).status_code == 403


def _raw(m: Market, stmt: Any) -> None:
    """Change rows behind the application's back (Core SQL on a plain connection)."""
    with m.db.engine.begin() as conn:
        conn.execute(stmt)


payments_t = Payment.__table__
orders_t = Order.__table__


@pytest.mark.no_audit_check  # the planted inconsistencies bypass the application on purpose
def test_each_planted_inconsistency_is_reported(m: Market) -> None:
    orders = _clean_scenario(m)
    o1, o2 = uuid.UUID(orders["o1"]["id"]), uuid.UUID(orders["o2"]["id"])
    with m.db.engine.connect() as conn:
        p1 = conn.execute(select(payments_t.c.id).where(payments_t.c.order_id == o1)).scalar_one()
        p2 = conn.execute(select(payments_t.c.id).where(payments_t.c.order_id == o2)).scalar_one()

    # 1. a payment's amount changed behind the books' back
    _raw(m, payments_t.update().where(payments_t.c.id == p1).values(amount_fen=payments_t.c.amount_fen + 100))
    # 2. a refund the payment does not know about
    _raw(m, payments_t.update().where(payments_t.c.id == p2).values(refunded_fen=0, status="succeeded"))
    # 3. an order marked paid with no payment and no payment entry
    o5 = m.order("a_owner", [("toyota_pad", 1)])
    o5_id = uuid.UUID(o5["id"])
    _raw(
        m,
        orders_t.update().where(orders_t.c.id == o5_id).values(status="paid", paid_at=orders_t.c.created_at),
    )
    # 4. a paid order marked completed while its money is still in escrow
    o6 = paid_order(m, [("bosch_pad", 1)])
    _raw(m, orders_t.update().where(orders_t.c.id == uuid.UUID(o6["id"])).values(status="completed"))

    rep = report(m)
    assert rep["clean"] is False
    assert kinds(rep) == sorted(
        [
            ("order_payment_amount_mismatch", str(o1)),
            ("payment_amount_mismatch", str(o1)),
            ("refund_mismatch", str(o2)),
            ("order_paid_without_payment", o5["id"]),
            ("order_paid_without_entry", o5["id"]),
            ("escrow_not_released", o6["id"]),
        ]
    )
    by_kind = {d["kind"]: d for d in rep["differences"]}
    d = by_kind["payment_amount_mismatch"]
    assert (d["expected_fen"], d["actual_fen"], d["payment_ids"]) == (22_700, 22_600, [str(p1)])
    assert len(d["entry_ids"]) == 1
    d = by_kind["order_payment_amount_mismatch"]
    assert (d["expected_fen"], d["actual_fen"]) == (22_600, 22_700)
    d = by_kind["refund_mismatch"]
    assert (d["expected_fen"], d["actual_fen"], d["payment_ids"]) == (0, 1_040, [str(p2)])
    assert len(d["entry_ids"]) == 1
    d = by_kind["order_paid_without_entry"]
    assert (d["expected_fen"], d["actual_fen"], d["order_number"]) == (11_300, 0, o5["number"])
    assert by_kind["escrow_not_released"]["actual_fen"] == 9_040

    # the service says the same as the route
    with m.db.session() as s:
        bind_system(s, "test")
        assert len(reconciliation.reconcile(s).differences) == 6


@pytest.mark.no_audit_check
def test_payment_without_entry_and_failed_payment_holding_money(m: Market) -> None:
    o1 = paid_order(m, [("toyota_pad", 1)])
    o1_id = uuid.UUID(o1["id"])
    # the payment that paid o1 is marked failed although the ledger holds its money
    _raw(m, payments_t.update().where(payments_t.c.order_id == o1_id).values(status="failed"))
    rep = report(m)
    assert kinds(rep) == sorted(
        [("entry_without_payment", o1["id"]), ("order_paid_without_payment", o1["id"])]
    )
