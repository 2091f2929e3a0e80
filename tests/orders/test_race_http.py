"""No overselling under real concurrency: many buyers race through the HTTP API (on PostgreSQL, and on
SQLite, whose writers queue on the database lock).

A real server (uvicorn on loopback) and 60 buyers (10 purchasers in each of 6 repair shops), each
sending checkouts at the same moment from its own thread and connection. Every checkout asks for one
unit of a scarce part (40 units over two warehouses) and one unit of a plentiful part. Afterwards:
exactly 40 scarce units were sold, every other request was refused with ``insufficient_stock`` (no
5xx, nothing else), no refused checkout left a reservation behind, reservations equal what the orders
hold, stock equals the sum of its movements, and the orders in the database are exactly those the
buyers were told about.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import func, select

from autotrade.catalog.models import Brand, Category, Part, QualityGrade
from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.inventory import service as inventory
from autotrade.inventory.models import StockLevel, StockMovement, Warehouse
from autotrade.orders.models import Order, OrderAllocation, OrderLine
from autotrade.orgs.models import OrgType
from autotrade.pricing.models import Offer
from tests.factories import login, make_company, make_user
from tests.live import live_server

BUYER_COMPANIES, PURCHASERS_EACH, ATTEMPTS_EACH = 6, 10, 3
SCARCE = (25, 15)  # units in the supplier's two warehouses


def _setup(db: Database) -> dict[str, Any]:
    supplier = make_company(db, name="竞速供应商", type=OrgType.distributor)
    with db.transaction() as s:
        bind_system(s, "test")
        cat = Category(code="RACE", path="RACE", name_zh="竞速", name_en="Race")
        brand = Brand(code="RACE", name="Race", kind="aftermarket")
        s.add_all([cat, brand])
        s.flush()
        parts = []
        for i, name in enumerate(("稀缺件", "常备件")):
            p = Part(
                sku=f"RACE-{i}",
                brand_id=brand.id,
                brand_number=f"R{i}",
                brand_number_norm=f"R{i}",
                name_zh=name,
                category_id=cat.id,
                quality_grade=QualityGrade.aftermarket,
                group_id=uuid.uuid4(),
            )
            s.add(p)
            parts.append(p)
        whs = []
        for code, city, lat, lng in (("HZ", "杭州市", 30.27, 120.15), ("NB", "宁波市", 29.87, 121.54)):
            wh = Warehouse(
                org_id=supplier,
                code=code,
                name=f"{city}仓",
                province="浙江省",
                city=city,
                address="仓储路 1 号",
                latitude=lat,
                longitude=lng,
            )
            s.add(wh)
            whs.append(wh)
        s.flush()
        scarce, plenty = parts
        for wh, units in zip(whs, SCARCE, strict=True):
            inventory.receive(s, wh.id, scarce.id, units, reason="race stock")
        inventory.receive(s, whs[0].id, plenty.id, 100_000, reason="race stock")
        offers = [Offer(org_id=supplier, part_id=p.id, list_price_fen=12_345) for p in parts]
        s.add_all(offers)
        s.flush()
        return {
            "scarce": scarce.id,
            "plenty": plenty.id,
            "offers": [str(o.id) for o in offers],
        }


def test_concurrent_buyers_never_oversell(app, client, db):
    made = _setup(db)
    app.state.settings.login_rate_limit = 1000  # 60 logins from one address
    tokens = []
    for c in range(BUYER_COMPANIES):
        org = make_company(db, name=f"竞速汽修厂{c}")
        for _ in range(PURCHASERS_EACH):
            _uid, email = make_user(db, org=org, roles=("purchaser",))
            tokens.append(login(client, email)["Authorization"])
    ship_to = {
        "province": "浙江省",
        "city": "杭州市",
        "address": "汽修路 9 号",
        "contact": "王师傅",
        "latitude": 30.25,
        "longitude": 120.17,
    }
    body = {"lines": [{"offer_id": o, "quantity": 1} for o in made["offers"]], "ship_to": ship_to}
    results: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(tokens))

    with live_server(app) as base:

        def buyer(token: str) -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                start.wait()
                for _ in range(ATTEMPTS_EACH):
                    r = http.post("/api/v1/checkout", json=body, headers={"Authorization": token})
                    with lock:
                        results.append((r.status_code, r.json()))

        threads = [threading.Thread(target=buyer, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    statuses = Counter(code for code, _ in results)
    assert len(results) == len(tokens) * ATTEMPTS_EACH
    ok = [b for code, b in results if code in (200, 201)]
    refused = [b for code, b in results if code == 409]
    assert len(ok) + len(refused) == len(results), statuses  # no 5xx, no other answer
    assert all(b["code"] == "insufficient_stock" for b in refused)
    assert len(ok) == sum(SCARCE), statuses  # demand (180) exceeds stock (40): exactly 40 sold

    told = {o["id"] for b in ok for o in b["orders"]}
    with db.session() as s:
        bind_system(s, "test")
        in_db = {str(i) for i in s.scalars(select(Order.id))}
        assert in_db == told  # no order the buyers were not told about, none lost
        sold = dict(
            s.execute(
                select(OrderLine.part_id, func.sum(OrderLine.quantity)).group_by(OrderLine.part_id)
            ).all()
        )
        assert sold == {made["scarce"]: sum(SCARCE), made["plenty"]: sum(SCARCE)}
        held = dict(
            s.execute(
                select(OrderAllocation.part_id, func.sum(OrderAllocation.quantity)).group_by(
                    OrderAllocation.part_id
                )
            ).all()
        )
        levels = s.execute(
            select(StockLevel.id, StockLevel.part_id, StockLevel.on_hand, StockLevel.reserved)
        ).all()
        reserved = Counter[uuid.UUID]()
        for _id, part, on_hand, res in levels:
            assert 0 <= res <= on_hand
            reserved[part] += res
        assert dict(reserved) == held == sold  # refused checkouts left no reservation behind
        sums = {
            lid: (oh, rv)
            for lid, oh, rv in s.execute(
                select(
                    StockMovement.stock_level_id,
                    func.sum(StockMovement.on_hand_delta),
                    func.sum(StockMovement.reserved_delta),
                ).group_by(StockMovement.stock_level_id)
            )
        }
        assert {lid: (oh, rv) for lid, _p, oh, rv in levels} == sums
