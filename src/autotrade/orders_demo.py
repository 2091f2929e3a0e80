"""Demo order history for `autotrade demo`: a small trading history between the demo buyers and the demo
suppliers, so that the platform dashboard, the suppliers' incoming orders and settlement, the buyers'
orders and platform finance show something before anyone trades.

Runs after the demo companies (:mod:`autotrade.demo`), the demo catalogue and the demo marketplace
(:mod:`autotrade.trading_demo`), and plays every step through the services the web pages and the API
call, as the demo user who would take it (with the permission the route would ask of them):
``orders.checkout`` (priced, allocated, stock reserved), ``payments.start``, payment proven by platform
finance confirming a bank transfer (``payments.confirm_bank_transfer``) or by the gateway's signed
callback (``payments.receive_gateway_callback``, the simulator's in-process delivery), the supplier's
``confirm`` / ``ship`` / ``deliver``, the buyer's ``receive`` / ``complete`` (escrow released to the
supplier's payable minus commission) and a cancellation after payment (refunded to the original method).
So the ledger, escrow, settlement, stock movements, outbox events, timelines and audit log agree, and
``autotrade ledger verify`` / ``settlement reconcile`` / ``stock verify`` pass.

Deterministic: fixed buyers, parts, quantities and outcomes (order numbers, reference codes and times
are those of the day it runs: every order is placed "today"). Idempotent: a checkout is recognised by
its buyer's note (each ends in "（演示订单）"), so a second run places nothing and never moves an order a
demo user has moved since. A checkout the services refuse on a later run (a demo user sold the stock or
paused the offer) is rolled back to its savepoint and reported, and the rest still loads.

The orders (9, from 8 checkouts, all placed by the demo buyers' purchasers):

* 杭州快修 (repair shop): filters and pads from 江苏通达, paid by bank transfer, shipped, accepted,
  completed — escrow released to 江苏通达's settlement; a split checkout (江苏通达 + 杭州之江) paid
  on the gateway: 江苏通达's order waits for its confirmation, 杭州之江 confirmed and is to ship; spark
  plugs waiting for a bank transfer the platform has yet to confirm; a cabin filter delivered and
  waiting for the buyer's receiving inspection; Brembo pads paid and then cancelled by the buyer
  (refunded).
* 杭州快修滨江店 (its branch; the head office's owner pays): Toyota service parts from 杭州之江,
  completed; a case of oil filters from 华域精工, not paid yet.
* 顺达城配 (fleet, Shenzhen): pads and oil filters from 华域精工, paid by bank transfer and in transit.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from autotrade.catalog.numbers import normalise_number, sku_code
from autotrade.core.errors import AppError
from autotrade.core.settings import Settings
from autotrade.core.tenancy import SCOPE_KEY, Principal
from autotrade.core.validators import uscc_with_check
from autotrade.demo import COMPANIES, email_for
from autotrade.iam import service as iam
from autotrade.iam.repository import UserRepository
from autotrade.inventory.repository import StockRepository
from autotrade.orders import service as orders
from autotrade.orders.checkout import PlacedOrder
from autotrade.orders.models import OrderStatus
from autotrade.orders.repository import OrderRepository
from autotrade.orders.schemas import ReceiveIn, ShipmentIn, ShipTo
from autotrade.orgs.repository import OrgRepository
from autotrade.payments import service as payments
from autotrade.payments import simulator
from autotrade.payments.models import ProviderName
from autotrade.pricing.repository import OfferRepository

NOTE_SUFFIX = "（演示订单）"
# Unpaid demo orders wait this long for their money, so the auto-cancel job does not expire them while
# the demo is being shown (a bank transfer takes a day or two).
UNPAID_TIMEOUT_MINUTES = 3 * 24 * 60
# The path of an order that goes the whole way; an order's story stops at its ``status``.
PATH = (
    OrderStatus.paid,
    OrderStatus.confirmed,
    OrderStatus.shipped,
    OrderStatus.delivered,
    OrderStatus.received,
    OrderStatus.completed,
)
# Who acts for each supplier (a user with ``orders:edit``).
SUPPLIER_STAFF = {"distributor": "owner", "dealer": "sales", "maker": "sales"}


@dataclass(frozen=True)
class DemoOrder:
    """One supplier's order of a checkout and where its story stops."""

    supplier: str  # demo company key
    lines: tuple[tuple[str, str, int], ...]  # (brand code, the brand's number as printed, quantity)
    status: OrderStatus
    pay: ProviderName | None = None  # None: unpaid; a pending order with a method: payment started
    shipment: tuple[str, str] | None = None  # (carrier, tracking number)
    cancel_reason: str | None = None


@dataclass(frozen=True)
class DemoCheckout:
    buyer: str  # demo company key
    placed_by: str  # the buyer's user (email local part) who places it and inspects the goods
    payer: tuple[
        str, str
    ]  # (company key, user) who pays: the buying company's owner (a branch: head office's)
    note: str  # the buyer's note, ending in NOTE_SUFFIX: how a later run recognises the checkout
    address: str
    contact: str
    phone: str
    orders: tuple[DemoOrder, ...]


CHECKOUTS: tuple[DemoCheckout, ...] = (
    DemoCheckout(
        "repair",
        "purchaser",
        ("repair", "owner"),
        "凯美瑞保养备货：机滤和后刹车片，请一次发齐" + NOTE_SUFFIX,
        "拱墅区莫干山路1418号 快修连锁总店配件仓",
        "马超",
        "13758120461",
        (
            DemoOrder(
                "distributor",
                (("MANNFILTER", "W 68/3", 20), ("TRW", "GDB3427", 4)),
                OrderStatus.completed,
                pay=ProviderName.bank_transfer,
                shipment=("顺丰速运", "SF1402718836"),
            ),
        ),
    ),
    DemoCheckout(
        "repair-binjiang",
        "store",
        ("repair", "owner"),
        "滨江店凯美瑞保养件：原厂机滤和火花塞" + NOTE_SUFFIX,
        "滨江区江南大道3850号 滨江店",
        "黄涛",
        "13857164203",
        (
            DemoOrder(
                "dealer",
                (("TOYOTA", "90915-YZZN1", 12), ("TOYOTA", "90919-01289", 4)),
                OrderStatus.completed,
                pay=ProviderName.gateway,
                shipment=("之江同城配送", "ZJPS-0318"),
            ),
        ),
    ),
    DemoCheckout(
        "fleet",
        "purchaser",
        ("fleet", "owner"),
        "车队季度保养：朗逸前刹车片、帝豪机滤，送平湖维修车间" + NOTE_SUFFIX,
        "龙岗区平湖街道华南大道1号 车队维修车间",
        "邓洁",
        "13923847719",
        (
            DemoOrder(
                "maker",
                (("ATE", "13.0460-2823.2", 20), ("MANNFILTER", "W 712/94", 40)),
                OrderStatus.shipped,
                pay=ProviderName.bank_transfer,
                shipment=("德邦快递", "DPK300418822691"),
            ),
        ),
    ),
    DemoCheckout(
        "repair",
        "purchaser",
        ("repair", "owner"),
        "两台速腾维修：一台用原厂刹车片，一台用博世" + NOTE_SUFFIX,
        "拱墅区莫干山路1418号 快修连锁总店配件仓",
        "马超",
        "13758120461",
        (
            DemoOrder(
                "distributor",
                (("BOSCH", "0 986 494 720", 4), ("MANNFILTER", "CUK 26 009", 2)),
                OrderStatus.paid,
                pay=ProviderName.gateway,
            ),
            DemoOrder(
                "dealer",
                (("VOLKSWAGEN", "5Q0 698 151 A", 2),),
                OrderStatus.confirmed,
                pay=ProviderName.gateway,
            ),
        ),
    ),
    DemoCheckout(
        "repair",
        "purchaser",
        ("repair", "owner"),
        "朗逸火花塞常备库存，银行转账付款" + NOTE_SUFFIX,
        "拱墅区莫干山路1418号 快修连锁总店配件仓",
        "马超",
        "13758120461",
        (
            DemoOrder(
                "distributor",
                (("NGK", "PFR6T-10G", 8),),
                OrderStatus.pending_payment,
                pay=ProviderName.bank_transfer,
            ),
        ),
    ),
    DemoCheckout(
        "repair-binjiang",
        "store",
        ("repair", "owner"),
        "帝豪机滤整箱采购，厂家直供" + NOTE_SUFFIX,
        "滨江区江南大道3850号 滨江店",
        "黄涛",
        "13857164203",
        (DemoOrder("maker", (("MAHLE", "OC 1593", 20),), OrderStatus.pending_payment),),
    ),
    DemoCheckout(
        "repair",
        "purchaser",
        ("repair", "owner"),
        "凯美瑞空调滤芯，车主在店等候" + NOTE_SUFFIX,
        "拱墅区莫干山路1418号 快修连锁总店配件仓",
        "马超",
        "13758120461",
        (
            DemoOrder(
                "dealer",
                (("TOYOTA", "87139-33010", 2),),
                OrderStatus.delivered,
                pay=ProviderName.gateway,
                shipment=("之江同城配送", "ZJPS-0322"),
            ),
        ),
    ),
    DemoCheckout(
        "repair",
        "purchaser",
        ("repair", "owner"),
        "事故车（凯美瑞）维修用前刹车片" + NOTE_SUFFIX,
        "拱墅区莫干山路1418号 快修连锁总店配件仓",
        "马超",
        "13758120461",
        (
            DemoOrder(
                "distributor",
                (("BREMBO", "P 83 117", 2),),
                OrderStatus.cancelled,
                pay=ProviderName.gateway,
                cancel_reason="车主改去保险公司指定的4S店维修，不再需要",
            ),
        ),
    ),
)


@dataclass
class DemoOrders:
    """What the demo defines (the same on every run) and what this run did."""

    statuses: dict[OrderStatus, int]  # the demo's orders by the status their story ends in
    placed: int = 0  # orders placed by this run (0 on a second run)
    skipped: list[str] = field(default_factory=list)  # checkouts the services refused on this run

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> str:
        """``9 (pending payment 2, paid 1, …)``, in the order of the lifecycle."""
        order = [OrderStatus.pending_payment, *PATH, OrderStatus.cancelled]
        parts = [f"{s.value.replace('_', ' ')} {self.statuses[s]}" for s in order if self.statuses.get(s)]
        return f"{self.total} ({', '.join(parts)})"


def defined() -> dict[OrderStatus, int]:
    """The demo's orders by the status their story ends in."""
    return dict(Counter(o.status for c in CHECKOUTS for o in c.orders))


# ---- the cast ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cast:
    orgs: dict[str, uuid.UUID]
    people: dict[tuple[str, str], Principal]

    def who(self, company: str, user: str, needs: str) -> Principal:
        """The demo user, who must hold the permission the route of the action asks for."""
        p = self.people[(company, user)]
        if not p.can(needs):
            raise RuntimeError(f"demo user {p.email} lacks {needs}: fix autotrade.orders_demo")
        return p


def _cast(session: Session) -> _Cast:
    """Every demo company and the principal of every demo user who acts (the session is SYSTEM)."""
    company = {c.key: c for c in COMPANIES}
    orgs: dict[str, uuid.UUID] = {}
    for c in COMPANIES:
        org = OrgRepository(session).by_uscc_any_tenant(uscc_with_check(c.uscc17))
        if org is None:
            raise RuntimeError(f"demo company {c.name} is missing: load autotrade.demo first")
        orgs[c.key] = org.id
    wanted = {(c.buyer, c.placed_by) for c in CHECKOUTS} | {c.payer for c in CHECKOUTS}
    wanted |= set(SUPPLIER_STAFF.items())
    people: dict[tuple[str, str], Principal] = {}
    for key, local in sorted(wanted):
        user = UserRepository(session).by_email_any_tenant(email_for(company[key], local))
        if user is None:
            raise RuntimeError(
                f"demo user {email_for(company[key], local)} is missing: load autotrade.demo first"
            )
        people[(key, local)] = iam.principal_for_user(session, user)
    return _Cast(orgs, people)


@contextmanager
def _as(session: Session, p: Principal) -> Iterator[Principal]:
    """Run the block in this user's tenant scope, as their request would (the audit log names the
    session's actor, "demo", as for the rest of the demo data)."""
    previous = session.info.get(SCOPE_KEY)
    session.info[SCOPE_KEY] = p.scope
    try:
        yield p
    finally:
        session.info[SCOPE_KEY] = previous


def _sku(brand: str, number: str) -> str:
    return sku_code(brand, normalise_number(number))


def _offers(session: Session, cast: _Cast) -> dict[tuple[str, str], uuid.UUID]:
    """(supplier key, SKU) → the supplier's offer id, for every line of the demo."""
    wanted = {(o.supplier, _sku(b, n)) for c in CHECKOUTS for o in c.orders for b, n, _ in o.lines}
    parts = StockRepository(session).parts_by_sku({sku for _, sku in wanted})
    out: dict[tuple[str, str], uuid.UUID] = {}
    for supplier, sku in sorted(wanted):
        if sku not in parts:
            raise RuntimeError(f"demo catalogue part {sku} is missing: load the demo catalogue first")
        with _as(session, cast.people[(supplier, SUPPLIER_STAFF[supplier])]):
            offer = OfferRepository(session).by_part(parts[sku])
        if offer is None:
            raise RuntimeError(
                f"the demo {supplier} has no offer of {sku}: load autotrade.trading_demo first"
            )
        out[(supplier, sku)] = offer.id
    return out


# ---- the stories ---------------------------------------------------------------------------------------


def _pay(
    session: Session, settings: Settings, payer: Principal, placed: PlacedOrder, how: ProviderName
) -> None:
    """The buyer starts the payment; the money is then proven as in production: platform finance
    confirms the bank transfer, or the gateway's signed callback arrives (the simulator's event)."""
    order = placed.order
    with _as(session, payer):
        payment, _ = payments.start(session, payer, order.id, how, settings)
        session.flush()
    if how == ProviderName.bank_transfer:
        _, outcome = payments.confirm_bank_transfer(
            session,
            order_id=order.id,
            bank_reference=f"ICBC-{order.number}",
            amount_fen=order.gross_fen,
            currency=order.currency,
            note="工行对公账户到账（演示数据）",
            settings=settings,
        )
    else:
        (event,) = simulator.events_for(payment, "normal")
        headers, body = simulator.signed(event, settings.gateway_secret)
        outcome = payments.receive_gateway_callback(session, settings, headers, body).outcome
    if outcome != "paid":
        raise RuntimeError(f"demo payment of {order.number}: {outcome}")


def _play(
    session: Session,
    settings: Settings,
    cast: _Cast,
    story: DemoCheckout,
    spec: DemoOrder,
    placed: PlacedOrder,
) -> None:
    """Take one order from ``pending_payment`` to where its story stops."""
    order_id = placed.order.id
    buyer = cast.who(story.buyer, story.placed_by, "orders:edit")
    payer = cast.who(*story.payer, "payments:edit")
    seller = cast.who(spec.supplier, SUPPLIER_STAFF[spec.supplier], "orders:edit")
    if spec.status == OrderStatus.pending_payment:
        if spec.pay is not None:  # the buyer asked how to pay; the money has not arrived
            with _as(session, payer):
                payments.start(session, payer, order_id, spec.pay, settings)
        return
    if spec.pay is None:
        raise RuntimeError(f"demo order to {spec.supplier} ends {spec.status.value} but is never paid")
    _pay(session, settings, payer, placed, spec.pay)
    if spec.status == OrderStatus.cancelled:
        with _as(session, buyer):
            orders.cancel(session, buyer, order_id, reason=spec.cancel_reason)
        return
    for status in PATH[1 : PATH.index(spec.status) + 1]:
        if status == OrderStatus.confirmed:
            with _as(session, seller):
                orders.act(session, seller, order_id, "confirm", note="已确认，仓库备货中")
        elif status == OrderStatus.shipped:
            if spec.shipment is None:
                raise RuntimeError(f"demo order to {spec.supplier} is shipped without a carrier")
            carrier, tracking = spec.shipment
            with _as(session, seller):
                orders.ship(session, seller, order_id, ShipmentIn(carrier=carrier, tracking_number=tracking))
        elif status == OrderStatus.delivered:
            with _as(session, seller):
                orders.act(session, seller, order_id, "deliver", note="已送达，收货人签收")
        elif status == OrderStatus.received:
            with _as(session, buyer):
                orders.receive(session, buyer, order_id, ReceiveIn(note="到货验收：数量、型号无误"))
        elif status == OrderStatus.completed:
            with _as(session, buyer):
                orders.act(session, buyer, order_id, "complete", note="已装车使用，确认收货")


def _place(
    session: Session,
    settings: Settings,
    cast: _Cast,
    offers: dict[tuple[str, str], uuid.UUID],
    story: DemoCheckout,
) -> int:
    """One checkout (one order per supplier) and each order's story; returns how many orders."""
    buyer = cast.who(story.buyer, story.placed_by, "orders:edit")
    company = {c.key: c for c in COMPANIES}[story.buyer]
    lines = [
        orders.CheckoutLine(offers[(o.supplier, _sku(b, n))], quantity)
        for o in story.orders
        for b, n, quantity in o.lines
    ]
    unpaid = any(o.status == OrderStatus.pending_payment for o in story.orders)
    with _as(session, buyer):
        result = orders.checkout(
            session,
            buyer,
            lines,
            ShipTo(
                province=company.province,
                city=company.city,
                address=story.address,
                contact=story.contact,
                phone=story.phone,
            ),
            note=story.note,
            payment_timeout_minutes=UNPAID_TIMEOUT_MINUTES if unpaid else None,
        )
    by_supplier = {p.order.supplier_org_id: p for p in result.orders}
    for spec in story.orders:
        _play(session, settings, cast, story, spec, by_supplier[cast.orgs[spec.supplier]])
    return len(result.orders)


def load_demo_orders(session: Session, settings: Settings) -> DemoOrders:
    """Place the demo checkouts a previous run has not placed, each in a savepoint; flushes, never
    commits. The session is bound to the system (``bind_system``)."""
    out = DemoOrders(statuses=defined())
    cast = _cast(session)
    offers = _offers(session, cast)
    repo = OrderRepository(session)
    seen = {
        key: repo.buyer_notes(cast.orgs[key], [c.note for c in CHECKOUTS if c.buyer == key])
        for key in {c.buyer for c in CHECKOUTS}
    }
    for story in CHECKOUTS:
        if story.note in seen[story.buyer]:
            continue
        try:
            with session.begin_nested():
                out.placed += _place(session, settings, cast, offers, story)
        except AppError as e:  # refused by the services: this checkout rolled back, nothing else
            out.skipped.append(f"{story.note}: {e.code}: {e.detail}")
    session.flush()
    return out
