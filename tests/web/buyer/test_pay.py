"""The payment page of an order: bank transfer instructions, the gateway simulator (asynchronous
callback, the page polls until paid), paying on credit; only the buyer's own orders."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun
from autotrade.payments.models import Payment
from tests.helpers import count, table_counts
from tests.web.buyer.conftest import html_of, ids_in
from tests.web.conftest import post_form, web_login

GROSS = 18_080  # 2 × Bosch pad at ¥80.00 + 13 % VAT


def _order(shop):
    return shop.order("a_owner", [("bosch_pad", 2)])["id"]


def _status(shop, order_id):
    return shop.client.get(f"/api/v1/orders/{order_id}", headers=shop.world.h("a_owner")).json()["status"]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_pay_page_renders(shop, lang):
    order_id = _order(shop)
    html = html_of(shop.client.get(f"/buyer/orders/{order_id}/pay?lang={lang}"))
    assert html.count("<h1>") == 1
    assert "¥180.80" in html and "B 汽配经销" in html
    assert ("使用模拟网关支付" if lang == "zh_CN" else "Pay with the gateway simulator") in html
    assert 'data-state="open"' in html
    assert f'href="/buyer/orders/{order_id}"' in html


def test_only_the_buyer_with_payment_rights_sees_it(shop):
    c = shop.client
    order_id = _order(shop)
    assert c.get(f"/buyer/orders/{uuid.uuid4()}/pay").status_code == 404
    for who, status in (("b_owner", 404), ("c_owner", 404), ("a_purchaser", 403), ("pending_owner", 403)):
        web_login(c, shop.world.emails[who])
        assert c.get(f"/buyer/orders/{order_id}/pay").status_code == status, who
        assert c.get(f"/buyer/orders/{order_id}/pay/status").status_code == status, who
    web_login(c, shop.world.emails["b_owner"])
    c.get("/dashboard")
    before = table_counts(shop.db)
    for action in ("bank-transfer", "gateway", "credit"):
        assert post_form(c, f"/buyer/orders/{order_id}/pay/{action}", {}).status_code == 404, action
    assert table_counts(shop.db) == before


def test_bank_transfer_instructions_with_the_reference_to_quote(shop):
    c = shop.client
    order_id = _order(shop)
    c.get(f"/buyer/orders/{order_id}/pay?lang=en")
    r = post_form(c, f"/buyer/orders/{order_id}/pay/bank-transfer", {})
    assert r.status_code == 303
    html = html_of(c.get(f"/buyer/orders/{order_id}/pay?lang=en"))
    ref = re.search(r'<code class="buyer-reference" id="transfer-reference">(PAY[0-9A-Z]{12})</code>', html)
    assert ref and "Reference to quote" in html and "Account number" in html
    assert "Transfer the amount with the reference code below." in html  # the flash
    # asking again shows the same payment and reference
    post_form(c, f"/buyer/orders/{order_id}/pay/bank-transfer", {})
    html = html_of(c.get(f"/buyer/orders/{order_id}/pay?lang=en"))
    assert ref.group(1) in html
    assert count(shop.db, Payment) == 1
    assert _status(shop, order_id) == "pending_payment"


def test_the_gateway_simulator_pays_the_order(shop):
    c = shop.client
    order_id = _order(shop)
    c.get(f"/buyer/orders/{order_id}/pay?lang=en")
    r = post_form(c, f"/buyer/orders/{order_id}/pay/gateway", {})
    assert r.status_code == 303
    # the tests run jobs at once after the commit: the simulated callback has paid the order
    assert _status(shop, order_id) == "paid"
    html = html_of(c.get(f"/buyer/orders/{order_id}/pay?lang=en"))
    assert "This order is paid." in html and 'data-state="paid"' in html
    assert "hx-trigger" not in re.search(r'<div id="pay-status".*?</div>', html, re.S).group(0)
    assert len(ids_in(html, "payments")) == 1
    # nothing more to pay
    r = post_form(c, f"/buyer/orders/{order_id}/pay/bank-transfer", {})
    assert r.status_code == 409 and "This order is not waiting for a payment." in r.text


def test_the_page_waits_for_the_gateway_then_shows_the_order_paid(shop, monkeypatch):
    c = shop.client
    order_id = _order(shop)
    monkeypatch.setattr(jobs, "_runner", None)  # the callback's job waits in the queue
    c.get(f"/buyer/orders/{order_id}/pay?lang=en")
    assert post_form(c, f"/buyer/orders/{order_id}/pay/gateway", {}).status_code == 303
    html = html_of(c.get(f"/buyer/orders/{order_id}/pay?lang=en"))
    assert "Waiting for the gateway to confirm the payment…" in html
    assert f'hx-get="/buyer/orders/{order_id}/pay/status"' in html and 'hx-trigger="every 1s"' in html
    poll = c.get(f"/buyer/orders/{order_id}/pay/status?lang=en", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and 'data-state="waiting"' in poll.text and "hx-trigger" in poll.text
    # pressing the button again while waiting does not open a second payment
    post_form(c, f"/buyer/orders/{order_id}/pay/gateway", {})
    assert count(shop.db, Payment) == 1
    with shop.db.session() as s:
        bind_system(s, "test")
        waiting = list(s.scalars(select(JobRun.id).where(JobRun.name == "payments.simulator.deliver")))
    for job_id in waiting:
        jobs.execute(shop.db, job_id)
    poll = c.get(f"/buyer/orders/{order_id}/pay/status?lang=en", headers={"HX-Request": "true"})
    assert 'data-state="paid"' in poll.text and "This order is paid." in poll.text
    assert "hx-trigger" not in poll.text  # polling stops
    assert _status(shop, order_id) == "paid"


def _grant(shop, limit_fen):
    r = shop.client.post(
        "/api/v1/platform/credit/lines",
        json={"debtor_org_id": str(shop.world.orgs["a"]), "limit_fen": limit_fen, "term_days": 30},
        headers=shop.world.h("admin"),
    )
    assert r.status_code == 201, r.text


def test_pay_on_credit_shows_what_is_available(shop):
    c = shop.client
    order_id = _order(shop)
    html = html_of(c.get(f"/buyer/orders/{order_id}/pay?lang=en"))
    assert "You have no credit line from the platform or from this supplier." in html
    _grant(shop, 100_000)
    html = html_of(c.get(f"/buyer/orders/{order_id}/pay?lang=en"))
    assert len(ids_in(html, "credit-lines")) == 1
    assert "The platform" in html and "¥1,000.00" in html and "30 days" in html
    r = post_form(c, f"/buyer/orders/{order_id}/pay/credit", {})
    assert r.status_code == 303
    assert _status(shop, order_id) == "paid"
    html = html_of(c.get(f"/buyer/orders/{order_id}/pay?lang=en"))
    assert "The order was paid on credit." in html and "This order is paid." in html


def test_credit_too_small_is_refused_with_the_reason(shop):
    c = shop.client
    order_id = _order(shop)
    _grant(shop, GROSS - 1)
    html = html_of(c.get(f"/buyer/orders/{order_id}/pay?lang=en"))
    assert "Not enough" in html
    assert re.search(r'<button type="submit" class="button" disabled>Pay on credit</button>', html)
    before = table_counts(shop.db)
    r = post_form(c, f"/buyer/orders/{order_id}/pay/credit", {})
    assert r.status_code == 409
    assert "The order does not fit in the credit available." in r.text
    assert table_counts(shop.db) == before
    assert _status(shop, order_id) == "pending_payment"
