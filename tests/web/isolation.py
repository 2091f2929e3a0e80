"""The web pages' part of the isolation walk (tests/test_isolation.py): company-A resources the pages
name in their paths, and minimal valid form bodies, so that a page's own validation passes and the
handler meets company A's id (and must answer 404)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.inventory.models import StockLevel
from autotrade.orders.models import Order
from autotrade.pricing.models import CustomerGroup

FORM_BODIES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/cart/lines/{line_id}"): {"quantity": "1"},
    ("POST", "/supplier/alliance/{alliance_id}/transfers"): {
        "from_warehouse_id": "00000000-0000-7000-8000-000000000001",
        "to_warehouse_id": "00000000-0000-7000-8000-000000000002",
        "part_id": "00000000-0000-7000-8000-000000000003",
        "quantity": "1",
    },
}


def foreign_resources(world: Any) -> dict[str, str]:
    """Company A's checkout, customer group and stock level, under the names the pages give them: the
    ones tests/orders, tests/pricing and tests/inventory made for A (the domains' modules run in name
    order, so they exist by now)."""
    a = world.orgs["a"]
    found = {}
    with world.db.session() as s:
        bind_system(s, "test")
        for name, column, org in (
            ("checkout_id", Order.checkout_id, Order.org_id),
            ("group_id", CustomerGroup.id, CustomerGroup.org_id),
            ("level_id", StockLevel.id, StockLevel.org_id),
        ):
            value = s.scalar(select(column).where(org == a).limit(1))
            assert value is not None, f"no {name} of company A: the domains' isolation modules make one"
            found[name] = str(value)
    return found
