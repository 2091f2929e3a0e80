"""Returns (receiving inspection with a partial acceptance, or a later request) through approval, the
way back and restocking or scrapping; disputes opened by either party and decided by platform staff."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.inventory.models import StockMovement
from tests.helpers import assert_problem, table_counts
from tests.orders.conftest import pay


def _delivered(market, lines):
    o = market.order("a_owner", lines)
    oid = o["id"]
    pay(market, oid)
    for who, path, body in [
        ("b_owner", "confirm", None),
        ("b_owner", "shipments", {"carrier": "顺丰", "tracking_number": "SF1"}),
        ("b_owner", "deliver", None),
    ]:
        r = market.post(who, f"/orders/{oid}/{path}", body)
        assert r.status_code in (200, 201), r.text
    return o


def test_partial_acceptance_raises_a_return_that_ends_restocked(market):
    o = _delivered(market, [("toyota_pad", 3), ("bosch_pad", 10)])
    bosch = o["lines"][1]
    r = market.post(
        "a_owner",
        f"/orders/{o['id']}/receive",
        {"lines": [{"line_id": bosch["id"], "accepted_quantity": 8}], "reason": "两盒包装破损"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["order"]["status"] == "received"
    rid = r.json()["return_id"]
    ret = market.client.get(f"/api/v1/returns/{rid}", headers=market.world.h("b_owner")).json()
    assert ret["status"] == "requested" and ret["reason"] == "两盒包装破损"
    assert [(x["line_id"], x["quantity"]) for x in ret["lines"]] == [(bosch["id"], 2)]
    got = market.client.get(f"/api/v1/orders/{o['id']}", headers=market.world.h("a_owner")).json()
    assert [(x["received_quantity"], x["returned_quantity"]) for x in got["lines"]] == [(3, 0), (10, 2)]

    # The order cannot complete while the return is open.
    assert_problem(market.post("a_owner", f"/orders/{o['id']}/complete"), 409, "return_open")

    # The buyer cannot approve; the supplier can.
    assert_problem(market.post("a_owner", f"/returns/{rid}/approve"), 403, "wrong_party")
    r = market.post("b_owner", f"/returns/{rid}/approve", {"note": "同意退货"})
    assert r.json()["status"] == "approved" and r.json()["decision_note"] == "同意退货"
    assert_problem(
        market.post("b_owner", f"/returns/{rid}/ship", {"carrier": "x", "tracking_number": "1"}),
        403,
        "wrong_party",
    )
    r = market.post("a_owner", f"/returns/{rid}/ship", {"carrier": "中通", "tracking_number": "ZT9"})
    assert (r.json()["status"], r.json()["carrier"], r.json()["tracking_number"]) == (
        "shipped_back",
        "中通",
        "ZT9",
    )
    r = market.post("b_owner", f"/returns/{rid}/receive")
    assert r.json()["status"] == "received"

    # Restock into a warehouse that is not the supplier's: refused, nothing changes.
    before = table_counts(market.db)
    r = market.post("b_owner", f"/returns/{rid}/restock", {"warehouse_id": str(market.warehouses["c_hz"])})
    assert_problem(r, 404, "warehouse_not_found", "warehouse_id")
    assert table_counts(market.db) == before

    assert market.level("b_sh", "bosch_pad") == (0, 0)
    r = market.post("b_owner", f"/returns/{rid}/restock", {"warehouse_id": str(market.warehouses["b_sh"])})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "restocked" and r.json()["closed_at"]
    assert market.level("b_sh", "bosch_pad") == (2, 0)
    assert market.level("b_hz", "bosch_pad") == (90, 0)
    with market.db.session() as s:
        bind_system(s, "test")
        mv = s.execute(
            select(StockMovement.kind, StockMovement.on_hand_delta).where(StockMovement.reference_id == rid)
        ).all()
        assert [(str(k), d) for k, d in mv] == [("return", 2)]
    assert_problem(market.post("b_owner", f"/returns/{rid}/scrap"), 409, "invalid_transition")

    r = market.post("a_owner", f"/orders/{o['id']}/complete")
    assert r.json()["status"] == "completed"
    tl = market.client.get(f"/api/v1/orders/{o['id']}/timeline", headers=market.world.h("a_owner")).json()
    assert [
        (e["subject_type"], e["action"], e["to_status"]) for e in tl if e["subject_type"] == "return"
    ] == [
        ("return", "request", "requested"),
        ("return", "approve", "approved"),
        ("return", "ship", "shipped_back"),
        ("return", "receive", "received"),
        ("return", "restock", "restocked"),
    ]


def test_a_return_request_after_receiving_and_its_limits(market):
    o = _delivered(market, [("toyota_pad", 3)])
    line = o["lines"][0]["id"]
    # Not received yet.
    r = market.post(
        "a_owner", f"/orders/{o['id']}/returns", {"lines": [{"line_id": line, "quantity": 1}], "reason": "x"}
    )
    assert_problem(r, 409, "invalid_transition")
    assert market.post("a_owner", f"/orders/{o['id']}/receive").status_code == 200
    before = table_counts(market.db)
    r = market.post(
        "a_owner",
        f"/orders/{o['id']}/returns",
        {"lines": [{"line_id": line, "quantity": 4}], "reason": "装不上"},
    )
    assert_problem(r, 422, "quantity_too_large", "lines[0].quantity")
    r = market.post(
        "a_owner",
        f"/orders/{o['id']}/returns",
        {"lines": [{"line_id": str(uuid.uuid4()), "quantity": 1}], "reason": "装不上"},
    )
    assert_problem(r, 422, "line_not_found", "lines[0].line_id")
    r = market.post(
        "b_owner", f"/orders/{o['id']}/returns", {"lines": [{"line_id": line, "quantity": 1}], "reason": "x"}
    )
    assert_problem(r, 403, "wrong_party")
    assert table_counts(market.db) == before

    r = market.post(
        "a_owner",
        f"/orders/{o['id']}/returns",
        {"lines": [{"line_id": line, "quantity": 2}], "reason": "装不上"},
    )
    assert r.status_code == 201, r.text
    first = r.json()["id"]
    # Only 1 piece is left to return while the first return is open.
    r = market.post(
        "a_owner", f"/orders/{o['id']}/returns", {"lines": [{"line_id": line, "quantity": 2}], "reason": "y"}
    )
    assert_problem(r, 422, "quantity_too_large", "lines[0].quantity")
    # A rejection gives the pieces back.
    r = market.post("b_owner", f"/returns/{first}/reject", {"note": "非质量问题"})
    assert r.json()["status"] == "rejected" and r.json()["closed_at"]
    r = market.post(
        "a_owner", f"/orders/{o['id']}/returns", {"lines": [{"line_id": line, "quantity": 3}], "reason": "z"}
    )
    assert r.status_code == 201, r.text
    second = r.json()["id"]
    assert market.post("b_owner", f"/returns/{second}/approve").status_code == 200
    assert (
        market.post(
            "a_owner", f"/returns/{second}/ship", {"carrier": "x", "tracking_number": "1"}
        ).status_code
        == 200
    )
    assert market.post("b_owner", f"/returns/{second}/receive").status_code == 200
    r = market.post("b_owner", f"/returns/{second}/scrap", {"note": "已损坏"})
    assert r.json()["status"] == "scrapped"
    assert market.level("b_hz", "toyota_pad") == (2, 0)  # scrapped: nothing back on the shelf
    listed = market.client.get("/api/v1/returns", headers=market.world.h("b_owner")).json()["items"]
    assert [(x["id"], x["status"]) for x in listed] == [(second, "scrapped"), (first, "rejected")]
    listed = market.client.get(f"/api/v1/orders/{o['id']}/returns", headers=market.world.h("a_owner")).json()
    assert [x["id"] for x in listed] == [first, second]
    assert market.client.get("/api/v1/returns", headers=market.world.h("c_owner")).json()["items"] == []


def test_the_buyer_may_cancel_a_requested_return(market):
    o = _delivered(market, [("toyota_pad", 3)])
    market.post("a_owner", f"/orders/{o['id']}/receive")
    r = market.post(
        "a_owner",
        f"/orders/{o['id']}/returns",
        {"lines": [{"line_id": o["lines"][0]["id"], "quantity": 1}], "reason": "x"},
    )
    rid = r.json()["id"]
    assert_problem(market.post("b_owner", f"/returns/{rid}/cancel"), 403, "wrong_party")
    assert market.post("a_owner", f"/returns/{rid}/cancel").json()["status"] == "cancelled"
    got = market.client.get(f"/api/v1/orders/{o['id']}", headers=market.world.h("a_owner")).json()
    assert got["lines"][0]["returned_quantity"] == 0


# ---- disputes --------------------------------------------------------------------------------------------


def test_dispute_opened_by_the_buyer_decided_by_platform_staff(market):
    w = market.world
    w.add_user("risk", "platform", ("risk_officer",))
    o = market.order("a_owner", [("toyota_pad", 2)])
    r = market.post("a_owner", f"/orders/{o['id']}/disputes", {"reason": "未付款也要投诉"})
    assert_problem(r, 409, "invalid_transition")
    pay(market, o["id"])
    r = market.post("a_owner", f"/orders/{o['id']}/disputes", {"reason": "迟迟不发货"})
    assert r.status_code == 201, r.text
    d = r.json()
    assert (d["status"], d["opened_by_party"], d["currency"]) == ("open", "buyer", "CNY")
    assert_problem(
        market.post("b_owner", f"/orders/{o['id']}/disputes", {"reason": "again"}), 409, "dispute_open"
    )
    # The supplier sees it but cannot withdraw the buyer's dispute.
    assert market.client.get(f"/api/v1/disputes/{d['id']}", headers=w.h("b_owner")).status_code == 200
    assert_problem(market.post("b_owner", f"/disputes/{d['id']}/withdraw"), 403, "wrong_party")
    # Company users cannot decide.
    r = market.post(
        "a_owner", f"/platform/disputes/{d['id']}/decide", {"decision": "refund_full", "decision_text": "x"}
    )
    assert r.status_code == 403
    queue = market.client.get("/api/v1/platform/disputes", headers=w.h("risk")).json()["items"]
    assert [x["id"] for x in queue] == [d["id"]]
    gross = o["gross_fen"]
    for body, field in [
        ({"decision": "refund_partial", "decision_text": "x"}, "amount_fen"),
        ({"decision": "refund_partial", "amount_fen": gross, "decision_text": "x"}, "amount_fen"),
        ({"decision": "release", "amount_fen": 5, "decision_text": "x"}, "amount_fen"),
        ({"decision": "refund_full", "amount_fen": 1, "decision_text": "x"}, "amount_fen"),
    ]:
        before = table_counts(market.db)
        assert_problem(
            market.post("risk", f"/platform/disputes/{d['id']}/decide", body), 422, "invalid_amount", field
        )
        assert table_counts(market.db) == before
    r = market.post(
        "risk",
        f"/platform/disputes/{d['id']}/decide",
        {"decision": "refund_partial", "amount_fen": 5_000, "decision_text": "部分退款"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["decision"], r.json()["amount_fen"]) == (
        "decided",
        "refund_partial",
        5_000,
    )
    assert_problem(market.post("a_owner", f"/disputes/{d['id']}/withdraw"), 409, "invalid_transition")
    r = market.post(
        "risk", f"/platform/disputes/{d['id']}/decide", {"decision": "release", "decision_text": "y"}
    )
    assert_problem(r, 409, "invalid_transition")
    tl = market.client.get(f"/api/v1/orders/{o['id']}/timeline", headers=w.h("a_owner")).json()
    assert [(e["action"], e["party"]) for e in tl if e["subject_type"] == "dispute"] == [
        ("open", "buyer"),
        ("decide", "platform"),
    ]
    assert market.client.get("/api/v1/platform/disputes", headers=w.h("risk")).json()["items"] == []


def test_the_supplier_opens_and_withdraws_a_dispute_and_completion_waits_for_it(market):
    o = _delivered(market, [("toyota_pad", 1)])
    market.post("a_owner", f"/orders/{o['id']}/receive")
    r = market.post("b_owner", f"/orders/{o['id']}/disputes", {"reason": "买家拒付尾款"})
    d = r.json()
    assert d["opened_by_party"] == "supplier"
    assert_problem(market.post("a_owner", f"/orders/{o['id']}/complete"), 409, "dispute_open")
    assert market.post("b_owner", f"/disputes/{d['id']}/withdraw").json()["status"] == "withdrawn"
    assert market.post("a_owner", f"/orders/{o['id']}/complete").json()["status"] == "completed"
    listed = market.client.get(f"/api/v1/orders/{o['id']}/disputes", headers=market.world.h("a_owner")).json()
    assert [(x["id"], x["status"]) for x in listed] == [(d["id"], "withdrawn")]


@pytest.mark.parametrize("who", ["c_owner"])
def test_a_stranger_sees_no_return_or_dispute(market, who):
    o = _delivered(market, [("toyota_pad", 1)])
    market.post(
        "a_owner",
        f"/orders/{o['id']}/receive",
        {"lines": [{"line_id": o["lines"][0]["id"], "accepted_quantity": 0}], "reason": "坏"},
    )
    rid = market.client.get(f"/api/v1/orders/{o['id']}/returns", headers=market.world.h("a_owner")).json()[0][
        "id"
    ]
    assert_problem(
        market.client.get(f"/api/v1/returns/{rid}", headers=market.world.h(who)), 404, "return_not_found"
    )
    assert_problem(market.post(who, f"/returns/{rid}/approve"), 404, "return_not_found")


def test_receiving_inspection_errors_change_nothing(market):
    o = _delivered(market, [("toyota_pad", 3)])
    line = o["lines"][0]["id"]
    before = table_counts(market.db)
    for body, code, field in [
        (
            {"lines": [{"line_id": line, "accepted_quantity": 4}]},
            "quantity_too_large",
            "lines[0].accepted_quantity",
        ),
        ({"lines": [{"line_id": line, "accepted_quantity": 1}]}, "required", "reason"),
        (
            {
                "lines": [
                    {"line_id": line, "accepted_quantity": 1},
                    {"line_id": line, "accepted_quantity": 1},
                ],
                "reason": "x",
            },
            "duplicate_line",
            "lines[1].line_id",
        ),
        (
            {"lines": [{"line_id": str(uuid.uuid4()), "accepted_quantity": 1}]},
            "line_not_found",
            "lines[0].line_id",
        ),
    ]:
        assert_problem(market.post("a_owner", f"/orders/{o['id']}/receive", body), 422, code, field)
    assert_problem(market.post("b_owner", f"/orders/{o['id']}/receive"), 403, "wrong_party")
    assert table_counts(market.db) == before


def test_warehouse_staff_move_goods_through_the_api_as_on_the_pages(market):
    """logistics:edit (the warehouse role) ships and delivers orders and receives and restocks returns,
    as the supplier's pages let it; confirming orders and deciding returns stay with orders:edit."""
    o = market.order("a_owner", [("bosch_pad", 4)])
    pay(market, o["id"])
    before = table_counts(market.db)
    assert_problem(market.post("b_warehouse", f"/orders/{o['id']}/confirm"), 403, "permission_denied")
    assert table_counts(market.db) == before
    assert market.post("b_owner", f"/orders/{o['id']}/confirm").status_code == 200
    r = market.post(
        "b_warehouse", f"/orders/{o['id']}/shipments", {"carrier": "顺丰", "tracking_number": "SF7"}
    )
    assert r.status_code == 201, r.text
    r = market.post("b_warehouse", f"/orders/{o['id']}/deliver")
    assert r.status_code == 200 and r.json()["status"] == "delivered", r.text
    line = o["lines"][0]
    r = market.post(
        "a_owner",
        f"/orders/{o['id']}/receive",
        {"lines": [{"line_id": line["id"], "accepted_quantity": 3}], "reason": "一件破损"},
    )
    assert r.status_code == 200, r.text
    rid = r.json()["return_id"]
    assert_problem(market.post("b_warehouse", f"/returns/{rid}/approve"), 403, "permission_denied")
    assert market.post("b_owner", f"/returns/{rid}/approve").status_code == 200
    assert (
        market.post(
            "a_owner", f"/returns/{rid}/ship", {"carrier": "中通", "tracking_number": "Z1"}
        ).status_code
        == 200
    )
    assert market.post("b_warehouse", f"/returns/{rid}/receive").json()["status"] == "received"
    r = market.post(
        "b_warehouse", f"/returns/{rid}/restock", {"warehouse_id": str(market.warehouses["b_hz"])}
    )
    assert r.status_code == 200 and r.json()["status"] == "restocked", r.text
