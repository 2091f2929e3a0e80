"""Returns: requested from the order page or raised at receiving inspection; the buyer ships approved
returns back or cancels them, from the order page or the returns list."""

from __future__ import annotations

from tests.web.buyer_orders.conftest import api, delivered, login, submit, value_of
from tests.web.conftest import post_form


def _received(bm):
    o = delivered(bm)
    assert bm.post("a_owner", f"/orders/{o['id']}/receive").status_code == 200
    return o


def _partly_refused(bm):
    """Delivered, then accepted with one toyota pad refused: a return (requested) exists."""
    o = delivered(bm)
    toyota, bosch = o["lines"]
    r = bm.post(
        "a_owner",
        f"/orders/{o['id']}/receive",
        {
            "lines": [
                {"line_id": toyota["id"], "accepted_quantity": 1},
                {"line_id": bosch["id"], "accepted_quantity": 3},
            ],
            "reason": "破损",
        },
    )
    assert r.status_code == 200, r.text
    return o, r.json()["return_id"]


def test_request_a_return_from_the_order_page(bm):
    o = _received(bm)
    oid = o["id"]
    toyota, bosch = o["lines"]
    login(bm, "a_owner")
    page = f"/buyer/orders/{oid}"
    html = bm.client.get(page + "?lang=en").text
    assert ">Request the return</button>" in html
    # Error path: too many, and no reason; the input stays, nothing is written.
    data = {f"return_{toyota['id']}": "5", f"return_{bosch['id']}": "", "reason": ""}
    r = submit(bm, f"/buyer/orders/{oid}/returns?lang=en", data, page)
    assert r.status_code == 422
    assert value_of(r.text, f"return-return_{toyota['id']}") == "5"
    assert "At most 2." in r.text and 'id="return-reason-error"' in r.text
    assert api(bm, "a_owner", f"/orders/{oid}/returns") == []
    # Nothing chosen.
    r = post_form(bm.client, f"/buyer/orders/{oid}/returns?lang=en", {"reason": "不要了"})
    assert r.status_code == 422 and "Enter the quantity to return of at least one line." in r.text
    assert "不要了</textarea>" in r.text
    # Success.
    r = post_form(
        bm.client, f"/buyer/orders/{oid}/returns", {f"return_{bosch['id']}": "2", "reason": "型号不对"}
    )
    assert r.status_code == 303
    (ret,) = api(bm, "a_owner", f"/orders/{oid}/returns")
    assert ret["status"] == "requested" and ret["reason"] == "型号不对"
    assert [(x["line_id"], x["quantity"]) for x in ret["lines"]] == [(bosch["id"], 2)]


def test_the_returns_list_and_shipping_back(bm):
    o, rid = _partly_refused(bm)
    login(bm, "a_owner")
    html = bm.client.get("/buyer/returns?lang=en").text
    assert '<table class="table" id="returns">' in html
    row = html.split(f'data-id="{rid}"')[1].split("</tr>")[0]
    assert "Return requested" in row and o["number"] in row and "破损" in row
    assert ">Ship the return back</button>" not in row  # not approved yet
    assert ">Cancel the return</button>" in row
    assert bm.post("b_owner", f"/returns/{rid}/approve", {"note": "同意退回"}).status_code == 200
    html = bm.client.get("/buyer/returns?lang=en").text
    row = html.split(f'data-id="{rid}"')[1].split("</tr>")[0]
    assert "Return approved" in row and "同意退回" in row and ">Ship the return back</button>" in row
    # Error path: the tracking number is missing; the carrier stays.
    r = post_form(
        bm.client,
        f"/buyer/returns/{rid}/ship?lang=en",
        {"carrier": "中通快递", "tracking_number": "", "back": "returns"},
    )
    assert r.status_code == 422
    assert value_of(r.text, f"ship-{rid}-carrier") == "中通快递"
    assert f'id="ship-{rid}-tracking_number-error"' in r.text
    assert api(bm, "a_owner", f"/returns/{rid}")["status"] == "approved"
    # Success, back to the list.
    r = post_form(
        bm.client,
        f"/buyer/returns/{rid}/ship",
        {"carrier": "中通快递", "tracking_number": "ZT998877", "back": "returns"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/buyer/returns"
    body = api(bm, "a_owner", f"/returns/{rid}")
    assert (body["status"], body["carrier"], body["tracking_number"]) == (
        "shipped_back",
        "中通快递",
        "ZT998877",
    )
    html = bm.client.get(f"/buyer/orders/{o['id']}?lang=en").text
    card = html.split(f'id="return-{rid}"')[1].split("</article>")[0]
    assert "Shipped back" in card and "ZT998877" in card
    assert "Return shipped back" in html.split('id="timeline"')[1]
    # The supplier receives it: the refund shows on the order.
    assert bm.post("b_owner", f"/returns/{rid}/receive").status_code == 200
    html = bm.client.get(f"/buyer/orders/{o['id']}?lang=en").text
    assert "Refunded to you" in html and "Received by the supplier" in html


def test_cancel_a_return_from_the_order_page(bm):
    o, rid = _partly_refused(bm)
    login(bm, "a_owner")
    page = f"/buyer/orders/{o['id']}"
    r = submit(bm, f"/buyer/returns/{rid}/cancel", {"back": "order"}, page)
    assert r.status_code == 303 and r.headers["location"] == page
    assert api(bm, "a_owner", f"/returns/{rid}")["status"] == "cancelled"
    # Now completion is possible.
    assert ">Confirm completion</button>" in bm.client.get(page + "?lang=en").text
    # Cancelling again: refused, shown on the page, nothing changes.
    r = post_form(bm.client, f"/buyer/returns/{rid}/cancel?lang=en", {"back": "order"})
    assert r.status_code == 409
    assert "This is not possible in the current state." in r.text.split('id="page-error"')[1]


def test_returns_of_other_companies_are_not_found(bm):
    _order, rid = _partly_refused(bm)
    for who in ("b_owner", "c_owner"):  # the supplier of the return, and a stranger
        login(bm, who)
        assert rid not in bm.client.get("/buyer/returns").text
        r = post_form(bm.client, f"/buyer/returns/{rid}/cancel", {"back": "returns"}, page="/buyer/returns")
        assert r.status_code == 404, who
    assert api(bm, "a_owner", f"/returns/{rid}")["status"] == "requested"


def test_returns_empty_state(bm):
    login(bm, "a_owner")
    html = bm.client.get("/buyer/returns?lang=en").text
    assert 'id="returns"' not in html
    assert 'href="/buyer/orders?status=received"' in html
    zh = bm.client.get("/buyer/returns?lang=zh_CN").text
    assert "我的退货" in zh
