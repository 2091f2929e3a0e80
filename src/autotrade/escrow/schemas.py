"""escrow: API shapes (Pydantic v2). Money in integer fen, rates in basis points."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from autotrade.escrow.models import TradeType
from autotrade.escrow.service import EscrowView


def _aware(v: datetime | None) -> datetime | None:
    if v is not None and v.tzinfo is None:
        raise ValueError("give the time zone, e.g. 2027-01-01T00:00:00+08:00")
    return v


class RateIn(BaseModel):
    trade_type: TradeType
    category_id: uuid.UUID | None = Field(None, description="a category: the rate applies to its subtree")
    rate_bp: int = Field(ge=0, le=10000, description="basis points: 250 = 2.5 %")
    effective_from: datetime
    effective_until: datetime | None = None
    note: str | None = Field(None, max_length=300)

    _tz = field_validator("effective_from", "effective_until")(_aware)


class RateUpdate(BaseModel):
    """Only a rate that has not started may change its rate or start; any rate may change its end (not
    into the past) and note."""

    rate_bp: int | None = Field(None, ge=0, le=10000)
    effective_from: datetime | None = None
    effective_until: datetime | None = None
    note: str | None = Field(None, max_length=300)

    _tz = field_validator("effective_from", "effective_until")(_aware)


class RateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    trade_type: str
    category_id: uuid.UUID | None
    rate_bp: int
    effective_from: datetime
    effective_until: datetime | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    cause: str
    reference_id: uuid.UUID
    amount_fen: int
    currency: str
    reason: str
    created_at: datetime


class CommissionLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_id: uuid.UUID
    rate_id: uuid.UUID | None
    trade_type: str
    rate_bp: int
    base_fen: int
    commission_fen: int


class EscrowOut(BaseModel):
    """An order's escrow: what it holds now, what was released (and the commission taken), refunded, and
    whether an open dispute freezes it. ``commission_lines`` are shown to the supplier only."""

    order_id: uuid.UUID
    currency: str
    held_fen: int
    released_fen: int
    commission_fen: int
    payable_fen: int
    refunded_fen: int
    frozen: bool
    released_at: datetime | None
    release_trigger: str | None
    refunds: list[RefundOut]
    commission_lines: list[CommissionLineOut]

    @classmethod
    def build(cls, v: EscrowView) -> EscrowOut:
        r = v.release
        return cls(
            order_id=v.order.id,
            currency=v.order.currency,
            held_fen=v.held_fen,
            released_fen=r.amount_fen if r else 0,
            commission_fen=r.commission_fen if r else 0,
            payable_fen=r.payable_fen if r else 0,
            refunded_fen=v.refunded_fen,
            frozen=v.frozen,
            released_at=r.released_at if r else None,
            release_trigger=r.trigger if r else None,
            refunds=[RefundOut.model_validate(x) for x in v.refunds],
            commission_lines=[CommissionLineOut.model_validate(x) for x in v.commissions],
        )
