"""The platform pages are tested over the orders' market (tests/orders/conftest.py): real orders placed,
paid and disputed through the API, then the pages read and act on them.

Platform staff: ``admin`` (platform_admin: everything), ``risk`` (risk_officer: risk admin + audit view),
``auditor`` (audit view), ``reviewer`` (company review only), and two custom platform roles holding one
view permission each: ``finance_viewer`` (platform.finance:view) and ``risk_viewer`` (platform.risk:view).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from autotrade.core.security import hash_password
from autotrade.core.tenancy import bind_system
from autotrade.iam.models import Role, User, UserRole
from autotrade.orders.models import Order
from tests.factories import PASSWORD, World
from tests.orders.conftest import Market, catalog, market, pay  # noqa: F401  (fixtures reused)
from tests.web.conftest import web_login

_H1 = re.compile(r"<h1[ >]")


def add_custom_staff(world: World, who: str, permissions: list[str]) -> None:
    """A platform user holding a custom platform role with just these permissions."""
    with world.db.transaction() as s:
        bind_system(s, "test")
        role = Role(org_id=world.orgs["platform"], name=f"{who} role", permissions=permissions, platform=True)
        s.add(role)
        s.flush()
        email = f"{who}-{uuid.uuid4().hex[:6]}@test.autotrade.cn"
        user = User(
            org_id=world.orgs["platform"], email=email, name=who, password_hash=hash_password(PASSWORD)
        )
        s.add(user)
        s.flush()
        s.add(UserRole(user_id=user.id, role_id=role.id, org_id=world.orgs["platform"]))
        world.users[who], world.emails[who] = user.id, email


@pytest.fixture
def pm(market: Market) -> Market:  # noqa: F811
    market.world.add_user("risk", "platform", ("risk_officer",))
    add_custom_staff(market.world, "finance_viewer", ["platform.finance:view"])
    add_custom_staff(market.world, "risk_viewer", ["platform.risk:view"])
    for who in ("risk", "admin"):
        market.world.h(who)
    return market


def step(m: Market, who: str, path: str, body: Any = None, status: tuple[int, ...] = (200, 201)) -> Any:
    r = m.post(who, path, body)
    assert r.status_code in status, r.text
    return r.json()


def delivered(m: Market, lines: list[tuple[str, int]]) -> dict[str, Any]:
    """An order of A from B: placed, paid (bank transfer confirmed by the API), confirmed, shipped,
    delivered."""
    o = m.order("a_owner", lines)
    pay(m, o["id"])
    step(m, "b_owner", f"/orders/{o['id']}/confirm")
    step(m, "b_owner", f"/orders/{o['id']}/shipments", {"carrier": "顺丰", "tracking_number": "SF1"})
    step(m, "b_owner", f"/orders/{o['id']}/deliver")
    return o


def disputed(
    m: Market, lines: list[tuple[str, int]], reason: str = "刹车片有裂纹"
) -> tuple[dict[str, Any], str]:
    """A delivered order with a dispute opened by the buyer: (order, dispute id)."""
    o = delivered(m, lines)
    d = step(m, "a_owner", f"/orders/{o['id']}/disputes", {"reason": reason})
    return o, d["id"]


def order_row(m: Market, order_id: str) -> Order:
    with m.db.session() as s:
        bind_system(s, "test")
        found = s.scalar(select(Order).where(Order.id == uuid.UUID(str(order_id))))
        assert found is not None
        s.expunge(found)
        return found


def login(m: Market, who: str) -> Any:
    c = m.client
    c.cookies.clear()
    web_login(c, m.world.emails[who])
    return c


def assert_page(html: str, title: str | None = None) -> None:
    """Basic accessibility of a page: one <h1>, a title, every visible input labelled."""
    assert len(_H1.findall(html)) == 1, "one <h1> per page"
    if title:
        assert f"<title>{title} · " in html
    ids = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html, re.S):
        if 'type="hidden"' in tag or "aria-label=" in tag:
            continue
        m = re.search(r'\bid="([^"]+)"', tag)
        assert m and m.group(1) in ids, f"input without a label: {tag}"
