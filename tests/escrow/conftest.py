"""Escrow tests build real orders in the orders' market (tests/orders/conftest.py) and pay them through
payments (platform finance confirms a bank transfer). Prices (VAT 13 %): toyota_pad 10,000 fen net →
11,300 gross a piece (BRAKE.PAD: wear parts, 300 bp); brembo_disc 30,000 → 33,900 (BRAKE.DISC: other
parts, 200 bp); vw_filter 3,333, pack of 4 → 13,332 net + 1,733 VAT = 15,065 gross (FILTER.OIL: wear)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from autotrade.core.tenancy import bind_system
from autotrade.ledger import service as ledger
from autotrade.ledger.models import Purpose
from tests.orders.conftest import Market, catalog, market, pay  # noqa: F401  (fixtures reused)


@pytest.fixture
def m(market: Market) -> Market:  # noqa: F811
    market.world.add_user("risk", "platform", ("risk_officer",))
    for who in ("risk", "admin"):
        market.world.h(who)  # log in now: table counts taken in a test then see no login rows appear
    return market


def step(m: Market, who: str, path: str, body: Any = None, status: tuple[int, ...] = (200, 201)) -> Any:
    r = m.post(who, path, body)
    assert r.status_code in status, r.text
    return r.json()


def delivered(m: Market, lines: list[tuple[str, int]]) -> dict[str, Any]:
    """An order of A from B, paid, confirmed, shipped and delivered."""
    o = m.order("a_owner", lines)
    pay(m, o["id"])
    step(m, "b_owner", f"/orders/{o['id']}/confirm")
    step(m, "b_owner", f"/orders/{o['id']}/shipments", {"carrier": "顺丰", "tracking_number": "SF1"})
    step(m, "b_owner", f"/orders/{o['id']}/deliver")
    return o


def received(m: Market, lines: list[tuple[str, int]]) -> dict[str, Any]:
    o = delivered(m, lines)
    step(m, "a_owner", f"/orders/{o['id']}/receive", {})
    return o


def escrow(m: Market, order_id: str, who: str = "a_owner") -> dict[str, Any]:
    r = m.client.get(f"/api/v1/orders/{order_id}/escrow", headers=m.world.h(who))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


@dataclass(frozen=True)
class Books:
    held: int  # what the order holds in escrow
    payable: int  # what the platform owes supplier B
    commission: int  # the platform's commission revenue
    bank: int  # money at the bank (bank_clearing, debit)
    problems: list[str]


def books(m: Market, order_id: str) -> Books:
    with m.db.session() as s:
        bind_system(s, "test")
        platform = ledger.platform_org_id(s)
        return Books(
            held=-ledger.order_balance(s, Purpose.escrow, uuid.UUID(order_id)),
            payable=-ledger.balance(s, m.world.orgs["b"], Purpose.supplier_payable),
            commission=-ledger.balance(s, platform, Purpose.commission_revenue),
            bank=ledger.balance(s, platform, Purpose.bank_clearing),
            problems=ledger.verify(s),
        )
