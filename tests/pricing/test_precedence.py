"""Price precedence (pricing.precedence.decide), table-driven: no database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from autotrade.pricing.models import Channel, PolicyEffect, PolicyScope
from autotrade.pricing.precedence import (
    Buyer,
    OfferTerms,
    Rule,
    base_price,
    decide,
    round_half_up,
    specificity,
    vat_of,
)

S = uuid.UUID(int=1)  # the supplier
OTHER = uuid.UUID(int=2)  # another supplier
G = uuid.UUID(int=10)  # a customer group the buyer is in
G2 = uuid.UUID(int=11)  # a group the buyer is not in
OFFER = uuid.UUID(int=100)
AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)

OFF = OfferTerms(OFFER, S, 10_000, ((10, 9_000), (50, 8_000)), "BRAKE/BRAKE.PAD")
BUYER = Buyer(province="浙江省", city="杭州市", group_ids=frozenset({G}), channel=Channel.web, at=AT)

_ids = iter(range(1000, 10_000))


def disc(bp: int, *, name: str = "r", priority: int = 0, rid: int | None = None, **kw: object) -> Rule:
    return Rule(
        id=uuid.UUID(int=rid if rid is not None else next(_ids)),
        org_id=kw.pop("org_id", S),  # type: ignore[arg-type]
        name=name,
        priority=priority,
        effect=PolicyEffect.discount,
        discount_bp=bp,
        **kw,  # type: ignore[arg-type]
    )


def fixed(fen: int, *, name: str = "f", priority: int = 0, **kw: object) -> Rule:
    return Rule(
        id=uuid.UUID(int=next(_ids)),
        org_id=kw.pop("org_id", S),  # type: ignore[arg-type]
        name=name,
        priority=priority,
        effect=PolicyEffect.fixed_price,
        unit_price_fen=fen,
        **kw,  # type: ignore[arg-type]
    )


CASES = [
    # (case, rules, quantity, expected unit price, expected rule text)
    ("list price", [], 1, 10_000, "list price"),
    ("below the first tier", [], 9, 10_000, "list price"),
    ("first tier reached", [], 10, 9_000, "tier ≥ 10"),
    ("between tiers", [], 49, 9_000, "tier ≥ 10"),
    ("second tier", [], 50, 8_000, "tier ≥ 50"),
    ("beyond the last tier", [], 5_000, 8_000, "tier ≥ 50"),
    (
        "group discount",
        [disc(800, name="VIP 华东", priority=10, customer_group_id=G)],
        1,
        9_200,
        "policy 'VIP 华东' −8% (priority 10)",
    ),
    ("discount on the tier base", [disc(1_000, name="d")], 50, 7_200, "policy 'd' −10% (priority 0)"),
    ("fractional percent", [disc(750, name="d")], 1, 9_250, "policy 'd' −7.5% (priority 0)"),
    ("a group the buyer is not in", [disc(800, customer_group_id=G2)], 1, 10_000, "list price"),
    ("province matches", [disc(500, name="浙", province="浙江省")], 1, 9_500, "policy '浙' −5% (priority 0)"),
    ("province differs", [disc(500, province="江苏省")], 1, 10_000, "list price"),
    ("city matches", [disc(500, name="杭", city="杭州市")], 10, 8_550, "policy '杭' −5% (priority 0)"),
    ("city differs", [disc(500, city="宁波市")], 10, 9_000, "tier ≥ 10"),
    (
        "channel matches",
        [disc(300, name="web", channel=Channel.web)],
        1,
        9_700,
        "policy 'web' −3% (priority 0)",
    ),
    ("channel differs", [disc(300, channel=Channel.api)], 1, 10_000, "list price"),
    (
        "inside the window",
        [disc(200, name="w", valid_from=AT - H, valid_until=AT + H)],
        1,
        9_800,
        "policy 'w' −2% (priority 0)",
    ),
    ("window starts now", [disc(200, name="w", valid_from=AT)], 1, 9_800, "policy 'w' −2% (priority 0)"),
    ("window not started", [disc(200, valid_from=AT + H)], 1, 10_000, "list price"),
    ("window expired", [disc(200, valid_until=AT - H)], 1, 10_000, "list price"),
    ("window ends now (exclusive)", [disc(200, valid_until=AT)], 1, 10_000, "list price"),
    (
        "another supplier's policy never applies",
        [disc(5_000, org_id=OTHER, priority=99)],
        1,
        10_000,
        "list price",
    ),
    ("inactive policy", [disc(5_000, active=False)], 1, 10_000, "list price"),
    (
        "scope: this offer",
        [disc(100, name="o", scope=PolicyScope.offer, offer_id=OFFER)],
        1,
        9_900,
        "policy 'o' −1% (priority 0)",
    ),
    (
        "scope: another offer",
        [disc(100, scope=PolicyScope.offer, offer_id=uuid.UUID(int=999))],
        1,
        10_000,
        "list price",
    ),
    (
        "scope: the category",
        [disc(100, name="c", scope=PolicyScope.category, category_path="BRAKE/BRAKE.PAD")],
        1,
        9_900,
        "policy 'c' −1% (priority 0)",
    ),
    (
        "scope: a parent category",
        [disc(100, name="c", scope=PolicyScope.category, category_path="BRAKE")],
        1,
        9_900,
        "policy 'c' −1% (priority 0)",
    ),
    (
        "scope: another category",
        [disc(100, scope=PolicyScope.category, category_path="FILTER")],
        1,
        10_000,
        "list price",
    ),
    (
        "scope: a name prefix is not a parent",
        [disc(100, scope=PolicyScope.category, category_path="BRAKE/BRAKE.PA")],
        1,
        10_000,
        "list price",
    ),
    (
        "higher priority wins over a better price (region beats group)",
        [
            disc(2_000, name="group", priority=5, customer_group_id=G),
            disc(500, name="region", priority=10, province="浙江省"),
        ],
        1,
        9_500,
        "policy 'region' −5% (priority 10)",
    ),
    (
        "higher priority wins (group beats channel)",
        [
            disc(2_000, name="group", priority=3, customer_group_id=G),
            disc(500, name="web", priority=1, channel=Channel.web),
        ],
        1,
        8_000,
        "policy 'group' −20% (priority 3)",
    ),
    (
        "priority tie: the more specific wins over a lower price",
        [
            disc(1_000, name="group", customer_group_id=G),
            disc(500, name="group+city", customer_group_id=G, city="杭州市"),
        ],
        1,
        9_500,
        "policy 'group+city' −5% (priority 0)",
    ),
    (
        "priority and specificity tie: the lower price wins",
        [disc(500, name="a", channel=Channel.web), disc(1_000, name="b", province="浙江省")],
        1,
        9_000,
        "policy 'b' −10% (priority 0)",
    ),
    (
        "everything ties: the smaller id wins",
        [disc(500, name="second", rid=2), disc(500, name="first", rid=1)],
        1,
        9_500,
        "policy 'first' −5% (priority 0)",
    ),
    (
        "a matching policy beats a non-matching higher priority one",
        [disc(5_000, priority=100, valid_until=AT - H), disc(100, name="ok")],
        1,
        9_900,
        "policy 'ok' −1% (priority 0)",
    ),
    (
        "fixed price",
        [fixed(7_000, name="fix", priority=1)],
        1,
        7_000,
        "policy 'fix' fixed 70.00 CNY (priority 1)",
    ),
    (
        "fixed price beats a discount by priority",
        [fixed(9_990, name="fix", priority=2), disc(5_000, priority=1)],
        1,
        9_990,
        "policy 'fix' fixed 99.90 CNY (priority 2)",
    ),
    (
        "a fixed price may be above the tier",
        [fixed(12_345, name="fix")],
        50,
        12_345,
        "policy 'fix' fixed 123.45 CNY (priority 0)",
    ),
]


@pytest.mark.parametrize(("case", "rules", "quantity", "price", "rule"), CASES, ids=[c[0] for c in CASES])
def test_precedence(case: str, rules: list[Rule], quantity: int, price: int, rule: str) -> None:
    got = decide(OFF, quantity, rules, BUYER)
    assert (got.unit_price_fen, got.rule) == (price, rule), case
    applied = [r for r in rules if r.name == rule.split("'")[1]] if rule.startswith("policy") else []
    assert got.rule_id == (applied[0].id if applied else None)


def test_order_of_rules_does_not_matter() -> None:
    rules = [
        disc(500, name="a", channel=Channel.web),
        disc(1_000, name="b", province="浙江省"),
        disc(700, name="c"),
    ]
    answers = {decide(OFF, 1, order, BUYER).rule for order in (rules, rules[::-1], rules[1:] + rules[:1])}
    assert answers == {"policy 'b' −10% (priority 0)"}


def test_buyer_without_groups_or_region() -> None:
    nobody = replace(BUYER, province=None, city=None, group_ids=frozenset())
    rules = [disc(800, customer_group_id=G), disc(500, province="浙江省"), disc(100, name="all")]
    assert decide(OFF, 1, rules, nobody).rule == "policy 'all' −1% (priority 0)"


def test_specificity_counts_conditions() -> None:
    assert specificity(disc(1)) == 0
    assert specificity(disc(1, customer_group_id=G, province="x", city="y", channel=Channel.api)) == 4
    assert specificity(disc(1, valid_from=AT, valid_until=AT + H)) == 1  # a window counts once
    assert specificity(disc(1, scope=PolicyScope.offer, offer_id=OFFER)) == 1
    assert specificity(disc(1, scope=PolicyScope.category, category_path="BRAKE")) == 1


@pytest.mark.parametrize(
    ("base", "bp", "unit"),
    [
        (999, 1_250, 874),
        (1_001, 5_000, 501),
        (1_000, 5_000, 500),
        (3, 5_000, 2),
        (1, 9_999, 1),
        (10_000, 1, 9_999),
    ],
)
def test_discount_rounds_half_up_and_never_reaches_zero(base: int, bp: int, unit: int) -> None:
    assert decide(replace(OFF, list_price_fen=base, tiers=()), 1, [disc(bp)], BUYER).unit_price_fen == unit


def test_base_price_takes_the_lowest_reached_tier() -> None:
    assert base_price(100, [(5, 90), (10, 95)], 10) == (90, "tier ≥ 5")
    assert base_price(100, [], 10) == (100, "list price")


@pytest.mark.parametrize(
    ("net", "bp", "vat"),
    [
        (100, 1_300, 13),
        (1, 1_300, 0),
        (4, 1_300, 1),
        (3, 1_300, 0),
        (5, 1_000, 1),
        (15, 1_000, 2),
        (25, 1_000, 3),
        (0, 1_300, 0),
        (123_456_789, 1_300, 16_049_383),
    ],
)
def test_vat_rounds_half_up_on_integers(net: int, bp: int, vat: int) -> None:
    assert vat_of(net, bp) == vat


def test_round_half_up() -> None:
    assert [round_half_up(n, 2) for n in range(6)] == [0, 1, 1, 2, 2, 3]
