"""/platform/disputes: the queue, one dispute, and the decision form (orders.disputes.decide, the
service behind POST /api/v1/platform/disputes/{id}/decide)."""

from __future__ import annotations

import re

from tests.web.conftest import post_form
from tests.web.platform.conftest import assert_page, disputed, login


def _dispute(pm, dispute_id: str) -> dict:
    r = pm.client.get(f"/api/v1/disputes/{dispute_id}", headers=pm.world.h("a_owner"))
    assert r.status_code == 200, r.text
    return r.json()


def _escrow(pm, order_id: str) -> dict:
    r = pm.client.get(f"/api/v1/orders/{order_id}/escrow", headers=pm.world.h("a_owner"))
    assert r.status_code == 200, r.text
    return r.json()


def test_queue_lists_open_disputes_with_order_parties_reason_and_age(pm):
    order, dispute_id = disputed(pm, [("toyota_pad", 2)], reason="刹车片有裂纹，要求退款")
    c = login(pm, "risk")
    html = c.get("/platform/disputes?lang=en").text
    assert_page(html, "Disputes")
    row = re.search(rf'<tr data-id="{dispute_id}">(.*?)</tr>', html, re.S)
    assert row
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))
    for expected in (
        order["number"],
        "A 汽修连锁",
        "B 汽配经销",
        "Buyer",
        "刹车片有裂纹，要求退款",
        "¥226.00",
        "Open",
    ):
        assert expected in text, (expected, text)
    assert re.search(r"\d+ (second|minute)s? ago", text)
    assert f'href="/platform/disputes/{dispute_id}"' in row.group(1)
    # decided and withdrawn ones are behind their tabs
    assert 'id="disputes"' not in c.get("/platform/disputes?status=decided").text
    assert dispute_id in c.get("/platform/disputes?status=all").text


def test_empty_queue_says_so(pm):
    html = login(pm, "risk").get("/platform/disputes?lang=en").text
    assert "No open disputes: nothing to decide right now." in html
    assert 'href="/platform/disputes?status=decided"' in html


def test_detail_shows_facts_timeline_statements_and_the_form(pm):
    order, dispute_id = disputed(pm, [("toyota_pad", 2)], reason="到货有划痕")
    html = login(pm, "risk").get(f"/platform/disputes/{dispute_id}?lang=en").text
    assert_page(html, f"Dispute on order {order['number']}")
    assert "到货有划痕" in html
    assert re.search(r'id="statements-buyer">.*?到货有划痕', html, re.S)
    assert 'id="order-lines"' in html and "¥226.00" in html
    assert re.search(r'id="escrow-held">¥226.00 <span class="badge platform-badge-open">Frozen', html)
    timeline = re.search(r'<ol class="platform-timeline" id="timeline">(.*?)</ol>', html, re.S)
    assert timeline and timeline.group(1).count("<li>") == 6  # place, pay, confirm, ship, deliver, dispute
    for label in (
        "Release to supplier",
        "Partial refund",
        "Full refund",
        "Refund amount (¥)",
        "Reason for the decision",
    ):
        assert label in html
    assert '<button type="submit" class="button primary">Record decision</button>' in html
    assert f'action="/platform/disputes/{dispute_id}/decide"' in html


def test_a_viewer_without_approval_sees_no_form_and_cannot_post(pm):
    _order, dispute_id = disputed(pm, [("toyota_pad", 1)])
    c = login(pm, "risk_viewer")
    html = c.get(f"/platform/disputes/{dispute_id}?lang=en").text
    assert "Record decision" not in html
    assert "deciding needs the risk approval permission" in html
    r = post_form(
        c,
        f"/platform/disputes/{dispute_id}/decide",
        {"decision": "release", "decision_text": "x"},
        page="/platform/disputes",
    )
    assert r.status_code == 403
    assert _dispute(pm, dispute_id)["status"] == "open"


def test_form_errors_keep_the_input_and_change_nothing(pm):
    order, dispute_id = disputed(pm, [("toyota_pad", 2)])
    c = login(pm, "risk")
    path = f"/platform/disputes/{dispute_id}/decide"

    r = post_form(
        c,
        path + "?lang=en",
        {"decision": "", "amount": "", "decision_text": "证据不足"},
        page=f"/platform/disputes/{dispute_id}",
    )
    assert r.status_code == 422
    assert re.search(r'id="e-decision">This field is required.<', r.text)
    assert ">证据不足</textarea>" in r.text

    r = post_form(
        c, path + "?lang=en", {"decision": "refund_partial", "amount": "12,3x", "decision_text": "部分退款"}
    )
    assert r.status_code == 422
    assert re.search(r'id="e-amount">Enter an amount in yuan, for example 1234.56.<', r.text)
    assert 'value="12,3x"' in r.text and ">部分退款</textarea>" in r.text
    assert re.search(r'id="f-decision-refund_partial" name="decision" value="refund_partial" checked', r.text)

    # the service refuses a "partial" refund of the whole gross: its error shows next to the amount
    r = post_form(
        c, path + "?lang=en", {"decision": "refund_partial", "amount": "226.00", "decision_text": "全退"}
    )
    assert r.status_code == 422
    assert re.search(r'id="e-amount">This amount is not possible for this decision.<', r.text)
    assert 'value="226.00"' in r.text

    r = post_form(c, path + "?lang=en", {"decision": "release", "amount": "", "decision_text": ""})
    assert r.status_code == 422
    assert re.search(r'id="e-decision_text">This field is required.<', r.text)

    assert _dispute(pm, dispute_id)["status"] == "open"
    e = _escrow(pm, order["id"])
    assert (e["held_fen"], e["refunded_fen"], e["frozen"]) == (22_600, 0, True)


def test_partial_refund_decision_moves_the_money(pm):
    order, dispute_id = disputed(pm, [("toyota_pad", 2)])
    c = login(pm, "risk")
    r = post_form(
        c,
        f"/platform/disputes/{dispute_id}/decide",
        {"decision": "refund_partial", "amount": "¥50.5", "decision_text": "划痕属实，部分退款"},
        page=f"/platform/disputes/{dispute_id}",
    )
    assert r.status_code == 303, r.text[-500:]
    assert r.headers["location"] == f"/platform/disputes/{dispute_id}"
    d = _dispute(pm, dispute_id)
    assert (d["status"], d["decision"], d["amount_fen"], d["decision_text"]) == (
        "decided",
        "refund_partial",
        5_050,
        "划痕属实，部分退款",
    )
    e = _escrow(pm, order["id"])
    assert e["refunded_fen"] == 5_050 and e["frozen"] is False
    assert e["release_trigger"] == "dispute"  # delivered: the rest released to the supplier
    page = c.get(r.headers["location"] + "?lang=en").text
    assert "Decision recorded. Both companies are notified." in page
    assert "Record decision" not in page  # decided: no form any more
    assert "Partial refund" in page and "¥50.50" in page

    # deciding again is refused and said so
    r = post_form(
        c,
        f"/platform/disputes/{dispute_id}/decide?lang=en",
        {"decision": "release", "decision_text": "again"},
    )
    assert r.status_code == 409
    assert "This dispute is no longer open." in r.text


def test_release_decision(pm):
    order, dispute_id = disputed(pm, [("toyota_pad", 1)])
    c = login(pm, "admin")
    r = post_form(
        c,
        f"/platform/disputes/{dispute_id}/decide",
        {"decision": "release", "amount": "", "decision_text": "买家证据不足"},
        page=f"/platform/disputes/{dispute_id}",
    )
    assert r.status_code == 303
    e = _escrow(pm, order["id"])
    assert (e["held_fen"], e["refunded_fen"], e["released_fen"]) == (0, 0, 11_300)


def test_full_refund_ignores_a_typed_amount(pm):
    order, dispute_id = disputed(pm, [("toyota_pad", 1)])
    c = login(pm, "risk")
    r = post_form(
        c,
        f"/platform/disputes/{dispute_id}/decide",
        {"decision": "refund_full", "amount": "1.00", "decision_text": "货物错发"},
        page=f"/platform/disputes/{dispute_id}",
    )
    assert r.status_code == 303
    assert _escrow(pm, order["id"])["refunded_fen"] == 11_300


def test_other_companies_cannot_open_platform_dispute_pages(pm):
    _order, dispute_id = disputed(pm, [("toyota_pad", 1)])
    for who in ("a_owner", "b_owner"):
        c = login(pm, who)
        assert c.get(f"/platform/disputes/{dispute_id}").status_code == 403
        r = post_form(
            c,
            f"/platform/disputes/{dispute_id}/decide",
            {"decision": "release", "decision_text": "x"},
            page="/dashboard",
        )
        assert r.status_code == 403
    assert _dispute(pm, dispute_id)["status"] == "open"
