"""Offers: list, search, create and edit with volume tiers; errors keep the input and change nothing."""

from __future__ import annotations

import re

from autotrade.orgs.models import OrgType
from tests.factories import make_company, make_user
from tests.web.conftest import post_form, web_login
from tests.web.supplier.conftest import api, ids_in, sku_of


def _my_offers(m, who="b_owner"):
    r = api(m, who, "GET", "/offers?limit=200")
    assert r.status_code == 200, r.text
    return {o["part_id"]: o for o in r.json()["items"]}


def test_list_shows_my_offers_only_in_both_languages(market, web):
    c = web("b_owner")
    for lang, title in (("en", "<h1>Offers</h1>"), ("zh_CN", "<h1>报价</h1>")):
        r = c.get(f"/supplier/offers?lang={lang}")
        assert r.status_code == 200
        assert title in r.text
        rows = ids_in(r.text, "offers")
        mine = {str(market.offers[k]) for k in ("toyota_pad", "bosch_pad", "brembo_disc", "vw_filter")}
        assert rows == mine  # not C's offer
    assert "¥100.00" in c.get("/supplier/offers?lang=en").text  # toyota pad, 10000 fen
    assert 'href="/supplier/offers/new"' in r.text
    # The sub-navigation: every tab the owner may open.
    for href in (
        "/supplier/offers",
        "/supplier/policies",
        "/supplier/stock",
        "/supplier/stock/upload",
        "/supplier/alliance",
    ):
        assert f'href="{href}"' in r.text


def test_search_and_status_filter(market, web):
    c = web("b_sales")
    r = c.get("/supplier/offers", params={"q": "bosch"})
    assert ids_in(r.text, "offers") == {str(market.offers["bosch_pad"])}
    r = c.get("/supplier/offers", params={"q": "no-such-thing", "lang": "en"})
    assert ids_in(r.text, "offers") == set()
    assert "No offers match this search." in r.text
    r = c.get("/supplier/offers", params={"status": "paused"})
    assert ids_in(r.text, "offers") == set()


def test_empty_state_says_what_to_do(market, web):
    org = make_company(market.db, name="D 新经销商", type=OrgType.dealer)
    _, email = make_user(market.db, org=org, roles=("owner",))
    web_login(market.client, email)
    r = market.client.get("/supplier/offers?lang=en")
    assert r.status_code == 200
    assert "You have no offers yet" in r.text
    assert 'href="/supplier/offers/new"' in r.text


def test_buyers_and_roles_without_pricing_are_refused(market, web):
    for who in ("a_owner", "b_warehouse"):
        c = web(who)
        for path in (
            "/supplier/offers",
            "/supplier/offers/new",
            f"/supplier/offers/{market.offers['bosch_pad']}",
        ):
            assert c.get(path).status_code == 403, (who, path)
    c = web("b_sales")  # pricing:edit
    assert c.get("/supplier/offers/new").status_code == 200


def test_create_an_offer_with_tiers(market, web):
    c = web("b_owner")
    sku = sku_of(market, "trw_pad")  # offered by C, not yet by B
    r = post_form(
        c,
        "/supplier/offers/new",
        {
            "sku": sku,
            "list_price": "120.50",
            "moq": "2",
            "pack_size": "2",
            "lead_time_days": "3",
            "vat_rate": "13",
            "status": "active",
            "tier_qty_0": "10",
            "tier_price_0": "110",
            "tier_qty_1": "50",
            "tier_price_1": "99.9",
        },
    )
    assert r.status_code == 303, r.text[-2000:]
    assert r.headers["location"] == "/supplier/offers"
    offer = _my_offers(market)[str(market.part("trw_pad"))]
    assert (offer["list_price_fen"], offer["moq"], offer["pack_size"], offer["lead_time_days"]) == (
        12050,
        2,
        2,
        3,
    )
    assert offer["tiers"] == [
        {"min_quantity": 10, "unit_price_fen": 11000},
        {"min_quantity": 50, "unit_price_fen": 9990},
    ]
    assert "Offer created." in c.get("/supplier/offers?lang=en").text


def test_a_form_error_keeps_the_input_and_creates_nothing(market, web):
    c = web("b_owner")
    sku = sku_of(market, "trw_pad")
    before = _my_offers(market)
    form = {
        "sku": sku,
        "list_price": "100",
        "moq": "1",
        "pack_size": "1",
        "lead_time_days": "0",
        "tier_qty_0": "10",
        "tier_price_0": "150",  # above the list price: the service refuses it
    }
    r = post_form(c, "/supplier/offers/new?lang=en", form)
    assert r.status_code == 422
    assert 'id="e-tier_price_0"' in r.text and "cannot be above the list price" in r.text
    assert f'value="{sku}"' in r.text and 'value="150"' in r.text
    r = post_form(
        c,
        "/supplier/offers/new?lang=en",
        {**form, "tier_price_0": "90", "list_price": "abc", "sku": "NOPE-1"},
    )
    assert r.status_code == 422
    assert 'id="e-list_price"' in r.text and 'id="e-sku"' in r.text
    assert 'value="abc"' in r.text and 'value="NOPE-1"' in r.text
    assert _my_offers(market) == before


def test_a_part_already_offered_is_refused_next_to_the_sku(market, web):
    c = web("b_owner")
    r = post_form(
        c,
        "/supplier/offers/new?lang=en",
        {
            "sku": sku_of(market, "bosch_pad"),
            "list_price": "1",
            "moq": "1",
            "pack_size": "1",
            "lead_time_days": "0",
        },
    )
    assert r.status_code == 409
    assert re.search(r'id="e-sku">You already have an offer for this part', r.text)


def test_edit_an_offer_replaces_terms_and_tiers(market, web):
    c = web("b_owner")
    offer_id = market.offers["toyota_pad"]
    page = c.get(f"/supplier/offers/{offer_id}?lang=en")
    assert page.status_code == 200
    assert 'value="100.00"' in page.text
    r = post_form(
        c,
        f"/supplier/offers/{offer_id}",
        {
            "list_price": "95",
            "moq": "1",
            "pack_size": "1",
            "lead_time_days": "2",
            "vat_rate": "9",
            "status": "paused",
            "tier_qty_0": "20",
            "tier_price_0": "90.00",
        },
    )
    assert r.status_code == 303, r.text[-2000:]
    offer = api(market, "b_owner", "GET", f"/offers/{offer_id}").json()
    assert (offer["list_price_fen"], offer["lead_time_days"], offer["vat_rate_bp"], offer["status"]) == (
        9500,
        2,
        900,
        "paused",
    )
    assert offer["tiers"] == [{"min_quantity": 20, "unit_price_fen": 9000}]
    # An error on save changes nothing.
    r = post_form(
        c,
        f"/supplier/offers/{offer_id}?lang=en",
        {"list_price": "", "moq": "0", "pack_size": "1", "lead_time_days": "2"},
    )
    assert r.status_code == 422
    assert 'id="e-list_price"' in r.text and 'id="e-moq"' in r.text
    assert api(market, "b_owner", "GET", f"/offers/{offer_id}").json() == offer


def test_a_foreign_offer_is_not_found(market, web):
    c = web("b_owner")
    foreign = market.offers["trw_pad"]  # C's
    assert c.get(f"/supplier/offers/{foreign}").status_code == 404
    r = post_form(
        c,
        f"/supplier/offers/{foreign}",
        {"list_price": "1", "moq": "1", "pack_size": "1", "lead_time_days": "0"},
    )
    assert r.status_code == 404
    assert api(market, "c_owner", "GET", f"/offers/{foreign}").json()["list_price_fen"] == 6000
