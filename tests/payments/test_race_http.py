"""The same gateway callback delivered 20 times at once, over real HTTP, pays the order once
(PostgreSQL: real concurrent transactions; the unique event key decides, the order row lock and the
``order-paid`` dedupe key guard the rest)."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from autotrade.core.settings import DEFAULT_GATEWAY_SECRET
from autotrade.core.tenancy import bind_system
from autotrade.ledger.models import JournalEntry
from autotrade.orders.models import OrderEvent
from autotrade.payments.simulator import signed
from tests.live import live_server
from tests.payments.conftest import CALLBACK, books, callbacks, event, order_status, payment, start

DELIVERIES = 20
GROSS = 18_080


@pytest.mark.postgres_only
def test_the_same_callback_twenty_times_at_once_pays_once(market, app):
    o = market.order("a_owner", [("bosch_pad", 2)])
    p = start(market, o["id"], "gateway")["payment"]
    e = event(p)
    headers, body = signed(e, DEFAULT_GATEWAY_SECRET)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(DELIVERIES)

    with live_server(app) as base:

        def gateway() -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                barrier.wait()
                r = http.post(CALLBACK, content=body, headers={**headers, "content-type": "application/json"})
                with lock:
                    answers.append((r.status_code, r.json()))

        threads = [threading.Thread(target=gateway) for _ in range(DELIVERIES)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    assert [s for s, _ in answers] == [200] * DELIVERIES, answers
    assert sorted((a["outcome"], a["replayed"]) for _, a in answers) == [("paid", False)] + [
        ("paid", True)
    ] * (DELIVERIES - 1)
    assert order_status(market, o["id"]) == "paid"
    assert payment(market, p["id"])["status"] == "succeeded"
    logged = callbacks(market.db)
    assert sorted(c[2] for c in logged) == ["duplicate"] * (DELIVERIES - 1) + ["paid"]
    with market.db.session() as s:
        bind_system(s, "test")
        entries = s.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "payment")
        )
        paid_events = s.scalar(
            select(func.count())
            .select_from(OrderEvent)
            .where(OrderEvent.order_id == uuid.UUID(o["id"]), OrderEvent.action == "mark_paid")
        )
    assert (entries, paid_events) == (1, 1)
    b = books(market.db, o["id"])
    assert (b.gateway_clearing, b.escrow_of_order, b.kinds, b.problems) == (GROSS, GROSS, ["payment"], [])


@pytest.mark.postgres_only
def test_one_bank_reference_confirmed_for_several_orders_at_once_pays_one(market, app):
    """Platform finance confirms the same bank transfer for six orders at the same moment: one order is
    paid, the others get 409 bank_reference_used (not a generic conflict, never a 500) and nothing moves
    for them."""
    from autotrade.orders.models import Order

    orders = [market.order("a_owner", [("bosch_pad", 1)]) for _ in range(6)]
    with market.db.session() as s:
        bind_system(s, "test")
        gross = {str(i): g for i, g in s.execute(select(Order.id, Order.gross_fen))}
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(orders))
    headers = market.world.h("admin")

    with live_server(app) as base:

        def confirm(order_id: str) -> None:
            body = {"order_id": order_id, "bank_reference": "SAME-TRANSFER-1", "amount_fen": gross[order_id]}
            with httpx.Client(base_url=base, timeout=60) as http:
                barrier.wait()
                r = http.post("/api/v1/platform/payments/bank-transfers/confirm", json=body, headers=headers)
                with lock:
                    answers.append((r.status_code, r.json()))

        threads = [threading.Thread(target=confirm, args=(o["id"],)) for o in orders]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    assert sorted(s for s, _ in answers) == [200] + [409] * (len(orders) - 1), answers
    assert [a["code"] for s, a in answers if s == 409] == ["bank_reference_used"] * (len(orders) - 1)
    assert sorted(order_status(market, o["id"]) for o in orders) == ["paid"] + ["pending_payment"] * 5
    with market.db.session() as s:
        bind_system(s, "test")
        entries = s.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "payment")
        )
    assert entries == 1
