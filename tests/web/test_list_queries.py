"""List pages read with set-based queries: the number of SQL statements a page runs does not grow
with the number of rows it shows (no N+1). The order lists have their own checks in
tests/web/buyer_orders and tests/web/supplier_orders; these cover offers, stock, the cart and the
audit log."""

from __future__ import annotations

import uuid

from autotrade.catalog import service as catalog_service
from autotrade.catalog.schemas import BrandIn, CategoryIn, PartIn
from autotrade.core.tenancy import bind_system
from tests.helpers import statements
from tests.orders.conftest import Market, add_offer, add_stock, catalog, market  # noqa: F401  (fixtures)
from tests.web.conftest import web_login


def _more_parts(m: Market, n: int) -> list[uuid.UUID]:
    """``n`` new parts, each stocked in two of B's warehouses and offered by B."""
    tag = uuid.uuid4().hex[:6].upper()
    with m.db.transaction() as s:
        bind_system(s, "test")
        catalog_service.create_category(
            s, CategoryIn(code=f"Q{tag}", name_zh="查询计数", name_en="Query count")
        )
        catalog_service.create_brand(s, BrandIn(name=f"Q{tag}", kind="aftermarket"))
        parts = [
            catalog_service.create_part(
                s,
                PartIn(
                    brand=f"Q{tag}",
                    brand_number=f"Q-{tag}-{i}",
                    name_zh=f"查询计数件 {i}",
                    category=f"Q{tag}",
                    quality_grade="aftermarket",
                ),
            ).id
            for i in range(n)
        ]
    b = m.world.orgs["b"]
    for part in parts:
        add_stock(m.db, b, m.warehouses["b_hz"], part, 5)
        add_stock(m.db, b, m.warehouses["b_sh"], part, 7)
        add_offer(m.db, b, part, 1_000, tiers=((10, 900),))
    return parts


def _counts(m: Market, who: str, paths: tuple[str, ...]) -> dict[str, int]:
    m.client.cookies.clear()
    web_login(m.client, m.world.emails[who])
    out = {}
    for path in paths:
        with statements(m.db.engine) as seen:
            r = m.client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        out[path] = len(seen)
    return out


def test_supplier_lists_and_audit_run_the_same_statements_for_more_rows(market: Market) -> None:  # noqa: F811
    supplier_pages = ("/supplier/offers", "/supplier/stock", "/supplier/stock?low=1")
    before = _counts(market, "b_owner", supplier_pages)
    audit_before = _counts(market, "admin", ("/platform/audit",))
    _more_parts(market, 6)
    assert _counts(market, "b_owner", supplier_pages) == before
    assert _counts(market, "admin", ("/platform/audit",)) == audit_before


def test_the_cart_runs_the_same_statements_for_more_lines(market: Market) -> None:  # noqa: F811
    parts = _more_parts(market, 6)
    c = market.client

    def add(part: uuid.UUID) -> None:
        body = {"part_id": str(part), "quantity": 1}
        r = c.post("/api/v1/cart/lines", json=body, headers=market.world.h("a_owner"))
        assert r.status_code in (200, 201), r.text

    add(parts[0])
    small = _counts(market, "a_owner", ("/cart",))
    for part in parts[1:]:
        add(part)
    assert _counts(market, "a_owner", ("/cart",)) == small
