"""The demo order history (autotrade.orders_demo): every order in the state its story ends in, the money,
stock and events that the real services wrote for it, the figures the pages show, idempotent, and a
checkout the services refuse on a later run rolled back alone. The CLI run (`autotrade demo` twice, then
`ledger verify`, `settlement reconcile`, `stock verify`) is in tests/test_demo_trading.py."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from autotrade import demo
from autotrade.catalog.demo import load_demo_catalog
from autotrade.core.db import Database
from autotrade.core.settings import Settings
from autotrade.core.tenancy import SCOPE_KEY, Principal, bind_system
from autotrade.core.validators import uscc_with_check
from autotrade.credit import service as credit
from autotrade.escrow.models import EscrowRefund, EscrowRelease
from autotrade.events.models import OutboxEvent
from autotrade.iam import service as iam
from autotrade.iam.repository import UserRepository
from autotrade.inventory import service as inventory
from autotrade.inventory.models import StockMovement, Warehouse
from autotrade.inventory.repository import StockRepository
from autotrade.ledger import service as ledger
from autotrade.ledger.models import LedgerAccount, Purpose
from autotrade.orders import service as orders
from autotrade.orders.models import Order, OrderEvent, OrderStatus, Shipment
from autotrade.orders_demo import CHECKOUTS, NOTE_SUFFIX, load_demo_orders
from autotrade.orgs.repository import OrgRepository
from autotrade.payments.models import Payment, PaymentStatus, ProviderName
from autotrade.reports import service as reports
from autotrade.settlement.reconciliation import reconcile
from autotrade.trading_demo import load_trading_demo
from tests.helpers import table_counts
from tests.money_flows import stock_problems

OS = OrderStatus
# (buyer, supplier, note without the suffix) → (status, gross fen, how it was paid, payment status)
EXPECTED = {
    ("repair", "distributor", "凯美瑞保养备货：机滤和后刹车片，请一次发齐"): (
        OS.completed,
        145_413,
        ProviderName.bank_transfer,
        PaymentStatus.succeeded,
    ),
    ("repair-binjiang", "dealer", "滨江店凯美瑞保养件：原厂机滤和火花塞"): (
        OS.completed,
        110_740,
        ProviderName.gateway,
        PaymentStatus.succeeded,
    ),
    ("fleet", "maker", "车队季度保养：朗逸前刹车片、帝豪机滤，送平湖维修车间"): (
        OS.shipped,
        705_120,
        ProviderName.bank_transfer,
        PaymentStatus.succeeded,
    ),
    ("repair", "distributor", "两台速腾维修：一台用原厂刹车片，一台用博世"): (
        OS.paid,
        134_113,
        ProviderName.gateway,
        PaymentStatus.succeeded,
    ),
    ("repair", "dealer", "两台速腾维修：一台用原厂刹车片，一台用博世"): (
        OS.confirmed,
        94_920,
        ProviderName.gateway,
        PaymentStatus.succeeded,
    ),
    ("repair", "distributor", "朗逸火花塞常备库存，银行转账付款"): (
        OS.pending_payment,
        73_188,
        ProviderName.bank_transfer,
        PaymentStatus.pending,
    ),
    ("repair-binjiang", "maker", "帝豪机滤整箱采购，厂家直供"): (OS.pending_payment, 72_320, None, None),
    ("repair", "dealer", "凯美瑞空调滤芯，车主在店等候"): (
        OS.delivered,
        29_380,
        ProviderName.gateway,
        PaymentStatus.succeeded,
    ),
    ("repair", "distributor", "事故车（凯美瑞）维修用前刹车片"): (
        OS.cancelled,
        76_515,
        ProviderName.gateway,
        PaymentStatus.refunded,
    ),
}
# The timeline of each final status, as the services wrote it.
TIMELINES = {
    OS.pending_payment: ["place"],
    OS.paid: ["place", "mark_paid"],
    OS.confirmed: ["place", "mark_paid", "confirm"],
    OS.shipped: ["place", "mark_paid", "confirm", "ship"],
    OS.delivered: ["place", "mark_paid", "confirm", "ship", "deliver"],
    OS.completed: ["place", "mark_paid", "confirm", "ship", "deliver", "receive", "complete"],
    OS.cancelled: ["place", "mark_paid", "cancel"],
}
SUMMARY = "9 (pending payment 2, paid 1, confirmed 1, shipped 1, delivered 1, completed 2, cancelled 1)"


def _load_marketplace(db: Database) -> None:
    with db.transaction() as s:
        bind_system(s, "demo")
        demo.load(s)
    load_demo_catalog(db)
    with db.transaction() as s:
        bind_system(s, "demo")
        load_trading_demo(s)


def _load_orders(db: Database, settings: Settings) -> tuple[int, list[str], str]:
    with db.transaction() as s:
        bind_system(s, "demo")
        result = load_demo_orders(s, settings)
        return result.placed, result.skipped, result.summary()


def _keys(s: Session) -> dict[uuid.UUID, str]:
    out = {}
    for c in demo.COMPANIES:
        org = OrgRepository(s).by_uscc_any_tenant(uscc_with_check(c.uscc17))
        assert org is not None
        out[org.id] = c.key
    return out


def _principal(s: Session, company: str, user: str) -> Principal:
    found = UserRepository(s).by_email_any_tenant(
        demo.email_for({c.key: c for c in demo.COMPANIES}[company], user)
    )
    assert found is not None
    return iam.principal_for_user(s, found)


def _books_problems(s: Session) -> list[str]:
    problems = [f"ledger: {p}" for p in ledger.verify(s)]
    problems += [f"credit: {p}" for p in credit.verify(s)]
    problems += [f"reconciliation: {d.kind}: {d.detail}" for d in reconcile(s).differences]
    problems += [f"stock level {m}" for m in StockRepository(s).mismatches()]
    return problems + stock_problems(s)


def test_demo_orders_are_placed_through_the_services_in_their_states(
    db: Database, settings: Settings
) -> None:
    _load_marketplace(db)
    movements_before = table_counts(db)["stock_movements"]

    assert _load_orders(db, settings) == (9, [], SUMMARY)
    assert len(CHECKOUTS) == 8 and all(c.note.endswith(NOTE_SUFFIX) for c in CHECKOUTS)

    with db.transaction() as s:
        bind_system(s, "test")
        key = _keys(s)
        placed = list(s.scalars(select(Order).order_by(Order.placed_at, Order.id)))
        payments = {p.order_id: p for p in s.scalars(select(Payment))}
        got = {
            (key[o.org_id], key[o.supplier_org_id], (o.buyer_note or "").removesuffix(NOTE_SUFFIX)): (
                o.status,
                o.gross_fen,
                payments[o.id].provider if o.id in payments else None,
                payments[o.id].status if o.id in payments else None,
            )
            for o in placed
        }
        assert got == EXPECTED
        assert len(s.scalars(select(Payment)).all()) == 8  # one each, none for the unpaid maker order
        by_id = {o.id: o for o in placed}
        # The split checkout: one checkout, one order per supplier.
        split = [o for o in placed if o.buyer_note and o.buyer_note.startswith("两台速腾")]
        assert len(split) == 2 and split[0].checkout_id == split[1].checkout_id
        assert len({o.checkout_id for o in placed}) == 8

        # Each order's timeline is the path of the real state machine, and every change was announced.
        for o in placed:
            actions = list(
                s.scalars(
                    select(OrderEvent.action)
                    .where(OrderEvent.order_id == o.id)
                    .order_by(OrderEvent.at, OrderEvent.id)
                )
            )
            assert actions == TIMELINES[o.status], (o.buyer_note, actions)
            events = s.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.subject_id == str(o.id))
            )
            assert events == 2 * len(actions)  # order.created / order.<status>, to buyer and supplier
        unpaid = [o for o in placed if o.status == OS.pending_payment]
        assert all((o.payment_due_at - o.placed_at).days == 3 for o in unpaid)

        # Escrow: released (minus commission) for the completed orders, refunded for the cancelled one,
        # held for the rest; the suppliers' payables are exactly the releases.
        releases = {r.order_id: r for r in s.scalars(select(EscrowRelease))}
        assert sorted(
            (by_id[i].status, r.amount_fen, r.commission_fen, r.payable_fen) for i, r in releases.items()
        ) == [
            (OS.completed, 110_740, 3_323, 107_417),
            (OS.completed, 145_413, 4_362, 141_051),
        ]
        refunds = s.execute(select(EscrowRefund.order_id, EscrowRefund.cause, EscrowRefund.amount_fen)).all()
        assert [(by_id[i].status, cause, fen) for i, cause, fen in refunds] == [
            (OS.cancelled, "cancellation", 76_515)
        ]
        payables = {
            key[org]: -balance
            for org, balance in s.execute(
                select(LedgerAccount.org_id, LedgerAccount.balance_fen).where(
                    LedgerAccount.purpose == Purpose.supplier_payable
                )
            )
        }
        assert payables == {"distributor": 141_051, "dealer": 107_417}
        escrow = s.scalar(select(LedgerAccount.balance_fen).where(LedgerAccount.purpose == Purpose.escrow))
        holding = (OS.paid, OS.confirmed, OS.shipped, OS.delivered)
        assert escrow == -sum(g for st, g, *_ in EXPECTED.values() if st in holding) == -963_533

        # Stock: reserved for what is not shipped, shipped for the rest, the cancelled order released.
        moved = {
            kind: n
            for kind, n in s.execute(select(StockMovement.kind, func.count()).group_by(StockMovement.kind))
        }
        assert (moved["reservation"], moved["shipment"], moved["release"]) == (13, 7, 1)
        assert sum(moved.values()) == movements_before + 21
        assert s.scalar(select(func.count()).select_from(Shipment)) == 4

        assert _books_problems(s) == []

        # What the pages show: the dashboard, the suppliers' work queues, the buyers' orders.
        d = reports.dashboard(s)
        assert (d.orders_today, d.gmv_today_fen, d.transfers_to_confirm) == (9, 1_441_709, 1)
        assert [(p.province, p.orders) for p in d.provinces] == [("浙江省", 8), ("广东省", 1)]
        queues = {}
        for company, user in (("distributor", "owner"), ("dealer", "sales"), ("maker", "sales")):
            p = _principal(s, company, user)
            s.info[SCOPE_KEY] = p.scope
            counts = orders.sales_queue_counts(s, p)
            queues[company] = {k: v for k, v in counts.items() if v}
        bind_system(s, "test")
        assert queues == {
            "distributor": {"all": 4, "to_confirm": 1, "done": 1, "cancelled": 1},
            "dealer": {"all": 3, "to_ship": 1, "shipped": 1, "done": 1},
            "maker": {"all": 2, "shipped": 1},
        }
        bought = {}
        for company in ("repair", "repair-binjiang", "fleet"):
            p = _principal(s, company, "owner" if company != "repair-binjiang" else "store")
            s.info[SCOPE_KEY] = p.scope
            bought[company] = len(s.scalars(orders.purchase_orders(s, p)).all())
        bind_system(s, "test")
        assert bought == {"repair": 8, "repair-binjiang": 2, "fleet": 1}  # the head office sees its branch's

    # A second run places nothing and changes nothing at all (audit log and outbox included).
    before = table_counts(db)
    assert _load_orders(db, settings) == (0, [], SUMMARY)
    assert table_counts(db) == before


def test_a_checkout_refused_on_a_later_run_is_rolled_back_alone(db: Database, settings: Settings) -> None:
    """A demo database from before the orders, where a demo user has since sold the maker's Mahle
    filters: that checkout is reported and rolled back to its savepoint, the others load; once the
    stock is back, the next run places it."""
    _load_marketplace(db)
    with db.transaction() as s:
        bind_system(s, "test")
        part = StockRepository(s).parts_by_sku(["MAHLE-OC1593"])["MAHLE-OC1593"]
        maker = {v: k for k, v in _keys(s).items()}["maker"]
        wh = s.scalars(select(Warehouse).where(Warehouse.org_id == maker, Warehouse.code == "SZ-01")).one()
        inventory.adjust(s, wh.id, part, reason="test: sold elsewhere", on_hand=5, reference_type="test")

    placed, skipped, summary = _load_orders(db, settings)
    assert (placed, summary) == (8, SUMMARY)
    assert len(skipped) == 1 and skipped[0].startswith(
        "帝豪机滤整箱采购，厂家直供" + NOTE_SUFFIX + ": insufficient_stock"
    )
    with db.transaction() as s:
        bind_system(s, "test")
        assert s.scalar(select(func.count()).select_from(Order)) == 8
        assert s.scalar(select(func.count()).select_from(Order).where(Order.supplier_org_id == maker)) == 1
        assert _books_problems(s) == []
        inventory.adjust(s, wh.id, part, reason="test: restocked", on_hand=1500, reference_type="test")

    assert _load_orders(db, settings) == (1, [], SUMMARY)
    with db.transaction() as s:
        bind_system(s, "test")
        statuses = sorted(o.status.value for o in s.scalars(select(Order)))
        assert statuses == sorted(st.value for st, *_ in EXPECTED.values())
        assert _books_problems(s) == []
