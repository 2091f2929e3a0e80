"""The demo data (`autotrade demo`) gives the buyer pages an end-to-end story: the demo VIN decodes,
parts fit it, and they have offers with stock near the demo repair shop."""

from __future__ import annotations

import re

from autotrade import demo
from autotrade.catalog.demo import load_demo_catalog
from autotrade.core.tenancy import bind_system
from autotrade.trading_demo import load_trading_demo
from autotrade.web.buyer_search import DEMO_NUMBER, DEMO_VIN, DEMO_WORDS
from tests.web.buyer.conftest import html_of, ids_in
from tests.web.conftest import web_login


def test_the_demo_vin_leads_to_fitting_parts_with_offers(db, request):
    # loaded before the app exists: the app fixture runs jobs at once, the demo loader runs its own
    with db.transaction() as s:
        bind_system(s, "demo")
        demo.load(s)
    load_demo_catalog(db)
    with db.transaction() as s:
        bind_system(s, "demo")
        load_trading_demo(s)
    client = request.getfixturevalue("client")
    web_login(client, "purchaser@repair.demo.autotrade.cn", demo.DEMO_PASSWORD)

    html = html_of(client.get(f"/search?q={DEMO_VIN}&lang=en"))
    assert "Valid VIN" in html and "GAC Toyota" in html and "2020" in html
    assert "Toyota Camry" in html and "2.5L 自动 豪华版" in html
    fits = re.findall(r'<table class="table buyer-hits" id="fits-([^"]+)"', html)
    assert len(fits) >= 3, "parts of several categories fit the demo VIN"
    assert re.search(r"\d+ offers? · from ¥", html), "no fitting part has an offer"
    row = re.search(
        r'<tr data-id="([^"]+)">\s*<td><a href="/parts/[^"]+">[^<]*</a></td>\s*<td>Toyota</td>\s*'
        r"<td><code>04465-33471</code>",
        html,
    )
    assert row, "the Toyota front pads fit the demo VIN"

    # the part page compares the offers of its interchange group: the dealer in Hangzhou has it in stock
    part = html_of(client.get(f"/parts/{row.group(1)}?quantity=2&lang=en"))
    offers = ids_in(part, "offers")
    assert len(offers) >= 2
    assert "杭州之江汽车销售服务有限公司" in part and "江苏通达汽配供应链有限公司" in part
    assert ">Add to cart</button>" in part

    # the other two examples of the empty search page find something too
    assert ids_in(html_of(client.get(f"/search?q={DEMO_NUMBER}&lang=en")), "number-hits")
    assert re.findall(r'<li data-id="', html_of(client.get(f"/search?q={DEMO_WORDS}&lang=en")))
