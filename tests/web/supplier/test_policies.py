"""Price policies (in precedence order, create, edit, delete) and customer groups with members."""

from __future__ import annotations

import re

from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.orgs.models import Org
from autotrade.pricing import supplier
from autotrade.pricing.models import PolicyEffect
from autotrade.pricing.schemas import GroupIn, PolicyIn
from tests.orders.conftest import as_company
from tests.web.conftest import post_form
from tests.web.supplier.conftest import api, ids_in, sku_of


def _policies(m, who="b_owner"):
    return {x["name"]: x for x in api(m, who, "GET", "/price-policies?limit=200").json()["items"]}


def _add_policy(m, org, **kw):
    with as_company(m.db, m.world.orgs[org]) as s:
        from autotrade.core.tenancy import current_principal

        return supplier.create_policy(s, current_principal(s), PolicyIn(**kw)).id


def _uscc(m, org):
    with m.db.session() as s:
        bind_system(s, "test")
        return s.scalar(select(Org.uscc).where(Org.id == m.world.orgs[org]))


def test_policies_are_listed_in_precedence_order(market, web):
    low = _add_policy(market, "b", name="全场 5%", priority=0, effect=PolicyEffect.discount, discount_bp=500)
    specific = _add_policy(
        market,
        "b",
        name="杭州 3%",
        priority=10,
        province="浙江省",
        city="杭州市",
        effect=PolicyEffect.discount,
        discount_bp=300,
    )
    high = _add_policy(
        market, "b", name="大客户 8%", priority=10, effect=PolicyEffect.discount, discount_bp=800
    )
    foreign = _add_policy(
        market, "c", name="C 的策略", priority=99, effect=PolicyEffect.discount, discount_bp=100
    )
    c = web("b_sales")
    for lang in ("en", "zh_CN"):
        r = c.get(f"/supplier/policies?lang={lang}")
        assert r.status_code == 200
    order = re.findall(
        r'<tr data-id="([0-9a-f-]{36})">', r.text.split('id="policies"')[1].split("</table>")[0]
    )
    assert order == [str(specific), str(high), str(low)]  # same priority: the more specific first
    assert str(foreign) not in r.text
    assert "−8%" in r.text and "优先级最高者生效" in r.text


def test_create_a_policy_and_errors_keep_the_input(market, web):
    c = web("b_owner")
    form = {
        "name": "周末促销",
        "priority": "5",
        "active": "1",
        "scope": "offer",
        "offer_sku": sku_of(market, "bosch_pad"),
        "effect": "discount",
        "discount": "",
        "valid_from": "2030-01-01T00:00",
        "valid_until": "2029-01-01T00:00",
    }
    r = post_form(c, "/supplier/policies/new?lang=en", form)
    assert r.status_code == 422
    assert 'id="e-discount"' in r.text
    assert 'value="周末促销"' in r.text and 'value="2030-01-01T00:00"' in r.text
    r = post_form(c, "/supplier/policies/new?lang=en", {**form, "discount": "7.5"})
    assert r.status_code == 422  # the service: the window ends before it starts
    assert re.search(r'id="e-valid_until">The end must be after the start.', r.text)
    r = post_form(
        c,
        "/supplier/policies/new?lang=en",
        {**form, "discount": "7.5", "offer_sku": sku_of(market, "trw_pad")},
    )
    assert r.status_code == 422 and 'id="e-offer_sku">You have no offer for this SKU.' in r.text
    assert _policies(market) == {}
    r = post_form(c, "/supplier/policies/new", {**form, "discount": "7.5", "valid_until": "2031-01-01T00:00"})
    assert r.status_code == 303, r.text[-2000:]
    created = _policies(market)["周末促销"]
    assert (created["discount_bp"], created["offer_id"], created["priority"]) == (
        750,
        str(market.offers["bosch_pad"]),
        5,
    )
    assert created["valid_from"].startswith("2029-12-31T16:00")  # 00:00 in Asia/Shanghai


def test_edit_and_delete_a_policy(market, web):
    pid = _add_policy(market, "b", name="旧名", priority=1, effect=PolicyEffect.discount, discount_bp=100)
    c = web("b_owner")
    page = c.get(f"/supplier/policies/{pid}?lang=en")
    assert page.status_code == 200 and 'value="旧名"' in page.text
    r = post_form(
        c,
        f"/supplier/policies/{pid}",
        {"name": "新名", "priority": "3", "scope": "all", "effect": "fixed_price", "unit_price": "66.60"},
    )
    assert r.status_code == 303
    p = _policies(market)["新名"]
    assert (p["effect"], p["unit_price_fen"], p["discount_bp"], p["active"]) == (
        "fixed_price",
        6660,
        None,
        False,
    )
    r = post_form(c, f"/supplier/policies/{pid}/delete", {})
    assert r.status_code == 303 and _policies(market) == {}


def test_foreign_policies_and_groups_are_not_found_and_buyers_refused(market, web):
    pid = _add_policy(market, "c", name="C", priority=1, effect=PolicyEffect.discount, discount_bp=100)
    with as_company(market.db, market.world.orgs["c"]) as s:
        from autotrade.core.tenancy import current_principal

        gid = supplier.create_group(s, current_principal(s), GroupIn(name="C 组")).id
    c = web("b_owner")
    assert c.get(f"/supplier/policies/{pid}").status_code == 404
    assert post_form(c, f"/supplier/policies/{pid}/delete", {}).status_code == 404
    assert (
        post_form(c, f"/supplier/policies/groups/{gid}/members", {"uscc": _uscc(market, "a")}).status_code
        == 404
    )
    assert web("a_owner").get("/supplier/policies").status_code == 403
    assert web("b_warehouse").get("/supplier/policies").status_code == 403
    assert web("b_sales").get("/supplier/policies/new").status_code == 200


def test_customer_groups_and_members(market, web):
    c = web("b_owner")
    r = c.get("/supplier/policies?lang=en")
    assert "No customer groups yet" in r.text
    assert (
        post_form(
            c, "/supplier/policies/groups", {"name": "VIP 修理厂", "description": "年采购 50 万以上"}
        ).status_code
        == 303
    )
    r = post_form(c, "/supplier/policies/groups?lang=en", {"name": "VIP 修理厂", "description": "重复"})
    assert r.status_code == 409 and 'id="e-name">You already have a group with this name.' in r.text
    assert 'value="重复"' in r.text
    groups = api(market, "b_owner", "GET", "/customer-groups").json()["items"]
    assert len(groups) == 1
    gid = groups[0]["id"]
    r = post_form(c, f"/supplier/policies/groups/{gid}/members?lang=en", {"uscc": "91330100MA0000000X"})
    assert r.status_code == 422 and "No company with this unified social credit code." in r.text
    assert 'value="91330100MA0000000X"' in r.text
    assert (
        post_form(c, f"/supplier/policies/groups/{gid}/members", {"uscc": _uscc(market, "a")}).status_code
        == 303
    )
    members = api(market, "b_owner", "GET", f"/customer-groups/{gid}").json()["members"]
    assert [x["org_id"] for x in members] == [str(market.world.orgs["a"])]
    page = c.get("/supplier/policies?lang=en").text
    assert "A 汽修连锁" in page and gid in ids_in(page, "policies") | set(
        re.findall(r'data-id="([0-9a-f-]{36})"', page)
    )
    r = post_form(c, f"/supplier/policies/groups/{gid}/members/{market.world.orgs['a']}/remove", {})
    assert r.status_code == 303
    assert api(market, "b_owner", "GET", f"/customer-groups/{gid}").json()["members"] == []
