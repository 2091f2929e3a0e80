"""/platform/dashboard: today's orders and GMV, top parts, orders by province (chart + table)."""

from __future__ import annotations

import json
import re

from tests.orders.conftest import HZ_SHIP
from tests.web.platform.conftest import assert_page, login, pay

JS_SHIP = {**HZ_SHIP, "province": "江苏省", "city": "苏州市"}


def _kpi(html: str, testid: str) -> str:
    m = re.search(
        rf'data-testid="{testid}">.*?<strong class="platform-kpi-value">([^<]*)</strong>', html, re.S
    )
    assert m, testid
    return m.group(1)


def test_empty_dashboard_says_what_comes_next(pm):
    c = login(pm, "admin")
    html = c.get("/platform/dashboard?lang=en").text
    assert_page(html, "Dashboard")
    assert 'id="dashboard-empty"' in html
    assert "No orders in the last 30 days yet." in html
    assert 'href="/platform/review"' in html
    assert _kpi(html, "orders-today") == "0"
    assert _kpi(html, "gmv-today") == "¥0.00"
    assert "echarts" not in html  # nothing to draw, nothing loaded


def test_dashboard_shows_today_top_parts_and_provinces(pm):
    m = pm
    a = m.order("a_owner", [("toyota_pad", 2)])  # 22,600 fen
    b = m.order("a_owner", [("bosch_pad", 5)], ship_to=JS_SHIP)  # 45,200 fen
    m.order("a_owner", [("vw_filter", 8)])  # 30,130 fen, 8 pieces
    dropped = m.order("a_owner", [("trw_pad", 1)])
    assert m.post("a_owner", f"/orders/{dropped['id']}/cancel", {"reason": "x"}).status_code == 200
    pay(m, a["id"])
    pay(m, b["id"])
    c = login(m, "admin")
    html = c.get("/platform/dashboard?lang=en").text
    assert_page(html, "Dashboard")
    assert _kpi(html, "orders-today") == "3"
    assert _kpi(html, "gmv-today") == "¥979.30"  # 22,600 + 45,200 + 30,130 fen

    def table(table_id: str) -> list[list[str]]:
        body = re.search(rf'<table class="table" id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', html, re.S)
        assert body, table_id
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
        return [
            [re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in rows
        ]

    by_qty = table("top-by-quantity")
    assert [(r[3], r[4]) for r in by_qty] == [("8", "¥301.30"), ("5", "¥452.00"), ("2", "¥226.00")]
    by_value = table("top-by-value")
    assert [r[4] for r in by_value] == ["¥452.00", "¥301.30", "¥226.00"]
    assert table("orders-by-province") == [
        ["浙江省", "2", "66.7%", "¥527.30"],
        ["江苏省", "1", "33.3%", "¥452.00"],
    ]

    # the chart: the vendored ECharts (no CDN), fed from a JSON block with the same numbers
    assert '<script src="/static/vendor/echarts-5.6.0.min.js' in html
    assert '<script src="/static/js/platform-dashboard.js' in html
    assert not re.search(r'<script[^>]+src="(https?:)?//', html)
    data = re.search(
        r'<script type="application/json" id="platform-province-data">(.*?)</script>', html, re.S
    )
    assert data
    chart = json.loads(data.group(1))
    assert chart["labels"] == ["浙江省", "江苏省"]
    assert chart["orders"] == [2, 1]
    assert chart["gmv"] == ["¥527.30", "¥452.00"]
    assert 'id="platform-province-chart"' in html and 'role="img"' in html
    assert c.get("/static/js/platform-dashboard.js").status_code == 200
    assert c.get("/static/vendor/echarts-5.6.0.min.js").status_code == 200

    zh = c.get("/platform/dashboard?lang=zh_CN").text
    assert "今日订单数" in zh and "近 30 天各省订单分布" in zh


def test_a_province_name_cannot_inject_markup(pm):
    m = pm
    m.order("a_owner", [("toyota_pad", 1)], ship_to={**HZ_SHIP, "province": "</script><b>x"})
    html = login(m, "admin").get("/platform/dashboard").text
    data = re.search(r'id="platform-province-data">(.*?)</script>', html, re.S)
    assert data and "<" not in data.group(1)
    assert json.loads(data.group(1))["labels"] == ["</script><b>x"]
    assert "<b>x" not in html


def test_dashboard_links_follow_permissions(pm):
    admin = login(pm, "admin").get("/platform/dashboard").text
    assert 'href="/platform/disputes"' in admin and 'href="/platform/finance/bank-transfers"' in admin
    reviewer = login(pm, "reviewer").get("/platform/dashboard")
    assert reviewer.status_code == 200
    assert 'href="/platform/disputes"' not in reviewer.text
    assert 'href="/platform/finance/bank-transfers"' not in reviewer.text
    assert login(pm, "a_owner").get("/platform/dashboard").status_code == 403
