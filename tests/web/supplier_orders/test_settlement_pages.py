"""Settlement: what the platform owes the supplier, what is still in escrow, each order's release
(gross, commission, net) right after the buyer accepts it, statements (open, CSV, PDF) and payouts."""

from __future__ import annotations

import re
import uuid
from typing import Any

from autotrade.core.db import utcnow
from autotrade.settlement import periods
from tests.orders.conftest import Market
from tests.web.supplier_orders.conftest import api, as_page_user, get_api, page, paid


def _completed(m: Market, lines: list[tuple[str, int]]) -> dict[str, Any]:
    """An order of A from B, delivered, received and completed by the buyer (escrow released)."""
    o = paid(m, lines)
    api(m, "b_owner", f"/orders/{o['id']}/confirm")
    api(m, "b_owner", f"/orders/{o['id']}/shipments", {"carrier": "顺丰", "tracking_number": "SF1"})
    api(m, "b_owner", f"/orders/{o['id']}/deliver")
    api(m, "a_owner", f"/orders/{o['id']}/receive", {})
    api(m, "a_owner", f"/orders/{o['id']}/complete")
    return o


def _release_row(html: str, order_id: str) -> dict[str, str]:
    row = re.search(rf'<tr data-id="{order_id}">(.*?)</tr>', html.split('id="releases-table"')[1], re.S)
    assert row, "no release row for the order"
    cells = dict(re.findall(r'data-testid="(gross|commission|net)">([^<]*)<', row.group(1)))
    return cells


def test_a_release_shows_right_after_the_buyer_accepts(m: Market) -> None:
    as_page_user(m, "b_owner")
    html = page(m, "/supplier/settlement?lang=en")
    assert "<h1>Settlement</h1>" in html
    assert '<p class="so-big" data-testid="payable">¥0.00</p>' in html
    assert "No escrow released yet." in html and "No statements yet." in html and "No payouts yet." in html

    waiting = paid(m, [("bosch_pad", 1)])  # paid, not accepted: held in escrow
    o = _completed(m, [("toyota_pad", 2), ("bosch_pad", 5)])
    # gross 2 × 11,300 + 5 × 9,040 = 67,800; commission 300 bp per line: 678 + 1,356 = 2,034
    html = page(m, "/supplier/settlement?lang=en")
    assert _release_row(html, o["id"]) == {"gross": "¥678.00", "commission": "¥20.34", "net": "¥657.66"}
    assert o["number"] in html and "Buyer accepted" in html
    assert '<p class="so-big" data-testid="payable">¥657.66</p>' in html
    assert '<p class="so-big" data-testid="held">¥90.40</p>' in html
    assert waiting["id"] not in html.split('id="releases-table"')[1]
    for label in ("Gross", "Commission", "Net", "Owed to you now", "Held in escrow"):
        assert label in html
    # the ledger agrees: the supplier's payable account, as the API shows it
    accounts = get_api(m, "b_owner", "/ledger/accounts")
    items = accounts["items"] if isinstance(accounts, dict) else accounts
    assert [a["holder_balance_fen"] for a in items if a["purpose"] == "supplier_payable"] == [65_766]
    zh = page(m, "/supplier/settlement?lang=zh_CN")
    assert "<h1>结算</h1>" in zh and "平台佣金" in zh and "¥657.66" in zh
    # the order's page says the same
    detail = page(m, f"/supplier/orders/{o['id']}?lang=en")
    assert "Released to you" in detail and "¥20.34" in detail and "¥657.66" in detail


def test_statements_open_and_download_and_payouts_show(m: Market) -> None:
    o = _completed(m, [("toyota_pad", 2)])  # gross 22,600; commission 678; net 21,922
    ref = f"BR{uuid.uuid4().hex[:10].upper()}"
    r = m.client.post(
        "/api/v1/platform/payouts",
        json={"supplier_org_id": str(m.world.orgs["b"]), "amount_fen": 20_000, "bank_reference": ref},
        headers=m.world.h("admin"),
    )
    assert r.status_code == 201, r.text
    month = periods.china_date(utcnow()).strftime("%Y-%m")
    r = m.client.post(
        "/api/v1/platform/settlements",
        json={"period": month, "supplier_org_id": str(m.world.orgs["b"])},
        headers=m.world.h("admin"),
    )
    assert r.status_code == 200, r.text
    st = r.json()["statements"][0]

    as_page_user(m, "b_owner")
    html = page(m, "/supplier/settlement?lang=en")
    assert '<p class="so-big" data-testid="payable">¥19.22</p>' in html  # 21,922 − 20,000
    payouts = html.split('id="payouts-table"')[1]
    assert ref in payouts and "¥200.00" in payouts
    statements = html.split('id="statements-table"')[1]
    assert f'<tr data-id="{st["id"]}">' in statements and st["number"] in statements
    assert f'href="/supplier/settlement/statements/{st["id"]}.csv"' in statements
    assert "Provisional" in statements  # the month is still running

    detail = page(m, f"/supplier/settlement/statements/{st['id']}?lang=en")
    assert f"<h1>Statement {st['number']}</h1>" in detail
    assert o["number"] in detail and ref in detail and "Escrow release" in detail and "Payout" in detail
    assert "¥6.78" in detail and "¥219.22" in detail
    assert "<h1>结算单 " in page(m, f"/supplier/settlement/statements/{st['id']}?lang=zh_CN")

    csv = m.client.get(f"/supplier/settlement/statements/{st['id']}.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf") and o["number"] in csv.text and "219.22" in csv.text
    assert f'filename="{st["number"]}.csv"' in csv.headers["content-disposition"]
    pdf = m.client.get(f"/supplier/settlement/statements/{st['id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"


def test_who_may_see_the_money_and_foreign_statements(m: Market) -> None:
    _completed(m, [("bosch_pad", 1)])
    month = periods.china_date(utcnow()).strftime("%Y-%m")
    r = m.client.post(
        "/api/v1/platform/settlements",
        json={"period": month, "supplier_org_id": str(m.world.orgs["b"])},
        headers=m.world.h("admin"),
    )
    st = r.json()["statements"][0]
    as_page_user(m, "b_warehouse")  # no payments:view
    page(m, "/supplier/settlement", 403)
    page(m, f"/supplier/settlement/statements/{st['id']}", 403)
    assert 'href="/supplier/settlement"' not in page(m, "/supplier/orders")  # not in its tabs either
    as_page_user(m, "a_owner")  # a repair shop: not a seller
    page(m, "/supplier/settlement", 403)
    as_page_user(m, "c_owner")  # another supplier: B's statement is not found, nothing of B shows
    for suffix in ("", ".csv", ".pdf"):
        page(m, f"/supplier/settlement/statements/{st['id']}{suffix}", 404)
    html = page(m, "/supplier/settlement")
    assert st["number"] not in html and "¥0.00" in html
