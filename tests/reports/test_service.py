"""reports.service: the platform dashboard's figures and the finance overview, from real orders placed
and paid through the API (the orders' market, tests/orders/conftest.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from autotrade.core.tenancy import bind_system
from autotrade.orders.models import Order
from autotrade.reports import service as reports
from tests.orders.conftest import HZ_SHIP, Market, pay

JS_SHIP = {**HZ_SHIP, "province": "江苏省", "city": "苏州市"}
NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, 04:00 in London (GMT)


def _placed(m: Market, order_id: str, at: datetime) -> None:
    with m.db.transaction() as s:
        bind_system(s, "test")
        order = s.get(Order, uuid.UUID(order_id))
        assert order is not None
        order.placed_at = at


def _dashboard(m: Market, tz: str = "Asia/Shanghai", now: datetime = NOW) -> reports.Dashboard:
    with m.db.session() as s:
        bind_system(s, "test")
        return reports.dashboard(s, tz=tz, now=now)


def test_an_empty_platform_has_an_empty_dashboard(market):
    d = _dashboard(market)
    assert d.empty
    assert (d.orders_today, d.gmv_today_fen, d.orders_in_window) == (0, 0, 0)
    assert d.top_by_quantity == d.top_by_value == d.provinces == []
    assert d.day == date(2026, 3, 2)
    assert d.since == date(2026, 2, 1)


def test_today_is_the_viewers_day_and_cancelled_unpaid_orders_do_not_count(market):
    m = market
    early = m.order("a_owner", [("toyota_pad", 2)])  # 22,600 fen gross
    late = m.order("a_owner", [("bosch_pad", 5)], ship_to=JS_SHIP)  # 45,200
    before = m.order("a_owner", [("trw_pad", 1)])  # 6,780 (supplier C)
    old = m.order("a_owner", [("toyota_pad", 1)])  # 11,300, first day of Shanghai's window only
    dropped = m.order("a_owner", [("vw_filter", 4)])  # cancelled unpaid: never counts
    pay(m, late["id"])
    r = m.post("a_owner", f"/orders/{dropped['id']}/cancel", {"reason": "下错单"})
    assert r.status_code == 200, r.text
    _placed(m, early["id"], datetime(2026, 3, 1, 16, 30, tzinfo=UTC))  # 3/2 00:30 Shanghai, 3/1 London
    _placed(m, late["id"], datetime(2026, 3, 2, 3, 0, tzinfo=UTC))  # 3/2 in both
    _placed(m, before["id"], datetime(2026, 3, 1, 15, 30, tzinfo=UTC))  # 3/1 23:30 Shanghai
    _placed(m, old["id"], datetime(2026, 1, 31, 17, 0, tzinfo=UTC))  # 2/1 01:00 Shanghai, 1/31 London
    _placed(m, dropped["id"], datetime(2026, 3, 2, 3, 30, tzinfo=UTC))

    sh = _dashboard(m)
    assert (sh.orders_today, sh.gmv_today_fen) == (2, 22_600 + 45_200)
    assert (sh.orders_in_window, sh.gmv_in_window_fen) == (4, 22_600 + 45_200 + 6_780 + 11_300)
    assert not sh.empty

    london = _dashboard(m, tz="Europe/London")
    assert (london.orders_today, london.gmv_today_fen) == (1, 45_200)
    assert london.day == date(2026, 3, 2)
    assert london.since == date(2026, 2, 1)
    assert london.orders_in_window == 3  # London's window starts at 2/1 00:00 UTC

    assert [(p.province, p.orders, p.gross_fen) for p in sh.provinces] == [
        ("浙江省", 3, 22_600 + 6_780 + 11_300),
        ("江苏省", 1, 45_200),
    ]


def test_top_parts_by_quantity_and_by_value(market):
    m = market
    m.order("a_owner", [("toyota_pad", 2)])  # 2 pieces, 22,600
    m.order("a_owner", [("bosch_pad", 5)])  # 5 pieces, 45,200
    m.order("a_owner", [("vw_filter", 8)])  # 8 pieces (2 packs), 30,130
    m.order("a_owner", [("toyota_pad", 1)])  # toyota: 3 pieces, 33,900 in 2 orders
    d = _dashboard(m, now=datetime.now(UTC))
    skus = {p.part_id: p for p in d.top_by_quantity}
    assert [(p.quantity, p.gross_fen, p.orders) for p in d.top_by_quantity] == [
        (8, 30_130, 1),
        (5, 45_200, 1),
        (3, 33_900, 2),
    ]
    assert [p.gross_fen for p in d.top_by_value] == [45_200, 33_900, 30_130]
    assert {p.part_id for p in d.top_by_value} == set(skus)
    toyota = skus[m.part("toyota_pad")]
    assert toyota.sku and toyota.name_zh
    with m.db.session() as s:
        bind_system(s, "test")
        assert len(reports.dashboard(s, now=datetime.now(UTC), top=2).top_by_value) == 2


def test_finance_overview_reads_the_ledger(market):
    m = market
    paid = m.order("a_owner", [("toyota_pad", 2)])
    pay(m, paid["id"])
    waiting = m.order("a_owner", [("bosch_pad", 1)])
    r = m.post("a_owner", f"/orders/{waiting['id']}/payments", {"provider": "bank_transfer"})
    assert r.status_code == 201, r.text
    with m.db.session() as s:
        bind_system(s, "test")
        o = reports.finance_overview(s)
        dash = reports.dashboard(s)
    assert o.escrow_held_fen == 22_600
    assert o.bank_fen == 22_600
    assert (o.supplier_payable_fen, o.commission_fen, o.gateway_fen) == (0, 0, 0)
    assert (o.transfers_to_confirm, o.transfers_to_confirm_fen) == (1, 9_040)
    assert dash.transfers_to_confirm == 1
    assert dash.open_disputes == 0
