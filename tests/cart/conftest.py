"""Cart fixtures: the small catalogue of tests/catalog, and a market of two suppliers (not company B,
so the isolation walk stays between A and B) with warehouses, stock and offers.

| part (SKU)              | S1 (杭州)                      | S2 (宁波)                         |
| ----------------------- | ------------------------------ | --------------------------------- |
| TOYOTA-0446533471       | 200.00, stock 10               |                                   |
| BOSCH-0986494614        | 150.00, stock 5                | 140.00, stock 2                   |
| TRW-GDB3426             |                                | 120.00, MOQ 4, stock 100          |
| BREMBO-09A91311         | 300.00, pack of 2, stock 10    |                                   |
| MANNFILTER-HU6020Z      |                                | 30.00, stock 3                    |
| VOLKSWAGEN-04E115561H   | no offer                       |                                   |
| TOYOTA-0446533450 (old) | no offer                       |                                   |

``04465-33471`` is the Toyota pad's own number and an OE number of the Bosch and TRW pads;
``04E115561H`` is the VW filter's own number and an OE number of the Mann filter.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.inventory import service as inventory
from autotrade.inventory.models import StockLevel
from autotrade.inventory.schemas import WarehouseIn
from autotrade.orgs.models import OrgType
from autotrade.pricing.models import Offer
from tests.catalog.conftest import Catalog, catalog  # noqa: F401  (fixture)
from tests.factories import make_company

SHIP_TO = {
    "province": "浙江省",
    "city": "杭州市",
    "address": "文三路1号",
    "contact": "王师傅",
    "phone": "13800000001",
    "latitude": 30.28,
    "longitude": 120.13,
}


@dataclass
class Market:
    cat: Catalog
    suppliers: dict[str, uuid.UUID] = field(default_factory=dict)
    warehouses: dict[str, uuid.UUID] = field(default_factory=dict)
    offers: dict[tuple[str, str], uuid.UUID] = field(default_factory=dict)  # (supplier, part key)

    def part(self, key: str) -> uuid.UUID:
        return self.cat.parts[key]


def _warehouse(code: str, city: str, lat: float, lon: float) -> WarehouseIn:
    return WarehouseIn(
        code=code,
        name=f"仓库 {code}",
        province="浙江省",
        city=city,
        address="1号",
        latitude=lat,
        longitude=lon,
        service_radius_km=300,
    )


def add_offer(db: Database, m: Market, supplier: str, part: str, price_fen: int, **kw: Any) -> uuid.UUID:
    with db.transaction() as s:
        bind_system(s, "test")
        offer = Offer(org_id=m.suppliers[supplier], part_id=m.part(part), list_price_fen=price_fen, **kw)
        s.add(offer)
        s.flush()
        m.offers[(supplier, part)] = offer.id
        return offer.id


def set_stock(db: Database, m: Market, supplier: str, part: str, on_hand: int) -> None:
    """Bring the supplier's warehouse to ``on_hand`` of the part (a receipt or an adjustment)."""
    wh = m.warehouses[supplier]
    with db.transaction() as s:
        bind_system(s, "test")
        level = s.scalar(
            select(StockLevel).where(StockLevel.warehouse_id == wh, StockLevel.part_id == m.part(part))
        )
        current = level.on_hand if level else 0
        if on_hand > current:
            inventory.receive(s, wh, m.part(part), on_hand - current, reason="test")
        elif on_hand < current:
            inventory.adjust(s, wh, m.part(part), reason="test", on_hand=on_hand)


def update_offer(db: Database, offer_id: uuid.UUID, **values: Any) -> None:
    with db.transaction() as s:
        bind_system(s, "test")
        offer = s.get(Offer, offer_id)
        assert offer is not None
        for k, v in values.items():
            setattr(offer, k, v)


@pytest.fixture
def market(db: Database, catalog: Catalog, world: Any) -> Market:  # noqa: F811
    m = Market(cat=catalog)
    for key, name, city, lat, lon in (
        ("s1", "S1 杭州汽配", "杭州市", 30.28, 120.13),
        ("s2", "S2 宁波汽配", "宁波市", 29.87, 121.55),
    ):
        m.suppliers[key] = make_company(db, name=name, type=OrgType.distributor)
        with db.transaction() as s:
            bind_system(s, "test")
            m.warehouses[key] = inventory.create_warehouse(
                s, m.suppliers[key], _warehouse(key.upper(), city, lat, lon)
            ).id
    add_offer(db, m, "s1", "toyota_pad", 20_000)
    add_offer(db, m, "s1", "bosch_pad", 15_000)
    add_offer(db, m, "s2", "bosch_pad", 14_000)
    add_offer(db, m, "s2", "trw_pad", 12_000, moq=4)
    add_offer(db, m, "s1", "brembo_disc", 30_000, pack_size=2)
    add_offer(db, m, "s2", "mann_filter", 3_000)
    for supplier, part, qty in (
        ("s1", "toyota_pad", 10),
        ("s1", "bosch_pad", 5),
        ("s2", "bosch_pad", 2),
        ("s2", "trw_pad", 100),
        ("s1", "brembo_disc", 10),
        ("s2", "mann_filter", 3),
    ):
        set_stock(db, m, supplier, part, qty)
    return m
