"""Every route of this area, called by company B's owner (a supplier holding every company permission)
with company A's ids — an order A bought from a third company, its return, A's own statement — answers
404, and none of A's rows change. (The global walk in tests/test_isolation.py does the same for every
route of the app.)"""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import api_routes, table_counts
from tests.orders import isolation as orders_isolation
from tests.settlement import isolation as settlement_isolation
from tests.web.conftest import web_login

AREA = ("/supplier/orders", "/supplier/returns", "/supplier/settlement")


def test_company_b_meets_404_on_every_page_and_action_with_company_a_ids(app: Any, world: Any) -> None:
    foreign = {**orders_isolation.foreign_resources(world), **settlement_isolation.foreign_resources(world)}
    c = world.client
    web_login(c, world.emails["b_owner"])
    token = c.cookies.get("csrf")
    before = table_counts(world.db)
    checked = []
    for path, methods, _route in api_routes(app):
        if not path.startswith(AREA) or "{" not in path:
            continue
        url = path.format(**{p: foreign[p] for p in re.findall(r"{(\w+)}", path)})
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "carrier": "劫持", "tracking_number": "1", "reason": "劫持"}
            r = c.request(method, url, data=data if method == "POST" else None, follow_redirects=False)
            assert r.status_code == 404, (method, path, r.status_code, r.text[-300:])
            checked.append((method, path))
    assert len(checked) >= 12, checked
    after = table_counts(world.db)
    assert {k: v for k, v in after.items() if v != before[k]} == {}
