"""The supplier's work queues (orders.service.sales_*), used by the supplier's order pages."""

from __future__ import annotations

import uuid

import pytest

from autotrade.core.tenancy import current_principal
from autotrade.orders import service
from autotrade.orders.errors import OrderNotFound
from autotrade.orders.models import Order
from tests.orders.conftest import Market, as_company, pay


def _ids(m: Market, org: str, queue: str) -> set[str]:
    with as_company(m.db, m.world.orgs[org]) as s:
        p = current_principal(s)
        assert p is not None
        return {str(o.id) for o in s.scalars(service.sales_orders(s, p, queue))}


def test_queues_counts_and_the_supplier_side_only(market: Market) -> None:
    m = market
    unpaid = m.order("a_owner", [("bosch_pad", 1)])
    paid = m.order("a_owner", [("bosch_pad", 1)])
    pay(m, paid["id"])
    confirmed = m.order("a_owner", [("bosch_pad", 1)])
    pay(m, confirmed["id"])
    assert m.post("b_owner", f"/orders/{confirmed['id']}/confirm").status_code == 200
    cancelled = m.order("a_owner", [("bosch_pad", 1)])
    assert m.post("a_owner", f"/orders/{cancelled['id']}/cancel").status_code == 200
    bought = m.order("b_owner", [("trw_pad", 1)])  # B's own purchase from C: never a sales order of B

    assert _ids(m, "b", "all") == {unpaid["id"], paid["id"], confirmed["id"], cancelled["id"]}
    assert _ids(m, "b", "to_confirm") == {paid["id"]}
    assert _ids(m, "b", "to_ship") == {confirmed["id"]}
    assert _ids(m, "b", "cancelled") == {cancelled["id"]}
    assert _ids(m, "b", "shipped") == set() and _ids(m, "b", "returns") == set()
    assert _ids(m, "b", "unknown") == _ids(m, "b", "all")
    assert _ids(m, "c", "all") == {bought["id"]}
    with as_company(m.db, m.world.orgs["b"]) as s:
        p = current_principal(s)
        assert p is not None
        counts = service.sales_queue_counts(s, p)
        assert counts == {
            "all": 4,
            "to_confirm": 1,
            "to_ship": 1,
            "shipped": 0,
            "returns": 0,
            "done": 0,
            "cancelled": 1,
        }
        order = service.sales_order(s, p, uuid.UUID(paid["id"]))
        assert service.supplier_actions(order) == ["cancel", "confirm"]
        for other in (bought["id"], str(uuid.uuid4())):
            with pytest.raises(OrderNotFound):
                service.sales_order(s, p, uuid.UUID(other))
        shipped = s.get(Order, uuid.UUID(confirmed["id"]))
        assert shipped is not None and service.supplier_actions(shipped) == ["cancel", "ship", "ship_part"]


def test_the_returns_queue_holds_orders_with_an_open_return(market: Market) -> None:
    m = market
    o = m.order("a_owner", [("bosch_pad", 3)])
    pay(m, o["id"])
    for path, body in (
        ("confirm", None),
        ("shipments", {"carrier": "顺丰", "tracking_number": "SF1"}),
        ("deliver", None),
    ):
        assert m.post("b_owner", f"/orders/{o['id']}/{path}", body).status_code in (200, 201)
    r = m.post(
        "a_owner",
        f"/orders/{o['id']}/receive",
        {"lines": [{"line_id": o["lines"][0]["id"], "accepted_quantity": 2}], "reason": "破损"},
    )
    assert r.status_code == 200, r.text
    assert _ids(m, "b", "returns") == {o["id"]}
    assert _ids(m, "b", "done") == {o["id"]}
    assert m.post("b_owner", f"/returns/{r.json()['return_id']}/reject").status_code == 200
    assert _ids(m, "b", "returns") == set()
