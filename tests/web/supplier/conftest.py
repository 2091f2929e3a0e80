"""The supplier pages are tested on the orders tests' small market: supplier B (a distributor, users
b_owner, b_sales, b_warehouse) has warehouses HZ-01, NB-01, SH-01, stock and offers; supplier C
(c_owner) has warehouse HZ-C and one offer (trw_pad). A (a repair shop) is a buyer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from autotrade.catalog.models import Part
from autotrade.core.tenancy import bind_system
from tests.catalog.conftest import catalog  # noqa: F401  (fixture)
from tests.orders.conftest import Market, market  # noqa: F401  (fixture)
from tests.web.conftest import web_login


def sku_of(m: Market, key: str) -> str:
    with m.db.session() as s:
        bind_system(s, "test")
        return str(s.scalar(select(Part.sku).where(Part.id == m.part(key))))


@pytest.fixture
def web(market: Market) -> Any:  # noqa: F811
    """``web(who)``: the test client, logged in through the login form as ``who``."""

    def go(who: str) -> Any:
        web_login(market.client, market.world.emails[who])
        return market.client

    return go


def api(m: Market, who: str, method: str, path: str, **kw: Any) -> Any:
    return m.client.request(method, f"/api/v1{path}", headers=m.world.h(who), **kw)


def ids_in(html: str, table_id: str) -> set[str]:
    """The ``data-id`` of the rows of the table with this id."""
    import re

    m = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    return set(re.findall(r'data-id="([0-9a-f-]{36})"', m.group(0))) if m else set()


def uuid_of(text: str) -> uuid.UUID:
    return uuid.UUID(text)
