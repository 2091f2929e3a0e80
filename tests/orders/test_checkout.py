"""Checkout over HTTP: one order per supplier, nearest-warehouse allocation with splits, reservation,
all or nothing, idempotent retries, and every refusal with its code and field."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.events.models import OutboxEvent
from autotrade.inventory import service as inventory
from autotrade.inventory.models import StockMovement
from autotrade.orders.models import Order, OrderAllocation, OrderEvent, OrderLine
from tests.helpers import assert_problem, count, table_counts
from tests.orders.conftest import HZ_SHIP


def test_single_supplier_checkout_prices_allocates_and_reserves(market):
    r = market.checkout("a_purchaser", [("toyota_pad", 3), ("bosch_pad", 7)])
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["orders"]) == 1
    o = body["orders"][0]
    w = market.world
    assert o["status"] == "pending_payment"
    assert o["buyer_org_id"] == str(w.orgs["a"]) and o["supplier_org_id"] == str(w.orgs["b"])
    assert o["number"].startswith("SO2") and len(o["number"]) == 23
    # 3 × 100.00 + 7 × 80.00 = 860.00 net; VAT 13 % = 111.80.
    assert (o["net_fen"], o["vat_fen"], o["gross_fen"], o["currency"]) == (86_000, 11_180, 97_180, "CNY")
    assert (body["net_fen"], body["vat_fen"], body["gross_fen"]) == (86_000, 11_180, 97_180)
    lines = o["lines"]
    assert [
        (x["position"], x["quantity"], x["unit_price_fen"], x["net_fen"], x["vat_fen"]) for x in lines
    ] == [
        (0, 3, 10_000, 30_000, 3_900),
        (1, 7, 8_000, 56_000, 7_280),
    ]
    assert all(x["pricing_rule"] for x in lines)
    allocs = {(a["line_id"], a["warehouse_id"], a["quantity"]) for a in o["allocations"]}
    assert allocs == {
        (lines[0]["id"], str(market.warehouses["b_hz"]), 3),
        (lines[1]["id"], str(market.warehouses["b_hz"]), 7),
    }
    assert o["ship_to"]["phone"] == "13911112222" or o["ship_to"]["phone"] == "139****2222"
    assert market.level("b_hz", "toyota_pad") == (5, 3)
    assert market.level("b_hz", "bosch_pad") == (100, 7)
    assert market.level("b_nb", "toyota_pad") == (10, 0)
    # Outbox: order.created for the buyer and the supplier; timeline: the placing.
    with market.db.session() as s:
        bind_system(s, "test")
        events = s.execute(
            select(OutboxEvent.type, OutboxEvent.org_id).where(OutboxEvent.subject_id == o["id"])
        ).all()
        assert sorted(events) == sorted([("order.created", w.orgs["a"]), ("order.created", w.orgs["b"])])
        tl = s.scalars(select(OrderEvent).where(OrderEvent.order_id == uuid.UUID(o["id"]))).all()
        assert [(e.action, e.from_status, e.to_status, e.party) for e in tl] == [
            ("place", None, "pending_payment", "buyer")
        ]
        mv = s.execute(
            select(StockMovement.kind, StockMovement.reserved_delta, StockMovement.reference_type).where(
                StockMovement.reference_id == body["checkout_id"]
            )
        ).all()
        assert sorted((str(k), d, t) for k, d, t in mv) == sorted(
            [("reservation", 3, "checkout"), ("reservation", 7, "checkout")]
        )


def test_phone_is_masked_without_pii_permission(market):
    r = market.checkout("a_purchaser", [("toyota_pad", 1)])
    assert r.json()["orders"][0]["ship_to"]["phone"] == "139****2222"
    r = market.checkout("a_owner", [("toyota_pad", 1)])
    assert r.json()["orders"][0]["ship_to"]["phone"] == "13911112222"


def test_a_line_is_split_over_the_nearest_warehouses(market):
    o = market.order("a_owner", [("toyota_pad", 12)])
    got = [(a["warehouse_id"], a["quantity"]) for a in o["allocations"]]
    assert got == [(str(market.warehouses["b_hz"]), 5), (str(market.warehouses["b_nb"]), 7)]
    assert market.level("b_hz", "toyota_pad") == (5, 5)
    assert market.level("b_nb", "toyota_pad") == (10, 7)
    assert market.level("b_sh", "toyota_pad") == (20, 0)


def test_without_coordinates_the_same_city_comes_first(market):
    ship = {**HZ_SHIP, "province": "上海市", "city": "上海市", "latitude": None, "longitude": None}
    o = market.order("a_owner", [("toyota_pad", 3)], ship_to=ship)
    assert [(a["warehouse_id"], a["quantity"]) for a in o["allocations"]] == [
        (str(market.warehouses["b_sh"]), 3)
    ]


def test_without_coordinates_in_the_province_more_stock_wins(market):
    ship = {**HZ_SHIP, "city": "温州市", "latitude": None, "longitude": None}
    o = market.order("a_owner", [("toyota_pad", 12)], ship_to=ship)
    # 宁波 (10) before 杭州 (5): both in 浙江, more stock first; then 上海.
    got = [(a["warehouse_id"], a["quantity"]) for a in o["allocations"]]
    assert got == [(str(market.warehouses["b_nb"]), 10), (str(market.warehouses["b_hz"]), 2)]


def test_one_order_per_supplier_in_one_checkout(market):
    r = market.checkout("a_owner", [("toyota_pad", 2), ("trw_pad", 4), ("bosch_pad", 1)])
    assert r.status_code == 201, r.text
    body = r.json()
    by_supplier = {o["supplier_org_id"]: o for o in body["orders"]}
    w = market.world
    assert set(by_supplier) == {str(w.orgs["b"]), str(w.orgs["c"])}
    assert [x["position"] for x in by_supplier[str(w.orgs["b"])]["lines"]] == [0, 2]
    assert [x["position"] for x in by_supplier[str(w.orgs["c"])]["lines"]] == [1]
    assert {o["checkout_id"] for o in body["orders"]} == {body["checkout_id"]}
    assert len({o["number"] for o in body["orders"]}) == 2
    assert body["gross_fen"] == sum(o["gross_fen"] for o in body["orders"])
    assert market.level("c_hz", "trw_pad") == (30, 4)
    # Each supplier sees its own order; the buyer sees both.
    r = market.client.get("/api/v1/orders", headers=w.h("c_owner"))
    assert [o["id"] for o in r.json()["items"]] == [by_supplier[str(w.orgs["c"])]["id"]]
    r = market.client.get(f"/api/v1/orders?checkout_id={body['checkout_id']}", headers=w.h("a_owner"))
    assert len(r.json()["items"]) == 2


def test_one_short_line_fails_the_whole_checkout_and_changes_nothing(market):
    before = table_counts(market.db)
    r = market.checkout("a_owner", [("bosch_pad", 2), ("toyota_pad", 36), ("trw_pad", 1)])
    body = assert_problem(r, 409, "insufficient_stock")
    assert body["errors"] == [
        {
            "index": 1,
            "field": "lines[1].quantity",
            "offer_id": str(market.offers["toyota_pad"]),
            "part_id": str(market.part("toyota_pad")),
            "requested": 36,
            "available": 35,
        }
    ]
    assert table_counts(market.db) == before
    assert market.level("b_hz", "bosch_pad") == (100, 0)
    assert market.level("c_hz", "trw_pad") == (30, 0)


def test_every_short_line_is_listed(market):
    before = table_counts(market.db)
    r = market.checkout("a_owner", [("brembo_disc", 11), ("bosch_pad", 1), ("trw_pad", 31)])
    body = assert_problem(r, 409, "insufficient_stock")
    assert [(e["index"], e["requested"], e["available"]) for e in body["errors"]] == [
        (0, 11, 10),
        (2, 31, 30),
    ]
    assert table_counts(market.db) == before


@pytest.mark.postgres_only
def test_stock_sold_between_the_read_and_the_reservation_fails_the_checkout(market, db):
    """Another transaction holds the stock row (and then sells it all) while the checkout runs: the
    checkout's availability read saw stock, its conditional reservation waits, then finds none — the
    whole checkout rolls back with insufficient_stock."""
    before = table_counts(db)
    other = db.session()
    bind_system(other, "test")
    inventory.reserve(
        other,
        [inventory.StockLine(market.warehouses["b_hz"], market.part("bosch_pad"), 100)],
        reference_type="test",
        reference_id="rival",
    )
    result: dict[str, object] = {}
    buyer = threading.Thread(target=lambda: result.update(r=market.checkout("a_owner", [("bosch_pad", 5)])))
    buyer.start()
    time.sleep(1.0)  # the buyer is now waiting on the locked stock row
    assert buyer.is_alive()
    other.commit()
    other.close()
    buyer.join(30)
    body = assert_problem(result["r"], 409, "insufficient_stock")
    assert body["errors"][0]["requested"] == 5 and body["errors"][0]["available"] == 0
    after = table_counts(db)
    assert after["stock_movements"] == before["stock_movements"] + 1  # the rival's reservation only
    assert {k: v for k, v in after.items() if k != "stock_movements"} == {
        k: v for k, v in before.items() if k != "stock_movements"
    }
    assert market.level("b_hz", "bosch_pad") == (100, 100)


@pytest.mark.parametrize(
    ("lines", "status", "code", "field"),
    [
        ([], 422, "empty_checkout", "lines"),
        ([("toyota_pad", 0)], 422, "invalid_quantity", "lines[0].quantity"),
        ([("bosch_pad", 1), ("toyota_pad", -2)], 422, "invalid_quantity", "lines[1].quantity"),
        ([("bosch_pad", 1), ("brembo_disc", 1)], 422, "below_moq", "lines[1].quantity"),
        ([("vw_filter", 6)], 422, "not_pack_multiple", "lines[0].quantity"),
        ([("bosch_pad", 1), ("bosch_pad", 2)], 422, "duplicate_line", "lines[1].offer_id"),
    ],
)
def test_bad_lines_are_refused_with_their_field(market, lines, status, code, field):
    before = table_counts(market.db)
    r = market.checkout("a_owner", lines)
    assert_problem(r, status, code, field)
    assert table_counts(market.db) == before


def test_unknown_offer(market):
    before = table_counts(market.db)
    body = {
        "lines": [
            {"offer_id": str(market.offers["bosch_pad"]), "quantity": 1},
            {"offer_id": "0190d000-0000-7000-8000-000000000000", "quantity": 1},
        ],
        "ship_to": HZ_SHIP,
    }
    r = market.client.post("/api/v1/checkout", json=body, headers=market.world.h("a_owner"))
    assert_problem(r, 404, "offer_not_found", "lines[1].offer_id")
    assert table_counts(market.db) == before


def test_too_many_lines(market):
    before = table_counts(market.db)
    body = {
        "lines": [{"offer_id": f"0190d000-0000-7000-8000-{i:012d}", "quantity": 1} for i in range(201)],
        "ship_to": HZ_SHIP,
    }
    r = market.client.post("/api/v1/checkout", json=body, headers=market.world.h("a_owner"))
    assert_problem(r, 422, "too_many_lines", "lines")
    assert table_counts(market.db) == before


def test_a_company_cannot_order_its_own_offer(market):
    before = table_counts(market.db)
    r = market.checkout("b_owner", [("toyota_pad", 1)])
    assert_problem(r, 422, "own_offer", "lines[0].offer_id")
    assert table_counts(market.db) == before


def test_ship_to_is_validated(market):
    r = market.checkout("a_owner", [("toyota_pad", 1)], ship_to={**HZ_SHIP, "latitude": 91})
    assert_problem(r, 422, "validation_error", "ship_to.latitude")


@pytest.mark.parametrize("who", ["a_viewer", "pending_owner", "b_warehouse"])
def test_checkout_needs_orders_edit_and_an_approved_company(market, who):
    before = table_counts(market.db)
    r = market.checkout(who, [("toyota_pad", 1)])
    assert r.status_code == 403, r.text
    assert table_counts(market.db) == before


def test_an_idempotent_retry_returns_the_same_orders(market):
    first = market.checkout("a_owner", [("toyota_pad", 6), ("trw_pad", 1)], key="checkout-42")
    assert first.status_code == 201
    counts = table_counts(market.db)
    again = market.checkout("a_owner", [("toyota_pad", 6), ("trw_pad", 1)], key="checkout-42")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert table_counts(market.db) == counts
    assert count(market.db, Order) == 2
    assert market.level("b_hz", "toyota_pad") == (5, 5)
    assert market.level("b_nb", "toyota_pad") == (10, 1)
    # The same key with another body is refused; a new key is a new checkout.
    other = market.checkout("a_owner", [("toyota_pad", 1)], key="checkout-42")
    assert_problem(other, 409, "idempotency_key_reused")
    assert market.checkout("a_owner", [("toyota_pad", 1)], key="checkout-43").status_code == 201
    assert count(market.db, Order) == 3


def test_a_failed_checkout_can_be_retried_with_the_same_key(market):
    r = market.checkout("a_owner", [("toyota_pad", 40)], key="k1")
    assert_problem(r, 409, "insufficient_stock")
    assert count(market.db, Order) == 0
    r = market.checkout("a_owner", [("toyota_pad", 40)], key="k1")
    assert_problem(r, 409, "insufficient_stock")


def test_rows_written(market):
    market.order("a_owner", [("toyota_pad", 12), ("bosch_pad", 1)])
    assert count(market.db, OrderLine) == 2
    assert count(market.db, OrderAllocation) == 3
    assert count(market.db, OrderEvent) == 1


def test_a_checkout_is_audited_with_the_phone_redacted_and_stored_encrypted(market):
    """The checkout writes its rows as plain multi-row INSERTs (not the unit of work); each order, line
    and allocation still has its ``create`` entry naming the buyer, the phone redacted in the log and
    encrypted in the table."""
    from sqlalchemy import literal_column

    from autotrade.audit.models import AuditLog

    r = market.checkout("a_purchaser", [("toyota_pad", 8), ("trw_pad", 1)])  # 2 suppliers, a split line
    assert r.status_code == 201, r.text
    body = r.json()
    ids = {o["id"]: "orders" for o in body["orders"]}
    ids |= {x["id"]: "order_lines" for o in body["orders"] for x in o["lines"]}
    ids |= {a["id"]: "order_allocations" for o in body["orders"] for a in o["allocations"]}
    assert len(ids) == 2 + 2 + 3
    with market.db.session() as s:
        bind_system(s, "test")
        entries = s.scalars(select(AuditLog).where(AuditLog.entity_id.in_(list(ids)))).all()
        raw_phones = s.scalars(  # the column as stored: no decryption on the way out
            select(literal_column("ship_phone"))
            .select_from(Order)
            .where(Order.checkout_id == uuid.UUID(body["checkout_id"]))
        )
        raw = [str(p) for p in raw_phones]
    assert sorted((e.entity_id, e.action) for e in entries) == sorted(
        (i, f"{t}.create") for i, t in ids.items()
    )
    purchaser = market.world.users["a_purchaser"]
    assert all(e.actor_user_id == purchaser and e.before is None for e in entries)
    for e in entries:
        if e.entity_type == "orders":
            assert e.org_id == market.world.orgs["a"]
            assert e.after["ship_phone"] == "[redacted]" and e.after["status"] == "pending_payment"
            assert e.after["number"] == next(o["number"] for o in body["orders"] if o["id"] == e.entity_id)
    assert len(raw) == 2 and all("13911112222" not in p for p in raw)


def test_shipping_to_the_own_city_without_coordinates_uses_the_company_coordinates(market):
    """A rule of the checkout (not of a page): the buyer's coordinates fill in for its own city only."""
    from autotrade.orders.checkout import located
    from autotrade.orders.schemas import ShipTo

    w = market.world
    bare = ShipTo.model_validate({**HZ_SHIP, "latitude": None, "longitude": None})
    with market.db.session() as s:
        bind_system(s, "test")
        org = w.orgs["a"]
        assert (located(s, org, bare).latitude, located(s, org, bare).longitude) == (30.28, 120.13)
        elsewhere = bare.model_copy(update={"city": "温州市"})
        assert located(s, org, elsewhere) == elsewhere
        given = bare.model_copy(update={"latitude": 30.0, "longitude": 120.0})
        assert located(s, org, given) == given
