"""Invoices (tax profiles, requests) and credit (lines, what is owed, repayments)."""

from __future__ import annotations

import re
from datetime import timedelta

from autotrade.core.db import utcnow
from autotrade.settlement import periods
from tests.credit.conftest import grant, repay, set_due
from tests.factories import new_uscc
from tests.web.buyer_orders.conftest import api, delivered, login, place, submit, value_of
from tests.web.conftest import post_form


def _completed(bm):
    o = delivered(bm)
    assert bm.post("a_owner", f"/orders/{o['id']}/receive").status_code == 200
    assert bm.post("a_owner", f"/orders/{o['id']}/complete").status_code == 200
    return o


def _taxpayer() -> str:
    return new_uscc()  # a unified social credit code with a valid check character


def test_invoices_page_access(bm):
    login(bm, "a_owner")
    html = bm.client.get("/buyer/invoices?lang=en").text
    assert "<h1>VAT invoices</h1>" in html
    assert "No invoices requested yet." in html and 'href="/buyer/orders?status=completed"' in html
    assert "Add a tax profile first" in html
    login(bm, "a_purchaser")  # no payments:view
    assert bm.client.get("/buyer/invoices").status_code == 403
    assert bm.client.get("/buyer/credit").status_code == 403
    html = bm.client.get("/buyer/orders?lang=en").text
    assert 'href="/buyer/returns"' in html and 'href="/buyer/invoices"' not in html
    login(bm, "a_finance")  # payments, no procurement: the main navigation leads to invoices and credit
    nav = re.findall(r'<nav class="nav"[^>]*>(.*?)</nav>', bm.client.get("/dashboard?lang=en").text, re.S)[0]
    assert 'href="/buyer/invoices"' in nav and 'href="/buyer/orders"' not in nav
    html = bm.client.get("/buyer/invoices?lang=en").text
    assert "<h1>VAT invoices</h1>" in html and 'href="/buyer/credit"' in html


def test_tax_profile_error_keeps_the_input_then_saves(bm):
    login(bm, "a_owner")
    data = {
        "title": "A 汽修连锁有限公司",
        "taxpayer_id": "12345",
        "address": "杭州市文三路1号",
        "phone": "0571-88886666",
        "bank_name": "工商银行杭州分行",
        "bank_account": "6222021001123456789",
        "is_default": "1",
    }
    r = submit(bm, "/buyer/invoices/tax-profiles?lang=en", data, "/buyer/invoices")
    assert r.status_code == 422
    assert value_of(r.text, "profile-title") == "A 汽修连锁有限公司"
    assert value_of(r.text, "profile-bank_account") == "6222021001123456789"
    assert (
        'id="profile-taxpayer_id-error"' in r.text and "Not a valid taxpayer identification number" in r.text
    )
    assert api(bm, "a_owner", "/tax-profiles")["items"] == []
    data["taxpayer_id"] = _taxpayer()
    r = post_form(bm.client, "/buyer/invoices/tax-profiles", data)
    assert r.status_code == 303
    (profile,) = api(bm, "a_owner", "/tax-profiles")["items"]
    assert profile["title"] == "A 汽修连锁有限公司" and profile["is_default"] is True
    html = bm.client.get("/buyer/invoices?lang=en").text
    table = html.split('id="profiles"')[1].split("</table>")[0]
    assert "6222021001123456789" not in html  # masked, even for an owner holding pii:view
    assert "***************6789" in table


def test_request_an_invoice_for_a_completed_order(bm):
    o = _completed(bm)
    place(bm)  # a pending order: not offered
    login(bm, "a_owner")
    r = post_form(
        bm.client,
        "/buyer/invoices/tax-profiles",
        {"title": "A 汽修连锁有限公司", "taxpayer_id": _taxpayer(), "is_default": "1"},
        page="/buyer/invoices",
    )
    assert r.status_code == 303
    html = bm.client.get(f"/buyer/orders/{o['id']}?lang=en").text
    assert f'href="/buyer/invoices?order_id={o["id"]}#request-invoice"' in html
    html = bm.client.get(f"/buyer/invoices?order_id={o['id']}&lang=en").text
    select = html.split('id="invoice-order_id"')[1].split("</select>")[0]
    assert f'<option value="{o["id"]}" selected>' in select and select.count("<option") == 2
    # A special invoice needs the full tax details: refused next to the profile, input kept.
    (profile,) = api(bm, "a_owner", "/tax-profiles")["items"]
    data = {"order_id": o["id"], "kind": "special", "tax_profile_id": profile["id"], "note": "请尽快"}
    r = post_form(bm.client, "/buyer/invoices?lang=en", data)
    assert r.status_code == 422
    assert 'id="invoice-tax_profile_id-error"' in r.text and "A special VAT invoice needs" in r.text
    assert value_of(r.text, "invoice-note") == "请尽快"
    assert api(bm, "a_owner", "/invoices?role=buyer")["items"] == []
    data["kind"] = "normal"
    r = post_form(bm.client, "/buyer/invoices", data)
    assert r.status_code == 303
    (inv,) = api(bm, "a_owner", "/invoices?role=buyer")["items"]
    assert (inv["order_id"], inv["kind"], inv["status"], inv["amount_fen"]) == (
        o["id"],
        "normal",
        "requested",
        o["gross_fen"],
    )
    html = bm.client.get("/buyer/invoices?lang=en").text
    row = html.split(f'data-id="{inv["id"]}"')[1].split("</tr>")[0]
    assert o["number"] in row and "Invoice requested" in row and "Normal VAT invoice" in row
    # The supplier issues it: the number shows.
    r = bm.post(
        "b_owner",
        f"/invoices/{inv['id']}/issue",
        {
            "invoice_number": "33001234",
            "invoice_date": str(periods.china_date(utcnow())),
            "amount_fen": inv["amount_fen"],
        },
    )
    assert r.status_code == 200, r.text
    html = bm.client.get("/buyer/invoices?lang=en").text
    row = html.split(f'data-id="{inv["id"]}"')[1].split("</tr>")[0]
    assert "33001234" in row and ">Issued</span>" in row
    # The order is no longer offered; asking again is refused.
    r = post_form(bm.client, "/buyer/invoices?lang=en", data)
    assert r.status_code == 409 and "already requested or issued" in r.text


def test_credit_page_shows_lines_what_is_owed_and_repayments(bm):
    login(bm, "a_owner")
    html = bm.client.get("/buyer/credit?lang=en").text
    assert "You have no credit line." in html
    line = grant(bm, "admin", "a", 1_000_000, 30)
    o = place(bm, [("bosch_pad", 2)])
    r = bm.post("a_owner", f"/orders/{o['id']}/pay-on-credit")
    assert r.status_code == 200, r.text
    invoice = r.json()["invoice"]
    html = bm.client.get("/buyer/credit?lang=en").text
    row = html.split(f'data-id="{line["id"]}"')[1].split("</tr>")[0]
    gross = o["gross_fen"]
    assert "¥10,000.00" in row and f"¥{gross // 100:,}.{gross % 100:02d}" in row and "30 days" in row
    assert ">Active</span>" in row and "None" in row
    owed = html.split('id="credit-invoices"')[1].split("</table>")[0]
    assert o["number"] in owed and "Not yet due" in owed
    html = bm.client.get(f"/buyer/orders/{o['id']}?lang=en").text
    assert "Paid on credit: due" in html
    # Overdue.
    set_due(bm.db, invoice["id"], utcnow() - timedelta(days=1, hours=20))  # 2 days late, rounded up
    html = bm.client.get("/buyer/credit?lang=en").text
    assert "Some credit invoices are overdue" in html
    owed = html.split('id="credit-invoices"')[1].split("</table>")[0]
    assert ">Overdue</span>" in owed and "2 days overdue" in owed
    # A repayment confirmed by platform finance.
    r = repay(bm, invoice["id"], 1_000, "BANK-REF-001")
    assert r.status_code == 201, r.text
    html = bm.client.get("/buyer/credit?lang=en").text
    reps = html.split('id="repayments"')[1].split("</table>")[0]
    assert "BANK-REF-001" in reps and "¥10.00" in reps and o["number"] in reps
    zh = bm.client.get("/buyer/credit?lang=zh_CN").text
    assert "授信额度" in zh and "逾期 2 天" in zh


def test_credit_of_another_company_is_not_shown(bm):
    grant(bm, "admin", "a", 500_000, 30)
    login(bm, "c_owner")
    html = bm.client.get("/buyer/credit?lang=en").text
    assert "You have no credit line." in html and "¥5,000.00" not in html
