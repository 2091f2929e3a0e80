"""credit: API shapes (Pydantic v2). Money is integer fen; the debtor is the buyer company."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from autotrade.credit.models import (
    CreditInvoice,
    CreditInvoiceStatus,
    CreditLine,
    CreditLineStatus,
    CreditRepayment,
)
from autotrade.credit.terms import days_overdue, effective_status

MAX_LIMIT_FEN = 10**13  # 1000 亿元: far beyond any line, well inside BIGINT
CURRENCY = Field("CNY", pattern=r"^[A-Z]{3}$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineIn(_In):
    debtor_org_id: uuid.UUID
    limit_fen: int = Field(ge=0, le=MAX_LIMIT_FEN)
    term_days: int = Field(ge=1, le=365)
    currency: str = CURRENCY
    note: str | None = Field(None, max_length=500)


class LineAdjustIn(_In):
    limit_fen: int | None = Field(None, ge=0, le=MAX_LIMIT_FEN)
    term_days: int | None = Field(None, ge=1, le=365)
    note: str | None = Field(None, max_length=500)


class SuspendIn(_In):
    reason: str = Field(min_length=1, max_length=500)


class PayOnCreditIn(_In):
    line_id: uuid.UUID | None = None  # default: the supplier's line, else the platform's
    note: str | None = Field(None, max_length=500)


class RepaymentIn(_In):
    amount_fen: int = Field(gt=0, le=MAX_LIMIT_FEN)
    bank_reference: str = Field(min_length=1, max_length=100)
    currency: str = CURRENCY
    received_at: datetime | None = None  # default: now
    note: str | None = Field(None, max_length=500)


class LineOut(BaseModel):
    id: uuid.UUID
    creditor_org_id: uuid.UUID
    debtor_org_id: uuid.UUID
    currency: str
    limit_fen: int
    used_fen: int
    available_fen: int  # max(0, limit - used)
    term_days: int
    status: CreditLineStatus
    granted_by: str
    note: str | None
    suspended_at: datetime | None
    suspend_reason: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, x: CreditLine) -> LineOut:
        return cls(
            id=x.id,
            creditor_org_id=x.creditor_org_id,
            debtor_org_id=x.org_id,
            currency=x.currency,
            limit_fen=x.limit_fen,
            used_fen=x.used_fen,
            available_fen=max(0, x.limit_fen - x.used_fen),
            term_days=x.term_days,
            status=x.status,
            granted_by=x.granted_by,
            note=x.note,
            suspended_at=x.suspended_at,
            suspend_reason=x.suspend_reason,
            created_at=x.created_at,
            updated_at=x.updated_at,
        )


class RepaymentOut(BaseModel):
    id: uuid.UUID
    invoice_id: uuid.UUID
    currency: str
    amount_fen: int
    bank_reference: str
    received_at: datetime
    confirmed_by: str
    note: str | None
    created_at: datetime

    @classmethod
    def build(cls, x: CreditRepayment) -> RepaymentOut:
        return cls(
            id=x.id,
            invoice_id=x.invoice_id,
            currency=x.currency,
            amount_fen=x.amount_fen,
            bank_reference=x.bank_reference,
            received_at=x.received_at,
            confirmed_by=x.confirmed_by,
            note=x.note,
            created_at=x.created_at,
        )


class InvoiceOut(BaseModel):
    id: uuid.UUID
    line_id: uuid.UUID
    order_id: uuid.UUID
    creditor_org_id: uuid.UUID
    debtor_org_id: uuid.UUID
    currency: str
    amount_fen: int
    repaid_fen: int
    outstanding_fen: int
    term_days: int
    issued_at: datetime
    due_at: datetime
    # As of the answer: an open invoice past due_at shows "overdue" even before the job marked it.
    status: CreditInvoiceStatus
    paid_at: datetime | None
    days_overdue: int  # whole days past due_at while unpaid (0 otherwise)

    @classmethod
    def build(cls, x: CreditInvoice, *, now: datetime) -> InvoiceOut:
        return cls(
            id=x.id,
            line_id=x.line_id,
            order_id=x.order_id,
            creditor_org_id=x.creditor_org_id,
            debtor_org_id=x.org_id,
            currency=x.currency,
            amount_fen=x.amount_fen,
            repaid_fen=x.repaid_fen,
            outstanding_fen=x.amount_fen - x.repaid_fen,
            term_days=x.term_days,
            issued_at=x.issued_at,
            due_at=x.due_at,
            status=effective_status(x, now),
            paid_at=x.paid_at,
            days_overdue=days_overdue(x, now),
        )


class InvoiceDetail(InvoiceOut):
    repayments: list[RepaymentOut]


class CreditPaymentOut(BaseModel):
    order_id: uuid.UUID
    order_status: str
    invoice: InvoiceOut
    line: LineOut


class RepaymentResult(BaseModel):
    repayment: RepaymentOut
    invoice: InvoiceOut
    line: LineOut


class FactorOut(BaseModel):
    name: str
    value: int  # the measured value (fen, days, count, or basis points — see ``unit``)
    unit: str
    effect_bp: int  # the multiplier applied, in basis points (10000 = ×1)
    explanation: str


class SuggestionOut(BaseModel):
    buyer_org_id: uuid.UUID
    creditor_org_id: uuid.UUID
    history: str  # "with_creditor" | "platform_wide"
    currency: str
    base_fen: int
    suggested_limit_fen: int
    suggested_term_days: int
    current_limit_fen: int | None
    formula: str
    factors: list[FactorOut]
    computed_at: datetime
