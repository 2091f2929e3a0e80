"""Demo trading data for `autotrade demo`: warehouses, stock, offers, customer groups, price policies and an
alliance of the demo suppliers, so that search, price comparison, quotes and checkout show a marketplace.

Runs after the demo companies (:mod:`autotrade.demo`) and the demo catalogue (:mod:`autotrade.catalog.demo`)
and writes only through the domain services (``inventory.service``, ``inventory.alliances``,
``pricing.supplier``), each supplier's writes in that supplier's tenant scope. Stock arrives by receipts
(and a stock count for a sold-out shelf), so every level equals the sum of its movements.

Idempotent: what exists (a warehouse code, a stock level, an offer for the part, a group, a policy or an
alliance of that name) is left as it is, so a second run changes nothing — and never undoes what a demo
user changed. Deterministic: no randomness; the one time-dependent row is the promotion, whose window is
placed around the day of the first load so that it is running when the demo is shown.

The story it tells (the buyer is the demo repair shop 杭州快修, 拱墅区, Hangzhou):

* 杭州之江 (dealer, under 5 km away) sells genuine VW and Toyota parts from two Hangzhou warehouses, but its
  Toyota rear pads are sold out: the comparison shows it without stock and 江苏通达 with stock.
* 江苏通达 (distributor, Nanjing) sells the aftermarket brands from Nanjing, Suzhou and a Hangzhou
  front warehouse; some Hangzhou shelves are short (TRW GDB3426: 6 in Hangzhou, 80 in Nanjing), so an
  order of 10 is split across two warehouses. Its group "VIP 修理厂" (the repair shop) gets 8 % off, and
  a time-limited filter promotion takes 15 % off every filter.
* 华域精工 (manufacturer, Suzhou) sells factory-direct with MOQs, pack sizes, volume tiers and longer
  lead times; 5 % off for buyers in 江苏省 and 12 % off for its contracted dealers.
* 江苏通达 runs the alliance "长三角汽配库存联盟"; 杭州之江 is an active member and sees its stock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from autotrade.catalog.numbers import normalise_number, sku_code
from autotrade.catalog.repository import CategoryRepository
from autotrade.core.db import utcnow
from autotrade.core.tenancy import SCOPE_KEY, Principal
from autotrade.core.validators import uscc_with_check
from autotrade.demo import COMPANIES, DemoCompany, email_for
from autotrade.iam.repository import UserRepository
from autotrade.inventory import alliances
from autotrade.inventory import service as inventory
from autotrade.inventory.alliance_repository import AllianceRepository
from autotrade.inventory.models import MemberStatus, Warehouse
from autotrade.inventory.repository import StockRepository, WarehouseRepository
from autotrade.inventory.schemas import AllianceIn, WarehouseIn
from autotrade.orgs.models import Org
from autotrade.orgs.repository import OrgRepository
from autotrade.pricing import supplier as pricing
from autotrade.pricing.models import Channel, PolicyEffect, PolicyScope
from autotrade.pricing.repository import CustomerGroupRepository, OfferRepository, PricePolicyRepository
from autotrade.pricing.schemas import GroupIn, OfferIn, PolicyIn, TierIn

RECEIPT_REASON = "期初库存（演示数据）"
COUNT_REASON = "盘点：货架已售空（演示数据）"
SOLD_OUT_RECEIPT = 10  # a sold-out shelf: this many received, then counted to zero


@dataclass(frozen=True)
class DemoWarehouse:
    code: str
    name: str
    province: str
    city: str
    address: str
    latitude: float
    longitude: float
    service_radius_km: int


@dataclass(frozen=True)
class Shelf:
    """Stock of one part in one warehouse; quantity 0 = sold out (received, then counted to zero)."""

    warehouse: str
    quantity: int
    low: int | None = None  # low-stock threshold


@dataclass(frozen=True)
class DemoOffer:
    brand: str  # brand code of the demo catalogue
    number: str  # the brand's number as printed
    list_price_fen: int
    stock: tuple[Shelf, ...]
    moq: int = 1
    pack_size: int = 1
    lead_time_days: int = 1
    tiers: tuple[tuple[int, int], ...] = ()  # (min_quantity, unit_price_fen)

    @property
    def sku(self) -> str:
        return sku_code(self.brand, normalise_number(self.number))


@dataclass(frozen=True)
class DemoSupplier:
    key: str  # the demo company's key (autotrade.demo.COMPANIES)
    warehouses: tuple[DemoWarehouse, ...]
    offers: tuple[DemoOffer, ...]


@dataclass(frozen=True)
class DemoGroup:
    supplier: str
    name: str
    description: str
    members: tuple[str, ...]  # demo company keys


@dataclass(frozen=True)
class DemoPolicy:
    supplier: str
    name: str
    priority: int
    discount_bp: int
    group: str | None = None
    province: str | None = None
    channel: Channel | None = None
    category: str | None = None  # category code; None = all the supplier's offers
    window_days: tuple[int, int] | None = None  # (from, until) in days around the first load


def sell(brand: str, number: str, list_price_fen: int, stock: str, **terms: Any) -> DemoOffer:
    """An offer of the part ``brand`` + ``number``; ``stock`` lists ``warehouse=quantity[/threshold]``
    separated by spaces (``"NJ-01=120 HZ-01=6/8"``: 120 in NJ-01; 6 in HZ-01, low-stock threshold 8)."""
    shelves = []
    for item in stock.split():
        code, _, amount = item.partition("=")
        quantity, _, low = amount.partition("/")
        shelves.append(Shelf(code, int(quantity), int(low) if low else None))
    return DemoOffer(brand, number, list_price_fen, tuple(shelves), **terms)


DEALER = DemoSupplier(
    "dealer",
    (
        DemoWarehouse(
            "HZ-01", "之江西湖配件库", "浙江省", "杭州市", "西湖区文三路478号", 30.2790, 120.1300, 60
        ),
        DemoWarehouse(
            "HZ-02", "之江临平中转库", "浙江省", "杭州市", "临平区南苑街道世纪大道", 30.4190, 120.2990, 80
        ),
    ),
    (
        sell("TOYOTA", "04465-33471", 45_000, "HZ-01=8/5 HZ-02=12"),
        sell("TOYOTA", "04466-33200", 32_000, "HZ-01=0/4 HZ-02=0"),
        sell("TOYOTA", "43512-06190", 62_000, "HZ-01=4/4 HZ-02=6"),
        sell("TOYOTA", "90915-YZZN1", 4_500, "HZ-01=60/20 HZ-02=120"),
        sell("TOYOTA", "90919-01289", 11_000, "HZ-01=32/16 HZ-02=48", pack_size=4),
        sell("TOYOTA", "87139-33010", 13_000, "HZ-01=18"),
        sell("TOYOTA", "28800-0T250", 118_000, "HZ-02=5/2"),
        sell("VOLKSWAGEN", "5Q0 698 151 A", 42_000, "HZ-01=10 HZ-02=12"),
        sell("VOLKSWAGEN", "5Q0 615 301 F", 56_000, "HZ-02=8"),
        sell("VOLKSWAGEN", "04E 115 561 H", 6_800, "HZ-01=40/15 HZ-02=0/15"),
        sell("VOLKSWAGEN", "04E 905 612 C", 9_500, "HZ-01=24", pack_size=4),
        sell("VOLKSWAGEN", "5Q0 819 653", 15_000, "HZ-01=3/5"),
        sell("VOLKSWAGEN", "3Q0 698 151 L", 48_000, "HZ-01=6"),
        sell("VOLKSWAGEN", "06L 115 562 B", 7_800, "HZ-01=30"),
    ),
)

DISTRIBUTOR = DemoSupplier(
    "distributor",
    (
        DemoWarehouse(
            "NJ-01", "通达江宁总仓", "江苏省", "南京市", "江宁区秣陵街道将军大道88号", 31.9365, 118.8101, 300
        ),
        DemoWarehouse(
            "SZ-01", "通达相城分仓", "江苏省", "苏州市", "相城区黄埭镇春申湖西路", 31.3690, 120.6420, 150
        ),
        DemoWarehouse(
            "HZ-01", "通达萧山前置仓", "浙江省", "杭州市", "萧山区宁围街道市心北路", 30.1840, 120.2650, 80
        ),
    ),
    (
        sell(
            "BOSCH",
            "0 986 494 614",
            29_800,
            "NJ-01=120 SZ-01=40 HZ-01=12/10",
            tiers=((10, 28_000), (50, 26_500)),
        ),
        sell("TRW", "GDB3426", 25_800, "NJ-01=80 HZ-01=6/8", tiers=((10, 24_500),)),
        sell("BREMBO", "P 83 117", 36_800, "NJ-01=30 SZ-01=10"),
        sell("TOYOTA", "04466-33200", 30_500, "NJ-01=24 HZ-01=0/4", lead_time_days=2),
        sell("TRW", "GDB3427", 18_800, "NJ-01=60 HZ-01=20"),
        sell("BOSCH", "0 986 494 615", 21_500, "NJ-01=50"),
        sell("BOSCH", "0 986 494 720", 26_800, "NJ-01=100 SZ-01=30 HZ-01=15"),
        sell("TRW", "GDB1901", 23_800, "NJ-01=70 HZ-01=0/6"),
        sell("BREMBO", "09.C421.11", 46_800, "NJ-01=16 SZ-01=8", pack_size=2),
        sell(
            "MANNFILTER",
            "W 712/95",
            4_200,
            "NJ-01=400 SZ-01=150 HZ-01=80/30",
            tiers=((20, 3_900), (100, 3_600)),
        ),
        sell("MAHLE", "OC 593/4", 3_500, "NJ-01=300"),
        sell("BOSCH", "0 451 103 371", 2_800, "NJ-01=200 HZ-01=60"),
        sell("MANNFILTER", "W 68/3", 3_800, "NJ-01=350 HZ-01=90", tiers=((20, 3_500),)),
        sell("DENSO", "DXE1010", 3_200, "NJ-01=180"),
        sell("MANNFILTER", "HU 6020 z", 5_500, "NJ-01=120"),
        sell("MAHLE", "OX 1220D", 4_800, "NJ-01=90"),
        sell("MANNFILTER", "C 27 009", 7_800, "NJ-01=150 HZ-01=40"),
        sell("MAHLE", "LX 3778", 6_500, "NJ-01=100"),
        sell("MANNFILTER", "CUK 26 009", 11_800, "NJ-01=80 HZ-01=25"),
        sell("BOSCH", "1 987 432 400", 8_500, "NJ-01=110"),
        sell("NGK", "PFR6T-10G", 8_800, "NJ-01=400 HZ-01=96/32", pack_size=4),
        sell("DENSO", "FC16HR-Q8", 9_200, "NJ-01=320 HZ-01=64", pack_size=4),
        sell("NGK", "ILKAR7B11", 7_800, "NJ-01=240 HZ-01=48", pack_size=4),
        sell("BOSCH", "3 397 007 580", 16_800, "NJ-01=60"),
        sell("VALEO", "574670", 12_800, "NJ-01=45"),
        sell("VARTA", "560 901 054", 88_000, "NJ-01=20/5 SZ-01=4/5", lead_time_days=2),
        sell("CAMEL", "6-QW-60", 56_000, "NJ-01=30 HZ-01=8"),
        sell("BOSCH", "0 986 4B1 003", 27_800, "NJ-01=60 HZ-01=10"),
        sell("MANNFILTER", "CUK 24 021", 9_800, "NJ-01=70"),
        sell("BREMBO", "P 85 171", 42_000, "NJ-01=12/5 HZ-01=2/5"),
        sell("MANNFILTER", "FP 26 045-2", 16_800, "NJ-01=40"),
        sell("RECYCLE", "DM-5Q0413031", 26_000, "NJ-01=2", lead_time_days=2),
    ),
)

MAKER = DemoSupplier(
    "maker",
    (
        DemoWarehouse(
            "SZ-01", "华域苏州园区成品库", "江苏省", "苏州市", "工业园区星湖街328号", 31.3190, 120.7230, 1000
        ),
        DemoWarehouse(
            "SH-01", "华域上海嘉定配送中心", "上海市", "上海市", "嘉定区嘉定新城", 31.3755, 121.2650, 300
        ),
        DemoWarehouse(
            "HF-01", "华域合肥经开区分仓", "安徽省", "合肥市", "经济技术开发区", 31.7800, 117.2100, 400
        ),
    ),
    (
        sell(
            "ATE",
            "13.0460-2823.2",
            24_000,
            "SZ-01=600 SH-01=200 HF-01=120",
            moq=10,
            lead_time_days=3,
            tiers=((50, 22_000), (200, 20_500)),
        ),
        sell(
            "ATE",
            "24.0125-0200.1",
            38_000,
            "SZ-01=160 SH-01=40",
            moq=4,
            pack_size=2,
            lead_time_days=3,
            tiers=((20, 35_000),),
        ),
        sell(
            "BOSCH",
            "0 986 494 721",
            28_000,
            "SZ-01=300 SH-01=80 HF-01=0/20",
            moq=10,
            lead_time_days=3,
            tiers=((50, 26_000),),
        ),
        sell("TRW", "GDB2003", 24_800, "SZ-01=200", moq=10, lead_time_days=3),
        sell("BREMBO", "09.D386.11", 52_000, "SZ-01=60 SH-01=20", moq=2, pack_size=2, lead_time_days=3),
        sell(
            "MANNFILTER",
            "W 712/94",
            3_600,
            "SZ-01=2000 HF-01=500",
            moq=20,
            pack_size=10,
            lead_time_days=3,
            tiers=((100, 3_300), (500, 3_000)),
        ),
        sell("MAHLE", "OC 1593", 3_200, "SZ-01=1500", moq=20, pack_size=10, lead_time_days=3),
        sell("MANNFILTER", "W 712/48", 3_900, "SZ-01=1200 HF-01=300", moq=20, pack_size=10, lead_time_days=3),
        sell("MAHLE", "OC 1448", 3_400, "SZ-01=800", moq=20, pack_size=10, lead_time_days=3),
        sell("BOSCH", "0 986 4G1 018", 22_800, "SZ-01=240 HF-01=60", moq=10, lead_time_days=3),
        sell("TRW", "GDB8063", 19_800, "SZ-01=180", moq=10, lead_time_days=3),
        sell("BOSCH", "0 986 4H6 110", 23_800, "SZ-01=200", moq=10, lead_time_days=3),
        sell("TRW", "GDB8110", 20_800, "SZ-01=150 HF-01=40", moq=10, lead_time_days=3),
        sell("SACHS", "317 582", 78_000, "SZ-01=24/10 SH-01=6/4", moq=2, lead_time_days=5),
        sell("VALEO", "506974", 62_000, "SZ-01=30", lead_time_days=5),
        sell("CONTINENTAL", "CT1028", 26_000, "SZ-01=80", moq=5, lead_time_days=3),
        sell("RECYCLE", "RM-27060-0V010", 135_000, "SZ-01=8/3", lead_time_days=10),
        sell("MAHLE", "LX 4751", 5_800, "SZ-01=600", moq=20, pack_size=10, lead_time_days=3),
        sell("MANNFILTER", "C 26 075", 6_200, "SZ-01=400", moq=20, pack_size=10, lead_time_days=3),
    ),
)

SUPPLIERS: tuple[DemoSupplier, ...] = (MAKER, DISTRIBUTOR, DEALER)

GROUPS: tuple[DemoGroup, ...] = (
    DemoGroup("distributor", "VIP 修理厂", "年采购额 50 万元以上的连锁修理厂", ("repair",)),
    DemoGroup("maker", "签约经销商", "与华域精工签订年度经销协议的经销商", ("distributor", "dealer")),
)

POLICIES: tuple[DemoPolicy, ...] = (
    DemoPolicy("distributor", "VIP 修理厂会员价", 10, 800, group="VIP 修理厂"),
    DemoPolicy("distributor", "滤清器限时促销", 20, 1_500, category="FILTER", window_days=(-7, 30)),
    DemoPolicy("maker", "江苏省内客户批发价", 5, 500, province="江苏省"),
    DemoPolicy("maker", "签约经销商协议价", 10, 1_200, group="签约经销商"),
    DemoPolicy("dealer", "API 下单优惠", 1, 200, channel=Channel.api),
)

ALLIANCE_OWNER = "distributor"
ALLIANCE_NAME = "长三角汽配库存联盟"
ALLIANCE_DESCRIPTION = "江苏通达与杭州之江共享库存、互相调拨（演示数据）"
ALLIANCE_MEMBERS = ("dealer",)


# ---- loading -----------------------------------------------------------------------------------------


def _companies(session: Session) -> dict[str, Org]:
    orgs = OrgRepository(session)
    out: dict[str, Org] = {}
    for c in COMPANIES:
        org = orgs.by_uscc_any_tenant(uscc_with_check(c.uscc17))
        if org is None:
            raise RuntimeError(f"demo company {c.name} is missing: load autotrade.demo first")
        out[c.key] = org
    return out


def _acting_as(session: Session, company: DemoCompany, org: Org) -> Principal:
    owner = UserRepository(session).by_email_any_tenant(email_for(company, company.users[0][0]))
    return Principal(
        org_id=org.id,
        org_type=org.type.value,
        org_status=org.status.value,
        scope=frozenset({org.id}),
        permissions=frozenset(),
        user_id=owner.id if owner is not None else None,
    )


@contextmanager
def _scope(session: Session, p: Principal) -> Iterator[Principal]:
    """Run the block in this company's tenant scope (the actor stays the session's label, "demo")."""
    previous = session.info.get(SCOPE_KEY)
    session.info[SCOPE_KEY] = p.scope
    try:
        yield p
    finally:
        session.info[SCOPE_KEY] = previous


def _parts(session: Session) -> dict[str, uuid.UUID]:
    skus = [o.sku for s in SUPPLIERS for o in s.offers]
    found = StockRepository(session).parts_by_sku(skus)
    missing = sorted(set(skus) - set(found))
    if missing:
        raise RuntimeError(
            f"demo catalogue parts missing ({', '.join(missing)}): load the demo catalogue first"
        )
    return found


def _warehouses(session: Session, org_id: uuid.UUID, defs: Sequence[DemoWarehouse]) -> dict[str, Warehouse]:
    repo = WarehouseRepository(session)
    out: dict[str, Warehouse] = {}
    for d in defs:
        wh = repo.by_code(d.code, org_id=org_id)
        if wh is None:
            wh = inventory.create_warehouse(
                session,
                org_id,
                WarehouseIn(
                    code=d.code,
                    name=d.name,
                    province=d.province,
                    city=d.city,
                    address=d.address,
                    latitude=d.latitude,
                    longitude=d.longitude,
                    service_radius_km=d.service_radius_km,
                ),
            )
        out[d.code] = wh
    return out


def _stock(
    session: Session, warehouses: dict[str, Warehouse], part_id: uuid.UUID, shelves: Sequence[Shelf]
) -> None:
    repo = StockRepository(session)
    for shelf in shelves:
        wh = warehouses[shelf.warehouse]
        if repo.get_level(wh.id, part_id) is not None:
            continue
        level = inventory.receive(
            session,
            wh.id,
            part_id,
            shelf.quantity or SOLD_OUT_RECEIPT,
            reason=RECEIPT_REASON,
            reference_type="demo",
        )
        if shelf.quantity == 0:
            level = inventory.adjust(
                session, wh.id, part_id, reason=COUNT_REASON, on_hand=0, reference_type="demo"
            )
        if shelf.low is not None:
            inventory.set_threshold(session, level.id, shelf.low)


def _offer(session: Session, p: Principal, part_id: uuid.UUID, d: DemoOffer) -> None:
    if OfferRepository(session).by_part(part_id) is not None:
        return
    pricing.create_offer(
        session,
        p,
        OfferIn(
            part_id=part_id,
            list_price_fen=d.list_price_fen,
            moq=d.moq,
            pack_size=d.pack_size,
            lead_time_days=d.lead_time_days,
            tiers=[TierIn(min_quantity=q, unit_price_fen=f) for q, f in d.tiers],
        ),
    )


def _group(session: Session, p: Principal, g: DemoGroup, orgs: dict[str, Org]) -> None:
    repo = CustomerGroupRepository(session)
    group = repo.by_name(g.name) or pricing.create_group(
        session, p, GroupIn(name=g.name, description=g.description)
    )
    for key in g.members:
        if repo.member(group.id, orgs[key].id) is None:
            pricing.add_member(session, group.id, orgs[key].id)


def _policy(session: Session, p: Principal, d: DemoPolicy, today: datetime) -> None:
    existing = session.scalars(PricePolicyRepository(session).listing(offer_id=None, active=None))
    if any(policy.name == d.name for policy in existing):
        return
    values: dict[str, Any] = {
        "name": d.name,
        "priority": d.priority,
        "effect": PolicyEffect.discount,
        "discount_bp": d.discount_bp,
        "province": d.province,
        "channel": d.channel,
    }
    if d.group is not None:
        group = CustomerGroupRepository(session).by_name(d.group)
        assert group is not None, d.group  # GROUPS are loaded first
        values["customer_group_id"] = group.id
    if d.category is not None:
        category = CategoryRepository(session).by_code(d.category)
        if category is None:
            raise RuntimeError(f"demo catalogue category {d.category} is missing")
        values |= {"scope": PolicyScope.category, "category_id": category.id}
    if d.window_days is not None:
        start, end = d.window_days
        values |= {"valid_from": today + timedelta(days=start), "valid_until": today + timedelta(days=end)}
    pricing.create_policy(session, p, PolicyIn(**values))


def _alliance(session: Session, owner: Principal, members: Sequence[Principal]) -> None:
    repo = AllianceRepository(session)
    with _scope(session, owner):
        alliance = next(
            (a for a in session.scalars(repo.mine(owner.scope)) if a.name == ALLIANCE_NAME), None
        ) or alliances.create(
            session, owner, AllianceIn(name=ALLIANCE_NAME, description=ALLIANCE_DESCRIPTION)
        )
        for m in members:
            if repo.membership_of(alliance.id, m.org_id) is None:
                alliances.invite(session, owner, alliance.id, m.org_id)
    for m in members:
        with _scope(session, m):
            me = repo.my_membership(alliance.id, m.scope)
            if me is not None and me.status == MemberStatus.invited:
                alliances.respond(session, m, alliance.id, accept=True)


def load_trading_demo(session: Session) -> dict[str, int]:
    """Create what is missing of the demo's trading data; return how many of each the demo defines (the
    same numbers on every run). Needs the demo companies and the demo catalogue; flushes, never commits."""
    orgs = _companies(session)
    company = {c.key: c for c in COMPANIES}
    keys = {s.key for s in SUPPLIERS}
    acting = {key: _acting_as(session, company[key], orgs[key]) for key in sorted(keys)}
    parts = _parts(session)
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)

    for s in SUPPLIERS:
        with _scope(session, acting[s.key]) as p:
            warehouses = _warehouses(session, p.org_id, s.warehouses)
            for o in s.offers:
                _stock(session, warehouses, parts[o.sku], o.stock)
                _offer(session, p, parts[o.sku], o)
    for g in GROUPS:
        with _scope(session, acting[g.supplier]) as p:
            _group(session, p, g, orgs)
    for d in POLICIES:
        with _scope(session, acting[d.supplier]) as p:
            _policy(session, p, d, today)
    _alliance(session, acting[ALLIANCE_OWNER], [acting[k] for k in ALLIANCE_MEMBERS])
    session.flush()

    offers = [o for s in SUPPLIERS for o in s.offers]
    return {
        "warehouses": sum(len(s.warehouses) for s in SUPPLIERS),
        "stock_levels": sum(len(o.stock) for o in offers),
        "offers": len(offers),
        "offer_tiers": sum(len(o.tiers) for o in offers),
        "customer_groups": len(GROUPS),
        "group_members": sum(len(g.members) for g in GROUPS),
        "price_policies": len(POLICIES),
        "alliances": 1,
        "alliance_members": 1 + len(ALLIANCE_MEMBERS),
    }
