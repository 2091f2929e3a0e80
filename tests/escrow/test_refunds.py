"""Refunds out of escrow to the original method: cancellation after payment, returns, dispute decisions
(with the freeze before them). Each ends with a clean ledger."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.payments.models import Payment
from tests.escrow.conftest import books, delivered, escrow, received, step
from tests.helpers import assert_problem, table_counts
from tests.orders.conftest import pay


def _payment(m, order_id: str) -> tuple[str, int]:
    with m.db.session() as s:
        bind_system(s, "test")
        p = s.scalars(
            select(Payment).where(Payment.order_id == uuid.UUID(order_id), Payment.pays_order.is_(True))
        ).one()
        return p.status.value, p.refunded_fen


def _lines(m, o) -> list[str]:
    r = m.client.get(f"/api/v1/orders/{o['id']}", headers=m.world.h("a_owner"))
    return [str(x["id"]) for x in r.json()["lines"]]


def test_cancel_after_payment_refunds_everything(m):
    o = m.order("a_owner", [("toyota_pad", 2), ("brembo_disc", 2)])
    pay(m, o["id"])
    assert books(m, o["id"]).held == 90_400
    step(m, "b_owner", f"/orders/{o['id']}/cancel", {"reason": "缺货"})
    b = books(m, o["id"])
    assert (b.held, b.bank, b.payable, b.commission, b.problems) == (0, 0, 0, 0, [])
    e = escrow(m, o["id"])
    assert (e["refunded_fen"], e["released_fen"], e["held_fen"]) == (90_400, 0, 0)
    assert [(r["cause"], r["amount_fen"]) for r in e["refunds"]] == [("cancellation", 90_400)]
    assert _payment(m, o["id"]) == ("refunded", 90_400)


def test_cancel_before_payment_moves_no_money(m):
    o = m.order("a_owner", [("toyota_pad", 1)])
    step(m, "a_owner", f"/orders/{o['id']}/cancel")
    e = escrow(m, o["id"])
    assert (e["held_fen"], e["refunded_fen"], e["refunds"]) == (0, 0, [])
    assert books(m, o["id"]).problems == []


def test_partial_return_refunds_the_returned_share_then_releases_the_rest(m):
    o = delivered(m, [("toyota_pad", 2), ("vw_filter", 4)])  # 22,600 + 15,065 = 37,665
    _, flt = _lines(m, o)
    r = step(
        m,
        "a_owner",
        f"/orders/{o['id']}/receive",
        {"lines": [{"line_id": flt, "accepted_quantity": 2}], "reason": "两个滤清器破损"},
    )
    rid = r["return_id"]
    step(m, "b_owner", f"/returns/{rid}/approve", {"note": "同意"})
    step(m, "a_owner", f"/returns/{rid}/ship", {"carrier": "顺丰", "tracking_number": "SF9"})
    assert books(m, o["id"]).held == 37_665  # nothing moves before the goods are back
    step(m, "b_owner", f"/returns/{rid}/receive")
    # 2 of 4 filters: half up (15,065 × 2 / 4) = 7,532.5 → 7,533
    b = books(m, o["id"])
    assert (b.held, b.bank, b.problems) == (37_665 - 7_533, 37_665 - 7_533, [])
    assert _payment(m, o["id"]) == ("partially_refunded", 7_533)
    e = escrow(m, o["id"])
    assert [(x["cause"], x["reference_id"], x["amount_fen"]) for x in e["refunds"]] == [
        ("return", rid, 7_533)
    ]
    step(m, "b_owner", f"/returns/{rid}/scrap")
    step(m, "a_owner", f"/orders/{o['id']}/complete")
    # pad: 22,600 × 3 % = 678; filter: (15,065 − 7,533) = 7,532 × 3 % = 225.96 → 226
    lines = escrow(m, o["id"], "b_owner")["commission_lines"]
    assert [(x["base_fen"], x["commission_fen"]) for x in lines] == [(22_600, 678), (7_532, 226)]
    b = books(m, o["id"])
    assert (b.held, b.commission, b.payable, b.problems) == (0, 904, 30_132 - 904, [])


def test_open_dispute_freezes_release(m):
    o = received(m, [("toyota_pad", 2)])
    d = step(m, "a_owner", f"/orders/{o['id']}/disputes", {"reason": "质量问题"})
    assert escrow(m, o["id"])["frozen"] is True
    assert escrow(m, o["id"], "b_owner")["frozen"] is True
    before = table_counts(m.db)
    assert_problem(m.post("a_owner", f"/orders/{o['id']}/complete"), 409, "dispute_open")
    assert table_counts(m.db) == before
    step(m, "a_owner", f"/disputes/{d['id']}/withdraw")
    assert escrow(m, o["id"])["frozen"] is False
    step(m, "a_owner", f"/orders/{o['id']}/complete")
    b = books(m, o["id"])
    assert (b.held, b.payable, b.commission, b.problems) == (0, 21_922, 678, [])


@pytest.mark.parametrize(
    ("decision", "amount", "refunded", "released", "commission"),
    [
        ("release", None, 0, 22_600, 678),
        # 5,000 back to the buyer; the rest 17,600 released: 3 % = 528
        ("refund_partial", 5_000, 5_000, 17_600, 528),
        ("refund_full", None, 22_600, 0, 0),
    ],
)
def test_dispute_decisions_move_the_money(m, decision, amount, refunded, released, commission):
    o = delivered(m, [("toyota_pad", 2)])
    d = step(m, "b_owner", f"/orders/{o['id']}/disputes", {"reason": "买家拒收"})
    body = {"decision": decision, "decision_text": "平台裁决"}
    if amount:
        body["amount_fen"] = amount
    step(m, "risk", f"/platform/disputes/{d['id']}/decide", body)
    e = escrow(m, o["id"], "b_owner")
    assert (e["refunded_fen"], e["released_fen"], e["commission_fen"], e["held_fen"], e["frozen"]) == (
        refunded,
        released,
        commission,
        0,
        False,
    )
    assert e["release_trigger"] == ("dispute" if released else None)
    b = books(m, o["id"])
    assert (b.held, b.payable, b.commission, b.bank, b.problems) == (
        0,
        released - commission,
        commission,
        22_600 - refunded,
        [],
    )
    if decision != "refund_full":
        step(m, "a_owner", f"/orders/{o['id']}/receive", {})
        step(m, "a_owner", f"/orders/{o['id']}/complete")  # completes; the release is not repeated
        assert books(m, o["id"]) == b


def test_a_partial_refund_before_delivery_keeps_the_rest_until_completion(m):
    o = m.order("a_owner", [("toyota_pad", 2)])
    pay(m, o["id"])
    d = step(m, "a_owner", f"/orders/{o['id']}/disputes", {"reason": "发货慢"})
    step(
        m,
        "risk",
        f"/platform/disputes/{d['id']}/decide",
        {"decision": "refund_partial", "amount_fen": 2_600, "decision_text": "补偿"},
    )
    e = escrow(m, o["id"])
    assert (e["held_fen"], e["refunded_fen"], e["released_fen"]) == (20_000, 2_600, 0)
    step(m, "b_owner", f"/orders/{o['id']}/confirm")
    step(m, "b_owner", f"/orders/{o['id']}/shipments", {"carrier": "顺丰", "tracking_number": "SF1"})
    step(m, "b_owner", f"/orders/{o['id']}/deliver")
    step(m, "a_owner", f"/orders/{o['id']}/receive", {})
    step(m, "a_owner", f"/orders/{o['id']}/complete")
    b = books(m, o["id"])
    assert (b.held, b.commission, b.payable, b.problems) == (0, 600, 19_400, [])  # 20,000 × 3 %


def test_a_refund_larger_than_escrow_is_refused_and_changes_nothing(m):
    o = delivered(m, [("toyota_pad", 2), ("vw_filter", 4)])
    pad, _ = _lines(m, o)
    r = step(
        m,
        "a_owner",
        f"/orders/{o['id']}/receive",
        {"lines": [{"line_id": pad, "accepted_quantity": 0}], "reason": "刹车片错了"},
    )
    step(m, "b_owner", f"/returns/{r['return_id']}/approve")
    step(m, "a_owner", f"/returns/{r['return_id']}/ship", {"carrier": "顺丰", "tracking_number": "SF2"})
    step(m, "b_owner", f"/returns/{r['return_id']}/receive")
    assert books(m, o["id"]).held == 15_065
    d = step(m, "a_owner", f"/orders/{o['id']}/disputes", {"reason": "还要赔偿"})
    before = table_counts(m.db)
    r = m.post(
        "risk",
        f"/platform/disputes/{d['id']}/decide",
        {"decision": "refund_partial", "amount_fen": 20_000, "decision_text": "赔偿"},
    )
    assert_problem(r, 409, "refund_exceeds_escrow", "amount_fen")
    assert table_counts(m.db) == before
    step(
        m,
        "risk",
        f"/platform/disputes/{d['id']}/decide",
        {"decision": "refund_full", "decision_text": "全退"},
    )
    b = books(m, o["id"])
    assert (b.held, b.bank, b.payable, b.problems) == (0, 0, 0, [])
    assert escrow(m, o["id"])["refunded_fen"] == 37_665
