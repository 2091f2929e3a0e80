"""Fixtures of the buyer pages: the orders tests' small market (A buys from B and C around 杭州)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.catalog.conftest import catalog  # noqa: F401  (fixture)
from tests.orders.conftest import HZ_SHIP, Market, market  # noqa: F401  (fixture)
from tests.web.conftest import web_login

# GAC Toyota (LVG), model year 2021: the catalogue fixture maps it to the Camry variant.
CAMRY_VIN = "LVGBE40K3MN012345"


def html_of(r: Any) -> str:
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    return str(r.text)


def ids_in(html: str, table_id: str) -> list[str]:
    """The ``data-id`` of every row of the table ``table_id``."""
    m = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert m, f"no table #{table_id}"
    return re.findall(r'<tr data-id="([^"]+)"', m.group(1))


@pytest.fixture
def shop(market: Market) -> Market:  # noqa: F811
    """The market with A's owner logged in to the web pages."""
    web_login(market.client, market.world.emails["a_owner"])
    return market


__all__ = ["CAMRY_VIN", "HZ_SHIP", "html_of", "ids_in", "shop"]
