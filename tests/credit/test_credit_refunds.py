"""Refunds of orders paid on credit: cancelling after a credit payment gives the money back by reducing
what the buyer owes (the credit invoice and the line's used amount), never by paying out cash."""

from __future__ import annotations

import uuid

from autotrade.core.tenancy import bind_system
from autotrade.ledger import service as ledger
from autotrade.ledger.models import Purpose
from tests.credit.conftest import books_ok, grant, line_row, pay
from tests.orders.conftest import Market

BOSCH_GROSS = 9_040


def test_cancelling_a_credit_paid_order_cancels_the_debt_and_restores_the_limit(cm: Market) -> None:
    m = cm
    line = grant(m, "admin", "a", 100_000)
    order = m.order("a_owner", [("bosch_pad", 2)])
    r = pay(m, order["id"])
    assert r.status_code == 200, r.text
    r = m.post("a_owner", f"/orders/{order['id']}/cancel", {"reason": "不需要了"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    with m.db.session() as s:
        bind_system(s, "test")
        assert ledger.balance(s, m.world.orgs["a"], Purpose.credit_receivable) == 0
        assert ledger.order_balance(s, Purpose.escrow, uuid.UUID(order["id"])) == 0
        assert ledger.verify(s) == []
    assert line_row(m.db, line["id"]).used_fen == 0
    books_ok(m.db)
