"""Pricing resources of company A for the isolation walk (tests/test_isolation.py).

Company A (as a supplier) gets an offer with a tier, a customer group whose member is a third company
(never B), and a price policy for that group and offer. B must see none of them."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.catalog import service as catalog
from autotrade.catalog.schemas import BrandIn, CategoryIn, PartIn
from autotrade.core.tenancy import bind_system
from autotrade.orgs.models import OrgType
from autotrade.pricing.models import CustomerGroup, CustomerGroupMember, Offer, OfferTier, PricePolicy
from tests.factories import make_company

SNAPSHOT_MODELS = (Offer, OfferTier, CustomerGroup, CustomerGroupMember, PricePolicy)

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/offers/{offer_id}"): {"lead_time_days": 9},
    ("PATCH", "/api/v1/customer-groups/{customer_group_id}"): {"name": "劫持"},
    ("POST", "/api/v1/customer-groups/{customer_group_id}/members"): {"org_id": str(uuid.UUID(int=7))},
    ("PATCH", "/api/v1/price-policies/{policy_id}"): {"name": "劫持"},
}


def foreign_resources(world: Any) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8].upper()
    with world.db.transaction() as s:
        bind_system(s, "test")
        catalog.create_category(s, CategoryIn(code=f"ISO{tag}", name_zh="隔离测试", name_en="Isolation"))
        catalog.create_brand(s, BrandIn(name=f"Iso{tag}", kind="aftermarket"))
        part = catalog.create_part(
            s,
            PartIn(
                brand=f"ISO{tag}",
                brand_number=f"P-{tag}",
                name_zh="A 的隔离件",
                category=f"ISO{tag}",
                quality_grade="aftermarket",
            ),
        )
    third = make_company(world.db, name="第三方买家", type=OrgType.repair_shop)
    c, h = world.client, world.h("a_owner")
    offer = c.post(
        "/api/v1/offers",
        json={
            "part_id": str(part.id),
            "list_price_fen": 5_000,
            "tiers": [{"min_quantity": 5, "unit_price_fen": 4_500}],
        },
        headers=h,
    )
    assert offer.status_code == 201, offer.text
    group = c.post("/api/v1/customer-groups", json={"name": "A 私有客户组"}, headers=h).json()
    r = c.post(f"/api/v1/customer-groups/{group['id']}/members", json={"org_id": str(third)}, headers=h)
    assert r.status_code == 201, r.text
    policy = c.post(
        "/api/v1/price-policies",
        json={
            "name": "A 私有政策",
            "effect": "discount",
            "discount_bp": 500,
            "customer_group_id": group["id"],
            "scope": "offer",
            "offer_id": offer.json()["id"],
        },
        headers=h,
    )
    assert policy.status_code == 201, policy.text
    return {
        "offer_id": offer.json()["id"],
        "customer_group_id": group["id"],
        "member_org_id": str(third),
        "policy_id": policy.json()["id"],
    }
