"""The supplier's pages over a real market (tests/orders/conftest.py): supplier B sells to repair chain
A. Orders are placed and paid, and the buyer's side acts, through the API (bearer headers); B's staff
use the pages (web session cookie on the same client: the bearer header wins where it is sent).

Prices (VAT 13 %): toyota_pad 10,000 fen net → 11,300 gross a piece; bosch_pad 8,000 → 9,040; both are
brake pads (wear parts: 300 bp commission)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.orders.conftest import Market, catalog, market, pay  # noqa: F401  (fixtures reused)
from tests.web.conftest import post_form, web_login


@pytest.fixture
def m(market: Market) -> Market:  # noqa: F811
    return market


def api(m: Market, who: str, path: str, body: Any = None, status: tuple[int, ...] = (200, 201)) -> Any:
    r = m.post(who, path, body)
    assert r.status_code in status, r.text
    return r.json()


def get_api(m: Market, who: str, path: str) -> Any:
    r = m.client.get(f"/api/v1{path}", headers=m.world.h(who))
    assert r.status_code == 200, r.text
    return r.json()


def paid(m: Market, lines: list[tuple[str, int]]) -> dict[str, Any]:
    """An order of A from B, paid into escrow."""
    o = m.order("a_owner", lines)
    pay(m, o["id"])
    return o


def as_page_user(m: Market, who: str) -> Any:
    """Log the shared client in as ``who`` through the login form; returns the client."""
    m.client.cookies.clear()
    web_login(m.client, m.world.emails[who])
    return m.client


def page(m: Market, path: str, status: int = 200) -> str:
    r = m.client.get(path, follow_redirects=False)
    assert r.status_code == status, (path, r.status_code, r.text[-800:])
    return str(r.text)


def submit(m: Market, path: str, data: dict[str, Any], status: int = 303) -> Any:
    r = post_form(m.client, path, data)
    assert r.status_code == status, (path, r.status_code, r.text[-1500:])
    return r


def status_of(m: Market, order_id: str) -> str:
    return str(get_api(m, "b_owner", f"/orders/{order_id}")["status"])


def field_error(html: str, key: str) -> str | None:
    found = re.search(rf'<div class="field-error" id="e-{re.escape(key)}" role="alert">([^<]*)</div>', html)
    return found.group(1) if found else None
