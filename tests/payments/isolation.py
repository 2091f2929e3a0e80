"""Payment resources of company A for the isolation walk (tests/test_isolation.py): a gateway payment
of A's order from a third company (the order of tests/orders/isolation.py is paid; this one is new)."""

from __future__ import annotations

from typing import Any

from autotrade.orgs.models import OrgType
from autotrade.payments.models import Payment
from tests.factories import make_company
from tests.orders.conftest import HZ_SHIP, add_offer, add_stock, add_warehouse

SNAPSHOT_MODELS = (Payment,)

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/orders/{order_id}/payments"): {"provider": "gateway"},
    ("POST", "/api/v1/payments/simulator/payments/{payment_id}/pay"): {"scenario": "normal"},
}


def foreign_resources(world: Any) -> dict[str, str]:
    from autotrade.catalog import service as catalog
    from autotrade.catalog.schemas import BrandIn, CategoryIn, PartIn
    from autotrade.core.tenancy import bind_system

    db, c = world.db, world.client
    with db.transaction() as s:
        bind_system(s, "test")
        catalog.create_category(s, CategoryIn(code="PAYISO", name_zh="支付隔离", name_en="Payment isolation"))
        catalog.create_brand(s, BrandIn(name="PAYISO", kind="aftermarket"))
        part = catalog.create_part(
            s,
            PartIn(
                brand="PAYISO",
                brand_number="P-ISO-1",
                name_zh="A 待付款的件",
                category="PAYISO",
                quality_grade="aftermarket",
            ),
        )
    seller = make_company(db, name="A 的另一供应商", type=OrgType.distributor)
    wh = add_warehouse(db, seller, "PAYISO", "浙江省", "杭州市", 30.3, 120.1)
    add_stock(db, seller, wh, part.id, 5)
    offer = add_offer(db, seller, part.id, 2_000)
    ah = world.h("a_owner")
    r = c.post(
        "/api/v1/checkout",
        json={"lines": [{"offer_id": str(offer), "quantity": 1}], "ship_to": HZ_SHIP},
        headers=ah,
    )
    assert r.status_code == 201, r.text
    r = c.post(
        f"/api/v1/orders/{r.json()['orders'][0]['id']}/payments", json={"provider": "gateway"}, headers=ah
    )
    assert r.status_code == 201, r.text
    return {"payment_id": r.json()["payment"]["id"]}
