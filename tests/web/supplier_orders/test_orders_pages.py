"""Sales orders: the list with its work queues, an order's detail, and the supplier's actions
(confirm, ship in parts, mark delivered, cancel), each checked through the API afterwards."""

from __future__ import annotations

import re
import uuid

from tests.orders.conftest import Market, pay
from tests.web.supplier_orders.conftest import (
    api,
    as_page_user,
    field_error,
    get_api,
    page,
    paid,
    status_of,
    submit,
)


def _row_ids(html: str, table: str = "orders") -> list[str]:
    body = re.search(rf'<table class="table" id="{table}">(.*?)</table>', html, re.S)
    return re.findall(r'<tr data-id="([0-9a-f-]{36})"', body.group(1)) if body else []


def test_the_list_shows_incoming_orders_by_work_queue(m: Market) -> None:
    waiting = m.order("a_owner", [("toyota_pad", 2)])
    to_confirm = paid(m, [("bosch_pad", 3)])
    to_ship = paid(m, [("toyota_pad", 1)])
    api(m, "b_owner", f"/orders/{to_ship['id']}/confirm")
    as_page_user(m, "b_owner")

    html = page(m, "/supplier/orders?lang=en")
    assert "<h1>Sales orders</h1>" in html
    assert "<title>Sales orders · " in html
    assert set(_row_ids(html)) == {waiting["id"], to_confirm["id"], to_ship["id"]}
    assert to_confirm["number"] in html and "A 汽修连锁" in html
    assert "¥271.20" in html  # 3 × 9,040 fen, formatted from integer fen
    assert '<span class="badge so-badge so-badge-todo" data-status="paid">Paid</span>' in html
    assert re.search(r'data-queue="to_confirm">To confirm<span class="so-count">1</span>', html)
    assert re.search(r'data-queue="all">All<span class="so-count">3</span>', html)

    assert _row_ids(page(m, "/supplier/orders?queue=to_confirm")) == [to_confirm["id"]]
    assert _row_ids(page(m, "/supplier/orders?queue=to_ship")) == [to_ship["id"]]
    empty = page(m, "/supplier/orders?queue=shipped&lang=en")
    assert _row_ids(empty) == [] and "Nothing waits for you in this list." in empty
    assert 'href="/supplier/orders">See all sales orders</a>' in empty
    assert "<h1>销售订单</h1>" in page(m, "/supplier/orders?lang=zh_CN")
    # an unknown queue is the whole list
    assert len(_row_ids(page(m, "/supplier/orders?queue=nonsense"))) == 3


def test_the_list_pages_and_its_empty_state_says_what_to_do(m: Market) -> None:
    as_page_user(m, "c_owner")  # C sells too, but nobody ordered from it
    html = page(m, "/supplier/orders?lang=en")
    assert "No sales orders yet." in html
    assert 'href="/supplier/offers"' in html and 'href="/supplier/stock"' in html
    assert 'id="orders"' not in html


def test_who_may_open_the_sales_pages(m: Market) -> None:
    o = paid(m, [("bosch_pad", 1)])
    for who in ("b_owner", "b_sales", "b_warehouse"):
        as_page_user(m, who)
        assert o["number"] in page(m, "/supplier/orders")
        assert o["number"] in page(m, f"/supplier/orders/{o['id']}")
    # a repair shop buys only: the supplier pages are not for it, even with orders:view
    as_page_user(m, "a_owner")
    assert "无权访问" in page(m, "/supplier/orders", 403)
    assert "Permission denied" in page(m, f"/supplier/orders/{o['id']}?lang=en", 403)
    # a seller's user without orders:view
    role = api(m, "b_owner", "/roles", {"name": "只看报价", "permissions": ["pricing:view"]})
    user = api(
        m,
        "b_owner",
        "/users",
        {
            "email": f"pricing-{uuid.uuid4().hex[:6]}@test.autotrade.cn",
            "name": "报价员",
            "password": "Test-password-1",
            "role_ids": [role["id"]],
        },
    )
    m.world.emails["b_pricing"] = user["email"]
    as_page_user(m, "b_pricing")
    page(m, "/supplier/orders", 403)
    page(m, "/supplier/returns", 403)
    page(m, "/supplier/settlement", 403)


def test_another_companys_order_and_my_own_purchase_are_not_found(m: Market) -> None:
    foreign = m.order("a_owner", [("trw_pad", 1)])  # A buys from C
    own_purchase = m.order("b_owner", [("trw_pad", 1)])  # B buys from C
    as_page_user(m, "b_owner")
    for oid in (foreign["id"], own_purchase["id"], str(uuid.uuid4())):
        assert "页面不存在" in page(m, f"/supplier/orders/{oid}", 404)
        r = m.client.post(
            f"/supplier/orders/{oid}/confirm", data={"csrf_token": m.client.cookies.get("csrf")}
        )
        assert r.status_code == 404
    assert own_purchase["id"] not in page(m, "/supplier/orders")
    assert status_of_any(m, "c_owner", own_purchase["id"]) == "pending_payment"


def status_of_any(m: Market, who: str, order_id: str) -> str:
    return str(get_api(m, who, f"/orders/{order_id}")["status"])


def test_detail_shows_lines_allocation_buyer_payment_and_timeline(m: Market) -> None:
    o = paid(m, [("toyota_pad", 8)])  # 5 in 杭州 HZ-01, 3 from 宁波 NB-01 (split allocation)
    as_page_user(m, "b_owner")
    html = page(m, f"/supplier/orders/{o['id']}?lang=en")
    assert f"<h1>Sales order {o['number']}" in html
    assert '<dd data-testid="buyer">A 汽修连锁</dd>' in html
    assert "HZ-01 HZ-01: 5" in html and "NB-01 NB-01: 3" in html
    assert "Paid, held in escrow" in html
    assert "¥904.00" in html  # 8 × 11,300 fen in escrow
    assert "Order placed" in html and "Payment received" in html
    assert "13911112222" in html  # the owner holds pii:view
    assert "Confirm order" in html and "Cancel order" in html
    assert "Record shipment" not in html and "Mark delivered" not in html
    assert "<h1>销售订单 " in page(m, f"/supplier/orders/{o['id']}?lang=zh_CN")
    as_page_user(m, "b_sales")  # no pii:view: the ship-to phone is masked
    html = page(m, f"/supplier/orders/{o['id']}")
    assert "139****2222" in html and "13911112222" not in html


def test_confirm_then_ship_in_two_parts_then_mark_delivered(m: Market) -> None:
    o = paid(m, [("toyota_pad", 8), ("bosch_pad", 2)])
    toyota, bosch = (line["id"] for line in o["lines"])
    before_hz = m.level("b_hz", "toyota_pad")
    as_page_user(m, "b_owner")
    submit(m, f"/supplier/orders/{o['id']}/confirm", {})
    assert status_of(m, o["id"]) == "confirmed"
    html = page(m, f"/supplier/orders/{o['id']}?lang=en")
    assert "Order confirmed." in html
    assert 'name="carrier"' in html and 'name="tracking_number"' in html
    assert f'name="quantity_{toyota}"' in html and 'value="8"' in html

    submit(
        m,
        f"/supplier/orders/{o['id']}/ship",
        {
            "carrier": "顺丰速运",
            "tracking_number": "SF100",
            f"quantity_{toyota}": "5",
            f"quantity_{bosch}": "0",
        },
    )
    assert status_of(m, o["id"]) == "partially_shipped"
    shipments = get_api(m, "b_owner", f"/orders/{o['id']}/shipments")
    assert [
        (s["carrier"], s["tracking_number"], sum(x["quantity"] for x in s["lines"])) for s in shipments
    ] == [("顺丰速运", "SF100", 5)]
    assert m.level("b_hz", "toyota_pad") == (before_hz[0] - 5, before_hz[1] - 5)
    html = page(m, f"/supplier/orders/{o['id']}?lang=en")
    assert f'name="quantity_{toyota}"' in html and 'max="3"' in html  # 3 left of the toyota line

    submit(
        m,
        f"/supplier/orders/{o['id']}/ship",
        {
            "carrier": "京东物流",
            "tracking_number": "JD200",
            f"quantity_{toyota}": "3",
            f"quantity_{bosch}": "2",
        },
    )
    assert status_of(m, o["id"]) == "shipped"
    assert len(get_api(m, "b_owner", f"/orders/{o['id']}/shipments")) == 2
    html = page(m, f"/supplier/orders/{o['id']}?lang=en")
    assert "JD200" in html and "SF100" in html and "Mark delivered" in html
    assert "Record shipment" not in html

    submit(m, f"/supplier/orders/{o['id']}/deliver", {})
    assert status_of(m, o["id"]) == "delivered"
    html = page(m, f"/supplier/orders/{o['id']}?lang=en")
    assert "Order marked delivered." in html and "Mark delivered" not in html
    assert m.world.emails["b_owner"] in html  # the timeline names the actor


def test_warehouse_staff_ship_but_do_not_confirm(m: Market) -> None:
    o = paid(m, [("bosch_pad", 2)])
    as_page_user(m, "b_warehouse")  # orders:view + logistics:edit
    assert "Confirm order" not in page(m, f"/supplier/orders/{o['id']}?lang=en")
    submit(m, f"/supplier/orders/{o['id']}/confirm", {}, status=403)
    assert status_of(m, o["id"]) == "paid"
    api(m, "b_owner", f"/orders/{o['id']}/confirm")
    line = o["lines"][0]["id"]
    submit(
        m,
        f"/supplier/orders/{o['id']}/ship",
        {"carrier": "德邦", "tracking_number": "DB1", f"quantity_{line}": "2"},
    )
    submit(m, f"/supplier/orders/{o['id']}/deliver", {})
    assert status_of(m, o["id"]) == "delivered"


def test_ship_form_errors_keep_the_input_and_change_nothing(m: Market) -> None:
    o = paid(m, [("toyota_pad", 4), ("bosch_pad", 2)])
    toyota, bosch = (line["id"] for line in o["lines"])
    api(m, "b_owner", f"/orders/{o['id']}/confirm")
    level = m.level("b_hz", "toyota_pad")
    as_page_user(m, "b_owner")
    path = f"/supplier/orders/{o['id']}/ship?lang=en"

    # no carrier: required, the rest kept
    r = submit(m, path, {"carrier": "", "tracking_number": "SF-KEEP", f"quantity_{toyota}": "3"}, status=422)
    assert field_error(r.text, "carrier") == "This field is required."
    assert 'value="SF-KEEP"' in r.text and f'name="quantity_{toyota}"' in r.text
    assert re.search(rf'name="quantity_{toyota}"[^>]*value="3"', r.text)

    # over-shipping a line: the error sits next to that line's quantity
    r = submit(
        m,
        path,
        {"carrier": "顺丰", "tracking_number": "SF9", f"quantity_{toyota}": "5", f"quantity_{bosch}": "1"},
        status=422,
    )
    assert field_error(r.text, f"quantity_{toyota}") == "Only 4 left to ship on this line."
    assert re.search(rf'name="quantity_{toyota}"[^>]*value="5"', r.text)
    assert re.search(rf'name="quantity_{bosch}"[^>]*value="1"', r.text)
    assert 'value="顺丰"' in r.text and 'value="SF9"' in r.text

    # not a number; nothing at all
    r = submit(
        m, path, {"carrier": "顺丰", "tracking_number": "SF9", f"quantity_{toyota}": "two"}, status=422
    )
    assert field_error(r.text, f"quantity_{toyota}") == "Enter a whole number of pieces (0 or more)."
    r = submit(
        m,
        path,
        {"carrier": "顺丰", "tracking_number": "SF9", f"quantity_{toyota}": "0", f"quantity_{bosch}": ""},
        status=422,
    )
    assert field_error(r.text, "lines") == "Enter a quantity to ship for at least one line."

    assert status_of(m, o["id"]) == "confirmed"
    assert get_api(m, "b_owner", f"/orders/{o['id']}/shipments") == []
    assert m.level("b_hz", "toyota_pad") == level


def test_illegal_transitions_are_refused_in_the_page(m: Market) -> None:
    unpaid = m.order("a_owner", [("bosch_pad", 1)])
    line = unpaid["lines"][0]["id"]
    as_page_user(m, "b_owner")
    r = submit(m, f"/supplier/orders/{unpaid['id']}/confirm?lang=en", {}, status=409)
    assert field_error(r.text, "confirm") == "This order cannot do that in its current state."
    r = submit(
        m,
        f"/supplier/orders/{unpaid['id']}/ship?lang=en",
        {"carrier": "顺丰", "tracking_number": "SF1", f"quantity_{line}": "1"},
        status=409,
    )
    assert field_error(r.text, "__all__") == "This order cannot do that in its current state."
    r = submit(m, f"/supplier/orders/{unpaid['id']}/deliver?lang=en", {}, status=409)
    assert field_error(r.text, "deliver") == "This order cannot do that in its current state."
    assert status_of(m, unpaid["id"]) == "pending_payment"
    pay(m, unpaid["id"])
    assert status_of(m, unpaid["id"]) == "paid"


def test_cancel_needs_a_reason_and_releases_the_stock(m: Market) -> None:
    before = m.level("b_hz", "bosch_pad")
    o = paid(m, [("bosch_pad", 4)])
    assert m.level("b_hz", "bosch_pad") == (before[0], before[1] + 4)
    as_page_user(m, "b_owner")
    r = submit(m, f"/supplier/orders/{o['id']}/cancel?lang=en", {"reason": "  "}, status=422)
    assert field_error(r.text, "reason") == "Tell the buyer why the order is cancelled."
    assert status_of(m, o["id"]) == "paid"
    submit(m, f"/supplier/orders/{o['id']}/cancel", {"reason": "缺货，无法按期供货"})
    out = get_api(m, "b_owner", f"/orders/{o['id']}")
    assert (out["status"], out["cancel_reason"]) == ("cancelled", "缺货，无法按期供货")
    assert m.level("b_hz", "bosch_pad") == before
    escrow = get_api(m, "b_owner", f"/orders/{o['id']}/escrow")
    assert (escrow["held_fen"], escrow["refunded_fen"]) == (0, 4 * 9_040)
    html = page(m, f"/supplier/orders/{o['id']}?lang=en")
    assert "Paid, refunded to the buyer" in html and "Cancel order" not in html
