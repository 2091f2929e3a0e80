"""Order resources of company A for the isolation walk (tests/test_isolation.py).

Company A buys from a third company (never B): one order, paid, with a dispute A opened, shipped,
delivered and received with one piece refused (so a return exists). B must see none of them."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.catalog import service as catalog
from autotrade.catalog.schemas import BrandIn, CategoryIn, PartIn
from autotrade.core.tenancy import bind_system
from autotrade.orders.models import Dispute, Order, Return, Shipment
from autotrade.orgs.models import OrgType
from tests.factories import login, make_company, make_user
from tests.orders.conftest import HZ_SHIP, add_offer, add_stock, add_warehouse, pay_order

SNAPSHOT_MODELS = (Order, Shipment, Return, Dispute)

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/orders/{order_id}/shipments"): {"carrier": "劫持", "tracking_number": "1"},
    ("POST", "/api/v1/orders/{order_id}/returns"): {
        "lines": [{"line_id": str(uuid.UUID(int=9)), "quantity": 1}],
        "reason": "劫持",
    },
    ("POST", "/api/v1/orders/{order_id}/disputes"): {"reason": "劫持"},
    ("POST", "/api/v1/returns/{return_id}/ship"): {"carrier": "劫持", "tracking_number": "1"},
    ("POST", "/api/v1/returns/{return_id}/restock"): {"warehouse_id": str(uuid.UUID(int=9))},
    ("POST", "/api/v1/platform/disputes/{dispute_id}/decide"): {
        "decision": "release",
        "decision_text": "劫持",
    },
}


def foreign_resources(world: Any) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8].upper()
    with world.db.transaction() as s:
        bind_system(s, "test")
        catalog.create_category(
            s, CategoryIn(code=f"ORD{tag}", name_zh="订单隔离", name_en="Order isolation")
        )
        catalog.create_brand(s, BrandIn(name=f"Ord{tag}", kind="aftermarket"))
        part = catalog.create_part(
            s,
            PartIn(
                brand=f"ORD{tag}",
                brand_number=f"O-{tag}",
                name_zh="A 采购的隔离件",
                category=f"ORD{tag}",
                quality_grade="aftermarket",
            ),
        )
    db, c = world.db, world.client
    seller = make_company(db, name="A 的供应商", type=OrgType.distributor)
    _, email = make_user(db, org=seller, roles=("owner",))
    sh = login(c, email)
    wh = add_warehouse(db, seller, f"W{tag}", "浙江省", "杭州市", 30.3, 120.1)
    add_stock(db, seller, wh, part.id, 10)
    offer = add_offer(db, seller, part.id, 1_000)

    ah = world.h("a_owner")
    r = c.post(
        "/api/v1/checkout",
        json={"lines": [{"offer_id": str(offer), "quantity": 3}], "ship_to": HZ_SHIP},
        headers=ah,
    )
    assert r.status_code == 201, r.text
    order = r.json()["orders"][0]
    oid = order["id"]
    assert pay_order(world, oid).json()["status"] == "succeeded"
    dispute = c.post(f"/api/v1/orders/{oid}/disputes", json={"reason": "A 的纠纷"}, headers=ah)
    assert dispute.status_code == 201, dispute.text
    assert c.post(f"/api/v1/orders/{oid}/confirm", headers=sh).status_code == 200
    r = c.post(
        f"/api/v1/orders/{oid}/shipments", json={"carrier": "顺丰", "tracking_number": "SF1"}, headers=sh
    )
    assert r.status_code == 201, r.text
    assert c.post(f"/api/v1/orders/{oid}/deliver", headers=sh).status_code == 200
    r = c.post(
        f"/api/v1/orders/{oid}/receive",
        json={"lines": [{"line_id": order["lines"][0]["id"], "accepted_quantity": 2}], "reason": "A 的退货"},
        headers=ah,
    )
    assert r.status_code == 200, r.text
    return {"order_id": oid, "return_id": r.json()["return_id"], "dispute_id": dispute.json()["id"]}
