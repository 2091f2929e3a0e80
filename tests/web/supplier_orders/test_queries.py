"""The list pages read with set-based queries: the number of statements does not grow with the number
of rows (no N+1)."""

from __future__ import annotations

from tests.helpers import statements
from tests.orders.conftest import Market
from tests.web.supplier_orders.conftest import api, as_page_user, page, paid


def _completed(m: Market) -> None:
    o = paid(m, [("bosch_pad", 1)])
    api(m, "b_owner", f"/orders/{o['id']}/confirm")
    api(m, "b_owner", f"/orders/{o['id']}/shipments", {"carrier": "顺丰", "tracking_number": "SF1"})
    api(m, "b_owner", f"/orders/{o['id']}/deliver")
    api(m, "a_owner", f"/orders/{o['id']}/receive", {})
    api(m, "a_owner", f"/orders/{o['id']}/complete")


def test_list_pages_issue_a_fixed_number_of_statements(m: Market) -> None:
    _completed(m)
    as_page_user(m, "b_owner")
    paths = ("/supplier/orders", "/supplier/returns?status=all", "/supplier/settlement")
    small = {}
    for path in paths:
        with statements(m.db.engine) as seen:
            page(m, path)
        small[path] = len(seen)
    for _ in range(4):
        _completed(m)
    as_page_user(m, "b_owner")
    for path in paths:
        with statements(m.db.engine) as seen:
            page(m, path)
        assert len(seen) == small[path], (path, small[path], len(seen))
