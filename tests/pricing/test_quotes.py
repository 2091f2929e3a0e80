"""quote_many against the database: prices, VAT, errors, membership and region from the tables, and a
fixed number of statements whatever the number of lines."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from autotrade.core.db import Database, utcnow
from autotrade.core.errors import NotFound, ValidationFailed
from autotrade.core.tenancy import Principal, bind_principal
from autotrade.orgs.models import OrgStatus
from autotrade.pricing import service
from autotrade.pricing.errors import BelowMoq, NotPackMultiple, OfferInactive, OfferNotFound
from autotrade.pricing.models import Channel, OfferStatus
from autotrade.pricing.service import Quote, QuoteRequest
from tests.pricing.conftest import make_group, make_offer, make_policy, make_supplier, move


@contextmanager
def buyer_session(db: Database, org_id: uuid.UUID) -> Iterator[Any]:
    """A session scoped to the buyer only (as a request of the buyer's would be)."""
    with db.transaction() as s:
        bind_principal(
            s,
            Principal(
                org_id=org_id,
                org_type="repair_shop",
                org_status="approved",
                scope=frozenset({org_id}),
                permissions=frozenset({"pricing:view"}),
            ),
        )
        yield s


def quote(db: Database, buyer: uuid.UUID, *lines: tuple[uuid.UUID, int], **kw: Any) -> list[Quote]:
    with buyer_session(db, buyer) as s:
        return service.quote_many(
            s, buyer_org_id=buyer, requests=[QuoteRequest(o, q) for o, q in lines], **kw
        )


@pytest.fixture
def market(db: Database, world: Any, catalog: Any) -> dict[str, uuid.UUID]:
    s1 = make_supplier(db, "供应商一")
    s2 = make_supplier(db, "供应商二", province="江苏省", city="南京市")
    ids = {"s1": s1, "s2": s2}
    ids["pad"] = make_offer(
        db, org=s1, part=catalog.parts["toyota_pad"], list_price_fen=10_000, tiers=((10, 9_000), (50, 8_000))
    )
    ids["disc"] = make_offer(
        db, org=s1, part=catalog.parts["brembo_disc"], list_price_fen=33_333, moq=2, pack_size=2
    )
    ids["filter"] = make_offer(
        db, org=s2, part=catalog.parts["vw_filter"], list_price_fen=2_550, vat_rate_bp=900
    )
    ids["vip"] = make_group(db, org=s1, name="VIP", members=(world.orgs["a"],))
    ids["other_group"] = make_group(db, org=s1, name="普通")
    return ids


def test_quote_prices_tiers_policies_and_vat(db, world, market):
    make_policy(
        db, org=market["s1"], name="VIP 华东", priority=10, discount_bp=800, customer_group_id=market["vip"]
    )
    q = quote(
        db,
        world.orgs["a"],
        (market["pad"], 1),
        (market["pad"], 50),
        (market["disc"], 4),
        (market["filter"], 3),
    )
    assert [(x.unit_price_fen, x.rule, x.net_fen, x.vat_fen, x.gross_fen) for x in q] == [
        (9_200, "policy 'VIP 华东' −8% (priority 10)", 9_200, 1_196, 10_396),
        (7_360, "policy 'VIP 华东' −8% (priority 10)", 368_000, 47_840, 415_840),
        (30_666, "policy 'VIP 华东' −8% (priority 10)", 122_664, 15_946, 138_610),
        (2_550, "list price", 7_650, 689, 8_339),
    ]
    assert q[3].supplier_org_id == market["s2"] and q[3].vat_rate_bp == 900 and q[3].currency == "CNY"
    assert (q[2].moq, q[2].pack_size, q[2].lead_time_days, q[2].quantity) == (2, 2, 0, 4)
    assert q[0].rule_id is not None and q[3].rule_id is None


def test_buyer_outside_the_group_or_region_gets_the_base_price(db, world, market):
    make_policy(
        db, org=market["s1"], name="VIP", priority=10, discount_bp=800, customer_group_id=market["vip"]
    )
    make_policy(
        db,
        org=market["s1"],
        name="普通组",
        priority=20,
        discount_bp=2_000,
        customer_group_id=market["other_group"],
    )
    make_policy(db, org=market["s1"], name="江苏", priority=30, discount_bp=3_000, province="江苏省")
    make_policy(db, org=market["s2"], name="供应商二全场", priority=99, discount_bp=5_000)  # another supplier
    assert [x.rule for x in quote(db, world.orgs["b"], (market["pad"], 10))] == ["tier ≥ 10"]
    assert [x.rule for x in quote(db, world.orgs["a"], (market["pad"], 10))] == [
        "policy 'VIP' −8% (priority 10)"
    ]
    move(db, world.orgs["b"], province="江苏省", city="苏州市")
    assert [x.unit_price_fen for x in quote(db, world.orgs["b"], (market["pad"], 10))] == [6_300]


def test_branch_buys_with_its_parents_groups_and_its_own_city(db, world, market):
    make_policy(
        db, org=market["s1"], name="VIP", priority=1, discount_bp=800, customer_group_id=market["vip"]
    )
    make_policy(db, org=market["s1"], name="宁波", priority=2, discount_bp=1_000, city="宁波市")
    assert quote(db, world.orgs["a_branch"], (market["pad"], 1))[0].rule == "policy 'VIP' −8% (priority 1)"
    move(db, world.orgs["a_branch"], city="宁波市")
    assert quote(db, world.orgs["a_branch"], (market["pad"], 1))[0].rule == "policy '宁波' −10% (priority 2)"
    assert quote(db, world.orgs["a"], (market["pad"], 1))[0].rule == "policy 'VIP' −8% (priority 1)"


def test_channel_and_time_window(db, world, market):
    now = utcnow()
    make_policy(db, org=market["s1"], name="API", priority=5, discount_bp=500, channel=Channel.api)
    make_policy(
        db,
        org=market["s1"],
        name="双十一",
        priority=9,
        discount_bp=1_100,
        valid_from=now,
        valid_until=now + timedelta(days=1),
    )
    b = world.orgs["b"]
    assert quote(db, b, (market["pad"], 1), at=now - timedelta(minutes=1))[0].rule == "list price"
    assert quote(db, b, (market["pad"], 1), channel="api", at=now - timedelta(minutes=1))[0].rule == (
        "policy 'API' −5% (priority 5)"
    )
    assert (
        quote(db, b, (market["pad"], 1), channel="api", at=now)[0].rule == "policy '双十一' −11% (priority 9)"
    )
    assert quote(db, b, (market["pad"], 1), at=now + timedelta(days=1))[0].rule == "list price"
    with pytest.raises(ValidationFailed) as e:
        quote(db, b, (market["pad"], 1), channel="fax")
    assert (e.value.code, e.value.field) == ("invalid_channel", "channel")


def test_errors_name_every_bad_line(db, world, market):
    missing = uuid.uuid4()
    with pytest.raises(OfferNotFound) as nf:
        quote(db, world.orgs["a"], (market["pad"], 1), (missing, 1))
    assert (nf.value.status, nf.value.field) == (404, "lines[1].offer_id")
    assert nf.value.errors == [
        {"index": 1, "offer_id": str(missing), "code": "offer_not_found", "field": "lines[1].offer_id"}
    ]

    with pytest.raises(BelowMoq) as moq:
        quote(db, world.orgs["a"], (market["pad"], 1), (market["disc"], 1), (market["disc"], 3))
    assert (moq.value.status, moq.value.code, moq.value.field) == (422, "below_moq", "lines[1].quantity")
    assert moq.value.errors == [
        {
            "index": 1,
            "offer_id": str(market["disc"]),
            "field": "lines[1].quantity",
            "moq": 2,
            "code": "below_moq",
        },
        {
            "index": 2,
            "offer_id": str(market["disc"]),
            "field": "lines[2].quantity",
            "pack_size": 2,
            "code": "not_pack_multiple",
        },
    ]
    with pytest.raises(NotPackMultiple) as pack:
        quote(db, world.orgs["a"], (market["disc"], 5))
    assert (pack.value.code, pack.value.field) == ("not_pack_multiple", "lines[0].quantity")
    with pytest.raises(ValidationFailed) as zero:
        quote(db, world.orgs["a"], (market["pad"], 0))
    assert (zero.value.code, zero.value.field) == ("invalid_quantity", "lines[0].quantity")
    with pytest.raises(NotFound) as nobody, buyer_session(db, world.orgs["a"]) as s:
        service.quote_many(s, buyer_org_id=uuid.uuid4(), requests=[QuoteRequest(market["pad"], 1)])
    assert nobody.value.code == "company_not_found"
    assert quote(db, world.orgs["a"]) == []


def test_paused_offer_or_suspended_supplier_is_inactive(db, world, market):
    from autotrade.core.tenancy import bind_system
    from autotrade.orgs.models import Org
    from autotrade.pricing.models import Offer

    with db.transaction() as s:
        bind_system(s, "test")
        s.get(Offer, market["filter"]).status = OfferStatus.paused
    with pytest.raises(OfferInactive) as e:
        quote(db, world.orgs["a"], (market["pad"], 1), (market["filter"], 1))
    assert (e.value.status, e.value.code, e.value.field) == (422, "offer_inactive", "lines[1].offer_id")
    with db.transaction() as s:
        bind_system(s, "test")
        s.get(Org, market["s1"]).status = OrgStatus.suspended
    with pytest.raises(OfferInactive) as e:
        quote(db, world.orgs["a"], (market["pad"], 1))
    assert e.value.field == "lines[0].offer_id"


def _count_statements(db: Database, fn: Any) -> int:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *a: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(seen)


def test_a_fixed_number_of_statements_whatever_the_lines(db, world, market, catalog):
    s3 = make_supplier(db, "供应商三")
    more = [
        make_offer(db, org=s3, part=catalog.parts[k], tiers=((5, 9_000),))
        for k in ("bosch_pad", "trw_pad", "mann_filter")
    ]
    make_policy(db, org=s3, name="全场", discount_bp=100)
    make_policy(db, org=market["s1"], name="VIP", discount_bp=100, customer_group_id=market["vip"])
    buyer = world.orgs["a"]
    one = _count_statements(db, lambda: quote(db, buyer, (market["pad"], 1)))
    lines = [(o, q) for o in [market["pad"], market["filter"], *more] for q in (1, 5, 60)] + [
        (market["disc"], 2)
    ]
    many = _count_statements(db, lambda: quote(db, buyer, *lines))
    assert one == many == 3
