"""The online gateway: signed asynchronous callbacks — verified, logged, idempotent, never paying an
order twice — through the simulator (every scenario) and straight at the callback route."""

from __future__ import annotations

import uuid

import pytest

from autotrade.core.tenancy import bind_system
from autotrade.payments import service
from autotrade.payments.errors import RefundNotAllowed
from autotrade.payments.repository import PaymentRepository
from tests.helpers import assert_problem, table_counts
from tests.payments.conftest import CALLBACK, books, callbacks, event, now, order_status, payment, send, start

GROSS = 18_080


def _gateway_payment(market):
    o = market.order("a_owner", [("bosch_pad", 2)])
    return o, start(market, o["id"], "gateway")


def _simulate(market, payment_id, scenario):
    r = market.post("a_owner", f"/payments/simulator/payments/{payment_id}/pay", {"scenario": scenario})
    assert r.status_code == 202, r.text
    return r.json()


def test_start_returns_the_gateway_page(market):
    _o, started = _gateway_payment(market)
    p, ins = started["payment"], started["instructions"]
    assert (p["provider"], p["status"], p["amount_fen"]) == ("gateway", "pending", GROSS)
    assert ins["kind"] == "gateway" and ins["reference_code"] == p["reference_code"]
    assert ins["redirect_url"].endswith(p["reference_code"]) and ins["qr_code"]
    assert ins["simulator_url"] == f"/api/v1/payments/simulator/payments/{p['id']}/pay"


def test_normal_payment_through_the_simulator(market):
    o, started = _gateway_payment(market)
    pid = started["payment"]["id"]
    sim = _simulate(market, pid, "normal")
    assert [e["type"] for e in sim["events"]] == ["payment.succeeded"]
    # The job delivered the signed callback (tests run jobs at once, after the request's commit).
    assert order_status(market, o["id"]) == "paid"
    p = payment(market, pid)
    assert (p["status"], p["pays_order"], p["provider_reference"]) == (
        "succeeded",
        True,
        sim["events"][0]["trade_no"],
    )
    assert callbacks(market.db) == [(sim["events"][0]["event_id"], True, "paid")]
    b = books(market.db, o["id"])
    assert (b.bank_clearing, b.gateway_clearing, b.escrow_of_order) == (0, GROSS, GROSS)
    assert b.kinds == ["payment"] and b.problems == []
    job = market.client.get(f"/api/v1/jobs/{sim['job_id']}", headers=market.world.h("a_owner"))
    assert job.json()["status"] == "done" and job.json()["result"] == {"answers": ["200 paid"]}


def test_duplicate_callback_is_replayed(market):
    o, started = _gateway_payment(market)
    pid = started["payment"]["id"]
    sim = _simulate(market, pid, "duplicate")
    eid = sim["events"][0]["event_id"]
    assert sim["events"][1]["event_id"] == eid
    assert callbacks(market.db) == [(eid, True, "paid"), (eid, True, "duplicate")]
    assert order_status(market, o["id"]) == "paid"
    b = books(market.db, o["id"])
    assert (b.gateway_clearing, b.escrow_of_order, b.kinds, b.problems) == (GROSS, GROSS, ["payment"], [])

    # The same event sent again at the route: 200, the first outcome, replayed.
    before = table_counts(market.db)
    r = send(market.client, sim["events"][0])
    assert r.status_code == 200, r.text
    assert r.json() == {"outcome": "paid", "payment_id": pid, "replayed": True}
    after = table_counts(market.db)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {"payment_callbacks": 1}


def test_out_of_order_callbacks(market):
    """``closed`` arrives before ``succeeded`` (the money did arrive), then a second success with
    another event id: paid once."""
    o, started = _gateway_payment(market)
    pid = started["payment"]["id"]
    sim = _simulate(market, pid, "out_of_order")
    assert [e["type"] for e in sim["events"]] == ["payment.closed", "payment.succeeded", "payment.succeeded"]
    assert [c[2] for c in callbacks(market.db)] == ["closed", "paid", "already_succeeded"]
    assert order_status(market, o["id"]) == "paid"
    assert payment(market, pid)["status"] == "succeeded"
    b = books(market.db, o["id"])
    assert (b.gateway_clearing, b.escrow_of_order, b.kinds, b.problems) == (GROSS, GROSS, ["payment"], [])

    # A stale close after the success changes nothing.
    r = send(market.client, event(started["payment"], "payment.closed"))
    assert r.json()["outcome"] == "ignored_closed"
    assert payment(market, pid)["status"] == "succeeded"


def test_closed_payment_then_a_new_payment(market):
    o, started = _gateway_payment(market)
    pid = started["payment"]["id"]
    _simulate(market, pid, "closed")
    assert payment(market, pid)["status"] == "cancelled"
    assert order_status(market, o["id"]) == "pending_payment"
    assert books(market.db, o["id"]).kinds == []
    again = start(market, o["id"], "gateway")["payment"]
    _simulate(market, again["id"], "normal")
    assert order_status(market, o["id"]) == "paid"


def test_late_success_after_the_order_was_cancelled_is_refunded(market):
    o, started = _gateway_payment(market)
    p = started["payment"]
    r = market.post("a_owner", f"/orders/{o['id']}/cancel", {"reason": "等不及了"})
    assert r.json()["status"] == "cancelled"
    r = send(market.client, event(p))
    assert r.status_code == 200, r.text
    assert r.json() == {"outcome": "refunded_late", "payment_id": p["id"], "replayed": False}
    got = payment(market, p["id"])
    assert (got["status"], got["pays_order"], got["refunded_fen"]) == ("refunded", False, GROSS)
    assert order_status(market, o["id"]) == "cancelled"
    b = books(market.db, o["id"])
    assert (b.gateway_clearing, b.escrow_of_order, b.kinds, b.problems) == (0, 0, ["payment", "refund"], [])


def test_late_scenario_of_the_simulator(market):
    """The simulator's ``late`` scenario with the order cancelled before its callback arrives."""
    o, started = _gateway_payment(market)
    market.post("a_owner", f"/orders/{o['id']}/cancel")
    # The order is cancelled: the simulator refuses nothing (the gateway does not know our orders).
    _simulate(market, started["payment"]["id"], "late")
    assert payment(market, started["payment"]["id"])["status"] == "refunded"
    assert books(market.db, o["id"]).kinds == ["payment", "refund"]


def test_amount_mismatch_fails_the_payment_and_leaves_the_order(market):
    o, started = _gateway_payment(market)
    pid = started["payment"]["id"]
    sim = _simulate(market, pid, "amount_mismatch")
    assert sim["events"][0]["amount_fen"] == GROSS + 1
    got = payment(market, pid)
    assert got["status"] == "failed"
    assert got["failure_reason"] == (
        f"amount mismatch: the gateway reported {GROSS + 1} fen CNY, the payment is {GROSS} fen CNY"
    )
    assert order_status(market, o["id"]) == "pending_payment"
    assert [c[2] for c in callbacks(market.db)] == ["amount_mismatch"]
    r = market.client.get(
        "/api/v1/platform/payments/callbacks?outcome=amount_mismatch", headers=market.world.h("admin")
    )
    assert [(x["payment_id"], x["outcome"]) for x in r.json()["items"]] == [(pid, "amount_mismatch")]
    b = books(market.db, o["id"])
    assert (b.gateway_clearing, b.escrow_of_order, b.kinds, b.problems) == (0, 0, [], [])
    # A correct success for a failed payment changes nothing either.
    assert send(market.client, event(started["payment"])).json()["outcome"] == "ignored_failed"
    assert order_status(market, o["id"]) == "pending_payment"


def test_bad_signature_is_refused_and_logged(market):
    o, started = _gateway_payment(market)
    e = event(started["payment"])
    before = table_counts(market.db)
    r = send(market.client, e, secret="not-the-gateway-secret")
    assert_problem(r, 401, "bad_signature")
    r = market.client.post(
        CALLBACK, content=b'{"event_id": "x"}', headers={"content-type": "application/json"}
    )
    assert_problem(r, 401, "bad_signature")  # no signature at all
    after = table_counts(market.db)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {"payment_callbacks": 2}
    assert callbacks(market.db) == [(e["event_id"], False, "bad_signature"), ("x", False, "bad_signature")]
    # The real callback with the same event id still pays: a forged one cannot block it.
    assert send(market.client, e).json()["outcome"] == "paid"
    assert order_status(market, o["id"]) == "paid"
    assert books(market.db, o["id"]).problems == []


def test_stale_timestamp_is_refused_and_logged(market):
    o, started = _gateway_payment(market)
    before = table_counts(market.db)
    r = send(market.client, event(started["payment"]), timestamp=now() - 301)
    assert_problem(r, 401, "stale_callback")
    r = send(market.client, event(started["payment"]), timestamp=now() + 301)
    assert_problem(r, 401, "stale_callback")
    after = table_counts(market.db)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {"payment_callbacks": 2}
    assert [c[2] for c in callbacks(market.db)] == ["stale_callback", "stale_callback"]
    assert order_status(market, o["id"]) == "pending_payment"
    assert send(market.client, event(started["payment"]), timestamp=now() - 250).json()["outcome"] == "paid"


def test_malformed_and_unknown_callbacks_are_logged(market):
    o, started = _gateway_payment(market)
    r = send(market.client, {"event_id": "e1", "type": "payment.succeeded"})
    assert_problem(r, 422, "malformed_callback")
    r = send(market.client, event(started["payment"], amount_fen="18080"))
    assert_problem(r, 422, "malformed_callback")  # money is an int of fen, never a string or float
    r = send(market.client, event(started["payment"], out_trade_no="PAYNOSUCHPAYMENT"))
    assert r.status_code == 200 and r.json()["outcome"] == "unknown_payment"
    assert [c[2] for c in callbacks(market.db)] == [
        "malformed_callback",
        "malformed_callback",
        "unknown_payment",
    ]
    assert order_status(market, o["id"]) == "pending_payment"


def test_refunds_to_the_original_method(market):
    o, started = _gateway_payment(market)
    pid = started["payment"]["id"]
    _simulate(market, pid, "normal")
    with market.db.transaction() as s:
        bind_system(s, "test")
        p = PaymentRepository(s).get(uuid.UUID(pid))
        assert p is not None
        service.refund(s, p, 5_000, "退货 1 件")
        assert (p.status.value, p.refunded_fen) == ("partially_refunded", 5_000)
    b = books(market.db, o["id"])
    assert (b.gateway_clearing, b.escrow_of_order, b.kinds) == (
        GROSS - 5_000,
        GROSS - 5_000,
        ["payment", "refund"],
    )
    with market.db.transaction() as s:
        bind_system(s, "test")
        p = PaymentRepository(s).get(uuid.UUID(pid))
        assert p is not None
        with pytest.raises(RefundNotAllowed):
            service.refund(s, p, GROSS - 5_000 + 1, "too much")
        with pytest.raises(RefundNotAllowed):
            service.refund(s, p, 0, "nothing")
        service.refund(s, p, GROSS - 5_000, "全部退款")
        assert (p.status.value, p.refunded_fen) == ("refunded", GROSS)
    with market.db.transaction() as s:
        bind_system(s, "test")
        p = PaymentRepository(s).get(uuid.UUID(pid))
        assert p is not None
        with pytest.raises(RefundNotAllowed):
            service.refund(s, p, 1, "nothing left")
    b = books(market.db, o["id"])
    assert (b.gateway_clearing, b.escrow_of_order, b.kinds) == (0, 0, ["payment", "refund", "refund"])
    assert b.problems == []
    with market.db.session() as s:
        bind_system(s, "test")
        found = service.order_payment(s, uuid.UUID(o["id"]))
        assert found is not None and str(found.id) == pid


def test_the_simulator_only_pays_pending_gateway_payments_and_not_in_production(market, app):
    o = market.order("a_owner", [("bosch_pad", 2)])
    bank = start(market, o["id"], "bank_transfer")["payment"]
    r = market.post("a_owner", f"/payments/simulator/payments/{bank['id']}/pay", {"scenario": "normal"})
    assert_problem(r, 409, "payment_not_pending")
    gw = start(market, o["id"], "gateway")["payment"]
    app.state.settings.env = "production"
    try:
        r = market.post("a_owner", f"/payments/simulator/payments/{gw['id']}/pay", {"scenario": "normal"})
        assert_problem(r, 404, "simulator_disabled")
    finally:
        app.state.settings.env = "test"
    assert order_status(market, o["id"]) == "pending_payment"


def test_the_simulator_can_post_its_callbacks_over_http(market, monkeypatch):
    """With a callback base URL the simulator POSTs like a real gateway (to a real server here)."""
    from autotrade.core.settings import get_settings
    from tests.live import live_server

    o, started = _gateway_payment(market)
    with live_server(market.client.app) as base:
        monkeypatch.setenv("AUTOTRADE_GATEWAY_SIMULATOR_CALLBACK_BASE_URL", base)
        get_settings.cache_clear()  # the job reads the process settings
        try:
            sim = _simulate(market, started["payment"]["id"], "normal")
        finally:
            monkeypatch.delenv("AUTOTRADE_GATEWAY_SIMULATOR_CALLBACK_BASE_URL")
            get_settings.cache_clear()
    assert order_status(market, o["id"]) == "paid"
    job = market.client.get(f"/api/v1/jobs/{sim['job_id']}", headers=market.world.h("a_owner"))
    assert job.json()["result"] == {"answers": ["200"]}
    assert books(market.db, o["id"]).problems == []
