"""Stock by warehouse: filters, low-stock highlights (badge with words and icon), thresholds, the manual
adjustment; errors keep the input and change nothing."""

from __future__ import annotations

import re

from tests.web.conftest import post_form
from tests.web.supplier.conftest import api, ids_in, sku_of


def _levels(m, who="b_owner", **params):
    r = api(m, who, "GET", "/stock/levels", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return {(x["warehouse_id"], x["part_id"]): x for x in r.json()["items"]}


def _level_id(m, warehouse, part):
    return _levels(m)[(str(m.warehouses[warehouse]), str(m.part(part)))]["id"]


def test_stock_by_warehouse_for_each_role(market, web):
    mine = {x["id"] for x in _levels(market).values()}
    for who in ("b_owner", "b_sales", "b_warehouse"):
        c = web(who)
        for lang, h1 in (("en", "<h1>Stock</h1>"), ("zh_CN", "<h1>库存</h1>")):
            r = c.get(f"/supplier/stock?lang={lang}")
            assert r.status_code == 200 and h1 in r.text
            assert ids_in(r.text, "stock") == mine
    r = web("b_owner").get("/supplier/stock", params={"warehouse": str(market.warehouses["b_hz"])})
    hz = {x["id"] for k, x in _levels(market).items() if k[0] == str(market.warehouses["b_hz"])}
    assert ids_in(r.text, "stock") == hz
    r = web("b_owner").get("/supplier/stock", params={"sku": sku_of(market, "toyota_pad"), "lang": "en"})
    assert len(ids_in(r.text, "stock")) == 3
    r = web("b_owner").get("/supplier/stock", params={"sku": "NOPE", "lang": "en"})
    assert "No part with this SKU in the catalogue." in r.text
    assert "HZ-01" in r.text and 'id="warehouses-table"' in r.text  # the warehouses list


def test_low_stock_is_highlighted_in_words_and_filterable(market, web):
    c = web("b_warehouse")
    level = _level_id(market, "b_hz", "toyota_pad")  # 5 available
    r = post_form(
        c, f"/supplier/stock/levels/{level}/threshold?lang=en", {"low_stock_threshold": "5"}, htmx=True
    )
    assert r.status_code == 200
    assert r.text.strip().startswith(f'<tr id="level-{level}" data-id="{level}" class="supplier-row-low">')
    assert "Low stock" in r.text and "⚠" in r.text
    assert (
        _levels(market)[(str(market.warehouses["b_hz"]), str(market.part("toyota_pad")))][
            "low_stock_threshold"
        ]
        == 5
    )
    page = c.get("/supplier/stock?low=1&lang=en")
    assert ids_in(page.text, "stock") == {level}
    # Clearing it (blank) removes the alert.
    r = post_form(
        c, f"/supplier/stock/levels/{level}/threshold?lang=en", {"low_stock_threshold": ""}, htmx=True
    )
    assert "Low stock" not in r.text
    assert ids_in(c.get("/supplier/stock?low=1").text, "stock") == set()
    # A bad value: 422, the typed value kept, nothing changed.
    r = post_form(
        c, f"/supplier/stock/levels/{level}/threshold?lang=en", {"low_stock_threshold": "-3"}, htmx=True
    )
    assert r.status_code == 422 and 'value="-3"' in r.text and "Enter a whole number of 0 or more." in r.text
    assert (
        _levels(market)[(str(market.warehouses["b_hz"]), str(market.part("toyota_pad")))][
            "low_stock_threshold"
        ]
        is None
    )


def test_adjust_stock(market, web):
    c = web("b_warehouse")
    sku = sku_of(market, "bosch_pad")
    wh = str(market.warehouses["b_hz"])
    r = post_form(
        c, "/supplier/stock/adjust?lang=en", {"warehouse_id": wh, "sku": sku, "on_hand": "97", "reason": ""}
    )
    assert r.status_code == 422
    assert 'id="e-reason"' in r.text and 'value="97"' in r.text and f'value="{sku}"' in r.text
    r = post_form(
        c,
        "/supplier/stock/adjust?lang=en",
        {"warehouse_id": wh, "sku": sku, "on_hand": "1", "delta": "2", "reason": "x"},
    )
    assert r.status_code == 422 and 'id="e-delta"' in r.text
    assert market.level("b_hz", "bosch_pad") == (100, 0)
    r = post_form(
        c, "/supplier/stock/adjust", {"warehouse_id": wh, "sku": sku, "on_hand": "97", "reason": "盘点"}
    )
    assert r.status_code == 303
    assert market.level("b_hz", "bosch_pad") == (97, 0)
    r = post_form(
        c, "/supplier/stock/adjust", {"warehouse_id": wh, "sku": sku, "delta": "-2", "reason": "货损"}
    )
    assert market.level("b_hz", "bosch_pad") == (95, 0)
    # Below what is reserved: the service refuses, the page says why next to the field.
    market.order("a_owner", [("bosch_pad", 10)])
    reserved = market.level("b_hz", "bosch_pad")[1]
    assert reserved > 0
    r = post_form(
        c,
        "/supplier/stock/adjust?lang=en",
        {"warehouse_id": wh, "sku": sku, "on_hand": "0", "reason": "清零"},
    )
    assert r.status_code == 409
    assert re.search(r'id="e-on_hand">On hand cannot go below what open orders have reserved', r.text)
    assert market.level("b_hz", "bosch_pad") == (95, reserved)


def test_refused_and_foreign(market, web):
    assert web("a_owner").get("/supplier/stock").status_code == 403  # a buyer company
    market.world.add_user("b_finance", "b", ("finance",))
    assert web("b_finance").get("/supplier/stock").status_code == 403  # no inventory permission
    c = web("b_sales")  # inventory:view only
    level = _level_id(market, "b_hz", "toyota_pad")
    assert (
        post_form(c, f"/supplier/stock/levels/{level}/threshold", {"low_stock_threshold": "1"}).status_code
        == 403
    )
    foreign = next(iter(_levels(market, "c_owner").values()))["id"]
    c = web("b_owner")
    assert (
        post_form(c, f"/supplier/stock/levels/{foreign}/threshold", {"low_stock_threshold": "1"}).status_code
        == 404
    )
    r = post_form(
        c,
        "/supplier/stock/adjust?lang=en",
        {
            "warehouse_id": str(market.warehouses["c_hz"]),
            "sku": sku_of(market, "trw_pad"),
            "on_hand": "0",
            "reason": "x",
        },
    )
    assert r.status_code == 404 and 'id="e-warehouse_id"' in r.text
    assert market.level("c_hz", "trw_pad") == (30, 0)


def test_empty_state(market, web):
    from autotrade.orgs.models import OrgType
    from tests.factories import make_company, make_user
    from tests.web.conftest import web_login

    org = make_company(market.db, name="E 厂家", type=OrgType.manufacturer)
    _, email = make_user(market.db, org=org, roles=("owner",))
    web_login(market.client, email)
    r = market.client.get("/supplier/stock?lang=en")
    assert "No stock yet." in r.text and 'href="/supplier/stock/upload"' in r.text
