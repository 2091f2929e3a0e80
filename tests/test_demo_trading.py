"""The demo trading data (autotrade.trading_demo): exact contents, idempotent, stock equal to its movements,
and the prices and stock a demo buyer sees; `autotrade demo` twice on the command line, with its demo
orders (autotrade.orders_demo, tests/test_demo_orders.py), after which the books and the stock verify."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from autotrade import demo
from autotrade.catalog.demo import load_demo_catalog
from autotrade.core.db import Database
from autotrade.core.settings import Settings
from autotrade.core.tenancy import bind_system
from autotrade.core.validators import uscc_with_check
from autotrade.inventory import service as inventory
from autotrade.inventory.models import (
    Alliance,
    AllianceMember,
    MemberStatus,
    StockLevel,
    StockMovement,
    Warehouse,
)
from autotrade.inventory.repository import StockRepository
from autotrade.ledger.models import JournalEntry
from autotrade.orders.models import Order
from autotrade.orgs.repository import OrgRepository
from autotrade.payments.models import Payment
from autotrade.pricing.models import CustomerGroup, CustomerGroupMember, Offer, OfferTier, PricePolicy
from autotrade.pricing.service import QuoteRequest, quote_many
from autotrade.trading_demo import load_trading_demo
from tests.helpers import count, table_counts
from tests.ops.procs import app_env, run_cli

COUNTS = {
    "warehouses": 8,
    "stock_levels": 106,
    "offers": 65,
    "offer_tiers": 12,
    "customer_groups": 2,
    "group_members": 3,
    "price_policies": 5,
    "alliances": 1,
    "alliance_members": 2,
}
TRADING_LINE = (
    "Demo trading data: warehouses 8, stock levels 106, offers 65, offer tiers 12, customer groups 2, "
    "group members 3, price policies 5, alliances 1, alliance members 2"
)
ORDERS_LINE = (
    "Demo orders: 9 (pending payment 2, paid 1, confirmed 1, shipped 1, delivered 1, completed 2, "
    "cancelled 1)"
)


def _load_trading(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        bind_system(s, "demo")
        return load_trading_demo(s)


def _orgs(db: Database) -> dict[str, uuid.UUID]:
    with db.transaction() as s:
        bind_system(s, "test")
        out = {}
        for c in demo.COMPANIES:
            org = OrgRepository(s).by_uscc_any_tenant(uscc_with_check(c.uscc17))
            assert org is not None
            out[c.key] = org.id
        return out


def test_trading_demo_loads_exactly_and_idempotently(db: Database) -> None:
    with db.transaction() as s:
        bind_system(s, "demo")
        demo.load(s)
    load_demo_catalog(db)

    assert _load_trading(db) == COUNTS
    tables = {
        Warehouse: 8,
        StockLevel: 106,
        StockMovement: 112,  # 106 receipts + 6 stock counts of sold-out shelves
        Offer: 65,
        OfferTier: 12,
        CustomerGroup: 2,
        CustomerGroupMember: 3,
        PricePolicy: 5,
        Alliance: 1,
        AllianceMember: 2,
    }
    assert {m.__tablename__: count(db, m) for m in tables} == {m.__tablename__: n for m, n in tables.items()}

    before = table_counts(db)
    assert _load_trading(db) == COUNTS
    assert table_counts(db) == before  # nothing at all changed, audit log included

    orgs = _orgs(db)
    with db.transaction() as s:
        bind_system(s, "test")
        # Stock equals the sum of its movements, level by level and in total.
        assert StockRepository(s).mismatches() == []
        on_hand = s.scalar(select(func.sum(StockLevel.on_hand)))
        moved = s.scalar(select(func.sum(StockMovement.on_hand_delta)))
        assert on_hand == moved == 15_291
        sold_out = s.scalar(select(func.count()).where(StockLevel.on_hand == 0))
        thresholds = s.scalar(select(func.count()).where(StockLevel.low_stock_threshold.is_not(None)))
        low = list(s.scalars(StockRepository(s).listing(low_only=True)))
        assert (sold_out, thresholds, len(low)) == (6, 23, 10)

        # The Toyota rear pad: the nearby dealer is sold out, the distributor has it in Nanjing only.
        parts = StockRepository(s).parts_by_sku(
            ["TOYOTA-0446633200", "BOSCH-0986494614", "MANNFILTER-W71295"]
        )
        rear = inventory.availability(s, [parts["TOYOTA-0446633200"]])
        assert [(a.org_id, a.city, a.available) for a in rear] == [(orgs["distributor"], "南京市", 24)]

        # Quotes for the demo repair shop explain the rule: its VIP group, a tier under it, the promotion.
        offers = {(o.org_id, o.part_id): o.id for o in s.scalars(select(Offer))}
        vip = s.scalars(select(PricePolicy).where(PricePolicy.name == "VIP 修理厂会员价")).one()
        pads = offers[(orgs["distributor"], parts["BOSCH-0986494614"])]
        oil = offers[(orgs["distributor"], parts["MANNFILTER-W71295"])]
        quotes = quote_many(
            s,
            buyer_org_id=orgs["repair"],
            requests=[QuoteRequest(pads, 1), QuoteRequest(pads, 10), QuoteRequest(oil, 1)],
        )
        assert [(q.unit_price_fen, q.vat_fen, q.rule, q.rule_id) for q in quotes] == [
            (27_416, 3_564, "policy 'VIP 修理厂会员价' −8% (priority 10)", vip.id),
            (25_760, 33_488, "policy 'VIP 修理厂会员价' −8% (priority 10)", vip.id),
            (3_570, 464, "policy '滤清器限时促销' −15% (priority 20)", quotes[2].rule_id),
        ]
        # The fleet in Shenzhen is in no group: list price.
        fleet = quote_many(s, buyer_org_id=orgs["fleet"], requests=[QuoteRequest(pads, 1)])
        assert (fleet[0].unit_price_fen, fleet[0].rule, fleet[0].rule_id) == (29_800, "list price", None)

        # The alliance: the distributor owns it, the dealer is an active member.
        alliance = s.scalars(select(Alliance)).one()
        members = s.execute(select(AllianceMember.org_id, AllianceMember.status)).all()
        assert (alliance.name, alliance.org_id) == ("长三角汽配库存联盟", orgs["distributor"])
        assert sorted(members) == sorted(
            [(orgs["distributor"], MemberStatus.active), (orgs["dealer"], MemberStatus.active)]
        )


def test_demo_command_twice_loads_the_trading_data_and_the_orders_once(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    env = app_env(settings)

    def cli(*args: str) -> Any:
        return run_cli(list(args), env, tmp_path)

    first = cli("demo")
    assert first.returncode == 0, first.stderr
    assert first.stdout.endswith(TRADING_LINE + "\n" + ORDERS_LINE + "\n"), first.stdout
    assert first.stderr == ""  # no demo checkout refused
    # 112 movements of the trading data + the demo orders' 13 reservations, 7 shipments and 1 release
    levels = count(db, StockLevel), count(db, StockMovement), count(db, Offer), count(db, PricePolicy)
    assert levels == (106, 133, 65, 5)
    orders = count(db, Order), count(db, Payment), count(db, JournalEntry)
    assert orders == (9, 8, 10)

    second = cli("demo")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert (
        count(db, StockLevel),
        count(db, StockMovement),
        count(db, Offer),
        count(db, PricePolicy),
    ) == levels
    assert (count(db, Order), count(db, Payment), count(db, JournalEntry)) == orders

    # The books and the stock the demo orders moved verify, as `make run` leaves them.
    verify = cli("stock", "verify")
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout == "ok: 106 stock levels equal the sums of their movements\n"
    books = cli("ledger", "verify")
    assert books.returncode == 0, books.stdout + books.stderr
    assert books.stdout.startswith("ok: 10 journal entries balance"), books.stdout
    reconciled = cli("settlement", "reconcile")
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert reconciled.stdout == "ok: 8 orders, 8 payments and 10 entries agree\n"
