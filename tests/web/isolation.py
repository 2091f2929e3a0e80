"""The web pages' part of the isolation walk (tests/test_isolation.py): company-A resources the pages
name in their paths, and minimal valid form bodies, so that a page's own validation passes and the
handler meets company A's id (and must answer 404)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.orders.models import Order

FORM_BODIES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/cart/lines/{line_id}"): {"quantity": "1"},
}


def foreign_resources(world: Any) -> dict[str, str]:
    """A's checkout: the one behind the order tests/orders/isolation.py placed for A (the domains'
    modules run in name order, so it exists by now)."""
    with world.db.session() as s:
        bind_system(s, "test")
        checkout_id = s.scalar(
            select(Order.checkout_id).where(Order.org_id == world.orgs["a"]).order_by(Order.id).limit(1)
        )
    assert checkout_id is not None, "tests/orders/isolation.py places an order for company A first"
    return {"checkout_id": str(checkout_id)}
