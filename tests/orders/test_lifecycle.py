"""The order lifecycle over HTTP: payment mark, confirmation, partial and full shipments, delivery,
receiving inspection, completion, cancellation, who may do what, and the timeline."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.events.models import OutboxEvent
from autotrade.inventory.models import StockMovement
from autotrade.orders.models import Order
from tests.helpers import assert_problem, table_counts
from tests.orders.conftest import pay, pay_order


def _paid_confirmed(market, lines):
    o = market.order("a_owner", lines)
    pay(market, o["id"])
    r = market.post("b_owner", f"/orders/{o['id']}/confirm")
    assert r.status_code == 200, r.text
    return r.json()


def test_the_whole_lifecycle(market):
    w = market.world
    o = market.order("a_owner", [("toyota_pad", 12), ("bosch_pad", 2)])
    oid = o["id"]
    toyota = o["lines"][0]

    pay(market, oid)
    r = market.client.get(f"/api/v1/orders/{oid}", headers=w.h("a_owner"))
    assert r.json()["status"] == "paid" and r.json()["paid_at"]

    r = market.post("b_owner", f"/orders/{oid}/confirm")
    assert r.json()["status"] == "confirmed"

    # A partial shipment: 5 toyota from the nearest warehouse only.
    r = market.post(
        "b_owner",
        f"/orders/{oid}/shipments",
        {"carrier": "顺丰", "tracking_number": "SF100", "lines": [{"line_id": toyota["id"], "quantity": 5}]},
    )
    assert r.status_code == 201, r.text
    s1 = r.json()
    assert [(x["warehouse_id"], x["quantity"]) for x in s1["lines"]] == [(str(market.warehouses["b_hz"]), 5)]
    order = market.client.get(f"/api/v1/orders/{oid}", headers=w.h("b_owner")).json()
    assert order["status"] == "partially_shipped"
    assert [x["shipped_quantity"] for x in order["lines"]] == [5, 0]
    assert market.level("b_hz", "toyota_pad") == (0, 0)
    assert market.level("b_nb", "toyota_pad") == (10, 7)

    # Cancelling after a shipment is refused.
    r = market.post("a_owner", f"/orders/{oid}/cancel", {"reason": "太慢"})
    body = assert_problem(r, 409, "invalid_transition")
    assert body["allowed_actions"] == []

    # The rest (no lines: everything left).
    r = market.post("b_owner", f"/orders/{oid}/shipments", {"carrier": "顺丰", "tracking_number": "SF101"})
    assert r.status_code == 201, r.text
    assert sorted((x["warehouse_id"], x["quantity"]) for x in r.json()["lines"]) == sorted(
        [(str(market.warehouses["b_nb"]), 7), (str(market.warehouses["b_hz"]), 2)]
    )
    assert market.level("b_nb", "toyota_pad") == (3, 0)
    assert market.level("b_hz", "bosch_pad") == (98, 0)
    r = market.post("b_owner", f"/orders/{oid}/shipments", {"carrier": "顺丰", "tracking_number": "SF102"})
    assert_problem(r, 409, "invalid_transition")

    r = market.post("b_owner", f"/orders/{oid}/deliver")
    assert r.json()["status"] == "delivered"
    ships = market.client.get(f"/api/v1/orders/{oid}/shipments", headers=w.h("a_owner")).json()
    assert [(s["tracking_number"], s["status"]) for s in ships] == [
        ("SF100", "delivered"),
        ("SF101", "delivered"),
    ]

    r = market.post("a_owner", f"/orders/{oid}/receive")
    assert r.status_code == 200, r.text
    assert r.json()["order"]["status"] == "received" and r.json()["return_id"] is None
    r = market.post("a_owner", f"/orders/{oid}/complete")
    assert r.json()["status"] == "completed" and r.json()["completed_at"]
    assert [x["received_quantity"] for x in r.json()["lines"]] == [12, 2]

    tl = market.client.get(f"/api/v1/orders/{oid}/timeline", headers=w.h("b_owner")).json()
    assert [(e["action"], e["from_status"], e["to_status"], e["party"], e["subject_type"]) for e in tl] == [
        ("place", None, "pending_payment", "buyer", "order"),
        ("mark_paid", "pending_payment", "paid", "system", "order"),
        ("confirm", "paid", "confirmed", "supplier", "order"),
        ("ship_part", "confirmed", "partially_shipped", "supplier", "shipment"),
        ("ship", "partially_shipped", "shipped", "supplier", "shipment"),
        ("deliver", "shipped", "delivered", "supplier", "order"),
        ("receive", "delivered", "received", "buyer", "order"),
        ("complete", "received", "completed", "buyer", "order"),
    ]
    assert tl[1]["actor_label"] == "payments" and tl[1]["note"].startswith("bank transfer BR")
    assert tl[2]["actor_user_id"] == str(w.users["b_owner"])
    with market.db.session() as s:
        bind_system(s, "test")
        types = s.execute(
            select(OutboxEvent.type).where(OutboxEvent.subject_id == oid, OutboxEvent.org_id == w.orgs["b"])
        ).scalars()
        assert sorted(types) == sorted(
            [
                "order.created",
                "order.paid",
                "order.confirmed",
                "order.partially_shipped",
                "order.shipped",
                "order.delivered",
                "order.received",
                "order.completed",
            ]
        )
        kinds = s.execute(
            select(StockMovement.kind, StockMovement.on_hand_delta, StockMovement.reserved_delta).where(
                StockMovement.reference_type == "shipment"
            )
        ).all()
        assert sorted((str(k), a, b) for k, a, b in kinds) == sorted(
            [("shipment", -5, -5), ("shipment", -7, -7), ("shipment", -2, -2)]
        )


def test_finance_pays_but_cannot_confirm_or_cancel(market):
    o = market.order("a_owner", [("bosch_pad", 1)])
    r = market.post("a_finance", f"/orders/{o['id']}/payments", {"provider": "bank_transfer"})
    assert r.status_code == 201, r.text
    pay(market, o["id"])
    r = market.client.get(f"/api/v1/orders/{o['id']}", headers=market.world.h("a_owner"))
    assert r.json()["status"] == "paid"
    assert market.post("a_finance", f"/orders/{o['id']}/cancel").status_code == 403  # no orders:edit
    assert market.post("a_purchaser", f"/orders/{o['id']}/confirm").status_code == 403  # wrong_party


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("a_owner", "confirm", "paid"),
        ("b_owner", "payments", "pending_payment"),  # the supplier cannot pay
        ("b_owner", "receive", "delivered"),
        ("b_owner", "complete", "received"),
        ("a_owner", "deliver", "shipped"),
    ],
)
def test_each_side_may_only_take_its_own_actions(market, who, action, status):
    o = _drive(market, status)
    before = table_counts(market.db)
    r = market.post(who, f"/orders/{o}/{action}", {"provider": "gateway"} if action == "payments" else None)
    assert_problem(r, 403, "wrong_party")
    assert table_counts(market.db) == before


def test_the_buyer_cannot_ship(market):
    o = _drive(market, "confirmed")
    before = table_counts(market.db)
    r = market.post("a_owner", f"/orders/{o}/shipments", {"carrier": "x", "tracking_number": "1"})
    assert_problem(r, 403, "wrong_party")
    assert table_counts(market.db) == before


def _drive(market, status: str) -> str:
    """An order of 3 toyota pads (HZ) driven to ``status`` through the API."""
    o = market.order("a_owner", [("toyota_pad", 3)])["id"]
    steps = [
        ("paid", "admin", "pay", None),  # pay(): platform finance confirms a bank transfer
        ("confirmed", "b_owner", "confirm", None),
        ("shipped", "b_owner", "shipments", {"carrier": "顺丰", "tracking_number": "SF1"}),
        ("delivered", "b_owner", "deliver", None),
        ("received", "a_owner", "receive", None),
        ("completed", "a_owner", "complete", None),
    ]
    if status == "cancelled":
        assert market.post("a_owner", f"/orders/{o}/cancel").status_code == 200
        return o
    for reached, who, action, body in steps:
        if status == "pending_payment":
            break
        r = pay(market, o) if action == "pay" else market.post(who, f"/orders/{o}/{action}", body)
        assert r.status_code in (200, 201), r.text
        if reached == status:
            break
    return o


ROUTES = {
    "mark_paid": ("admin", "pay", None),
    "confirm": ("b_owner", "confirm", None),
    "ship": ("b_owner", "shipments", {"carrier": "顺丰", "tracking_number": "SF9"}),
    "deliver": ("b_owner", "deliver", None),
    "receive": ("a_owner", "receive", None),
    "complete": ("a_owner", "complete", None),
    "cancel": ("a_owner", "cancel", None),
}
LEGAL = {
    "pending_payment": {"mark_paid": "paid", "cancel": "cancelled"},
    "paid": {"confirm": "confirmed", "cancel": "cancelled"},
    "confirmed": {"ship": "shipped", "cancel": "cancelled"},
    "shipped": {"deliver": "delivered"},
    "delivered": {"receive": "received"},
    "received": {"complete": "completed"},
    "completed": {},
    "cancelled": {},
}


@pytest.mark.parametrize("status", list(LEGAL))
def test_every_route_in_every_state(market, status):
    """Through the API: from each state, each legal action moves on and each other is refused with
    invalid_transition and nothing changed."""
    for action, (who, path, body) in ROUTES.items():
        o = _drive(market, status)
        before = table_counts(market.db)
        if path == "pay":  # money for an order not waiting for it is recorded and refunded at once
            r = pay_order(market.world, o)
            got = market.client.get(f"/api/v1/orders/{o}", headers=market.world.h("a_owner")).json()
            assert r.status_code == 200, (status, r.text)
            assert (r.json()["status"], got["status"]) == (
                ("succeeded", "paid") if action in LEGAL[status] else ("refunded", status)
            ), status
            continue
        r = market.post(who, f"/orders/{o}/{path}", body)
        if action in LEGAL[status]:
            assert r.status_code in (200, 201), (status, action, r.text)
            got = market.client.get(f"/api/v1/orders/{o}", headers=market.world.h("a_owner")).json()
            assert got["status"] == LEGAL[status][action]
        else:
            assert_problem(r, 409, "invalid_transition")
            assert table_counts(market.db) == before, (status, action)


@pytest.mark.parametrize("who", ["a_owner", "b_owner"])
def test_cancel_before_shipment_releases_the_stock(market, who):
    o = market.order("a_owner", [("toyota_pad", 12)])
    assert market.level("b_hz", "toyota_pad") == (5, 5)
    r = market.post(who, f"/orders/{o['id']}/cancel", {"reason": "不要了"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["cancel_reason"] == "不要了"
    assert market.level("b_hz", "toyota_pad") == (5, 0)
    assert market.level("b_nb", "toyota_pad") == (10, 0)
    with market.db.session() as s:
        bind_system(s, "test")
        rows = s.execute(
            select(StockMovement.reserved_delta).where(
                StockMovement.reference_type == "order", StockMovement.reference_id == o["id"]
            )
        ).scalars()
        assert sorted(rows) == [-7, -5]
    tl = market.client.get(f"/api/v1/orders/{o['id']}/timeline", headers=market.world.h(who)).json()
    assert tl[-1]["action"] == "cancel" and tl[-1]["party"] == ("buyer" if who == "a_owner" else "supplier")


def test_shipment_errors(market):
    o = _paid_confirmed(market, [("toyota_pad", 12)])
    line = o["lines"][0]["id"]
    before = table_counts(market.db)
    r = market.post(
        "b_owner",
        f"/orders/{o['id']}/shipments",
        {"carrier": "x", "tracking_number": "1", "lines": [{"line_id": line, "quantity": 13}]},
    )
    assert_problem(r, 422, "quantity_too_large", "lines[0].quantity")
    r = market.post(
        "b_owner",
        f"/orders/{o['id']}/shipments",
        {"carrier": "x", "tracking_number": "1", "lines": [{"line_id": str(uuid.uuid4()), "quantity": 1}]},
    )
    assert_problem(r, 422, "line_not_found", "lines[0].line_id")
    # 6 from 杭州, which holds only 5 of it for this order.
    r = market.post(
        "b_owner",
        f"/orders/{o['id']}/shipments",
        {
            "carrier": "x",
            "tracking_number": "1",
            "lines": [{"line_id": line, "quantity": 6, "warehouse_id": str(market.warehouses["b_hz"])}],
        },
    )
    assert_problem(r, 422, "quantity_too_large", "lines[0].warehouse_id")
    assert table_counts(market.db) == before


def test_ship_from_a_named_warehouse(market):
    o = _paid_confirmed(market, [("toyota_pad", 12)])
    line = o["lines"][0]["id"]
    r = market.post(
        "b_owner",
        f"/orders/{o['id']}/shipments",
        {
            "carrier": "x",
            "tracking_number": "1",
            "lines": [{"line_id": line, "quantity": 7, "warehouse_id": str(market.warehouses["b_nb"])}],
        },
    )
    assert r.status_code == 201, r.text
    assert market.level("b_nb", "toyota_pad") == (3, 0)
    assert market.level("b_hz", "toyota_pad") == (5, 5)


def test_orders_list_filters_by_role_and_status(market):
    w = market.world
    a = market.order("a_owner", [("bosch_pad", 1)])
    c = market.order("a_owner", [("trw_pad", 1)])
    pay(market, c["id"])
    h = w.h("a_owner")
    ids = lambda r: [o["id"] for o in r.json()["items"]]  # noqa: E731
    assert ids(market.client.get("/api/v1/orders", headers=h)) == [c["id"], a["id"]]
    assert ids(market.client.get("/api/v1/orders?role=buyer&status=paid", headers=h)) == [c["id"]]
    assert ids(market.client.get("/api/v1/orders?role=supplier", headers=h)) == []
    assert ids(market.client.get("/api/v1/orders?role=supplier", headers=w.h("b_owner"))) == [a["id"]]
    assert ids(market.client.get("/api/v1/orders?role=buyer", headers=w.h("b_owner"))) == []
    page = market.client.get("/api/v1/orders?limit=1", headers=h).json()
    assert ids_of(page) == [c["id"]] and page["next_cursor"]
    page2 = market.client.get(f"/api/v1/orders?limit=1&cursor={page['next_cursor']}", headers=h).json()
    assert ids_of(page2) == [a["id"]] and page2["next_cursor"] is None
    # Another company sees nothing of it.
    r = market.client.get(f"/api/v1/orders/{a['id']}", headers=w.h("c_owner"))
    assert_problem(r, 404, "order_not_found")


def ids_of(page):
    return [o["id"] for o in page["items"]]


def test_order_numbers_are_unique_and_readable(market):
    numbers = [market.order("a_owner", [("bosch_pad", 1)])["number"] for _ in range(5)]
    assert len(set(numbers)) == 5
    for n in numbers:
        assert n[:2] == "SO" and n[10] == "-" and len(n) == 23
    with market.db.session() as s:
        bind_system(s, "test")
        assert sorted(s.scalars(select(Order.number))) == sorted(numbers)
