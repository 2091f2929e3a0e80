"""Inventory resources of company A for the isolation walk (tests/test_isolation.py). The alliance and
the transfer involve A and a third company, never B."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.catalog import service as catalog
from autotrade.catalog.schemas import BrandIn, CategoryIn, PartIn
from autotrade.core.tenancy import bind_system
from autotrade.inventory.models import (
    Alliance,
    AllianceMember,
    StockLevel,
    StockMovement,
    StockUpload,
    TransferRequest,
    Warehouse,
)
from autotrade.orgs.models import OrgType
from tests.factories import login, make_company, make_user

_ANY = str(uuid.UUID(int=1))

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/warehouses/{warehouse_id}"): {"name": "劫持"},
    ("PATCH", "/api/v1/stock/levels/{stock_level_id}"): {"low_stock_threshold": 1},
    ("POST", "/api/v1/alliances/{alliance_id}/invitations"): {"company_id": _ANY},
    ("POST", "/api/v1/alliances/{alliance_id}/transfers"): {
        "from_warehouse_id": _ANY,
        "to_warehouse_id": _ANY,
        "part_id": _ANY,
        "quantity": 1,
    },
}

SNAPSHOT_MODELS = (
    Warehouse,
    StockLevel,
    StockMovement,
    StockUpload,
    Alliance,
    AllianceMember,
    TransferRequest,
)


def _wh(client: Any, h: dict[str, str], code: str) -> str:
    body = {"code": code, "name": f"A 仓 {code}", "province": "浙江省", "city": "杭州市", "address": "x"}
    r = client.post("/api/v1/warehouses", json=body, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def foreign_resources(world: Any) -> dict[str, str]:
    c, a = world.client, world.h("a_owner")
    with world.db.transaction() as s:
        bind_system(s, "test")
        catalog.create_category(s, CategoryIn(code="ISO", name_zh="隔离", name_en="Isolation"))
        catalog.create_brand(s, BrandIn(name="Isobrand", kind="aftermarket"))
        part = catalog.create_part(
            s,
            PartIn(
                brand="ISOBRAND",
                brand_number="ISO-1",
                name_zh="隔离件",
                category="ISO",
                quality_grade="aftermarket",
            ),
        )
        part_id = str(part.id)
    wa = _wh(c, a, "A-ISO")
    r = c.post(
        "/api/v1/stock/receipts", json={"warehouse_id": wa, "part_id": part_id, "quantity": 3}, headers=a
    )
    level_id = r.json()["id"]
    up = c.post(
        "/api/v1/stock/uploads",
        files={
            "file": (
                "a.csv",
                f"warehouse_code,part_id,on_hand\nA-ISO,{part_id},4\nNOPE,{part_id},1\n".encode(),
            )
        },
        headers=a,
    ).json()
    # a third company in an alliance with A, and a transfer from its warehouse to A's
    c_org = make_company(world.db, name="C 联盟伙伴", type=OrgType.distributor)
    _, c_email = make_user(world.db, org=c_org)
    ch = login(c, c_email)
    wc = _wh(c, ch, "C-ISO")
    c.post("/api/v1/stock/receipts", json={"warehouse_id": wc, "part_id": part_id, "quantity": 5}, headers=ch)
    alliance = c.post("/api/v1/alliances", json={"name": "A 私有联盟"}, headers=a).json()["id"]
    c.post(f"/api/v1/alliances/{alliance}/invitations", json={"company_id": str(c_org)}, headers=a)
    c.post(f"/api/v1/alliances/{alliance}/accept", headers=ch)
    t = c.post(
        f"/api/v1/alliances/{alliance}/transfers",
        json={"from_warehouse_id": wc, "to_warehouse_id": wa, "part_id": part_id, "quantity": 1},
        headers=a,
    )
    assert t.status_code == 201, t.text
    return {
        "warehouse_id": wa,
        "stock_level_id": level_id,
        "upload_id": up["id"],
        "alliance_id": alliance,
        "transfer_id": t.json()["id"],
    }
