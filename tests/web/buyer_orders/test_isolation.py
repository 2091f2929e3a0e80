"""Every id-bearing route of this area, called by company B with company A's ids (an order A bought
from a third company, its return and its dispute: tests/orders/isolation.py), answers 404 and changes
nothing — with an empty form, and with a form that would pass validation."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from autotrade.core.tenancy import bind_system
from autotrade.orders.models import Dispute, Order, Return
from tests.helpers import api_routes
from tests.orders.isolation import foreign_resources
from tests.web.conftest import web_login

PREFIXES = ("/buyer/orders", "/buyer/returns", "/buyer/disputes")
CSRF = "t" * 43


def _state(db, order_id):
    with db.session() as s:
        bind_system(s, "test")
        return (
            s.scalar(select(Order.status).where(Order.id == order_id)),
            sorted(x.value for x in s.scalars(select(Return.status).where(Return.order_id == order_id))),
            sorted(x.value for x in s.scalars(select(Dispute.status).where(Dispute.order_id == order_id))),
        )


def test_company_b_gets_404_on_every_page_and_action_of_this_area(app, world, db):
    foreign = foreign_resources(world)
    order_id = uuid.UUID(foreign["order_id"])
    before = _state(db, order_id)
    c = world.client
    web_login(c, world.emails["b_owner"])
    c.cookies.set("csrf", CSRF)
    forms = {
        "reason": "劫持",
        "description": "劫持",
        "note": "x",
        "carrier": "x",
        "tracking_number": "1",
        "back": "order",
        "csrf_token": CSRF,
    }
    checked = []
    for path, methods, _route in api_routes(app):
        params = re.findall(r"{(\w+)}", path)
        if not path.startswith(PREFIXES) or not params:
            continue
        url = path.format(**{p: foreign[p] for p in params})
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            for data in ({"csrf_token": CSRF}, forms) if method == "POST" else (None,):
                r = c.request(method, url, data=data, follow_redirects=False)
                assert r.status_code == 404, (method, path, r.status_code, r.text[-300:])
                assert "劫持" not in r.text
            checked.append(f"{method} {path}")
    assert len(checked) >= 10, checked
    assert _state(db, order_id) == before
