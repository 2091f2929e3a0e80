"""20 concurrent credit payments against a limit that fits 5 (PostgreSQL, real server, one thread and
connection per request): exactly 5 are paid, the other 15 are refused with ``credit_limit_exceeded``
and changed nothing; the line's used amount is exactly the 5 invoices; the books balance."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from autotrade.credit.models import CreditInvoice
from autotrade.orders.models import Order, OrderStatus
from tests.credit.conftest import books_ok, grant, line_row
from tests.helpers import count
from tests.live import live_server
from tests.orders.conftest import Market

GROSS = 9_040  # one bosch pad


@pytest.mark.postgres_only
def test_twenty_concurrent_credit_payments_against_a_limit_for_five(cm: Market, app: Any) -> None:
    m = cm
    orders = [m.order("a_owner", [("bosch_pad", 1)])["id"] for _ in range(20)]
    line = grant(m, "admin", "a", 5 * GROSS + GROSS - 1)
    headers = m.world.h("a_finance")
    barrier = threading.Barrier(len(orders))
    results: dict[str, tuple[int, str]] = {}

    with live_server(app) as base:

        def run(order_id: str) -> None:
            with httpx.Client(base_url=base, timeout=60) as c:
                barrier.wait()
                r = c.post(f"/api/v1/orders/{order_id}/pay-on-credit", headers=headers)
                results[order_id] = (r.status_code, r.json().get("code", ""))

        threads = [threading.Thread(target=run, args=(o,)) for o in orders]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    outcome = Counter(results.values())
    assert outcome == {(200, ""): 5, (409, "credit_limit_exceeded"): 15}, outcome
    paid = {o for o, (status, _) in results.items() if status == 200}
    assert line_row(m.db, line["id"]).used_fen == 5 * GROSS
    assert count(m.db, CreditInvoice) == 5
    assert count(m.db, Order, Order.status == OrderStatus.paid) == 5
    assert (
        count(m.db, Order, Order.status == OrderStatus.paid, Order.id.in_([uuid.UUID(o) for o in paid])) == 5
    )
    books_ok(m.db)
