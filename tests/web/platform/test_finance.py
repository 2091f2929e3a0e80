"""/platform/finance: overview, bank transfers to confirm (payments.confirm_bank_transfer), the
reconciliation report (settlement.reconciliation), statements and payouts (settlement.service)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from autotrade.settlement.reconciliation import Difference, Report
from autotrade.web import platform_finance
from tests.web.conftest import post_form
from tests.web.platform.conftest import assert_page, delivered, login, pay, step

CONFIRM = "/platform/finance/bank-transfers/confirm"
TRANSFERS = "/platform/finance/bank-transfers"


def _order(pm, order_id: str) -> dict:
    r = pm.client.get(f"/api/v1/orders/{order_id}", headers=pm.world.h("a_owner"))
    assert r.status_code == 200, r.text
    return r.json()


def _waiting_transfer(pm, lines=(("bosch_pad", 1),)) -> tuple[dict, dict]:
    """An order whose buyer chose bank transfer: (order, payment)."""
    o = pm.order("a_owner", list(lines))
    r = pm.post("a_owner", f"/orders/{o['id']}/payments", {"provider": "bank_transfer"})
    assert r.status_code == 201, r.text
    return o, r.json()["payment"]


def _completed(pm, lines) -> dict:
    o = delivered(pm, lines)
    step(pm, "a_owner", f"/orders/{o['id']}/receive", {})
    step(pm, "a_owner", f"/orders/{o['id']}/complete")
    return o


def _payable(pm) -> int:
    from autotrade.core.tenancy import bind_system
    from autotrade.settlement import service

    with pm.db.session() as s:
        bind_system(s, "test")
        return service.payable(s, pm.world.orgs["b"])


# ---- overview ------------------------------------------------------------------------------------------


def test_overview_shows_where_the_money_is(pm):
    paid = pm.order("a_owner", [("toyota_pad", 2)])
    pay(pm, paid["id"])
    _waiting_transfer(pm)
    c = login(pm, "finance_viewer")
    html = c.get("/platform/finance?lang=en").text
    assert_page(html, "Finance")

    def kpi(label: str) -> str:
        m = re.search(rf">{re.escape(label)}</span>\s*<strong class=\"platform-kpi-value\">([^<]+)<", html)
        assert m, label
        return m.group(1)

    assert kpi("Held in escrow") == "¥226.00"
    assert kpi("At the bank") == "¥226.00"
    assert kpi("Transfers to confirm") == "1"
    assert kpi("Owed to suppliers") == "¥0.00"
    assert 'href="/platform/commission"' in html


# ---- bank transfers ------------------------------------------------------------------------------------


def test_transfers_list_and_confirm(pm):
    o, payment = _waiting_transfer(pm)
    c = login(pm, "admin")
    html = c.get(TRANSFERS + "?lang=en").text
    assert_page(html, "Bank transfers")
    row = re.search(rf'<tr data-id="{payment["id"]}" data-order-id="{o["id"]}">(.*?)</tr>', html, re.S)
    assert row
    for text in (payment["reference_code"], o["number"], "A 汽修连锁", "B 汽配经销", "¥90.40"):
        assert text in row.group(1)
    assert 'value="90.40"' in row.group(1)  # the amount due, as the default
    r = post_form(c, CONFIRM, {"order_id": o["id"], "bank_reference": "ICBC20261128001", "amount": "90.40"})
    assert r.status_code == 303, r.text[-500:]
    assert _order(pm, o["id"])["status"] == "paid"
    after = c.get(r.headers["location"] + "?lang=en").text
    assert "Transfer confirmed: the order is paid." in after
    assert 'id="bank-transfers-empty"' in after


def test_confirm_errors_keep_the_input_and_change_nothing(pm):
    o, _payment = _waiting_transfer(pm)
    c = login(pm, "admin")
    c.get(TRANSFERS)
    key = o["id"]

    r = post_form(c, CONFIRM + "?lang=en", {"order_id": key, "bank_reference": "ICBC-1", "amount": "90.00"})
    assert r.status_code == 422
    assert re.search(
        rf'id="e-amount-{key}">The amount does not match the order&#39;s total, ¥90.40.<', r.text
    )
    assert f'id="f-bank_reference-{key}" name="bank_reference" type="text" value="ICBC-1"' in r.text
    assert f'id="f-amount-{key}" name="amount" type="text" value="90.00"' in r.text

    r = post_form(c, CONFIRM + "?lang=en", {"order_id": key, "bank_reference": "", "amount": "abc"})
    assert r.status_code == 422
    assert re.search(rf'id="e-bank_reference-{key}">This field is required.<', r.text)
    assert re.search(rf'id="e-amount-{key}">Enter an amount in yuan', r.text)
    assert _order(pm, o["id"])["status"] == "pending_payment"

    # a bank reference already confirmed for another order
    other = pm.order("a_owner", [("toyota_pad", 1)])
    pay_r = post_form(
        c, CONFIRM, {"order_id": other["id"], "bank_reference": "ICBC-USED", "amount": "113.00"}
    )
    assert pay_r.status_code == 303
    r = post_form(
        c, CONFIRM + "?lang=en", {"order_id": key, "bank_reference": "ICBC-USED", "amount": "90.40"}
    )
    assert r.status_code == 409
    assert re.search(rf'id="e-bank_reference-{key}">This bank reference has already been confirmed.<', r.text)
    assert _order(pm, o["id"])["status"] == "pending_payment"


def test_confirm_another_transfer_by_reference_or_order_number(pm):
    o, payment = _waiting_transfer(pm)
    plain = pm.order("a_owner", [("toyota_pad", 1)])  # no instructions asked for
    c = login(pm, "admin")
    c.get(TRANSFERS)

    r = post_form(
        c,
        CONFIRM + "?lang=en",
        {"reference": "SO-NOPE", "bank_reference": "B1", "amount": "1", "note": "附言"},
    )
    assert r.status_code == 422
    assert re.search(r'id="e-reference">No order matches this reference.<', r.text)
    assert 'id="f-note" name="note" type="text" value="附言"' in r.text

    r = post_form(c, CONFIRM + "?lang=en", {"reference": "", "bank_reference": "", "amount": ""})
    assert r.status_code == 422
    for name in ("reference", "bank_reference", "amount"):
        assert re.search(rf'id="e-{name}">This field is required.<', r.text), name

    r = post_form(c, CONFIRM, {"reference": plain["number"].lower(), "bank_reference": "B2", "amount": "113"})
    assert r.status_code == 303
    assert _order(pm, plain["id"])["status"] == "paid"
    r = post_form(
        c, CONFIRM, {"reference": payment["reference_code"], "bank_reference": "B3", "amount": "90.40"}
    )
    assert r.status_code == 303
    assert _order(pm, o["id"])["status"] == "paid"

    # money for an order that no longer waits for payment is recorded and refunded at once
    r = post_form(c, CONFIRM, {"reference": plain["number"], "bank_reference": "B4", "amount": "113.00"})
    assert r.status_code == 303
    assert "the money is refunded" in c.get(TRANSFERS + "?lang=en").text


def test_viewers_cannot_confirm(pm):
    o, _payment = _waiting_transfer(pm)
    c = login(pm, "finance_viewer")
    html = c.get(TRANSFERS + "?lang=en").text
    assert "Confirm receipt</button>" not in html and 'id="confirm-other"' not in html
    r = post_form(c, CONFIRM, {"order_id": o["id"], "bank_reference": "X", "amount": "90.40"}, page=TRANSFERS)
    assert r.status_code == 403
    assert _order(pm, o["id"])["status"] == "pending_payment"


# ---- reconciliation ------------------------------------------------------------------------------------


def test_reconciliation_all_reconciled(pm):
    o = pm.order("a_owner", [("toyota_pad", 1)])
    pay(pm, o["id"])
    html = login(pm, "finance_viewer").get("/platform/finance/reconciliation?lang=en").text
    assert_page(html, "Reconciliation")
    assert 'id="reconciled"' in html and "All reconciled." in html
    assert re.search(r"1 orders, 1 payments, \d+ ledger entries checked", html)


def test_reconciliation_lists_differences_by_kind(pm, monkeypatch):
    order_id, pid, eid = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    report = Report(
        checked_at=datetime.now(UTC),
        orders_checked=3,
        payments_checked=2,
        entries_checked=5,
        differences=[
            Difference(
                "payment_amount_mismatch",
                "payment X: 100 vs 90",
                order_id,
                "SO1",
                [pid],
                [eid],
                10_000,
                9_000,
            ),
            Difference("escrow_total_mismatch", "escrow account 5 vs orders 0", None, None, [], [], 0, 500),
            Difference("payment_amount_mismatch", "payment Y", None, "SO2", [], [], 200, 200),
        ],
    )
    monkeypatch.setattr(platform_finance.reconciliation, "reconcile", lambda session: report)
    html = login(pm, "admin").get("/platform/finance/reconciliation?lang=en").text
    assert 'id="not-reconciled"' in html and "3 differences found." in html
    summary = re.search(r'id="differences-by-kind">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert summary
    rows = re.findall(
        r"<code>([a-z_]+)</code></a></td><td>([^<]+)</td><td class=\"platform-num\">(\d+)<", summary.group(1)
    )
    assert rows == [
        ("payment_amount_mismatch", "A payment&#39;s amount differs from its ledger entry", "2"),
        ("escrow_total_mismatch", "The escrow account differs from the sum the orders hold", "1"),
    ]
    detail = re.search(r'<table class="table" data-kind="payment_amount_mismatch">(.*?)</table>', html, re.S)
    assert detail and "SO1" in detail.group(1) and str(pid) in detail.group(1) and str(eid) in detail.group(1)
    assert "¥100.00" in detail.group(1) and "¥90.00" in detail.group(1) and "-¥10.00" in detail.group(1)
    zh = login(pm, "admin").get("/platform/finance/reconciliation?lang=zh_CN").text
    assert "发现 3 处差异。" in zh


# ---- statements and payouts ----------------------------------------------------------------------------

SETTLEMENTS = "/platform/finance/settlements"


def test_generate_statements_and_record_a_payout(pm):
    _completed(pm, [("toyota_pad", 2)])  # 22,600 released: 678 commission, 21,922 payable
    owed = _payable(pm)
    assert owed == 21_922
    c = login(pm, "admin")
    html = c.get(SETTLEMENTS + "?lang=en").text
    assert_page(html, "Statements &amp; payouts")
    assert "B 汽配经销 · owed ¥219.22" in html
    month = datetime.now(UTC).astimezone(platform_finance.periods.CHINA).strftime("%Y-%m")
    assert f'name="period" type="month" value="{month}"' in html

    r = post_form(
        c, SETTLEMENTS + "/generate", {"period": month, "date_from": "", "date_to": "", "supplier_org_id": ""}
    )
    assert r.status_code == 303, r.text[-800:]
    listing = c.get(SETTLEMENTS + "?lang=en").text
    assert "Settlement statements generated." in listing
    row = re.search(
        r'<table class="table" id="statements">.*?<tr data-id="([0-9a-f-]+)">(.*?)</tr>', listing, re.S
    )
    assert row and "B 汽配经销" in row.group(2) and "¥226.00" in row.group(2) and "¥219.22" in row.group(2)
    detail = c.get(f"{SETTLEMENTS}/{row.group(1)}?lang=en").text
    assert_page(detail)
    assert 'id="statement-lines"' in detail and "Escrow released" in detail

    supplier = str(pm.world.orgs["b"])
    r = post_form(
        c,
        "/platform/finance/payouts",
        {"supplier_org_id": supplier, "amount": "200", "bank_reference": "PAYOUT-1", "note": "十一月"},
    )
    assert r.status_code == 303
    assert _payable(pm) == 1_922
    after = c.get(SETTLEMENTS + "?lang=en").text
    assert "Payout recorded." in after
    payout = re.search(r'<table class="table" id="payouts">.*?<tbody>(.*?)</tbody>', after, re.S)
    assert (
        payout
        and "¥200.00" in payout.group(1)
        and "PAYOUT-1" in payout.group(1)
        and "十一月" in payout.group(1)
    )


def test_payout_errors_keep_the_input_and_change_nothing(pm):
    _completed(pm, [("toyota_pad", 1)])  # payable 11,300 − 339 = 10,961
    c = login(pm, "admin")
    c.get(SETTLEMENTS)
    supplier = str(pm.world.orgs["b"])
    url = "/platform/finance/payouts?lang=en"

    r = post_form(
        c, url, {"supplier_org_id": supplier, "amount": "200", "bank_reference": "REF-9", "note": "n"}
    )
    assert r.status_code == 409
    assert re.search(
        r'id="e-pay-amount">The platform owes this supplier ¥109.61; the payout cannot be more.<', r.text
    )
    assert 'id="f-pay-amount" name="amount" type="text" value="200"' in r.text
    assert 'id="f-pay-bank_reference" name="bank_reference" type="text" value="REF-9"' in r.text
    assert f'<option value="{supplier}" selected>' in r.text

    r = post_form(c, url, {"supplier_org_id": "", "amount": "x", "bank_reference": "", "note": ""})
    assert r.status_code == 422
    assert re.search(r'id="e-pay-supplier_org_id">This field is required.<', r.text)
    assert re.search(r'id="e-pay-amount">Enter an amount in yuan', r.text)
    assert re.search(r'id="e-pay-bank_reference">This field is required.<', r.text)

    assert (
        post_form(
            c, url, {"supplier_org_id": supplier, "amount": "10", "bank_reference": "REF-1"}
        ).status_code
        == 303
    )
    r = post_form(c, url, {"supplier_org_id": supplier, "amount": "10", "bank_reference": "REF-1"})
    assert r.status_code == 409
    assert re.search(
        r'id="e-pay-bank_reference">This bank reference is already recorded for this supplier.<', r.text
    )
    assert _payable(pm) == 10_961 - 1_000


def test_generate_errors_are_shown_next_to_the_fields(pm):
    c = login(pm, "admin")
    c.get(SETTLEMENTS)
    url = SETTLEMENTS + "/generate?lang=en"
    r = post_form(c, url, {"period": "2026-13", "date_from": "", "date_to": "", "supplier_org_id": ""})
    assert r.status_code == 422
    assert re.search(r'id="e-gen-period">Choose a month, or a start and end date', r.text)
    assert 'value="2026-13"' in r.text
    r = post_form(
        c,
        url,
        {"period": "2026-11", "date_from": "2026-11-30", "date_to": "2026-11-01", "supplier_org_id": ""},
    )
    assert r.status_code == 422
    assert re.search(r'id="e-gen-date_to">Choose a month, or a start and end date', r.text)
    assert 'value="2026-11-30"' in r.text and 'value="2026-11-01"' in r.text
    r = post_form(c, url, {"period": "", "date_from": "30/11/2026", "date_to": "", "supplier_org_id": ""})
    assert r.status_code == 422
    assert re.search(r'id="e-gen-date_from">Enter a date like 2026-11-30.<', r.text)
    r = post_form(c, url, {"period": "2026-11", "supplier_org_id": str(uuid.uuid4())})
    assert r.status_code == 404
    assert re.search(r"Choose one of the listed values.", r.text)
    # nothing owed to anyone in a quiet period: said so, nothing generated
    r = post_form(c, SETTLEMENTS + "/generate", {"period": "2020-01", "supplier_org_id": ""})
    assert r.status_code == 303
    html = c.get(SETTLEMENTS + "?lang=en").text
    assert "No supplier had anything to settle in this period." in html
    assert 'id="statements"' not in html


def test_finance_actions_need_edit(pm):
    _completed(pm, [("toyota_pad", 1)])
    c = login(pm, "finance_viewer")
    html = c.get(SETTLEMENTS + "?lang=en").text
    assert "Generate statements</button>" not in html and "Record payout</button>" not in html
    supplier = str(pm.world.orgs["b"])
    r = post_form(
        c,
        "/platform/finance/payouts",
        {"supplier_org_id": supplier, "amount": "1", "bank_reference": "R"},
        page=SETTLEMENTS,
    )
    assert r.status_code == 403
    r = post_form(c, SETTLEMENTS + "/generate", {"period": "2026-11"}, page=SETTLEMENTS)
    assert r.status_code == 403
    assert _payable(pm) == 10_961
