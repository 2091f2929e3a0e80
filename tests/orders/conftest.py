"""A small market for order tests, built through the real services.

Supplier B (world.orgs["b"]) has three warehouses around the buyer A (杭州): HZ in 杭州 (near), NB in
宁波 (~150 km) and SH in 上海 (~165 km). Supplier C (a third company) has one warehouse in 杭州. Stock and
offers are listed in ``STOCK`` and ``OFFERS``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from autotrade.core.db import Database
from autotrade.core.tenancy import Principal, bind_principal, bind_system, current_principal
from autotrade.inventory import service as inventory
from autotrade.inventory.models import StockLevel
from autotrade.inventory.schemas import WarehouseIn
from autotrade.orders.models import Order
from autotrade.orgs.models import OrgType
from autotrade.pricing import supplier as pricing
from autotrade.pricing.schemas import OfferIn, TierIn
from tests.catalog.conftest import Catalog, catalog  # noqa: F401  (the catalogue fixture, reused)
from tests.factories import World, make_company

HZ_SHIP = {
    "province": "浙江省",
    "city": "杭州市",
    "address": "西湖区文三路 100 号",
    "contact": "王师傅",
    "phone": "13911112222",
    "latitude": 30.28,
    "longitude": 120.13,
}

WAREHOUSES = {
    # key: (owner, code, province, city, lat, lon)
    "b_hz": ("b", "HZ-01", "浙江省", "杭州市", 30.25, 120.17),
    "b_nb": ("b", "NB-01", "浙江省", "宁波市", 29.87, 121.54),
    "b_sh": ("b", "SH-01", "上海市", "上海市", 31.23, 121.47),
    "c_hz": ("c", "HZ-C", "浙江省", "杭州市", 30.30, 120.10),
}
STOCK = {
    ("b_hz", "toyota_pad"): 5,
    ("b_nb", "toyota_pad"): 10,
    ("b_sh", "toyota_pad"): 20,
    ("b_hz", "bosch_pad"): 100,
    ("b_sh", "brembo_disc"): 10,
    ("b_nb", "vw_filter"): 40,
    ("c_hz", "trw_pad"): 30,
}
OFFERS = {
    # part: (owner, list price fen, moq, pack size)
    "toyota_pad": ("b", 10_000, 1, 1),
    "bosch_pad": ("b", 8_000, 1, 1),
    "brembo_disc": ("b", 30_000, 2, 1),
    "vw_filter": ("b", 3_333, 1, 4),
    "trw_pad": ("c", 6_000, 1, 1),
}


@dataclass
class Market:
    world: World
    catalog: Catalog
    warehouses: dict[str, uuid.UUID] = field(default_factory=dict)
    offers: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        return self.world.db

    @property
    def client(self) -> Any:
        return self.world.client

    def part(self, name: str) -> uuid.UUID:
        return self.catalog.parts[name]

    def level(self, warehouse: str, part: str) -> tuple[int, int]:
        """(on_hand, reserved) of a part in a warehouse; (0, 0) when there is no level."""
        with self.db.session() as s:
            bind_system(s, "test")
            row = s.execute(
                select(StockLevel.on_hand, StockLevel.reserved).where(
                    StockLevel.warehouse_id == self.warehouses[warehouse],
                    StockLevel.part_id == self.part(part),
                )
            ).one_or_none()
            return (row[0], row[1]) if row else (0, 0)

    def checkout(
        self,
        who: str,
        lines: list[tuple[str, int]],
        *,
        ship_to: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Any:
        headers = dict(self.world.h(who))
        if key:
            headers["Idempotency-Key"] = key
        body = {
            "lines": [{"offer_id": str(self.offers[p]), "quantity": q} for p, q in lines],
            "ship_to": ship_to or HZ_SHIP,
        }
        return self.client.post("/api/v1/checkout", json=body, headers=headers)

    def order(self, who: str, lines: list[tuple[str, int]], **kw: Any) -> dict[str, Any]:
        r = self.checkout(who, lines, **kw)
        assert r.status_code == 201, r.text
        orders: list[dict[str, Any]] = r.json()["orders"]
        assert len(orders) == 1
        return orders[0]

    def post(self, who: str, path: str, json: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=json, headers=self.world.h(who))


def pay_order(world: World, order_id: str, *, bank_reference: str | None = None) -> Any:
    """Pay an order as the platform does offline (payments): platform finance (``admin``) confirms a
    bank transfer of the order's gross. Returns the response (the payment: ``succeeded`` when it paid
    the order, ``refunded`` when the order no longer waited for payment)."""
    with world.db.session() as s:
        bind_system(s, "test")
        gross = s.scalar(select(Order.gross_fen).where(Order.id == uuid.UUID(str(order_id))))
    body = {
        "order_id": str(order_id),
        "bank_reference": bank_reference or f"BR{uuid.uuid4().hex[:16].upper()}",
        "amount_fen": gross,
    }
    return world.client.post(
        "/api/v1/platform/payments/bank-transfers/confirm", json=body, headers=world.h("admin")
    )


def pay(market: Market, order_id: str) -> Any:
    """:func:`pay_order` in a market: the order is paid (asserted)."""
    r = pay_order(market.world, order_id)
    assert r.status_code == 200, r.text
    return r


@contextmanager
def as_company(db: Database, org_id: uuid.UUID) -> Iterator[Session]:
    """A unit of work acting for a company (its owner's scope), committing at the end."""
    with db.transaction() as s:
        bind_principal(
            s,
            Principal(
                org_id=org_id,
                org_type="distributor",
                org_status="approved",
                scope=frozenset({org_id}),
                permissions=frozenset(),
                email="setup@test.autotrade.cn",
            ),
        )
        yield s


def add_warehouse(
    db: Database, org: uuid.UUID, code: str, province: str, city: str, lat: float | None, lon: float | None
) -> uuid.UUID:
    with as_company(db, org) as s:
        wh = inventory.create_warehouse(
            s,
            org,
            WarehouseIn(
                code=code,
                name=code,
                province=province,
                city=city,
                address="仓库路 1 号",
                latitude=lat,
                longitude=lon,
            ),
        )
        return wh.id


def add_stock(db: Database, org: uuid.UUID, warehouse: uuid.UUID, part: uuid.UUID, quantity: int) -> None:
    with as_company(db, org) as s:
        inventory.receive(s, warehouse, part, quantity, reason="test stock")


def add_offer(
    db: Database,
    org: uuid.UUID,
    part: uuid.UUID,
    price: int,
    *,
    moq: int = 1,
    pack: int = 1,
    tiers: tuple[tuple[int, int], ...] = (),
) -> uuid.UUID:
    with as_company(db, org) as s:
        p = current_principal(s)
        assert p is not None
        offer = pricing.create_offer(
            s,
            p,
            OfferIn(
                part_id=part,
                list_price_fen=price,
                moq=moq,
                pack_size=pack,
                tiers=[TierIn(min_quantity=m, unit_price_fen=u) for m, u in tiers],
            ),
        )
        return offer.id


@pytest.fixture
def market(world: World, catalog: Catalog, db: Database) -> Market:  # noqa: F811
    world.orgs["c"] = make_company(db, name="C 汽配批发", type=OrgType.distributor, phone="13800000004")
    world.add_user("c_owner", "c", ("owner",))
    world.add_user("b_sales", "b", ("sales",))
    world.add_user("b_warehouse", "b", ("warehouse",))
    world.add_user("a_finance", "a", ("finance",))
    m = Market(world=world, catalog=catalog)
    for key, (owner, code, province, city, lat, lon) in WAREHOUSES.items():
        m.warehouses[key] = add_warehouse(db, world.orgs[owner], code, province, city, lat, lon)
    for (wh, part), qty in STOCK.items():
        owner = WAREHOUSES[wh][0]
        add_stock(db, world.orgs[owner], m.warehouses[wh], catalog.parts[part], qty)
    for part, (owner, price, moq, pack) in OFFERS.items():
        m.offers[part] = add_offer(db, world.orgs[owner], catalog.parts[part], price, moq=moq, pack=pack)
    for who in (
        "a_owner",
        "a_purchaser",
        "a_viewer",
        "b_owner",
        "c_owner",
        "pending_owner",
        "b_warehouse",
        "admin",
    ):
        world.h(who)  # log in now: table counts taken in a test then see no login rows appear
    return m
