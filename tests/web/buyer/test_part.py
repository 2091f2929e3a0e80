"""The part page: details, numbers, fitment, interchangeable parts and the price comparison (一键比价)
with its filter (plain GET and HTMX), and "Add to cart" on each offer row."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.orders.conftest import add_offer, add_stock
from tests.web.buyer.conftest import html_of, ids_in
from tests.web.conftest import post_form, web_login


def _cart(shop, who="a_owner"):
    r = shop.client.get("/api/v1/cart", headers=shop.world.h(who))
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("who", ["a_owner", "a_purchaser"])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_part_page_renders(shop, who, lang):
    web_login(shop.client, shop.world.emails[who])
    r = shop.client.get(f"/parts/{shop.part('toyota_pad')}?lang={lang}")
    html = html_of(r)
    assert r.status_code == 200
    assert html.count("<h1>") == 1
    assert "04465-33471" in html and "TOYOTA-0446533471" in html
    assert ("一键比价" if lang == "zh_CN" else "Price comparison") in html
    # the interchange group, as links
    for key in ("bosch_pad", "trw_pad"):
        assert f'href="/parts/{shop.part(key)}"' in html
    assert "2.5L 自动 豪华版" in html  # fitment
    # the stored position "front", in the reader's language
    assert ("<dt>安装位置</dt><dd>前</dd>" if lang == "zh_CN" else "<dt>Position</dt><dd>front</dd>") in html


def test_part_page_needs_the_permission_and_an_existing_part(shop):
    c = shop.client
    assert c.get(f"/parts/{uuid.uuid4()}").status_code == 404
    web_login(c, shop.world.emails["a_viewer"])
    assert c.get(f"/parts/{shop.part('toyota_pad')}").status_code == 403


def test_comparison_lists_the_offers_of_the_group_cheapest_landed_first(shop):
    html = html_of(shop.client.get(f"/parts/{shop.part('toyota_pad')}?lang=en"))
    rows = ids_in(html, "offers")
    assert rows == [str(shop.offers[k]) for k in ("trw_pad", "bosch_pad", "toyota_pad")]
    assert "C 汽配批发" in html and "B 汽配经销" in html
    assert "¥60.00" in html and "¥70.20" in html  # TRW: unit, landed (60.00 + freight 10.20)
    assert "VAT ¥7.80 extra" in html
    assert "3.6 km away" in html and "Same day" in html
    assert "Interchangeable part" in html


def test_comparison_filters_radius_grade_sort_and_quantity(shop):
    c = shop.client
    pad = shop.part("toyota_pad")
    html = html_of(c.get(f"/parts/{pad}?radius=3&lang=en"))
    assert 'id="no-offers"' in html and "Show every offer" in html
    html = html_of(c.get(f"/parts/{pad}?radius=10&grade=oe&lang=en"))
    assert ids_in(html, "offers") == [str(shop.offers["toyota_pad"])]
    assert '<option value="oe" selected>' in html and '<option value="10" selected>' in html
    html = html_of(c.get(f"/parts/{pad}?quantity=40&lang=en"))
    assert "Prices for 40 pieces, for your company." in html
    rows = ids_in(html, "offers")
    assert rows[-1] == str(shop.offers["toyota_pad"])  # 35 in stock: not enough, listed last
    assert "Not enough stock" in html


def test_volume_tiers_price_the_quantity_and_say_why(shop):
    w = shop.world
    part = shop.part("mann_filter")
    add_offer(shop.db, w.orgs["c"], part, 6_000, tiers=((10, 5_000),))
    wh = shop.warehouses["c_hz"]
    add_stock(shop.db, w.orgs["c"], wh, part, 50)
    html = html_of(shop.client.get(f"/parts/{part}?quantity=10&lang=en"))
    assert "¥50.00" in html and "Volume price from 10 pieces" in html
    html = html_of(shop.client.get(f"/parts/{part}?quantity=10&lang=zh_CN"))
    assert "10 件起的阶梯价" in html


def test_a_wrong_filter_keeps_the_input_and_says_why(shop):
    r = shop.client.get(f"/parts/{shop.part('toyota_pad')}?quantity=abc&radius=7&lang=en")
    assert r.status_code == 422
    html = html_of(r)
    assert 'value="abc"' in html
    assert "Enter a whole number from 1 to 10,000,000." in html
    assert "Choose one of the listed values." in html
    assert 'id="offers"' not in html


def test_htmx_filter_answers_the_offers_panel_only(shop):
    r = shop.client.get(
        f"/parts/{shop.part('toyota_pad')}?grade=aftermarket&lang=en",
        headers={"HX-Request": "true", "HX-Target": "offers-panel"},
    )
    assert r.status_code == 200
    assert "<html" not in r.text
    assert ids_in(r.text, "offers") == [str(shop.offers["trw_pad"])]


def _add(shop, offer="toyota_pad", quantity="2", *, htmx=True, part=None):
    data = {
        "part_id": str(part or shop.part(offer)),
        "offer_id": str(shop.offers[offer]),
        "quantity": quantity,
        "next": f"/parts/{shop.part('toyota_pad')}?quantity=2",
    }
    return post_form(shop.client, "/cart/add", data, htmx=htmx, page="/search")


def test_add_to_cart_with_htmx_updates_the_row_and_the_counter(shop):
    shop.client.get("/search")
    r = _add(shop)
    assert r.status_code == 200, r.text
    assert "Added to the cart." in r.text or "已加入购物车" in r.text
    assert '<span id="buyer-cart-count" class="badge" hx-swap-oob="true">1</span>' in r.text
    cart = _cart(shop)
    assert [(x["sku"], x["quantity"], x["offer_id"]) for x in cart["lines"]] == [
        ("TOYOTA-0446533471", 2, str(shop.offers["toyota_pad"]))
    ]
    # the same part again adds to the line
    assert _add(shop, quantity="3").status_code == 200
    assert [x["quantity"] for x in _cart(shop)["lines"]] == [5]


def test_add_to_cart_errors_say_why_and_change_nothing(shop):
    shop.client.get("/search?lang=en")
    r = _add(shop, quantity="1000")
    assert r.status_code == 409
    assert "Not enough stock: at most 35 available from one supplier." in r.text
    r = _add(shop, offer="brembo_disc", quantity="1")  # MOQ 2
    assert r.status_code == 409
    assert "Below the minimum order quantity of 2" in r.text
    r = _add(shop, quantity="zero")
    assert r.status_code == 422
    assert "Enter a whole number from 1 to 1,000,000." in r.text
    assert _cart(shop)["lines"] == []


def test_add_to_cart_without_javascript(shop):
    c = shop.client
    c.get("/search?lang=en")
    r = _add(shop, htmx=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/parts/{shop.part('toyota_pad')}?quantity=2"
    html = html_of(c.get(r.headers["location"]))
    assert "Added to the cart." in html
    # an error: the part page again, the message at the offer's row, the typed quantity kept
    r = _add(shop, quantity="999", htmx=False)
    assert r.status_code == 409
    html = html_of(r)
    row = re.search(rf'<tr data-id="{shop.offers["toyota_pad"]}".*?</tr>', html, re.S)
    assert row and 'value="999"' in row.group(0) and "Not enough stock" in row.group(0)
    # an interchangeable part's offer on this page: the error at its row on this page
    r = _add(shop, offer="trw_pad", quantity="999", htmx=False)
    assert r.status_code == 409
    html = html_of(r)
    assert "<h1>Front brake pad set" in html
    row = re.search(rf'<tr data-id="{shop.offers["trw_pad"]}".*?</tr>', html, re.S)
    assert row and 'value="999"' in row.group(0) and "at most 30 available" in row.group(0)
    assert [x["quantity"] for x in _cart(shop)["lines"]] == [2]


def test_adding_needs_the_procurement_edit_permission(shop):
    web_login(shop.client, shop.world.emails["a_viewer"])
    assert _add(shop).status_code == 403


def test_without_the_price_permission_no_prices_are_shown(shop):
    shop.world.add_user("a_approver", "a", ("approver",))  # procurement, but not pricing
    web_login(shop.client, shop.world.emails["a_approver"])
    html = html_of(shop.client.get(f"/parts/{shop.part('toyota_pad')}?lang=en"))
    assert "Prices are shown to colleagues with the permission to see prices." in html
    assert 'id="offers"' not in html and "¥" not in html
    html = html_of(shop.client.get("/search?q=04465-33471&lang=en"))
    assert ids_in(html, "number-hits") and "¥" not in html
