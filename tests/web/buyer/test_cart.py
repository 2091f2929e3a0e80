"""The cart page: lines by supplier with prices and the rule behind them, change and remove (HTMX and
plain forms), quick order (paste and upload) with its per-line report, and requisition lists."""

from __future__ import annotations

import re

import pytest

from autotrade.cart.models import CartLine, RequisitionList
from tests.helpers import count, table_counts
from tests.web.buyer.conftest import html_of, ids_in
from tests.web.conftest import post_form, web_login


def _api_add(shop, part, quantity, who="a_owner"):
    r = shop.client.post(
        "/api/v1/cart/lines",
        json={"part_id": str(shop.part(part)), "quantity": quantity},
        headers=shop.world.h(who),
    )
    assert r.status_code == 201, r.text
    return r.json()["line"]["id"]


def _cart(shop, who="a_owner"):
    return shop.client.get("/api/v1/cart", headers=shop.world.h(who)).json()


@pytest.mark.parametrize("who", ["a_owner", "a_purchaser"])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_empty_cart_says_what_to_do(shop, who, lang):
    web_login(shop.client, shop.world.emails[who])
    html = html_of(shop.client.get(f"/cart?lang={lang}"))
    assert 'id="cart-empty"' in html and 'href="/search"' in html
    assert 'name="text"' in html and 'id="quick-order"' in html
    assert ("<h1>购物车</h1>" if lang == "zh_CN" else "<h1>Cart</h1>") in html


def test_the_cart_needs_procurement_edit(shop):
    web_login(shop.client, shop.world.emails["a_viewer"])
    assert shop.client.get("/cart").status_code == 403


def test_lines_are_grouped_by_supplier_with_totals_and_rules(shop):
    _api_add(shop, "toyota_pad", 2)
    _api_add(shop, "bosch_pad", 1)
    _api_add(shop, "trw_pad", 3)
    html = html_of(shop.client.get("/cart?lang=en"))
    groups = re.findall(r'<section class="buyer-supplier" data-supplier="([^"]*)">', html)
    assert set(groups) == {str(shop.world.orgs["b"]), str(shop.world.orgs["c"])}
    assert "Supplier: B 汽配经销" in html and "Supplier: C 汽配批发" in html
    assert "List price" in html
    # B: 2 × 100.00 + 1 × 80.00 = 280.00 net, 36.40 VAT; C: 3 × 60.00 = 180.00, 23.40 VAT
    assert "¥280.00" in html and "¥316.40" in html and "¥180.00" in html and "¥203.40" in html
    assert '<strong id="cart-gross">¥519.80</strong>' in html
    assert "2 orders, one per supplier" in html
    assert 'id="checkout"' in html and ">Place orders</button>" in html


def test_change_a_quantity_with_htmx_and_without(shop):
    line = _api_add(shop, "toyota_pad", 2)
    shop.client.get("/cart")
    r = post_form(shop.client, f"/cart/lines/{line}", {"quantity": "4"}, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text
    assert 'value="4"' in r.text and "hx-swap-oob" in r.text
    assert [x["quantity"] for x in _cart(shop)["lines"]] == [4]
    r = post_form(shop.client, f"/cart/lines/{line}", {"quantity": "6"})
    assert r.status_code == 303 and r.headers["location"] == "/cart"
    assert [x["quantity"] for x in _cart(shop)["lines"]] == [6]


def test_a_wrong_quantity_keeps_the_input_and_changes_nothing(shop):
    line = _api_add(shop, "toyota_pad", 2)
    shop.client.get("/cart?lang=en")
    before = table_counts(shop.db)
    for htmx in (True, False):
        r = post_form(shop.client, f"/cart/lines/{line}", {"quantity": "-3"}, htmx=htmx)
        assert r.status_code == 422
        assert 'value="-3"' in r.text and "Enter a whole number from 1 to 1,000,000." in r.text
    assert [x["quantity"] for x in _cart(shop)["lines"]] == [2]
    assert table_counts(shop.db) == before
    # more than the stock: accepted as a line, shown as not orderable now
    post_form(shop.client, f"/cart/lines/{line}", {"quantity": "500"}, htmx=True)
    html = html_of(shop.client.get("/cart?lang=en"))
    assert "Cannot be ordered" in html and "Not enough stock: at most 35 available" in html


def test_remove_a_line_and_a_foreign_line_is_not_found(shop):
    line = _api_add(shop, "toyota_pad", 2)
    other = _api_add(shop, "bosch_pad", 1, who="a_purchaser")  # a colleague's own cart
    shop.client.get("/cart")
    assert post_form(shop.client, f"/cart/lines/{other}/remove", {}, htmx=True).status_code == 404
    assert post_form(shop.client, f"/cart/lines/{other}", {"quantity": "3"}).status_code == 404
    r = post_form(shop.client, f"/cart/lines/{line}/remove", {}, htmx=True)
    assert r.status_code == 200 and 'id="cart-empty"' in r.text
    assert _cart(shop)["lines"] == []
    assert [x["quantity"] for x in _cart(shop, "a_purchaser")["lines"]] == [1]


PASTE = "\n".join(
    [
        "零件号,数量",
        "TOYOTA-0446533471, 2",  # Toyota pad by its SKU: resolved
        "0986494614\t1",  # Bosch pad: resolved
        "NOPE-123, 1",  # unknown number
        "GDB3426, 999",  # TRW: not enough stock
        "09.A913.11, 1",  # Brembo disc: below the MOQ of 2
    ]
)


def test_quick_order_reports_every_line_and_keeps_the_unresolved(shop):
    shop.client.get("/cart?lang=en")
    r = post_form(shop.client, "/cart/quick-order", {"text": PASTE, "action": "add"})
    assert r.status_code == 200
    html = html_of(r)
    assert "2 lines added to the cart" in html
    report = re.search(r'<table class="table" id="report">(.*?)</table>', html, re.S)
    assert report
    rows = dict(re.findall(r'<tr data-line="(\d+)" class="buyer-report-(\w+)"', report.group(1)))
    assert rows == {"2": "resolved", "3": "resolved", "4": "unresolved", "5": "unresolved", "6": "unresolved"}
    assert "No part carries this number." in html
    assert "Not enough stock: at most 30 available from one supplier." in html
    assert "Below the minimum order quantity of 2; order at least 2." in html
    textarea = re.search(r'<textarea id="f-text"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea and textarea.group(1) == "NOPE-123, 1\nGDB3426, 999\n09.A913.11, 1"
    assert sorted(x["sku"] for x in _cart(shop)["lines"]) == ["BOSCH-0986494614", "TOYOTA-0446533471"]


def test_quick_order_check_only_adds_nothing_and_keeps_everything(shop):
    shop.client.get("/cart?lang=en")
    r = post_form(shop.client, "/cart/quick-order", {"text": PASTE, "action": "check"})
    html = html_of(r)
    assert "Check of the pasted lines: nothing was added" in html
    assert "TOYOTA-0446533471, 2" in html
    assert _cart(shop)["lines"] == []


def test_quick_order_errors_keep_the_text(shop):
    shop.client.get("/cart?lang=en")
    before = table_counts(shop.db)
    too_many = "\n".join(f"04465-33471, {i + 1}" for i in range(501))
    r = post_form(shop.client, "/cart/quick-order", {"text": too_many})
    assert r.status_code == 422
    assert "Too many lines at once: at most 500." in r.text and "04465-33471, 501" in r.text
    r = post_form(shop.client, "/cart/quick-order", {"text": "   "})
    assert r.status_code == 422 and "Nothing to order" in r.text
    assert table_counts(shop.db) == before


def test_quick_order_upload_csv(shop):
    c = shop.client
    c.get("/cart?lang=en")
    token = c.cookies.get("csrf")
    files = {"file": ("order.csv", b"number,quantity\n04465-33471,1\nNOPE,2\n", "text/csv")}
    r = c.post("/cart/quick-order/upload", data={"csrf_token": token}, files=files)
    assert r.status_code == 200, r.text
    assert "1 line of order.csv added to the cart" in r.text
    assert "No part carries this number." in r.text
    assert [x["sku"] for x in _cart(shop)["lines"]] == ["TRW-GDB3426"]  # the cheapest of the OE group
    r = c.post(
        "/cart/quick-order/upload", data={"csrf_token": token}, files={"file": ("x.xlsx", b"not a sheet")}
    )
    assert r.status_code == 422 and "This file cannot be read." in r.text
    r = c.post("/cart/quick-order/upload", data={"csrf_token": token})
    assert r.status_code == 422 and "Choose a CSV or XLSX file." in r.text


def test_requisition_lists_save_list_reorder(shop):
    c = shop.client
    _api_add(shop, "toyota_pad", 2)
    _api_add(shop, "trw_pad", 4)
    c.get("/cart?lang=en")
    r = post_form(c, "/cart/save-list", {"name": "每周常用", "note": "周一下单"})
    assert r.status_code == 303
    list_url = r.headers["location"]
    html = html_of(c.get(list_url + "?lang=en"))
    assert "<h1>每周常用</h1>" in html and len(ids_in(html, "requisition-lines")) == 2
    # the same name again: refused next to the field, the input kept, nothing written
    before = count(shop.db, RequisitionList)
    r = post_form(c, "/cart/save-list", {"name": "每周常用", "note": "again"})
    assert r.status_code == 409
    assert "A requisition list with this name already exists." in r.text and 'value="again"' in r.text
    assert count(shop.db, RequisitionList) == before
    r = post_form(c, "/cart/save-list", {"name": "  "})
    assert r.status_code == 422 and "This field is required." in r.text
    # the list page, then reorder in one click into an emptied cart
    lists = html_of(c.get("/cart/lists?lang=en"))
    list_id = list_url.rsplit("/", 1)[1]
    assert ids_in(lists, "requisition-lists") == [list_id]
    c.delete("/api/v1/cart", headers=shop.world.h("a_owner"))
    r = post_form(c, f"/cart/lists/{list_id}/reorder", {})
    assert r.status_code == 200
    assert "2 lines of “每周常用” added to the cart" in r.text
    assert sorted((x["sku"], x["quantity"]) for x in _cart(shop)["lines"]) == [
        ("TOYOTA-0446533471", 2),
        ("TRW-GDB3426", 4),
    ]
    r = post_form(c, f"/cart/lists/{list_id}/delete", {})
    assert r.status_code == 303 and count(shop.db, RequisitionList) == 0


def test_lists_empty_state_and_another_companys_list_is_not_found(shop):
    c = shop.client
    html = html_of(c.get("/cart/lists?lang=en"))
    assert "No requisition lists yet." in html
    r = c.post(
        "/api/v1/requisition-lists",
        json={"name": "C 的清单", "lines": [{"sku": "TOYOTA-0446533471", "quantity": 1}]},
        headers=shop.world.h("b_owner"),
    )
    assert r.status_code == 201, r.text
    foreign = r.json()["id"]
    assert c.get(f"/cart/lists/{foreign}").status_code == 404
    c.get("/cart")
    assert post_form(c, f"/cart/lists/{foreign}/reorder", {}).status_code == 404
    assert count(shop.db, CartLine) == 0
