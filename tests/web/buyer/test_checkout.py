"""Checkout from the cart page: one order per supplier through the cart's checkout service, an
idempotency key in the form (a double submit answers the same orders), and every error back in the
cart with nothing lost."""

from __future__ import annotations

import re

from autotrade.orders.models import Order
from tests.helpers import count, table_counts
from tests.orders.conftest import HZ_SHIP
from tests.web.buyer.conftest import html_of
from tests.web.conftest import post_form, web_login

SHIP = {k: str(v) for k, v in HZ_SHIP.items() if k in ("province", "city", "address", "contact", "phone")}


def _api_add(shop, part, quantity, who="a_owner"):
    r = shop.client.post(
        "/api/v1/cart/lines",
        json={"part_id": str(shop.part(part)), "quantity": quantity},
        headers=shop.world.h(who),
    )
    assert r.status_code == 201, r.text
    return r.json()["line"]["id"]


def _form_key(html: str) -> str:
    m = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', html)
    assert m, "no idempotency key in the checkout form"
    return m.group(1)


def _cart_lines(shop, who="a_owner"):
    return shop.client.get("/api/v1/cart", headers=shop.world.h(who)).json()["lines"]


def test_checkout_splits_into_supplier_orders_and_a_double_submit_answers_the_same(shop):
    c = shop.client
    _api_add(shop, "toyota_pad", 2)
    _api_add(shop, "trw_pad", 3)
    key = _form_key(html_of(c.get("/cart?lang=en")))
    form = {**SHIP, "note": "上午送货", "idempotency_key": key}
    r = post_form(c, "/cart/checkout", form)
    assert r.status_code == 303, r.text
    result_url = r.headers["location"]
    assert re.fullmatch(r"/cart/checkout/[0-9a-f-]{36}", result_url)
    assert count(shop.db, Order) == 2
    assert _cart_lines(shop) == []
    # the same form again (a double click, a reload): the same orders, nothing new
    again = post_form(c, "/cart/checkout", form)
    assert again.status_code == 303 and again.headers["location"] == result_url
    assert count(shop.db, Order) == 2

    html = html_of(c.get(result_url + "?lang=en"))
    orders = re.findall(r'<section class="card buyer-order" data-id="([^"]+)"', html)
    assert len(orders) == 2
    assert "B 汽配经销" in html and "C 汽配批发" in html
    # B: 2 × 100.00 = 200.00 + 26.00 VAT; C: 3 × 60.00 = 180.00 + 23.40 VAT; together 429.40
    assert "¥226.00" in html and "¥203.40" in html and "¥429.40" in html and "¥49.40" in html
    assert "杭州市 · HZ-01: 2" in html and "杭州市 · HZ-C: 3" in html  # warehouse allocation
    for order_id in orders:
        assert f'href="/buyer/orders/{order_id}/pay"' in html
        assert f'href="/buyer/orders/{order_id}"' in html
    api = c.get("/api/v1/orders?role=buyer", headers=shop.world.h("a_owner")).json()["items"]
    assert sorted(o["id"] for o in api) == sorted(orders)
    assert {o["status"] for o in api} == {"pending_payment"}


def test_the_same_key_with_other_values_is_refused(shop):
    c = shop.client
    _api_add(shop, "toyota_pad", 1)
    key = _form_key(html_of(c.get("/cart?lang=en")))
    assert post_form(c, "/cart/checkout", {**SHIP, "idempotency_key": key}).status_code == 303
    _api_add(shop, "bosch_pad", 1)
    r = post_form(c, "/cart/checkout", {**SHIP, "address": "别处 1 号", "idempotency_key": key})
    assert r.status_code == 409
    assert "This form was already sent with other values." in r.text
    assert count(shop.db, Order) == 1 and len(_cart_lines(shop)) == 1


def test_a_missing_address_field_keeps_every_value_and_changes_nothing(shop):
    c = shop.client
    _api_add(shop, "toyota_pad", 2)
    key = _form_key(html_of(c.get("/cart?lang=en")))
    before = table_counts(shop.db)
    r = post_form(c, "/cart/checkout", {**SHIP, "province": "", "note": "急件", "idempotency_key": key})
    assert r.status_code == 422
    html = html_of(r)
    assert 'id="e-province"' in html and "This field is required." in html
    assert f'value="{SHIP["address"]}"' in html and 'value="急件"' in html
    assert f'value="{key}"' in html  # the same key: a retry after fixing it is still one checkout
    assert table_counts(shop.db) == before


def test_lines_that_cannot_be_ordered_are_shown_in_the_cart_and_kept(shop):
    c = shop.client
    line = _api_add(shop, "toyota_pad", 30)  # 35 in stock
    shop.order("a_purchaser", [("toyota_pad", 10)])  # a colleague takes 10
    key = _form_key(html_of(c.get("/cart?lang=en")))
    r = post_form(c, "/cart/checkout", {**SHIP, "idempotency_key": key})
    assert r.status_code == 409
    html = html_of(r)
    assert "Some lines cannot be ordered as they stand." in html
    row = re.search(rf'<tr data-id="{line}".*?</tr>', html, re.S)
    assert row and "Not enough stock: at most 25 available" in row.group(0)
    assert f'value="{SHIP["address"]}"' in html
    assert [x["quantity"] for x in _cart_lines(shop)] == [30]
    assert count(shop.db, Order) == 1  # only the colleague's


def test_an_empty_cart_cannot_be_checked_out(shop):
    c = shop.client
    c.get("/cart?lang=en")
    r = post_form(c, "/cart/checkout", {**SHIP, "idempotency_key": ""})
    assert r.status_code == 409 and "Your cart is empty." in r.text


def test_a_purchaser_checks_out_and_is_told_who_pays(shop):
    c = shop.client
    web_login(c, shop.world.emails["a_purchaser"])
    _api_add(shop, "bosch_pad", 1, who="a_purchaser")
    key = _form_key(html_of(c.get("/cart?lang=en")))
    r = post_form(c, "/cart/checkout", {**SHIP, "idempotency_key": key})
    assert r.status_code == 303
    html = html_of(c.get(r.headers["location"] + "?lang=en"))
    assert "Paying needs the payment permission" in html and "/pay" not in html


def test_the_result_page_of_another_company_is_not_found(shop):
    c = shop.client
    _api_add(shop, "toyota_pad", 1)
    key = _form_key(html_of(c.get("/cart")))
    url = post_form(c, "/cart/checkout", {**SHIP, "idempotency_key": key}).headers["location"]
    for who in ("b_owner", "c_owner"):  # the supplier of the order, and a stranger
        web_login(c, shop.world.emails[who])
        assert c.get(url).status_code == 404, who
