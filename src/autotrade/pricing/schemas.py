"""pricing: API shapes (Pydantic v2). Money in integer fen; VAT rates in basis points."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from autotrade.catalog.models import QualityGrade
from autotrade.pricing.models import (
    Channel,
    CustomerGroup,
    Offer,
    OfferStatus,
    PolicyEffect,
    PolicyScope,
    PricePolicy,
)

MAX_FEN = 10**13  # 1e11 yuan: far above any part price, far below BigInteger
Currency = Literal["CNY"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---- offers ------------------------------------------------------------------------------------------


class TierIn(Strict):
    min_quantity: int = Field(ge=1, le=10_000_000)
    unit_price_fen: int = Field(gt=0, le=MAX_FEN)


class OfferIn(Strict):
    part_id: uuid.UUID
    list_price_fen: int = Field(gt=0, le=MAX_FEN)
    currency: Currency = "CNY"
    moq: int = Field(1, ge=1, le=10_000_000)
    pack_size: int = Field(1, ge=1, le=100_000)
    lead_time_days: int = Field(0, ge=0, le=365)
    vat_rate_bp: int = Field(1300, ge=0, le=10_000)
    status: OfferStatus = OfferStatus.active
    tiers: list[TierIn] = Field(default_factory=list, max_length=20)


class OfferUpdate(Strict):
    list_price_fen: int | None = Field(None, gt=0, le=MAX_FEN)
    moq: int | None = Field(None, ge=1, le=10_000_000)
    pack_size: int | None = Field(None, ge=1, le=100_000)
    lead_time_days: int | None = Field(None, ge=0, le=365)
    vat_rate_bp: int | None = Field(None, ge=0, le=10_000)
    status: OfferStatus | None = None
    tiers: list[TierIn] | None = Field(None, max_length=20, description="replaces every tier when given")


class TierOut(BaseModel):
    min_quantity: int
    unit_price_fen: int


class OfferOut(BaseModel):
    id: uuid.UUID
    supplier_org_id: uuid.UUID
    part_id: uuid.UUID
    list_price_fen: int
    currency: str
    moq: int
    pack_size: int
    lead_time_days: int
    vat_rate_bp: int
    status: OfferStatus
    tiers: list[TierOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, o: Offer) -> OfferOut:
        return cls(
            id=o.id,
            supplier_org_id=o.org_id,
            part_id=o.part_id,
            list_price_fen=o.list_price_fen,
            currency=o.currency,
            moq=o.moq,
            pack_size=o.pack_size,
            lead_time_days=o.lead_time_days,
            vat_rate_bp=o.vat_rate_bp,
            status=o.status,
            tiers=[TierOut(min_quantity=t.min_quantity, unit_price_fen=t.unit_price_fen) for t in o.tiers],
            created_at=o.created_at,
            updated_at=o.updated_at,
        )


# ---- customer groups ---------------------------------------------------------------------------------


class GroupIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)


class GroupUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)


class MemberIn(Strict):
    org_id: uuid.UUID = Field(description="the buyer company to add")


class MemberOut(BaseModel):
    org_id: uuid.UUID
    name: str
    added_at: datetime


class GroupOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    members: list[MemberOut]
    created_at: datetime

    @classmethod
    def build(cls, g: CustomerGroup, members: list[MemberOut]) -> GroupOut:
        return cls(id=g.id, name=g.name, description=g.description, members=members, created_at=g.created_at)


# ---- price policies ----------------------------------------------------------------------------------


class PolicyFields(Strict):
    priority: int | None = Field(None, ge=-1000, le=1000)
    active: bool | None = None
    customer_group_id: uuid.UUID | None = None
    province: str | None = Field(None, min_length=1, max_length=40)
    city: str | None = Field(None, min_length=1, max_length=40)
    channel: Channel | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    scope: PolicyScope | None = None
    offer_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    effect: PolicyEffect | None = None
    unit_price_fen: int | None = Field(None, gt=0, le=MAX_FEN)
    discount_bp: int | None = Field(None, ge=1, le=9999)


class PolicyIn(PolicyFields):
    name: str = Field(min_length=1, max_length=100)
    effect: PolicyEffect
    scope: PolicyScope = PolicyScope.all
    priority: int = Field(0, ge=-1000, le=1000)
    active: bool = True


class PolicyUpdate(PolicyFields):
    name: str | None = Field(None, min_length=1, max_length=100)


class PolicyOut(BaseModel):
    id: uuid.UUID
    name: str
    priority: int
    active: bool
    customer_group_id: uuid.UUID | None
    province: str | None
    city: str | None
    channel: Channel | None
    valid_from: datetime | None
    valid_until: datetime | None
    scope: PolicyScope
    offer_id: uuid.UUID | None
    category_id: uuid.UUID | None
    effect: PolicyEffect
    unit_price_fen: int | None
    currency: str
    discount_bp: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, p: PricePolicy) -> PolicyOut:
        return cls.model_validate(p, from_attributes=True)


# ---- quotes ------------------------------------------------------------------------------------------


class QuoteLineIn(Strict):
    offer_id: uuid.UUID
    quantity: int = Field(ge=1, le=10_000_000)


class QuotesIn(Strict):
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=200)


class QuoteOut(BaseModel):
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
    rule: str = Field(description="which rule set the unit price: a policy, a volume tier or the list price")
    rule_id: uuid.UUID | None = Field(description="the price policy that applied (None: tier or list price)")


class QuotesOut(BaseModel):
    channel: Channel
    items: list[QuoteOut]
    net_fen: int
    vat_fen: int
    gross_fen: int


# ---- comparison --------------------------------------------------------------------------------------


class CompareItem(BaseModel):
    offer_id: uuid.UUID
    supplier_org_id: uuid.UUID
    supplier_name: str
    supplier_rating: float | None = Field(None, description="placeholder: no ratings yet")
    part_id: uuid.UUID
    sku: str
    part_name: str
    brand: str
    quality_grade: QualityGrade
    relation: Literal["requested", "interchange"]
    quantity: int = Field(description="the quantity priced: the wanted quantity raised to the MOQ / pack")
    unit_price_fen: int
    currency: str
    net_fen: int
    vat_fen: int
    gross_fen: int
    rule: str
    moq: int
    pack_size: int
    lead_time_days: int
    available_total: int
    nearest_warehouse_id: uuid.UUID | None
    nearest_available: int
    distance_km: float | None
    eta_days: int | None
    freight_fen: int
    landed_fen: int
    enough_stock: bool
    flags: list[str] = Field(
        description="why the offer may not fit: insufficient_stock, no_stock, adjusted_quantity"
    )


class CompareOut(BaseModel):
    part_id: uuid.UUID
    quantity: int
    latitude: float | None
    longitude: float | None
    sort: str
    items: list[CompareItem]
