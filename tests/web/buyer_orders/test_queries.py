"""The buyer's pages read with set-based queries: the number of statements does not grow with the
number of orders, returns, invoices or lines (no N+1)."""

from __future__ import annotations

from tests.credit.conftest import grant, repay
from tests.factories import new_uscc
from tests.helpers import statements
from tests.orders.conftest import Market
from tests.web.buyer_orders.conftest import api, delivered, login, place
from tests.web.conftest import post_form

PAGES = ("/buyer/orders", "/buyer/returns", "/buyer/invoices", "/buyer/credit")


def _some_of_everything(m: Market, profile_id: str) -> None:
    """A completed order with an invoice request, a return, and an order paid on credit, repaid in part."""
    o = delivered(m, [("toyota_pad", 2), ("bosch_pad", 1)])
    toyota, bosch = o["lines"]
    body = {
        "lines": [
            {"line_id": toyota["id"], "accepted_quantity": 1},
            {"line_id": bosch["id"], "accepted_quantity": 1},
        ],
        "reason": "破损",
    }
    assert m.post("a_owner", f"/orders/{o['id']}/receive", body).status_code == 200
    c = delivered(m, [("bosch_pad", 1)])
    assert m.post("a_owner", f"/orders/{c['id']}/receive").status_code == 200
    assert m.post("a_owner", f"/orders/{c['id']}/complete").status_code == 200
    r = m.post("a_owner", "/invoices", {"kind": "normal", "tax_profile_id": profile_id, "order_id": c["id"]})
    assert r.status_code == 201, r.text
    k = place(m, [("bosch_pad", 1)])
    r = m.post("a_owner", f"/orders/{k['id']}/pay-on-credit")
    assert r.status_code == 200, r.text
    assert repay(m, r.json()["invoice"]["id"], 100, f"REF-{k['id'][-6:]}").status_code == 201


def _count(m: Market, path: str) -> int:
    with statements(m.db.engine) as seen:
        assert m.client.get(path).status_code == 200, path
    return len(seen)


def test_pages_issue_a_fixed_number_of_statements(bm: Market) -> None:
    grant(bm, "admin", "a", 10_000_000, 30)
    r = bm.post("a_owner", "/tax-profiles", {"title": "A 汽修连锁有限公司", "taxpayer_id": new_uscc()})
    assert r.status_code == 201, r.text
    profile = r.json()["id"]
    _some_of_everything(bm, profile)
    login(bm, "a_owner")
    small = {path: _count(bm, path) for path in PAGES}
    for _ in range(3):
        _some_of_everything(bm, profile)
    login(bm, "a_owner")
    for path in PAGES:
        assert _count(bm, path) == small[path], path
    assert len(api(bm, "a_owner", "/orders?role=buyer")["items"]) == 12


def test_the_order_page_does_not_grow_with_its_lines(bm: Market) -> None:
    one = delivered(bm, [("bosch_pad", 1)])
    many = delivered(bm, [("bosch_pad", 1), ("toyota_pad", 12), ("vw_filter", 8), ("brembo_disc", 2)])
    login(bm, "a_owner")
    few = _count(bm, f"/buyer/orders/{one['id']}")
    assert _count(bm, f"/buyer/orders/{many['id']}") == few
    assert few <= 30, few
    r = post_form(bm.client, f"/buyer/orders/{many['id']}/receive", {}, page=f"/buyer/orders/{many['id']}")
    assert r.status_code == 303
