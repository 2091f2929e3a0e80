"""Alliance: members' available stock by warehouse (no prices), transfer requests raised, approved,
rejected and cancelled; invitations."""

from __future__ import annotations

import re

from autotrade.core.tenancy import current_principal
from autotrade.inventory import alliances
from autotrade.inventory.schemas import AllianceIn
from tests.orders.conftest import as_company
from tests.web.conftest import post_form
from tests.web.supplier.conftest import api, ids_in, sku_of


def _alliance(m, *, accept=True):
    """B runs an alliance; C is invited (and accepts)."""
    with as_company(m.db, m.world.orgs["b"]) as s:
        a = alliances.create(s, current_principal(s), AllianceIn(name="长三角联盟"))
        alliances.invite(s, current_principal(s), a.id, m.world.orgs["c"])
        alliance_id = a.id
    if accept:
        with as_company(m.db, m.world.orgs["c"]) as s:
            alliances.respond(s, current_principal(s), alliance_id, accept=True)
    return alliance_id


def _request(m, c, alliance_id, quantity="5"):
    return post_form(
        c,
        f"/supplier/alliance/{alliance_id}/transfers?lang=en",
        {
            "from_warehouse_id": str(m.warehouses["c_hz"]),
            "to_warehouse_id": str(m.warehouses["b_hz"]),
            "part_id": str(m.part("trw_pad")),
            "sku": sku_of(m, "trw_pad"),
            "quantity": quantity,
            "note": "急用",
        },
    )


def test_no_alliance_says_what_to_do(market, web):
    r = web("b_owner").get("/supplier/alliance?lang=en")
    assert r.status_code == 200 and "Your company is in no stock alliance yet." in r.text


def test_members_see_available_stock_by_warehouse_not_prices(market, web):
    alliance_id = _alliance(market)
    c = web("b_warehouse")
    for lang in ("en", "zh_CN"):
        r = c.get(f"/supplier/alliance?lang={lang}&sku={sku_of(market, 'trw_pad')}")
        assert r.status_code == 200
    assert "长三角联盟" in r.text
    assert ids_in(r.text, "alliance-stock-table") == {str(market.warehouses["c_hz"])}
    table = re.search(r'id="alliance-stock-table".*?</table>', r.text, re.S).group(0)
    assert "C 汽配批发" in table and ">30<" in table
    assert "¥" not in table and "60.00" not in table  # C's offer price never shows
    assert str(alliance_id) in r.text


def test_raise_and_approve_a_transfer(market, web):
    alliance_id = _alliance(market)
    c = web("b_owner")
    r = _request(market, c, alliance_id, quantity="")
    assert r.status_code == 422 and "This field is required." in r.text
    r = _request(
        market, c, alliance_id, quantity="500"
    )  # more than available: allowed to ask, refused on approval
    assert r.status_code == 303
    transfers = api(market, "b_owner", "GET", "/transfers").json()["items"]
    assert [(t["quantity"], t["status"], t["note"]) for t in transfers] == [(500, "requested", "急用")]
    tid = transfers[0]["id"]
    page = web("b_owner").get("/supplier/alliance?lang=en").text
    assert tid in ids_in(page, "transfers-table")
    assert f"/supplier/alliance/transfers/{tid}/cancel" in page and f"/transfers/{tid}/approve" not in page
    c = web("c_owner")  # the source warehouse's owner decides
    page = c.get("/supplier/alliance?lang=en").text
    assert f"/supplier/alliance/transfers/{tid}/approve" in page
    r = post_form(c, f"/supplier/alliance/transfers/{tid}/approve?lang=en", {}, htmx=True)
    assert r.status_code == 409 and "Not enough available stock in the source warehouse." in r.text
    assert api(market, "c_owner", "GET", f"/transfers/{tid}").json()["status"] == "requested"
    assert market.level("c_hz", "trw_pad") == (30, 0)
    # A smaller request is approved: the stock moves.
    _request(market, web("b_owner"), alliance_id, quantity="5")
    tid2 = next(
        t["id"] for t in api(market, "b_owner", "GET", "/transfers").json()["items"] if t["quantity"] == 5
    )
    r = post_form(web("c_owner"), f"/supplier/alliance/transfers/{tid2}/approve?lang=en", {}, htmx=True)
    assert (
        r.status_code == 200
        and r.text.strip().startswith(f'<tr id="transfer-{tid2}"')
        and "Approved" in r.text
    )
    assert market.level("c_hz", "trw_pad") == (25, 0)
    assert market.level("b_hz", "trw_pad") == (5, 0)


def test_reject_and_cancel(market, web):
    alliance_id = _alliance(market)
    _request(market, web("b_owner"), alliance_id)
    _request(market, web("b_owner"), alliance_id, quantity="2")
    items = api(market, "b_owner", "GET", "/transfers").json()["items"]
    by_qty = {t["quantity"]: t["id"] for t in items}
    r = post_form(web("c_owner"), f"/supplier/alliance/transfers/{by_qty[5]}/reject", {"reason": "自用"})
    assert r.status_code == 303
    t = api(market, "c_owner", "GET", f"/transfers/{by_qty[5]}").json()
    assert (t["status"], t["decision_reason"]) == ("rejected", "自用")
    c = web("b_owner")
    r = post_form(c, f"/supplier/alliance/transfers/{by_qty[2]}/approve?lang=en", {}, htmx=True)
    assert r.status_code == 403  # the requester cannot approve its own request
    r = post_form(c, f"/supplier/alliance/transfers/{by_qty[2]}/cancel?lang=en", {}, htmx=True)
    assert r.status_code == 200 and "Cancelled" in r.text
    assert api(market, "b_owner", "GET", f"/transfers/{by_qty[2]}").json()["status"] == "cancelled"


def test_an_invitation_is_accepted_on_the_page(market, web):
    alliance_id = _alliance(market, accept=False)
    c = web("c_owner")
    page = c.get("/supplier/alliance?lang=en").text
    assert "You are invited" in page and f"/supplier/alliance/{alliance_id}/accept" in page
    assert 'id="alliance-stock"' not in page  # not a member yet
    assert post_form(c, f"/supplier/alliance/{alliance_id}/accept", {}).status_code == 303
    page = c.get(f"/supplier/alliance?lang=en&sku={sku_of(market, 'bosch_pad')}").text
    assert ids_in(page, "alliance-stock-table") == {str(market.warehouses["b_hz"])}


def test_access(market, web):
    assert web("a_owner").get("/supplier/alliance").status_code == 403
    alliance_id = _alliance(market)
    market.world.add_user("d_stranger", "a", ("owner",))  # a buyer company: not a supplier at all
    r = post_form(web("d_stranger"), f"/supplier/alliance/{alliance_id}/accept", {})
    assert r.status_code == 403
