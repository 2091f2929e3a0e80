"""pricing: the one pricing service (:func:`quote_many`), used by quotes, comparison, cart and checkout.

Set-based: three statements whatever the number of lines — offers with their tiers, the buyer with
its customer groups of these suppliers, the candidate policies of these suppliers. Precedence itself
is the pure :func:`autotrade.pricing.precedence.decide` (docs/pricing.md).

Supplier-side writes (offers, groups, policies) live in :mod:`autotrade.pricing.supplier`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.core.errors import AppError, NotFound, ValidationFailed
from autotrade.orgs.models import OrgStatus
from autotrade.pricing.errors import BelowMoq, NotPackMultiple, OfferInactive, OfferNotFound
from autotrade.pricing.models import Channel, OfferStatus
from autotrade.pricing.precedence import Buyer, OfferTerms, Rule, decide, vat_of
from autotrade.pricing.repository import MarketplaceRepository


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    offer_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class Quote:
    offer_id: uuid.UUID
    supplier_org_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int
    unit_price_fen: int
    currency: str
    net_fen: int
    vat_rate_bp: int
    vat_fen: int
    gross_fen: int
    moq: int
    pack_size: int
    lead_time_days: int
    rule: str
    rule_id: uuid.UUID | None  # the price policy that applied; None for a volume tier or the list price


@dataclass(frozen=True, slots=True)
class _Offer:
    terms: OfferTerms
    part_id: uuid.UUID
    currency: str
    moq: int
    pack_size: int
    lead_time_days: int
    vat_rate_bp: int
    on_sale: bool


def _offers(repo: MarketplaceRepository, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, _Offer]:
    rows: dict[uuid.UUID, list[Any]] = {}
    for r in repo.offers_with_tiers(ids):
        rows.setdefault(r.id, []).append(r)
    out = {}
    for oid, group in rows.items():
        r = group[0]
        tiers = tuple(sorted((t.min_quantity, t.unit_price_fen) for t in group if t.min_quantity is not None))
        out[oid] = _Offer(
            terms=OfferTerms(oid, r.org_id, r.list_price_fen, tiers, r.path),
            part_id=r.part_id,
            currency=r.currency,
            moq=r.moq,
            pack_size=r.pack_size,
            lead_time_days=r.lead_time_days,
            vat_rate_bp=r.vat_rate_bp,
            on_sale=r.status == OfferStatus.active and r.supplier_status == OrgStatus.approved,
        )
    return out


def _check_lines(requests: Sequence[QuoteRequest], offers: dict[uuid.UUID, _Offer]) -> None:
    """Every line's problem is collected; one error (the first line's kind) lists them all."""
    missing: list[dict[str, Any]] = [
        {"index": i, "offer_id": str(q.offer_id), "code": OfferNotFound.code, "field": f"lines[{i}].offer_id"}
        for i, q in enumerate(requests)
        if q.offer_id not in offers
    ]
    if missing:
        raise OfferNotFound(
            f"offer {missing[0]['offer_id']} not found", field=missing[0]["field"], errors=missing
        )
    problems: list[tuple[type[AppError], str, dict[str, Any]]] = []
    for i, q in enumerate(requests):
        o = offers[q.offer_id]
        line = {"index": i, "offer_id": str(q.offer_id)}
        if not o.on_sale:
            problems.append(
                (OfferInactive, "the offer is not on sale", {**line, "field": f"lines[{i}].offer_id"})
            )
        elif q.quantity < o.moq:
            problems.append(
                (
                    BelowMoq,
                    f"at least {o.moq} pieces",
                    {**line, "field": f"lines[{i}].quantity", "moq": o.moq},
                )
            )
        elif q.quantity % o.pack_size:
            problems.append(
                (
                    NotPackMultiple,
                    f"sold in packs of {o.pack_size}",
                    {**line, "field": f"lines[{i}].quantity", "pack_size": o.pack_size},
                )
            )
    if problems:
        errors = [{**extra, "code": cls.code} for cls, _msg, extra in problems]
        cls, msg, first = problems[0]
        raise cls(f"line {first['index']}: {msg}", field=first["field"], errors=errors)


def _rules(rows: Sequence[Any]) -> dict[uuid.UUID, list[Rule]]:
    out: dict[uuid.UUID, list[Rule]] = {}
    for p, path in rows:
        out.setdefault(p.org_id, []).append(
            Rule(
                id=p.id,
                org_id=p.org_id,
                name=p.name,
                priority=p.priority,
                effect=p.effect,
                unit_price_fen=p.unit_price_fen,
                discount_bp=p.discount_bp,
                scope=p.scope,
                offer_id=p.offer_id,
                category_path=path,
                customer_group_id=p.customer_group_id,
                province=p.province,
                city=p.city,
                channel=p.channel,
                valid_from=p.valid_from,
                valid_until=p.valid_until,
                active=p.active,
            )
        )
    return out


def quote_many(
    session: Session,
    *,
    buyer_org_id: uuid.UUID,
    requests: Sequence[QuoteRequest],
    channel: str = "web",
    at: datetime | None = None,
) -> list[Quote]:
    """Price every line for this buyer (one quote per request, in order), or raise one typed error
    naming every bad line (``errors[]``; ``field`` is ``lines[i].offer_id`` / ``lines[i].quantity``):
    ``offer_not_found`` (404), ``offer_inactive`` (paused offer or supplier not trading), ``below_moq``,
    ``not_pack_multiple`` (422). A marketplace read: offers of any supplier."""
    if not requests:
        return []
    try:
        ch = Channel(channel)
    except ValueError as e:
        raise ValidationFailed("channel must be web or api", field="channel", code="invalid_channel") from e
    for i, q in enumerate(requests):
        if q.quantity < 1:
            raise ValidationFailed(
                "quantity must be at least 1", field=f"lines[{i}].quantity", code="invalid_quantity"
            )
    at = at or utcnow()
    repo = MarketplaceRepository(session)
    offers = _offers(repo, [q.offer_id for q in requests])
    _check_lines(requests, offers)

    suppliers = {o.terms.supplier_org_id for o in offers.values()}
    buyer_rows = repo.buyer_with_groups(buyer_org_id, suppliers)
    if not buyer_rows:
        raise NotFound("buying company not found", code="company_not_found", field="buyer_org_id")
    first = buyer_rows[0]
    groups = frozenset(r.group_id for r in buyer_rows if r.group_id is not None)
    buyer = Buyer(province=first.province, city=first.city, group_ids=groups, channel=ch, at=at)
    rules = _rules(
        repo.candidate_policies(
            suppliers, at=at, channel=ch, province=buyer.province, city=buyer.city, group_ids=groups
        )
    )

    quotes = []
    for q in requests:
        o = offers[q.offer_id]
        price = decide(o.terms, q.quantity, rules.get(o.terms.supplier_org_id, ()), buyer, o.currency)
        net = price.unit_price_fen * q.quantity
        vat = vat_of(net, o.vat_rate_bp)
        quotes.append(
            Quote(
                offer_id=q.offer_id,
                supplier_org_id=o.terms.supplier_org_id,
                part_id=o.part_id,
                quantity=q.quantity,
                unit_price_fen=price.unit_price_fen,
                currency=o.currency,
                net_fen=net,
                vat_rate_bp=o.vat_rate_bp,
                vat_fen=vat,
                gross_fen=net + vat,
                moq=o.moq,
                pack_size=o.pack_size,
                lead_time_days=o.lead_time_days,
                rule=price.rule,
                rule_id=price.rule_id,
            )
        )
    return quotes
