"""Requisition lists: named saved lists a shop reorders from; reorder re-resolves every line now."""

from __future__ import annotations

from autotrade.cart.models import RequisitionLine, RequisitionList
from tests.cart.conftest import Market, set_stock
from tests.helpers import assert_problem, count, table_counts


def _create(client, h, market: Market) -> dict:
    r = client.post(
        "/api/v1/requisition-lists",
        json={
            "name": "每周保养件",
            "note": "周一下单",
            "lines": [
                {"sku": "TRW-GDB3426", "quantity": 4},
                {"number": "hu 6020 z", "quantity": 2},
                {
                    "part_id": str(market.part("bosch_pad")),
                    "quantity": 2,
                    "offer_id": str(market.offers[("s2", "bosch_pad")]),
                },
                {"sku": "TOYOTA-0446533471", "quantity": 2},
            ],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_create_read_update_delete(client, world, market: Market, db):
    h = world.h("a_purchaser")
    lst = _create(client, h, market)
    assert (lst["name"], lst["note"], lst["line_count"]) == ("每周保养件", "周一下单", 4)
    assert [(x["sku"], x["quantity"], x["offer_id"]) for x in lst["lines"]] == [
        ("TRW-GDB3426", 4, None),
        ("MANNFILTER-HU6020Z", 2, None),
        ("BOSCH-0986494614", 2, str(market.offers[("s2", "bosch_pad")])),
        ("TOYOTA-0446533471", 2, None),
    ]
    listed = client.get("/api/v1/requisition-lists", headers=h).json()
    assert [(x["id"], x["line_count"], x["lines"]) for x in listed["items"]] == [(lst["id"], 4, None)]
    assert (
        client.get(f"/api/v1/requisition-lists/{lst['id']}", headers=world.h("a_viewer")).status_code == 403
    )

    url = f"/api/v1/requisition-lists/{lst['id']}"
    r = client.post(f"{url}/lines", json={"sku": "TRW-GDB3426", "quantity": 4}, headers=h)
    assert r.status_code == 201 and r.json()["lines"][0]["quantity"] == 8
    line_id = r.json()["lines"][1]["id"]
    r = client.patch(f"{url}/lines/{line_id}", json={"quantity": 5}, headers=h)
    assert r.status_code == 200 and r.json()["lines"][1]["quantity"] == 5
    assert client.delete(f"{url}/lines/{line_id}", headers=h).status_code == 204
    r = client.patch(url, json={"name": "周保养", "note": None}, headers=h)
    assert (r.json()["name"], r.json()["note"], r.json()["line_count"]) == ("周保养", None, 3)

    client.post("/api/v1/requisition-lists", json={"name": "另一个"}, headers=h)
    before = table_counts(db)
    assert_problem(
        client.patch(url, json={"name": "另一个"}, headers=h), 409, "requisition_list_name_taken", "name"
    )
    r = client.post("/api/v1/requisition-lists", json={"name": "另一个"}, headers=h)
    assert_problem(r, 409, "requisition_list_name_taken", "name")
    r = client.post(f"{url}/lines", json={"number": "NOPE", "quantity": 1}, headers=h)
    assert_problem(r, 404, "unknown_number")
    r = client.post(
        f"{url}/lines",
        json={"sku": "TRW-GDB3426", "quantity": 1, "offer_id": str(market.offers[("s1", "toyota_pad")])},
        headers=h,
    )
    assert_problem(r, 422, "offer_mismatch", "lines[0].offer_id")
    assert_problem(client.delete(f"{url}/lines/{line_id}", headers=h), 404, "requisition_line_not_found")
    assert table_counts(db) == before

    assert client.delete(url, headers=h).status_code == 204
    assert_problem(client.get(url, headers=h), 404, "requisition_list_not_found")
    assert count(db, RequisitionList) == 1 and count(db, RequisitionLine) == 0


def test_reorder_resolves_again_with_this_weeks_stock(client, world, market: Market, db):
    h = world.h("a_purchaser")
    lst = _create(client, h, market)
    url = f"/api/v1/requisition-lists/{lst['id']}/add-to-cart"

    r = client.post(url, json={"dry_run": True}, headers=h)
    assert r.status_code == 200, r.text
    week1 = [
        (x["line"], x["code"], x["sku"], x["supplier_org_id"], x["unit_price_fen"]) for x in r.json()["lines"]
    ]
    s1, s2 = str(market.suppliers["s1"]), str(market.suppliers["s2"])
    assert week1 == [
        (1, "resolved", "TRW-GDB3426", s2, 12_000),
        (2, "resolved", "MANNFILTER-HU6020Z", s2, 3_000),
        (3, "resolved", "BOSCH-0986494614", s2, 14_000),  # the preferred offer
        (4, "resolved", "TOYOTA-0446533471", s1, 20_000),
    ]

    # a week later: S2 sold its Bosch pads and most Mann filters; Toyota pads ran out
    set_stock(db, market, "s2", "bosch_pad", 1)
    set_stock(db, market, "s2", "mann_filter", 1)
    set_stock(db, market, "s1", "toyota_pad", 0)
    r = client.post(url, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    week2 = [(x["line"], x["code"], x["sku"], x["supplier_org_id"], x["available"]) for x in body["lines"]]
    assert week2 == [
        (1, "resolved", "TRW-GDB3426", s2, 100),
        (2, "insufficient_stock", "MANNFILTER-HU6020Z", s2, 1),
        (3, "resolved", "BOSCH-0986494614", s1, 5),  # the preferred offer cannot deliver: the best other
        (4, "insufficient_stock", "TOYOTA-0446533471", s1, 0),
    ]
    assert body["lines"][2]["detail"] == (
        "the preferred offer cannot deliver this quantity now; chose the best other"
    )
    assert body["added"] == 2 and body["summary"]["resolved"] == 2
    cart = client.get("/api/v1/cart", headers=h).json()
    assert sorted((x["sku"], x["quantity"], x["source"]) for x in cart["lines"]) == [
        ("BOSCH-0986494614", 2, "requisition"),
        ("TRW-GDB3426", 4, "requisition"),
    ]


def test_save_cart_as_list(client, world, market: Market, db):
    h = world.h("a_purchaser")
    before = table_counts(db)
    assert_problem(
        client.post("/api/v1/cart/save-as-list", json={"name": "空"}, headers=h), 409, "cart_empty"
    )
    assert table_counts(db) == before
    client.post("/api/v1/cart/quick-order", json={"text": "GDB3426,4\n04465-33471,1"}, headers=h)
    r = client.post("/api/v1/cart/save-as-list", json={"name": "从购物车"}, headers=h)
    assert r.status_code == 201, r.text
    assert [(x["sku"], x["quantity"], x["offer_id"]) for x in r.json()["lines"]] == [
        ("TRW-GDB3426", 4, str(market.offers[("s2", "trw_pad")])),
        ("BOSCH-0986494614", 1, str(market.offers[("s2", "bosch_pad")])),
    ]
    # the cart is unchanged by saving
    assert len(client.get("/api/v1/cart", headers=h).json()["lines"]) == 2
