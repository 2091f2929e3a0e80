"""Cart resources of company A for the isolation walk (tests/test_isolation.py): a cart line and a
requisition list with a line, written directly (no supplier involved)."""

from __future__ import annotations

from typing import Any

from autotrade.cart.models import Cart, CartLine, LineSource, RequisitionLine, RequisitionList, user_owner
from autotrade.catalog import service as catalog
from autotrade.catalog.schemas import BrandIn, CategoryIn, PartIn
from autotrade.core.tenancy import bind_system

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/cart/lines/{line_id}"): {"quantity": 2},
    ("PATCH", "/api/v1/requisition-lists/{list_id}"): {"name": "劫持"},
    ("POST", "/api/v1/requisition-lists/{list_id}/lines"): {"sku": "ISOCART-1", "quantity": 1},
    ("PATCH", "/api/v1/requisition-lists/{list_id}/lines/{list_line_id}"): {"quantity": 2},
    ("POST", "/api/v1/requisition-lists/{list_id}/add-to-cart"): {},
}
SNAPSHOT_MODELS = (Cart, CartLine, RequisitionList, RequisitionLine)


def foreign_resources(world: Any) -> dict[str, str]:
    a = world.orgs["a"]
    with world.db.transaction() as s:
        bind_system(s, "test")
        catalog.create_category(s, CategoryIn(code="ISOCART", name_zh="隔离测试", name_en="Isolation"))
        catalog.create_brand(s, BrandIn(name="IsoCart", kind="aftermarket"))
        part = catalog.create_part(
            s,
            PartIn(
                brand="ISOCART",
                brand_number="1",
                name_zh="隔离件",
                category="ISOCART",
                quality_grade="aftermarket",
            ),
        )
        cart = Cart(org_id=a, owner=user_owner(world.users["a_owner"]), user_id=world.users["a_owner"])
        s.add(cart)
        s.flush()
        line = CartLine(
            org_id=a, cart_id=cart.id, position=1, part_id=part.id, quantity=1, source=LineSource.sku
        )
        lst = RequisitionList(org_id=a, name="A 每周保养件", created_by_id=world.users["a_owner"])
        s.add_all([line, lst])
        s.flush()
        list_line = RequisitionLine(org_id=a, list_id=lst.id, position=1, part_id=part.id, quantity=2)
        s.add(list_line)
        s.flush()
        return {"line_id": str(line.id), "list_id": str(lst.id), "list_line_id": str(list_line.id)}
