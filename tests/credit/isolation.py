"""Credit resources of company A for the isolation walk (tests/test_isolation.py).

The platform grants A a line; A buys from a third company (never B) and pays on credit, so A has an
invoice; platform finance confirms part of a repayment. B must see and change none of it, and gets
404 for A's suggested limit (A never ordered from B)."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.catalog import service as catalog
from autotrade.catalog.schemas import BrandIn, CategoryIn, PartIn
from autotrade.core.tenancy import bind_system
from autotrade.credit.models import CreditInvoice, CreditLine, CreditRepayment
from autotrade.orgs.models import OrgType
from tests.factories import make_company
from tests.orders.conftest import HZ_SHIP, add_offer, add_stock, add_warehouse

SNAPSHOT_MODELS = (CreditLine, CreditInvoice, CreditRepayment)

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/credit/lines/{line_id}"): {"limit_fen": 1},
    ("POST", "/api/v1/credit/lines/{line_id}/suspend"): {"reason": "劫持"},
    ("PATCH", "/api/v1/platform/credit/lines/{line_id}"): {"limit_fen": 1},
    ("POST", "/api/v1/platform/credit/lines/{line_id}/suspend"): {"reason": "劫持"},
    ("POST", "/api/v1/credit/invoices/{invoice_id}/repayments"): {"amount_fen": 1, "bank_reference": "劫持"},
}


def foreign_resources(world: Any) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8].upper()
    with world.db.transaction() as s:
        bind_system(s, "test")
        catalog.create_category(
            s, CategoryIn(code=f"CRD{tag}", name_zh="赊销隔离", name_en="Credit isolation")
        )
        catalog.create_brand(s, BrandIn(name=f"Crd{tag}", kind="aftermarket"))
        part = catalog.create_part(
            s,
            PartIn(
                brand=f"CRD{tag}",
                brand_number=f"C-{tag}",
                name_zh="A 赊购的隔离件",
                category=f"CRD{tag}",
                quality_grade="aftermarket",
            ),
        )
    db, c = world.db, world.client
    seller = make_company(db, name="A 的赊销供应商", type=OrgType.distributor)
    wh = add_warehouse(db, seller, f"C{tag}", "浙江省", "杭州市", 30.3, 120.1)
    add_stock(db, seller, wh, part.id, 10)
    offer = add_offer(db, seller, part.id, 1_000)
    a, admin = world.h("a_owner"), world.h("admin")
    r = c.post(
        "/api/v1/platform/credit/lines",
        json={"debtor_org_id": str(world.orgs["a"]), "limit_fen": 100_000, "term_days": 30},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    line_id = r.json()["id"]
    r = c.post(
        "/api/v1/checkout",
        json={"lines": [{"offer_id": str(offer), "quantity": 2}], "ship_to": HZ_SHIP},
        headers=a,
    )
    assert r.status_code == 201, r.text
    oid = r.json()["orders"][0]["id"]
    r = c.post(f"/api/v1/orders/{oid}/pay-on-credit", headers=a)
    assert r.status_code == 200, r.text
    invoice_id = r.json()["invoice"]["id"]
    r = c.post(
        f"/api/v1/credit/invoices/{invoice_id}/repayments",
        json={"amount_fen": 100, "bank_reference": f"A-{tag}"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    return {"line_id": line_id, "invoice_id": invoice_id, "buyer_org_id": str(world.orgs["a"])}
