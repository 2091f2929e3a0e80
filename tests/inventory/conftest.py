"""Inventory fixtures: a few catalogue parts and a supplier with warehouses, built through services."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from autotrade.catalog import service as catalog
from autotrade.catalog.schemas import BrandIn, CategoryIn, PartIn
from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.inventory import service
from autotrade.inventory.models import StockLevel, StockMovement
from autotrade.inventory.schemas import WarehouseIn
from autotrade.orgs.models import OrgType
from tests.factories import make_company


@contextmanager
def tx(db: Database, actor: str = "test") -> Iterator[Session]:
    with db.transaction() as s:
        bind_system(s, actor)
        yield s


@dataclass
class Parts:
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    skus: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def parts(db: Database) -> Parts:
    out = Parts()
    with tx(db) as s:
        catalog.create_category(s, CategoryIn(code="BRAKE", name_zh="制动系统", name_en="Brakes"))
        catalog.create_brand(s, BrandIn(name="Bosch", name_zh="博世", kind="oe_supplier", country="DE"))
        for key, number in (("pad", "0 986 494 614"), ("disc", "0 986 479 A58"), ("filter", "F 026 407 006")):
            part = catalog.create_part(
                s,
                PartIn(
                    brand="BOSCH",
                    brand_number=number,
                    name_zh=f"测试{key}",
                    category="BRAKE",
                    quality_grade="oem",
                ),
            )
            out.ids[key], out.skus[key] = part.id, part.sku
    return out


def warehouse_in(code: str, **kw: object) -> WarehouseIn:
    data: dict[str, object] = {
        "code": code,
        "name": f"仓库 {code}",
        "province": "浙江省",
        "city": "杭州市",
        "address": "文三路1号",
        "latitude": 30.28,
        "longitude": 120.13,
        "service_radius_km": 50,
    }
    data.update(kw)
    return WarehouseIn.model_validate(data)


@dataclass
class Supplier:
    org_id: uuid.UUID
    warehouses: dict[str, uuid.UUID]


def make_supplier(db: Database, *codes: str, name: str | None = None) -> Supplier:
    org = make_company(db, type=OrgType.distributor, name=name)
    whs = {}
    with tx(db) as s:
        for code in codes:
            whs[code] = service.create_warehouse(s, org, warehouse_in(code)).id
    return Supplier(org_id=org, warehouses=whs)


@pytest.fixture
def supplier(db: Database) -> Supplier:
    return make_supplier(db, "W1", "W2")


def levels(db: Database) -> dict[tuple[uuid.UUID, uuid.UUID], tuple[int, int]]:
    """(warehouse, part) -> (on_hand, reserved) of every level."""
    with tx(db) as s:
        return {(r.warehouse_id, r.part_id): (r.on_hand, r.reserved) for r in s.scalars(select(StockLevel))}


def movements(db: Database) -> list[tuple[str, int, int, str | None, str | None]]:
    with tx(db) as s:
        return [
            (m.kind.value, m.on_hand_delta, m.reserved_delta, m.reference_type, m.reference_id)
            for m in s.scalars(select(StockMovement).order_by(StockMovement.id))
        ]
