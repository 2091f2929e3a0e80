"""Pricing fixtures: the small catalogue of tests/catalog, suppliers with offers, groups and policies
written through the ORM under the system scope (audited by the session hook like any write)."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.orgs.models import Org, OrgType
from autotrade.pricing.models import (
    CustomerGroup,
    CustomerGroupMember,
    Offer,
    OfferTier,
    PolicyEffect,
    PolicyScope,
    PricePolicy,
)
from tests.catalog.conftest import catalog  # noqa: F401  (fixture)
from tests.factories import make_company


def make_supplier(db: Database, name: str, **where: Any) -> uuid.UUID:
    org_id = make_company(db, name=name, type=OrgType.distributor)
    if where:
        move(db, org_id, **where)
    return org_id


def move(db: Database, org_id: uuid.UUID, **where: Any) -> None:
    """Set a company's province / city / coordinates."""
    with db.transaction() as s:
        bind_system(s, "test")
        org = s.get(Org, org_id)
        assert org is not None
        for k, v in where.items():
            setattr(org, k, v)


def make_offer(
    db: Database,
    *,
    org: uuid.UUID,
    part: uuid.UUID,
    list_price_fen: int = 10_000,
    tiers: tuple[tuple[int, int], ...] = (),
    **kw: Any,
) -> uuid.UUID:
    with db.transaction() as s:
        bind_system(s, "test")
        offer = Offer(org_id=org, part_id=part, list_price_fen=list_price_fen, **kw)
        offer.tiers = [OfferTier(org_id=org, min_quantity=q, unit_price_fen=p) for q, p in tiers]
        s.add(offer)
        s.flush()
        return offer.id


def make_group(db: Database, *, org: uuid.UUID, name: str, members: tuple[uuid.UUID, ...] = ()) -> uuid.UUID:
    with db.transaction() as s:
        bind_system(s, "test")
        g = CustomerGroup(org_id=org, name=name)
        s.add(g)
        s.flush()
        for m in members:
            s.add(CustomerGroupMember(org_id=org, group_id=g.id, member_org_id=m))
        s.flush()
        return g.id


def make_policy(
    db: Database,
    *,
    org: uuid.UUID,
    name: str,
    priority: int = 0,
    discount_bp: int | None = None,
    unit_price_fen: int | None = None,
    **kw: Any,
) -> uuid.UUID:
    effect = PolicyEffect.discount if discount_bp is not None else PolicyEffect.fixed_price
    kw.setdefault(
        "scope",
        PolicyScope.offer
        if kw.get("offer_id")
        else PolicyScope.category
        if kw.get("category_id")
        else PolicyScope.all,
    )
    with db.transaction() as s:
        bind_system(s, "test")
        p = PricePolicy(
            org_id=org,
            name=name,
            priority=priority,
            effect=effect,
            discount_bp=discount_bp,
            unit_price_fen=unit_price_fen,
            **kw,
        )
        s.add(p)
        s.flush()
        return p.id
