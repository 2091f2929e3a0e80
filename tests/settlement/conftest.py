"""Settlement tests build real orders in the orders' market (tests/orders/conftest.py), pay them through
payments (platform finance confirms a bank transfer) and move escrow through the escrow service.

Prices (VAT 13 %): toyota_pad 10,000 fen net → 11,300 gross a piece (wear parts: 300 bp commission);
bosch_pad 8,000 → 9,040 gross (wear parts); trw_pad (supplier C) 6,000 → 6,780 gross."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from autotrade.core.db import utcnow
from autotrade.core.tenancy import bind_system
from autotrade.escrow import service as escrow
from autotrade.escrow.models import ReleaseTrigger
from autotrade.ledger import service as ledger
from autotrade.orders.models import Order
from autotrade.settlement import periods
from tests.orders.conftest import Market, catalog, market, pay  # noqa: F401  (fixtures reused)


@pytest.fixture
def m(market: Market) -> Market:  # noqa: F811
    return market


def this_month() -> str:
    return periods.china_date(utcnow()).strftime("%Y-%m")


def paid_order(m: Market, lines: list[tuple[str, int]], who: str = "a_owner") -> dict[str, Any]:
    o = m.order(who, lines)
    pay(m, o["id"])
    return o


def release(m: Market, order_id: str) -> None:
    """Release the order's escrow as buyer completion does (escrow service, system actor)."""
    with m.db.transaction() as s:
        bind_system(s, "test")
        order = s.get(Order, uuid.UUID(order_id))
        assert order is not None
        escrow.release(s, order, ReleaseTrigger.completion)


def refund(m: Market, order_id: str, amount_fen: int) -> None:
    """Refund part of what the order holds to the buyer's original payment method."""
    with m.db.transaction() as s:
        bind_system(s, "test")
        order = s.get(Order, uuid.UUID(order_id))
        assert order is not None
        escrow.refund_order(s, order, amount_fen, "部分退款")


def verify(m: Market) -> list[str]:
    with m.db.session() as s:
        bind_system(s, "test")
        return ledger.verify(s)


def payout(m: Market, supplier: str, amount_fen: int, ref: str) -> Any:
    return m.client.post(
        "/api/v1/platform/payouts",
        json={
            "supplier_org_id": str(m.world.orgs[supplier]),
            "amount_fen": amount_fen,
            "bank_reference": ref,
        },
        headers=m.world.h("admin"),
    )


def generate(m: Market, body: dict[str, Any]) -> Any:
    return m.client.post("/api/v1/platform/settlements", json=body, headers=m.world.h("admin"))
