"""payments: request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from autotrade.payments.models import Payment, PaymentCallback, PaymentStatus, ProviderName


class PaymentIn(BaseModel):
    provider: Literal["bank_transfer", "gateway"]


class BankTransferConfirmIn(BaseModel):
    order_id: uuid.UUID
    bank_reference: str = Field(min_length=1, max_length=64)
    amount_fen: int = Field(gt=0)
    currency: str = Field("CNY", min_length=3, max_length=3)
    note: str | None = Field(None, max_length=500)


class SimulatePayIn(BaseModel):
    scenario: Literal["normal", "duplicate", "out_of_order", "late", "amount_mismatch", "closed"] = "normal"
    delay_ms: int = Field(0, ge=0, le=600_000)


class PaymentOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    order_id: uuid.UUID
    provider: ProviderName
    amount_fen: int
    currency: str
    status: PaymentStatus
    refunded_fen: int
    reference_code: str
    provider_reference: str | None
    bank_reference: str | None
    pays_order: bool
    failure_reason: str | None
    created_at: datetime
    paid_at: datetime | None
    refunded_at: datetime | None

    @classmethod
    def build(cls, p: Payment) -> PaymentOut:
        return cls.model_validate(p, from_attributes=True)


class PaymentStarted(BaseModel):
    """The new payment and what the buyer does next (transfer instructions, or the gateway page)."""

    payment: PaymentOut
    instructions: dict[str, Any]


class CallbackOut(BaseModel):
    outcome: str
    payment_id: uuid.UUID | None
    replayed: bool


class CallbackLogOut(BaseModel):
    id: uuid.UUID
    provider: ProviderName
    event_id: str | None
    signature_ok: bool
    outcome: str
    detail: str | None
    payment_id: uuid.UUID | None
    received_at: datetime

    @classmethod
    def build(cls, c: PaymentCallback) -> CallbackLogOut:
        return cls.model_validate(c, from_attributes=True)


class SimulationOut(BaseModel):
    payment_id: uuid.UUID
    scenario: str
    events: list[dict[str, Any]]
    job_id: uuid.UUID
