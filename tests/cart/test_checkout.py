"""Cart checkout: orders per supplier through orders.service.checkout, the cart emptied in the same
transaction; a failed checkout keeps the cart intact and changes nothing."""

from __future__ import annotations

from autotrade.cart.models import CartLine
from autotrade.orders.models import Order
from tests.cart.conftest import SHIP_TO, Market, set_stock
from tests.helpers import assert_problem, count, table_counts


def _fill(client, h) -> None:
    r = client.post(
        "/api/v1/cart/quick-order", json={"text": "GDB3426,4\n04465-33471,3\nHU6020Z,1"}, headers=h
    )
    assert r.json()["summary"]["resolved"] == 3, r.text


def test_checkout_creates_orders_and_empties_the_cart(client, world, market: Market, db):
    h = world.h("a_purchaser")
    _fill(client, h)
    r = client.post(
        "/api/v1/cart/checkout",
        json={"ship_to": SHIP_TO, "note": "尽快"},
        headers={**h, "Idempotency-Key": "k1"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    by_supplier = {o["supplier_org_id"]: o for o in body["orders"]}
    s1, s2 = str(market.suppliers["s1"]), str(market.suppliers["s2"])
    assert set(by_supplier) == {s1, s2}
    assert sorted(
        (x["part_id"], x["quantity"], x["unit_price_fen"]) for x in by_supplier[s2]["lines"]
    ) == sorted([(str(market.part("trw_pad")), 4, 12_000), (str(market.part("mann_filter")), 1, 3_000)])
    assert [(x["part_id"], x["quantity"]) for x in by_supplier[s1]["lines"]] == [
        (str(market.part("bosch_pad")), 3)
    ]
    assert body["net_fen"] == 48_000 + 3_000 + 45_000
    assert count(db, CartLine) == 0 and count(db, Order) == 2
    assert client.get("/api/v1/cart", headers=h).json()["lines"] == []

    # a retry with the same key answers the same orders and creates nothing
    before = table_counts(db)
    r2 = client.post(
        "/api/v1/cart/checkout",
        json={"ship_to": SHIP_TO, "note": "尽快"},
        headers={**h, "Idempotency-Key": "k1"},
    )
    assert r2.status_code == 201 and r2.headers["idempotent-replayed"] == "true"
    assert r2.json() == body
    assert table_counts(db) == before


def test_checkout_of_some_lines(client, world, market: Market, db):
    h = world.h("a_purchaser")
    _fill(client, h)
    lines = client.get("/api/v1/cart", headers=h).json()["lines"]
    r = client.post(
        "/api/v1/cart/checkout", json={"ship_to": SHIP_TO, "line_ids": [lines[0]["id"]]}, headers=h
    )
    assert r.status_code == 201, r.text
    assert [o["supplier_org_id"] for o in r.json()["orders"]] == [str(market.suppliers["s2"])]
    assert [x["sku"] for x in client.get("/api/v1/cart", headers=h).json()["lines"]] == [
        "BOSCH-0986494614",
        "MANNFILTER-HU6020Z",
    ]


def test_failed_checkout_keeps_the_cart(client, world, market: Market, db):
    h = world.h("a_purchaser")
    before = table_counts(db)
    assert_problem(
        client.post("/api/v1/cart/checkout", json={"ship_to": SHIP_TO}, headers=h), 409, "cart_empty"
    )
    assert table_counts(db) == before

    _fill(client, h)
    set_stock(db, market, "s1", "bosch_pad", 2)  # sold elsewhere since it went into the cart
    before = table_counts(db)
    r = client.post(
        "/api/v1/cart/checkout", json={"ship_to": SHIP_TO}, headers={**h, "Idempotency-Key": "k2"}
    )
    body = assert_problem(r, 409, "cart_not_ready")
    assert [(e["code"], e["available"], e["part_id"]) for e in body["errors"]] == [
        ("insufficient_stock", 2, str(market.part("bosch_pad")))
    ]
    r = client.post("/api/v1/cart/checkout", json={"ship_to": {"city": "杭州市"}}, headers=h)
    assert_problem(r, 422, "validation_error")
    r = client.post(
        "/api/v1/cart/checkout",
        json={"ship_to": SHIP_TO, "line_ids": [str(market.part("bosch_pad"))]},
        headers=h,
    )
    assert_problem(r, 404, "cart_line_not_found", "line_ids")
    assert table_counts(db) == before
    assert len(client.get("/api/v1/cart", headers=h).json()["lines"]) == 3


def test_checkout_refused_after_orders_were_written_rolls_back(
    client, world, market: Market, db, monkeypatch
):
    """The orders service places the orders and reserves stock, then something fails in the same
    transaction: the orders, the reservation, the idempotency record and the cart's removal all roll back."""
    from autotrade.cart import service
    from autotrade.core.errors import Conflict

    real = service.orders.checkout

    def failing(*args, **kwargs):
        real(*args, **kwargs)
        raise Conflict("simulated failure after the reservation", code="simulated")

    monkeypatch.setattr(service.orders, "checkout", failing)
    h = world.h("a_purchaser")
    _fill(client, h)
    before = table_counts(db)
    r = client.post(
        "/api/v1/cart/checkout", json={"ship_to": SHIP_TO}, headers={**h, "Idempotency-Key": "k3"}
    )
    assert_problem(r, 409, "simulated")
    assert table_counts(db) == before
    assert count(db, CartLine) == 3 and count(db, Order) == 0
    monkeypatch.setattr(service.orders, "checkout", real)
    r = client.post(
        "/api/v1/cart/checkout", json={"ship_to": SHIP_TO}, headers={**h, "Idempotency-Key": "k3"}
    )
    assert r.status_code == 201, r.text
    assert count(db, CartLine) == 0 and count(db, Order) == 2


def test_own_offers_cannot_be_chosen(client, world, market: Market, db):
    from autotrade.core.tenancy import bind_system
    from autotrade.inventory import service as inventory
    from tests.cart.conftest import _warehouse, add_offer

    market.suppliers["a"] = world.orgs["a"]
    with db.transaction() as s:
        bind_system(s, "test")
        market.warehouses["a"] = inventory.create_warehouse(
            s, world.orgs["a"], _warehouse("A1", "杭州市", 30.2, 120.1)
        ).id
    own = add_offer(db, market, "a", "trw_pad", 100, moq=1)
    set_stock(db, market, "a", "trw_pad", 50)
    h = world.h("a_purchaser")
    before = table_counts(db)
    r = client.post(
        "/api/v1/cart/lines", json={"sku": "TRW-GDB3426", "quantity": 4, "offer_id": str(own)}, headers=h
    )
    body = assert_problem(r, 409, "no_offer", "offer_id")
    assert body["detail"] == "this offer is your own company's"
    assert table_counts(db) == before


def test_checkout_needs_orders_permission(client, world, market: Market, db):
    r = client.post(
        "/api/v1/api-keys", json={"name": "ERP", "scopes": ["procurement:edit"]}, headers=world.h("a_owner")
    )
    key = {"X-API-Key": r.json()["key"]}
    client.post("/api/v1/cart/lines", json={"sku": "TRW-GDB3426", "quantity": 4}, headers=key)
    before = table_counts(db)
    r = client.post("/api/v1/cart/checkout", json={"ship_to": SHIP_TO}, headers=key)
    assert_problem(r, 403, "permission_denied")
    assert table_counts(db) == before
