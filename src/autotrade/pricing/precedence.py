"""Price precedence, in one pure function (:func:`decide`): no database, table-driven tests.

1. **Base price**: the best volume tier the quantity reaches (the lowest unit price among the tiers
   whose ``min_quantity`` ≤ quantity), else the list price.
2. **Policies**: of the supplier's policies, those whose every set condition holds for this buyer,
   offer, channel and moment *match* (customer group the buyer is in, province, city, channel, time
   window ``valid_from ≤ at < valid_until``, scope: this offer / this category or one below it / all).
   A policy of another supplier never applies.
3. **Winner**: the highest ``priority``; a tie goes to the more specific policy (the number of
   conditions it sets, :func:`specificity`), then to the lower resulting unit price, then to the
   smaller id (so the answer never depends on row order).
4. The winner's effect applies to the base price: a fixed unit price, or ``discount_bp`` off the base
   (unit = round half up(base × (10000 − discount_bp) / 10000), at least 1 fen). Without a matching
   policy the base price stands.

Every answer names its rule: ``"policy 'VIP 华东' −8% (priority 10)"``, ``"tier ≥ 50"``, ``"list price"``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from autotrade.pricing.models import Channel, PolicyEffect, PolicyScope

BP = 10_000


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, integers only (both ≥ 0, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def vat_of(net_fen: int, vat_rate_bp: int) -> int:
    """VAT of a line: round half up (net × rate_bp / 10000)."""
    return round_half_up(net_fen * vat_rate_bp, BP)


@dataclass(frozen=True, slots=True)
class OfferTerms:
    """What precedence needs to know about an offer."""

    offer_id: uuid.UUID
    supplier_org_id: uuid.UUID
    list_price_fen: int
    tiers: tuple[tuple[int, int], ...]  # (min_quantity, unit_price_fen)
    category_path: str


@dataclass(frozen=True, slots=True)
class Buyer:
    """Who buys, where, through which channel, when."""

    province: str | None
    city: str | None
    group_ids: frozenset[uuid.UUID]
    channel: Channel
    at: datetime


@dataclass(frozen=True, slots=True)
class Rule:
    """A price policy as precedence sees it (``category_path`` of its category, for a category scope)."""

    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    priority: int
    effect: PolicyEffect
    unit_price_fen: int | None = None
    discount_bp: int | None = None
    scope: PolicyScope = PolicyScope.all
    offer_id: uuid.UUID | None = None
    category_path: str | None = None
    customer_group_id: uuid.UUID | None = None
    province: str | None = None
    city: str | None = None
    channel: Channel | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Price:
    unit_price_fen: int
    rule: str
    rule_id: uuid.UUID | None  # the price policy that applied; None for a tier or the list price


def base_price(list_price_fen: int, tiers: Iterable[tuple[int, int]], quantity: int) -> tuple[int, str]:
    """The best tier the quantity reaches, else the list price, with its explanation."""
    best: tuple[int, int] | None = None
    for min_q, price in tiers:
        if min_q <= quantity and (best is None or price < best[1] or (price == best[1] and min_q > best[0])):
            best = (min_q, price)
    if best is None:
        return list_price_fen, "list price"
    return best[1], f"tier ≥ {best[0]}"


def specificity(rule: Rule) -> int:
    """How many conditions the rule sets (a time window counts once, a narrower scope once)."""
    return sum(
        (
            rule.customer_group_id is not None,
            rule.province is not None,
            rule.city is not None,
            rule.channel is not None,
            rule.valid_from is not None or rule.valid_until is not None,
            rule.scope != PolicyScope.all,
        )
    )


def _in_category(part_path: str, rule_path: str | None) -> bool:
    return rule_path is not None and (part_path == rule_path or part_path.startswith(rule_path + "/"))


def matches(rule: Rule, offer: OfferTerms, buyer: Buyer) -> bool:
    """Every condition the rule sets holds (unset conditions hold for everyone)."""
    if not rule.active or rule.org_id != offer.supplier_org_id:
        return False
    if rule.scope == PolicyScope.offer and rule.offer_id != offer.offer_id:
        return False
    if rule.scope == PolicyScope.category and not _in_category(offer.category_path, rule.category_path):
        return False
    if rule.customer_group_id is not None and rule.customer_group_id not in buyer.group_ids:
        return False
    if rule.province is not None and rule.province != buyer.province:
        return False
    if rule.city is not None and rule.city != buyer.city:
        return False
    if rule.channel is not None and rule.channel != buyer.channel:
        return False
    if rule.valid_from is not None and buyer.at < rule.valid_from:
        return False
    return not (rule.valid_until is not None and buyer.at >= rule.valid_until)


def apply(rule: Rule, base_fen: int) -> int:
    """The unit price the rule's effect gives on this base price."""
    if rule.effect == PolicyEffect.fixed_price:
        assert rule.unit_price_fen is not None
        return rule.unit_price_fen
    assert rule.discount_bp is not None
    return max(1, round_half_up(base_fen * (BP - rule.discount_bp), BP))


def _percent(bp: int) -> str:
    return f"{(Decimal(bp) / 100).normalize():f}%"


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def explain(rule: Rule, currency: str = "CNY") -> str:
    if rule.effect == PolicyEffect.fixed_price:
        assert rule.unit_price_fen is not None
        effect = f"fixed {_yuan(rule.unit_price_fen)} {currency}"
    else:
        assert rule.discount_bp is not None
        effect = f"−{_percent(rule.discount_bp)}"
    return f"policy '{rule.name}' {effect} (priority {rule.priority})"


def decide(
    offer: OfferTerms, quantity: int, rules: Sequence[Rule], buyer: Buyer, currency: str = "CNY"
) -> Price:
    """The unit price this buyer pays for ``quantity`` of ``offer`` and the rule that set it."""
    base, why = base_price(offer.list_price_fen, offer.tiers, quantity)
    best: tuple[tuple[int, int, int, int], Rule, int] | None = None
    for rule in rules:
        if not matches(rule, offer, buyer):
            continue
        price = apply(rule, base)
        # Sort key, smallest wins: higher priority, more specific, lower price, smaller id.
        key = (-rule.priority, -specificity(rule), price, rule.id.int)
        if best is None or key < best[0]:
            best = (key, rule, price)
    if best is None:
        return Price(base, why, None)
    _key, rule, price = best
    return Price(price, explain(rule, currency), rule.id)
