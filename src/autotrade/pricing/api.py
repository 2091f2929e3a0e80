"""pricing: HTTP routes (thin: parse, call the service, shape the answer).

Supplier side (``pricing:view`` / ``pricing:edit``, the caller's own company): offers with inline tiers,
customer groups and members, price policies. Buyer side (``pricing:view``): quotes and comparison, the
only routes that show other companies' offers (marketplace reads)."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Depends, Query, Response
from sqlalchemy.orm import Session

from autotrade.catalog.models import QualityGrade
from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of, paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.pricing import compare, service, supplier
from autotrade.pricing.models import Channel, CustomerGroup, Offer, OfferStatus, PricePolicy
from autotrade.pricing.repository import CustomerGroupRepository, OfferRepository, PricePolicyRepository
from autotrade.pricing.schemas import (
    CompareOut,
    GroupIn,
    GroupOut,
    GroupUpdate,
    MemberIn,
    OfferIn,
    OfferOut,
    OfferUpdate,
    PolicyIn,
    PolicyOut,
    PolicyUpdate,
    QuoteOut,
    QuotesIn,
    QuotesOut,
)

router = api_router("/api/v1", tags=["pricing"])

VIEW = require("pricing:view")
EDIT = require("pricing:edit")


# ---- offers ------------------------------------------------------------------------------------------


@router.get("/offers", response_model=Page[OfferOut])
def list_offers(
    part_id: uuid.UUID | None = None,
    status: OfferStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Page[OfferOut]:
    """My company's offers (newest first)."""
    return page_of(
        db,
        OfferRepository(db).listing(part_id=part_id, status=status),
        Offer.id,
        OfferOut.build,
        cursor=cursor,
        limit=limit,
    )


@router.post("/offers", status_code=201, response_model=OfferOut)
def create_offer(data: OfferIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)) -> OfferOut:
    return OfferOut.build(supplier.create_offer(db, p, data))


@router.get("/offers/{offer_id}", response_model=OfferOut)
def get_offer(offer_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)) -> OfferOut:
    return OfferOut.build(supplier.get_offer(db, offer_id))


@router.patch("/offers/{offer_id}", response_model=OfferOut)
def update_offer(
    offer_id: uuid.UUID, data: OfferUpdate, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> OfferOut:
    """Change terms; ``tiers``, when given, replaces every tier."""
    return OfferOut.build(supplier.update_offer(db, offer_id, data))


@router.delete("/offers/{offer_id}", status_code=204)
def delete_offer(
    offer_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    supplier.delete_offer(db, offer_id)
    return Response(status_code=204)


# ---- customer groups ---------------------------------------------------------------------------------


def _group_out(db: Session, group: CustomerGroup) -> GroupOut:
    return GroupOut.build(group, supplier.members_of(db, [group])[group.id])


@router.get("/customer-groups", response_model=Page[GroupOut])
def list_groups(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Page[GroupOut]:
    """My company's customer groups with their members."""
    rows, nxt = paginate(
        db, CustomerGroupRepository(db).select(), CustomerGroup.id, cursor=cursor, limit=limit
    )
    members = supplier.members_of(db, rows)
    return Page(items=[GroupOut.build(g, members[g.id]) for g in rows], next_cursor=nxt)


@router.post("/customer-groups", status_code=201, response_model=GroupOut)
def create_group(data: GroupIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)) -> GroupOut:
    return GroupOut.build(supplier.create_group(db, p, data), [])


@router.get("/customer-groups/{customer_group_id}", response_model=GroupOut)
def get_group(
    customer_group_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> GroupOut:
    return _group_out(db, supplier.get_group(db, customer_group_id))


@router.patch("/customer-groups/{customer_group_id}", response_model=GroupOut)
def update_group(
    customer_group_id: uuid.UUID,
    data: GroupUpdate,
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> GroupOut:
    return _group_out(db, supplier.update_group(db, customer_group_id, data))


@router.delete("/customer-groups/{customer_group_id}", status_code=204)
def delete_group(
    customer_group_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    supplier.delete_group(db, customer_group_id)
    return Response(status_code=204)


@router.post("/customer-groups/{customer_group_id}/members", status_code=201, response_model=GroupOut)
def add_member(
    customer_group_id: uuid.UUID, data: MemberIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> GroupOut:
    """Add a buyer company (by id) to the group; its branches buy with the group's prices too."""
    supplier.add_member(db, customer_group_id, data.org_id)
    return _group_out(db, supplier.get_group(db, customer_group_id))


@router.delete("/customer-groups/{customer_group_id}/members/{member_org_id}", status_code=204)
def remove_member(
    customer_group_id: uuid.UUID,
    member_org_id: uuid.UUID,
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    supplier.remove_member(db, customer_group_id, member_org_id)
    return Response(status_code=204)


# ---- price policies ----------------------------------------------------------------------------------


@router.get("/price-policies", response_model=Page[PolicyOut])
def list_policies(
    offer_id: uuid.UUID | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Page[PolicyOut]:
    """My company's price policies."""
    stmt = PricePolicyRepository(db).listing(offer_id=offer_id, active=active)
    return page_of(db, stmt, PricePolicy.id, PolicyOut.build, cursor=cursor, limit=limit)


@router.post("/price-policies", status_code=201, response_model=PolicyOut)
def create_policy(data: PolicyIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)) -> PolicyOut:
    return PolicyOut.build(supplier.create_policy(db, p, data))


@router.get("/price-policies/{policy_id}", response_model=PolicyOut)
def get_policy(
    policy_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> PolicyOut:
    return PolicyOut.build(supplier.get_policy(db, policy_id))


@router.patch("/price-policies/{policy_id}", response_model=PolicyOut)
def update_policy(
    policy_id: uuid.UUID, data: PolicyUpdate, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> PolicyOut:
    return PolicyOut.build(supplier.update_policy(db, policy_id, data))


@router.delete("/price-policies/{policy_id}", status_code=204)
def delete_policy(
    policy_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    supplier.delete_policy(db, policy_id)
    return Response(status_code=204)


# ---- buyer side: quotes and comparison ---------------------------------------------------------------


@router.post("/quotes", response_model=QuotesOut)
def quotes(data: QuotesIn, p: Principal = Depends(VIEW), db: Session = Depends(get_db)) -> QuotesOut:
    """The prices my company pays for these offers and quantities, each with the rule that set it.
    The channel is ``api`` when called with an API key, else ``web``. Writes nothing."""
    channel = Channel.api if p.api_key_id else Channel.web
    items = service.quote_many(
        db,
        buyer_org_id=p.org_id,
        requests=[service.QuoteRequest(x.offer_id, x.quantity) for x in data.lines],
        channel=channel.value,
    )
    return QuotesOut(
        channel=channel,
        items=[QuoteOut.model_validate(q, from_attributes=True) for q in items],
        net_fen=sum(q.net_fen for q in items),
        vat_fen=sum(q.vat_fen for q in items),
        gross_fen=sum(q.gross_fen for q in items),
    )


@router.get("/compare", response_model=CompareOut)
def compare_offers(
    part_id: uuid.UUID,
    quantity: int = Query(1, ge=1, le=10_000_000),
    latitude: float | None = Query(None, ge=-90, le=90),
    longitude: float | None = Query(None, ge=-180, le=180),
    radius_km: float | None = Query(None, gt=0, le=5000),
    grade: list[QualityGrade] | None = Query(
        None, description="quality grades to keep (repeat the parameter)"
    ),
    sort: Literal["landed", "eta", "distance"] = "landed",
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> CompareOut:
    """一键比价: every active offer for the part and its interchange group, priced for my company and
    this quantity, with stock, distance, ETA and landed cost (docs/pricing.md)."""
    return compare.compare(
        db,
        buyer_org_id=p.org_id,
        channel=(Channel.api if p.api_key_id else Channel.web).value,
        part_id=part_id,
        quantity=quantity,
        latitude=latitude,
        longitude=longitude,
        radius_km=radius_km,
        grades=set(grade or ()),
        sort=sort,
    )
