"""The buyer's purchase orders: list, detail with the timeline, and the actions by state."""

from __future__ import annotations

import re
from html import unescape

from tests.web.buyer_orders.conftest import api, delivered, login, paid, place, status_of, submit, value_of
from tests.web.conftest import post_form


def test_the_list_shows_my_purchases_with_status_text_in_both_languages(bm):
    o = place(bm)
    p = paid(bm, [("bosch_pad", 1)])
    login(bm, "a_owner")
    for lang, pending, total in (("en", "Awaiting payment", "¥"), ("zh_CN", "待付款", "¥")):
        r = bm.client.get(f"/buyer/orders?lang={lang}")
        assert r.status_code == 200
        assert '<table class="table" id="orders">' in r.text
        assert f'data-id="{o["id"]}"' in r.text and f'data-id="{p["id"]}"' in r.text
        row = r.text.split(f'data-id="{o["id"]}"')[1].split("</tr>")[0]
        assert pending in row and total in row
        assert o["number"] in row and "B 汽配经销" in row
        assert f'href="/buyer/orders/{o["id"]}/pay"' in row
    en = bm.client.get("/buyer/orders?lang=en").text
    assert (
        '<a href="/buyer/returns"' in en
        and '<a href="/buyer/invoices"' in en
        and '<a href="/buyer/credit"' in en
    )
    # Filter by status.
    r = bm.client.get("/buyer/orders?status=paid&lang=en")
    assert f'data-id="{p["id"]}"' in r.text and f'data-id="{o["id"]}"' not in r.text


def test_empty_state_links_to_search(bm):
    login(bm, "a_owner")
    r = bm.client.get("/buyer/orders?lang=en")
    assert r.status_code == 200
    assert 'id="orders"' not in r.text
    assert 'href="/search"' in r.text.split("<main")[1]
    r = bm.client.get("/buyer/orders?status=completed&lang=en")
    assert "No orders in this status." in r.text


def test_a_purchaser_sees_the_pages_a_viewer_without_procurement_does_not(bm):
    o = place(bm)
    login(bm, "a_purchaser")
    assert bm.client.get("/buyer/orders").status_code == 200
    assert bm.client.get(f"/buyer/orders/{o['id']}").status_code == 200
    assert bm.client.get("/buyer/returns").status_code == 200
    assert bm.client.get("/buyer/invoices").status_code == 403  # payments:view, as the invoices API
    login(bm, "a_viewer")
    for path in ("/buyer/orders", f"/buyer/orders/{o['id']}", "/buyer/returns"):
        assert bm.client.get(path).status_code == 403, path


def test_another_companys_order_is_not_found(bm):
    o = place(bm)
    for who in ("c_owner", "b_owner"):  # a stranger, and the order's own supplier (it is not their purchase)
        login(bm, who)
        r = bm.client.get(f"/buyer/orders/{o['id']}?lang=en")
        assert r.status_code == 404, who
        assert "<h1>Page not found</h1>" in r.text
        assert o["number"] not in r.text
        assert o["number"] not in bm.client.get("/buyer/orders").text
        r = post_form(bm.client, f"/buyer/orders/{o['id']}/cancel", {"reason": "x"}, page="/buyer/orders")
        assert r.status_code == 404
    assert status_of(bm, o["id"]) == "pending_payment"


def test_the_detail_shows_lines_totals_allocation_and_the_timeline(bm):
    o = delivered(bm)
    login(bm, "a_owner")
    r = bm.client.get(f"/buyer/orders/{o['id']}?lang=en")
    assert r.status_code == 200
    html = r.text
    assert html.count("<h1") == 1
    assert '<table class="table" id="order-lines">' in html
    for line in o["lines"]:
        assert f'data-id="{line["id"]}"' in html
    assert "13%" in html  # VAT rate, shown separately
    net, vat, gross = o["net_fen"], o["vat_fen"], o["gross_fen"]
    totals = html.split('id="order-totals"')[1].split("</dl>")[0]
    for fen in (net, vat, gross):
        assert f"¥{fen // 100:,}.{fen % 100:02d}" in totals
    assert "HZ-01" in html  # the warehouse the goods come from
    assert "顺丰速运" in html and "SF1234567890" in html
    tl = html.split('<ol class="buyer_orders-timeline" id="timeline">')[1].split("</ol>")[0]
    actions = re.findall(r'data-action="([a-z_]+)"', tl)
    assert actions == ["place", "mark_paid", "confirm", "ship", "deliver"]
    assert "Order placed" in tl and "Delivered" in tl and "Supplier" in tl and "payments" in tl
    assert bm.world.emails["b_owner"] in tl  # the actor
    assert "Receiving inspection" in html and ">Accept all</button>" in html
    zh = bm.client.get(f"/buyer/orders/{o['id']}?lang=zh_CN").text
    assert "全部验收" in zh and 'id="timeline"' in zh


def test_accept_all_then_confirm_completion_releases_escrow(bm):
    o = delivered(bm)
    oid = o["id"]
    login(bm, "a_owner")
    page = f"/buyer/orders/{oid}"
    r = submit(bm, f"/buyer/orders/{oid}/receive", {"note": "都好"}, page)
    assert r.status_code == 303 and r.headers["location"] == page
    assert status_of(bm, oid) == "received"
    html = bm.client.get(page + "?lang=en").text
    assert "Goods accepted." in html
    assert ">Confirm completion</button>" in html
    assert api(bm, "a_owner", f"/orders/{oid}/escrow")["held_fen"] == o["gross_fen"]
    r = post_form(bm.client, f"/buyer/orders/{oid}/complete", {})
    assert r.status_code == 303
    assert status_of(bm, oid) == "completed"
    escrow = api(bm, "a_owner", f"/orders/{oid}/escrow")
    assert escrow["held_fen"] == 0 and escrow["released_fen"] == o["gross_fen"]
    html = bm.client.get(page + "?lang=en").text
    assert 'data-status="completed">Completed</span>' in html
    tl = html.split('id="timeline"')[1].split("</ol>")[0]
    assert re.findall(r'data-action="([a-z_]+)"', tl)[-2:] == ["receive", "complete"]
    assert "Completion confirmed" in tl and "都好" in tl
    assert "Released to the supplier" in html


def test_accept_part_raises_a_return_for_the_rest(bm):
    o = delivered(bm)
    oid = o["id"]
    toyota, bosch = o["lines"]
    login(bm, "a_owner")
    page = f"/buyer/orders/{oid}"
    data = {f"accepted_{toyota['id']}": "1", f"accepted_{bosch['id']}": "3", "reason": "一片刹车片破损"}
    r = submit(bm, f"/buyer/orders/{oid}/receive-part", data, page)
    assert r.status_code == 303, r.text[-600:]
    assert status_of(bm, oid) == "received"
    rets = api(bm, "a_owner", f"/orders/{oid}/returns")
    assert [
        (x["status"], x["reason"], [(y["line_id"], y["quantity"]) for y in x["lines"]]) for x in rets
    ] == [("requested", "一片刹车片破损", [(toyota["id"], 1)])]
    html = bm.client.get(page + "?lang=en").text
    assert "a return was raised for the rest" in html
    assert f'id="return-{rets[0]["id"]}"' in html and "Return requested" in html
    # Completion waits for the return.
    assert ">Confirm completion</button>" not in html
    assert "Completion waits until the order's returns and disputes are closed." in unescape(html)


def test_accept_part_without_a_reason_keeps_the_input_and_changes_nothing(bm):
    o = delivered(bm)
    oid = o["id"]
    toyota, bosch = o["lines"]
    login(bm, "a_owner")
    page = f"/buyer/orders/{oid}"
    data = {f"accepted_{toyota['id']}": "1", f"accepted_{bosch['id']}": "abc", "reason": "", "note": "看过了"}
    r = submit(bm, f"/buyer/orders/{oid}/receive-part?lang=en", data, page)
    assert r.status_code == 422
    html = r.text
    assert value_of(html, f"receive-accepted_{toyota['id']}") == "1"
    assert value_of(html, f"receive-accepted_{bosch['id']}") == "abc"
    assert value_of(html, "receive-part-note") == "看过了"
    assert "Enter a whole number of 0 or more." in html
    assert "Say why the rest is not accepted." in html
    assert 'id="receive-reason-error"' in html
    assert status_of(bm, oid) == "delivered"
    assert api(bm, "a_owner", f"/orders/{oid}/returns") == []
    # Too many accepted.
    data = {f"accepted_{toyota['id']}": "9", f"accepted_{bosch['id']}": "3", "reason": ""}
    r = post_form(bm.client, f"/buyer/orders/{oid}/receive-part?lang=en", data)
    assert r.status_code == 422 and "At most 2." in r.text
    assert status_of(bm, oid) == "delivered"


def test_cancel_before_shipment(bm):
    o = paid(bm)
    oid = o["id"]
    login(bm, "a_purchaser")
    page = f"/buyer/orders/{oid}"
    assert ">Cancel the order</button>" in bm.client.get(page + "?lang=en").text
    r = submit(bm, f"/buyer/orders/{oid}/cancel", {"reason": "买错了"}, page)
    assert r.status_code == 303
    assert status_of(bm, oid) == "cancelled"
    body = api(bm, "a_owner", f"/orders/{oid}")
    assert body["cancel_reason"] == "买错了"
    assert api(bm, "a_owner", f"/orders/{oid}/escrow")["refunded_fen"] == o["gross_fen"]


def test_cancel_refused_after_shipment_shows_the_error_and_changes_nothing(bm):
    o = delivered(bm)
    oid = o["id"]
    login(bm, "a_owner")
    page = f"/buyer/orders/{oid}"
    assert ">Cancel the order</button>" not in bm.client.get(page + "?lang=en").text
    r = submit(bm, f"/buyer/orders/{oid}/cancel?lang=en", {"reason": "太慢了"}, page)
    assert r.status_code == 409
    notice = r.text.split('id="page-error"')[1].split("</div>")[0]
    assert "This is not possible in the current state." in notice
    assert status_of(bm, oid) == "delivered"


def test_a_user_who_may_not_act_gets_403_and_sees_no_forms(bm):
    o = delivered(bm)
    login(bm, "a_viewer")
    r = post_form(bm.client, f"/buyer/orders/{o['id']}/receive", {}, page="/dashboard")
    assert r.status_code == 403
    assert status_of(bm, o["id"]) == "delivered"


def test_dispute_open_and_withdraw(bm):
    o = paid(bm)
    oid = o["id"]
    login(bm, "a_owner")
    page = f"/buyer/orders/{oid}"
    # Error path: no reason chosen, the description stays.
    r = submit(
        bm, f"/buyer/orders/{oid}/disputes?lang=en", {"reason": "", "description": "供应商不发货"}, page
    )
    assert r.status_code == 422
    assert "供应商不发货</textarea>" in r.text and 'id="dispute-reason-error"' in r.text
    assert api(bm, "a_owner", f"/orders/{oid}/disputes") == []
    r = post_form(
        bm.client, f"/buyer/orders/{oid}/disputes", {"reason": "not_delivered", "description": "供应商不发货"}
    )
    assert r.status_code == 303
    (d,) = api(bm, "a_owner", f"/orders/{oid}/disputes")
    assert d["status"] == "open" and d["reason"].endswith("供应商不发货") and d["opened_by_party"] == "buyer"
    html = bm.client.get(page + "?lang=en").text
    assert f'id="dispute-{d["id"]}"' in html and "Under review" in html
    assert "Frozen while a dispute is open" in html
    r = post_form(bm.client, f"/buyer/disputes/{d['id']}/withdraw", {})
    assert r.status_code == 303 and r.headers["location"] == page
    assert api(bm, "a_owner", f"/orders/{oid}/disputes")[0]["status"] == "withdrawn"
    # Another company cannot withdraw (404), even the supplier of the order.
    r = post_form(bm.client, f"/buyer/orders/{oid}/disputes", {"reason": "other", "description": "再次"})
    assert r.status_code == 303
    d2 = api(bm, "a_owner", f"/orders/{oid}/disputes")[-1]
    login(bm, "b_owner")
    r = post_form(bm.client, f"/buyer/disputes/{d2['id']}/withdraw", {}, page="/dashboard")
    assert r.status_code == 404
    assert api(bm, "a_owner", f"/orders/{oid}/disputes")[-1]["status"] == "open"


def test_the_platform_decision_is_shown(bm):
    o = paid(bm)
    oid = o["id"]
    r = bm.post("a_owner", f"/orders/{oid}/disputes", {"reason": "质量问题"})
    assert r.status_code == 201
    r = bm.post(
        "admin",
        f"/platform/disputes/{r.json()['id']}/decide",
        {"decision": "refund_partial", "amount_fen": 1000, "decision_text": "部分退款十元"},
    )
    assert r.status_code == 200, r.text
    login(bm, "a_owner")
    html = bm.client.get(f"/buyer/orders/{oid}?lang=en").text
    decision = html.split('class="buyer_orders-decision"')[1].split("</dd>")[0]
    assert "Partial refund" in decision and "¥10.00" in decision and "部分退款十元" in decision
    assert "Dispute decided" in html.split('id="timeline"')[1]
