"""Buyer order pages reuse the order market (tests/orders/conftest.py): buyer A (repair chain) buys from
supplier B; C is a third company. Orders are driven through the API (as the suppliers and platform
would), pages through the web client logged in with the login form."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.orders.models import Order
from tests.orders.conftest import Market, catalog, market, pay
from tests.web.conftest import post_form, web_login

__all__ = ["Market", "catalog", "market"]


@pytest.fixture
def bm(market: Market) -> Market:
    for who in ("a_owner", "a_purchaser", "a_viewer", "b_owner", "c_owner", "admin"):
        market.world.h(who)
    return market


def place(m: Market, lines: list[tuple[str, int]] | None = None, who: str = "a_owner") -> dict[str, Any]:
    return m.order(who, lines or [("toyota_pad", 2), ("bosch_pad", 3)])


def paid(m: Market, lines: list[tuple[str, int]] | None = None) -> dict[str, Any]:
    o = place(m, lines)
    pay(m, o["id"])
    return o


def delivered(m: Market, lines: list[tuple[str, int]] | None = None) -> dict[str, Any]:
    """An order of A from B: paid, confirmed, shipped in full (顺丰 SF…), delivered."""
    o = paid(m, lines)
    oid = o["id"]
    assert m.post("b_owner", f"/orders/{oid}/confirm").status_code == 200
    r = m.post(
        "b_owner", f"/orders/{oid}/shipments", {"carrier": "顺丰速运", "tracking_number": "SF1234567890"}
    )
    assert r.status_code == 201, r.text
    assert m.post("b_owner", f"/orders/{oid}/deliver").status_code == 200
    return o


def api(m: Market, who: str, path: str) -> Any:
    r = m.client.get(f"/api/v1{path}", headers=m.world.h(who))
    assert r.status_code == 200, r.text
    return r.json()


def status_of(m: Market, order_id: str) -> str:
    with m.db.session() as s:
        bind_system(s, "test")
        value = s.scalar(select(Order.status).where(Order.id == uuid.UUID(order_id)))
        assert value is not None
        return value.value


def login(m: Market, who: str) -> Any:
    m.client.cookies.clear()
    return web_login(m.client, m.world.emails[who])


def submit(m: Market, path: str, data: dict[str, Any], page: str) -> Any:
    """Post a form of ``page`` (opened first, so the browser holds its CSRF cookie)."""
    r = m.client.get(page)
    assert r.status_code == 200, (page, r.status_code, r.text[-400:])
    return post_form(m.client, path, data)


def value_of(html: str, element_id: str) -> str:
    """The value attribute of the input with this id."""
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*value="([^"]*)"', html, re.S) or re.search(
        rf'value="([^"]*)"[^>]*id="{re.escape(element_id)}"', html, re.S
    )
    assert found, element_id
    return found.group(1)
