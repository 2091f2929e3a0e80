"""Offline bank transfer: the buyer gets transfer instructions; platform finance confirms the money
against the order (bank reference, amount = the order's gross); the order is paid once."""

from __future__ import annotations

from tests.helpers import assert_problem, table_counts
from tests.orders.conftest import pay_order
from tests.payments.conftest import books, order_status, payment, start

CONFIRM = "/api/v1/platform/payments/bank-transfers/confirm"
GROSS = 18_080  # 2 × 80.00 net + 13 % VAT


def test_instructions_then_finance_confirms_and_the_order_is_paid(market):
    o = market.order("a_owner", [("bosch_pad", 2)])
    assert o["gross_fen"] == GROSS
    started = start(market, o["id"], "bank_transfer")
    p, ins = started["payment"], started["instructions"]
    assert (p["provider"], p["status"], p["amount_fen"], p["refunded_fen"]) == (
        "bank_transfer",
        "pending",
        GROSS,
        0,
    )
    assert ins["kind"] == "bank_transfer" and ins["amount_fen"] == GROSS
    assert ins["reference_code"] == p["reference_code"] and p["reference_code"].startswith("PAY")
    assert ins["account_number"] and ins["bank"] and ins["account_name"]

    r = market.client.post(
        CONFIRM,
        json={
            "order_id": o["id"],
            "bank_reference": "CMB20261128001",
            "amount_fen": GROSS,
            "note": "招行到账",
        },
        headers=market.world.h("admin"),
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["id"] == p["id"]  # the buyer's pending transfer payment is the one confirmed
    assert (got["status"], got["pays_order"], got["bank_reference"]) == ("succeeded", True, "CMB20261128001")
    assert got["paid_at"]
    assert order_status(market, o["id"]) == "paid"
    assert payment(market, p["id"])["status"] == "succeeded"

    b = books(market.db, o["id"])
    assert (b.bank_clearing, b.gateway_clearing, b.escrow_of_order) == (GROSS, 0, GROSS)
    assert b.kinds == ["payment"] and b.problems == []

    tl = market.client.get(f"/api/v1/orders/{o['id']}/timeline", headers=market.world.h("b_owner")).json()
    assert (tl[-1]["action"], tl[-1]["party"], tl[-1]["note"]) == ("mark_paid", "system", "招行到账")


def test_finance_may_confirm_without_instructions(market):
    o = market.order("a_owner", [("bosch_pad", 2)])
    r = pay_order(market.world, o["id"], bank_reference="ICBC-1")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["provider"], r.json()["amount_fen"]) == (
        "succeeded",
        "bank_transfer",
        GROSS,
    )
    assert order_status(market, o["id"]) == "paid"


def test_a_wrong_amount_is_refused_and_nothing_is_written(market):
    o = market.order("a_owner", [("bosch_pad", 2)])
    start(market, o["id"], "bank_transfer")
    before = table_counts(market.db)
    for amount in (GROSS - 1, GROSS + 1):
        r = market.client.post(
            CONFIRM,
            json={"order_id": o["id"], "bank_reference": "CMB-X", "amount_fen": amount},
            headers=market.world.h("admin"),
        )
        body = assert_problem(r, 422, "amount_mismatch", "amount_fen")
        assert body["expected_fen"] == GROSS
    assert table_counts(market.db) == before
    assert order_status(market, o["id"]) == "pending_payment"


def test_a_bank_reference_pays_once_and_an_order_is_paid_once(market):
    o = market.order("a_owner", [("bosch_pad", 2)])
    other = market.order("a_owner", [("bosch_pad", 2)])
    assert pay_order(market.world, o["id"], bank_reference="SAME-REF").status_code == 200
    before = table_counts(market.db)
    r = pay_order(market.world, other["id"], bank_reference="SAME-REF")
    assert_problem(r, 409, "bank_reference_used", "bank_reference")
    assert table_counts(market.db) == before

    # A second transfer for the paid order: recorded and refunded at once, never kept.
    r = pay_order(market.world, o["id"], bank_reference="SECOND-REF")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["pays_order"], r.json()["refunded_fen"]) == (
        "refunded",
        False,
        GROSS,
    )
    b = books(market.db, o["id"])
    assert (b.bank_clearing, b.escrow_of_order) == (GROSS, GROSS)
    assert b.kinds == ["payment", "payment", "refund"] and b.problems == []


def test_only_platform_finance_confirms(market):
    o = market.order("a_owner", [("bosch_pad", 2)])
    before = table_counts(market.db)
    body = {"order_id": o["id"], "bank_reference": "R1", "amount_fen": GROSS}
    for who in ("a_owner", "b_owner"):
        r = market.client.post(CONFIRM, json=body, headers=market.world.h(who))
        assert_problem(r, 403, "permission_denied")
    assert table_counts(market.db) == before


def test_who_may_start_a_payment(market):
    o = market.order("a_owner", [("bosch_pad", 2)])
    before = table_counts(market.db)
    r = market.post("b_owner", f"/orders/{o['id']}/payments", {"provider": "bank_transfer"})
    assert_problem(r, 403, "wrong_party")  # the supplier sees the order but does not pay it
    r = market.post("a_viewer", f"/orders/{o['id']}/payments", {"provider": "bank_transfer"})
    assert_problem(r, 403, "permission_denied")
    r = market.post("a_owner", f"/orders/{o['id']}/payments", {"provider": "credit"})
    assert_problem(r, 422, "validation_error")
    assert table_counts(market.db) == before
    pay_order(market.world, o["id"])
    r = market.post("a_owner", f"/orders/{o['id']}/payments", {"provider": "gateway"})
    assert_problem(r, 409, "order_not_payable")


def test_the_buyer_lists_its_payments(market):
    o = market.order("a_owner", [("bosch_pad", 2)])
    first = start(market, o["id"], "bank_transfer")["payment"]
    second = start(market, o["id"], "gateway")["payment"]
    h = market.world.h("a_owner")
    r = market.client.get("/api/v1/payments", headers=h)
    assert [x["id"] for x in r.json()["items"]] == [second["id"], first["id"]]
    r = market.client.get(f"/api/v1/payments?order_id={o['id']}&status=pending", headers=h)
    assert len(r.json()["items"]) == 2
    r = market.client.get("/api/v1/payments", headers=market.world.h("b_owner"))
    assert r.json()["items"] == []  # the supplier sees no payment of the buyer
    r = market.client.get(f"/api/v1/payments/{first['id']}", headers=market.world.h("b_owner"))
    assert_problem(r, 404, "payment_not_found")
