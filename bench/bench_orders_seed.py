"""Data for ``bench/orders.py``: suppliers with 3 warehouses each, N parts offered by every supplier from
every warehouse, buyer companies with purchasers, one hot SKU with finite stock; and the invariants
checked afterwards. Rows are written set-wise (multi-row INSERTs); stock levels get their receipt
movements so that stock equals the sum of its movements."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text, update

import autotrade.models  # noqa: F401
from autotrade.catalog.models import Brand, Category, Part, QualityGrade
from autotrade.core.db import Database, utcnow, uuid7
from autotrade.core.security import hash_password
from autotrade.core.tenancy import bind_system
from autotrade.core.validators import uscc_with_check
from autotrade.iam import service as iam
from autotrade.iam.models import User, UserRole
from autotrade.inventory.models import MovementKind, StockLevel, StockMovement, Warehouse
from autotrade.orgs.models import Org, OrgStatus, OrgType
from autotrade.pricing.models import Offer

CITIES = [
    ("浙江省", "杭州市", 30.2741, 120.1551),
    ("上海市", "上海市", 31.2304, 121.4737),
    ("江苏省", "南京市", 32.0603, 118.7969),
    ("江苏省", "苏州市", 31.2990, 120.5853),
    ("安徽省", "合肥市", 31.8206, 117.2272),
    ("浙江省", "宁波市", 29.8683, 121.5440),
]
BATCH = 5_000


@dataclass
class Seeded:
    url: str
    offer_ids: list[str]
    hot_offer_id: str
    hot_part_id: uuid.UUID
    hot_level_ids: list[uuid.UUID]
    ship_to: dict[str, Any]
    buyer_emails: list[str]
    received: dict[uuid.UUID, int] = field(default_factory=dict)  # level id → units received in total

    def restock_hot(self, units: int) -> None:
        """Give the hot SKU ``units`` more units (default: enough for part of a run only)."""
        units = units or 150
        db = Database(self.url)
        try:
            with db.transaction() as s:
                bind_system(s, "bench")
                level_id = self.hot_level_ids[0]
                s.execute(
                    update(StockLevel)
                    .where(StockLevel.id == level_id)
                    .values(on_hand=StockLevel.on_hand + units)
                )
                lvl = s.get(StockLevel, level_id)
                assert lvl is not None
                s.execute(
                    insert(StockMovement),
                    [_movement(lvl.org_id, level_id, lvl.warehouse_id, lvl.part_id, units, "bench restock")],
                )
                self.received[level_id] = self.received.get(level_id, 0) + units
        finally:
            db.dispose()

    def invariants(self) -> dict[str, int]:
        db = Database(self.url)
        try:
            with db.engine.connect() as c:
                return _invariants(c, self)
        finally:
            db.dispose()


def _movement(org_id: Any, level_id: Any, wh: Any, part: Any, qty: int, reason: str) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "org_id": org_id,
        "stock_level_id": level_id,
        "warehouse_id": wh,
        "part_id": part,
        "kind": MovementKind.receipt,
        "on_hand_delta": qty,
        "reserved_delta": 0,
        "reason": reason,
        "reference_type": "bench",
        "reference_id": None,
        "actor_label": "bench",
        "actor_user_id": None,
        "created_at": utcnow(),
    }


def _insert(s: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), BATCH):
        s.execute(insert(model), rows[i : i + BATCH])


def _org(name: str, type_: OrgType, n: int, city: tuple[str, str, float, float]) -> Org:
    now = utcnow()
    return Org(
        name=name,
        type=type_,
        uscc=uscc_with_check(f"91330100MA{n:07d}"),
        status=OrgStatus.approved,
        province=city[0],
        city=city[1],
        address="测试路 1 号",
        latitude=city[2],
        longitude=city[3],
        submitted_at=now,
        reviewed_at=now,
    )


def seed(
    url: str,
    *,
    skus: int,
    suppliers: int,
    buyer_companies: int,
    users_per_company: int,
    password: str,
    seed: int = 1,
) -> Seeded:
    rng = random.Random(seed)
    db = Database(url)
    try:
        with db.transaction() as s:
            bind_system(s, "bench")
            cat = Category(code="BENCH", path="BENCH", name_zh="基准配件", name_en="Bench parts")
            brand = Brand(code="BENCH", name="Bench", kind="aftermarket")
            s.add_all([cat, brand])
            s.flush()
            part_rows = []
            for i in range(skus):
                num = f"BX{i:07d}"
                part_rows.append(
                    {
                        "id": uuid7(),
                        "sku": f"BENCH-{num}",
                        "brand_id": brand.id,
                        "brand_number": num,
                        "brand_number_norm": num,
                        "name_zh": f"基准配件 {i}",
                        "category_id": cat.id,
                        "quality_grade": QualityGrade.aftermarket,
                        "attributes": {},
                        "images": [],
                        "group_id": uuid7(),
                        "created_at": utcnow(),
                        "updated_at": utcnow(),
                    }
                )
            _insert(s, Part, part_rows)
            part_ids = [r["id"] for r in part_rows]
            hot_part = part_ids[0]

            pw = hash_password(password)
            purchaser = iam.builtin_role(s, "purchaser").id
            n = 0
            supplier_orgs = []
            for k in range(suppliers):
                n += 1
                org = _org(f"基准供应商 {k + 1}", OrgType.distributor, n, CITIES[k % len(CITIES)])
                s.add(org)
                supplier_orgs.append(org)
            buyer_orgs = []
            for k in range(buyer_companies):
                n += 1
                org = _org(f"基准汽修厂 {k + 1}", OrgType.repair_shop, n, CITIES[(k + 1) % len(CITIES)])
                s.add(org)
                buyer_orgs.append(org)
            s.flush()
            emails = []
            for b, org in enumerate(buyer_orgs):
                for u in range(users_per_company):
                    email = f"buyer{b}-{u}@bench.autotrade.cn"
                    user = User(org_id=org.id, email=email, name=f"采购 {b}-{u}", password_hash=pw)
                    s.add(user)
                    s.flush()
                    s.add(UserRole(user_id=user.id, role_id=purchaser, org_id=org.id))
                    emails.append(email)

            levels, movements, offers = [], [], []
            hot_levels: list[uuid.UUID] = []
            received: dict[uuid.UUID, int] = {}
            for k, org in enumerate(supplier_orgs):
                whs = []
                for w in range(3):
                    city = CITIES[(k + w) % len(CITIES)]
                    wh = Warehouse(
                        org_id=org.id,
                        code=f"WH{w + 1}",
                        name=f"{city[1]}仓",
                        province=city[0],
                        city=city[1],
                        address="仓储路 8 号",
                        latitude=city[2],
                        longitude=city[3],
                        service_radius_km=300,
                    )
                    s.add(wh)
                    whs.append(wh)
                s.flush()
                for pid in part_ids:
                    offers.append(
                        {
                            "id": uuid7(),
                            "org_id": org.id,
                            "part_id": pid,
                            "list_price_fen": rng.randint(1_000, 200_000),
                            "currency": "CNY",
                            "moq": 1,
                            "pack_size": 1,
                            "lead_time_days": rng.randint(0, 3),
                            "vat_rate_bp": 1300,
                            "status": "active",
                            "created_at": utcnow(),
                            "updated_at": utcnow(),
                        }
                    )
                    for wh in whs:
                        hot = pid == hot_part
                        if hot and k > 0:
                            continue  # one supplier sells the hot SKU, from one warehouse
                        if hot and wh is not whs[0]:
                            continue
                        qty = 0 if hot else rng.randint(5_000, 20_000)
                        level_id = uuid7()
                        levels.append(
                            {
                                "id": level_id,
                                "org_id": org.id,
                                "warehouse_id": wh.id,
                                "part_id": pid,
                                "on_hand": qty,
                                "reserved": 0,
                                "created_at": utcnow(),
                                "updated_at": utcnow(),
                            }
                        )
                        if hot:
                            hot_levels.append(level_id)
                        if qty:
                            movements.append(_movement(org.id, level_id, wh.id, pid, qty, "bench seed"))
                            received[level_id] = qty
            _insert(s, StockLevel, levels)
            _insert(s, StockMovement, movements)
            _insert(s, Offer, offers)
            hot_offer = next(
                o for o in offers if o["part_id"] == hot_part and o["org_id"] == supplier_orgs[0].id
            )
            buyer_city = CITIES[1]
        if url.startswith("postgresql"):
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        return Seeded(
            url=url,
            offer_ids=[str(o["id"]) for o in offers if o["part_id"] != hot_part],
            hot_offer_id=str(hot_offer["id"]),
            hot_part_id=hot_part,
            hot_level_ids=hot_levels,
            ship_to={
                "province": buyer_city[0],
                "city": buyer_city[1],
                "address": "汽修路 9 号",
                "contact": "王师傅",
                "phone": "13800001111",
                "latitude": buyer_city[2],
                "longitude": buyer_city[3],
            },
            buyer_emails=emails,
            received=received,
        )
    finally:
        db.dispose()


def _invariants(c: Any, seeded: Seeded) -> dict[str, int]:
    from autotrade.orders.models import Order, OrderAllocation

    sl, mv, al, od = StockLevel.__table__, StockMovement.__table__, OrderAllocation.__table__, Order.__table__
    # Units held by orders per stock level: allocations not released, less what was shipped.
    held = (
        select(al.c.warehouse_id, al.c.part_id, func.sum(al.c.quantity - al.c.shipped_quantity).label("q"))
        .where(al.c.released.is_(False))
        .group_by(al.c.warehouse_id, al.c.part_id)
        .subquery()
    )
    rows = c.execute(
        select(sl.c.id, sl.c.on_hand, sl.c.reserved, func.coalesce(held.c.q, 0)).select_from(
            sl.outerjoin(held, (held.c.warehouse_id == sl.c.warehouse_id) & (held.c.part_id == sl.c.part_id))
        )
    ).all()
    oversell = sum(1 for _id, on_hand, reserved, _q in rows if reserved > on_hand or on_hand < 0)
    # Lost updates: what left "available" (reserved) must equal what the orders hold, level by level.
    lost = sum(1 for _id, _on_hand, reserved, q in rows if reserved != q)
    sums = {
        r[0]: (r[1], r[2])
        for r in c.execute(
            select(mv.c.stock_level_id, func.sum(mv.c.on_hand_delta), func.sum(mv.c.reserved_delta)).group_by(
                mv.c.stock_level_id
            )
        )
    }
    mismatch = sum(1 for lid, on_hand, reserved, _q in rows if sums.get(lid, (0, 0)) != (on_hand, reserved))
    hot_sold = sum(q for lid, _o, _r, q in rows if lid in seeded.hot_level_ids)
    hot_received = sum(seeded.received.get(lid, 0) for lid in seeded.hot_level_ids)
    orders = int(c.execute(select(func.count()).select_from(od)).scalar_one())
    return {
        "oversell": oversell + (1 if hot_sold > hot_received else 0),
        "lost_updates": lost,
        "movement_mismatch": mismatch,
        "hot_sold": hot_sold,
        "hot_received": hot_received,
        "orders": orders,
    }
