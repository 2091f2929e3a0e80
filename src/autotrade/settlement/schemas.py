"""settlement: API shapes (Pydantic v2). Money in integer fen."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from autotrade.core.crypto import mask
from autotrade.core.validators import BankAccount
from autotrade.settlement.models import (
    Invoice,
    InvoiceKind,
    InvoiceScope,
    InvoiceStatus,
    LineKind,
    Payout,
    SettlementLine,
    SettlementStatement,
    TaxProfile,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_TAXPAYER_OLD = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{17}$|^[0-9A-Z]{20}$")


def taxpayer_id(v: str) -> str:
    """纳税人识别号: since 2015 the 18-character unified social credit code (GB 32100, its check
    character verified); older registrations have 15, 17 or 20 digits and capital letters."""
    compact = re.sub(r"[\s\-]", "", v).upper()
    if len(compact) == 18:
        try:
            return str(uscc.validate(compact))
        except StdnumError as e:
            raise PydanticCustomError(
                "invalid_taxpayer_id",
                "not a valid taxpayer identification number (GB 32100 check failed): {reason}",
                {"reason": str(e)},
            ) from e
    if not _TAXPAYER_OLD.match(compact):
        raise PydanticCustomError(
            "invalid_taxpayer_id",
            "a taxpayer identification number has 15, 17, 18 or 20 digits and capital letters",
        )
    return compact


TaxpayerId = Annotated[str, AfterValidator(taxpayer_id)]


# ---- periods and statements --------------------------------------------------------------------------


class PeriodIn(Strict):
    """A month (``period``: ``2026-11``) or inclusive dates (``date_from``/``date_to``), China time."""

    period: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    date_from: date | None = None
    date_to: date | None = None


class GenerateIn(PeriodIn):
    supplier_org_id: uuid.UUID | None = Field(default=None, description="omitted: every supplier")


class StatementLineOut(BaseModel):
    position: int
    kind: LineKind
    entry_id: uuid.UUID
    order_id: uuid.UUID | None
    order_number: str | None
    reference: str | None
    occurred_at: datetime
    gross_fen: int
    commission_fen: int
    payable_fen: int

    @classmethod
    def build(cls, line: SettlementLine) -> StatementLineOut:
        return cls(
            position=line.position,
            kind=line.kind,
            entry_id=line.entry_id,
            order_id=line.order_id,
            order_number=line.order_number,
            reference=line.reference,
            occurred_at=line.occurred_at,
            gross_fen=line.gross_fen,
            commission_fen=line.commission_fen,
            payable_fen=line.payable_fen,
        )


class StatementOut(BaseModel):
    id: uuid.UUID
    number: str
    supplier_org_id: uuid.UUID
    period_label: str
    period_start: datetime
    period_end: datetime
    currency: str
    opening_payable_fen: int
    released_gross_fen: int
    commission_fen: int
    released_net_fen: int
    refunds_fen: int
    payouts_fen: int
    adjustments_fen: int
    closing_payable_fen: int
    payout_due_fen: int
    final: bool
    generated_at: datetime
    lines: list[StatementLineOut] | None = None

    @classmethod
    def build(cls, st: SettlementStatement, lines: list[SettlementLine] | None = None) -> StatementOut:
        return cls(
            id=st.id,
            number=st.number,
            supplier_org_id=st.org_id,
            period_label=st.period_label,
            period_start=st.period_start,
            period_end=st.period_end,
            currency=st.currency,
            opening_payable_fen=st.opening_payable_fen,
            released_gross_fen=st.released_gross_fen,
            commission_fen=st.commission_fen,
            released_net_fen=st.released_net_fen,
            refunds_fen=st.refunds_fen,
            payouts_fen=st.payouts_fen,
            adjustments_fen=st.adjustments_fen,
            closing_payable_fen=st.closing_payable_fen,
            payout_due_fen=st.payout_due_fen,
            final=st.final,
            generated_at=st.generated_at,
            lines=None if lines is None else [StatementLineOut.build(x) for x in lines],
        )


class GenerateOut(BaseModel):
    period_label: str
    statements: list[StatementOut]


# ---- payouts ------------------------------------------------------------------------------------------


class PayoutIn(Strict):
    supplier_org_id: uuid.UUID
    amount_fen: int
    bank_reference: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=500)


class PayoutOut(BaseModel):
    id: uuid.UUID
    supplier_org_id: uuid.UUID
    amount_fen: int
    currency: str
    bank_reference: str
    note: str | None
    entry_id: uuid.UUID
    paid_at: datetime
    recorded_by: str
    payable_after_fen: int | None = None

    @classmethod
    def build(cls, p: Payout, payable_after_fen: int | None = None) -> PayoutOut:
        return cls(
            id=p.id,
            supplier_org_id=p.org_id,
            amount_fen=p.amount_fen,
            currency=p.currency,
            bank_reference=p.bank_reference,
            note=p.note,
            entry_id=p.entry_id,
            paid_at=p.paid_at,
            recorded_by=p.recorded_by,
            payable_after_fen=payable_after_fen,
        )


# ---- reconciliation -----------------------------------------------------------------------------------


class DifferenceOut(BaseModel):
    kind: str
    detail: str
    order_id: uuid.UUID | None = None
    order_number: str | None = None
    payment_ids: list[uuid.UUID] = []
    entry_ids: list[uuid.UUID] = []
    expected_fen: int | None = None
    actual_fen: int | None = None


class ReconciliationOut(BaseModel):
    checked_at: datetime
    orders_checked: int
    payments_checked: int
    entries_checked: int
    clean: bool
    differences: list[DifferenceOut]


# ---- tax profiles and invoices ------------------------------------------------------------------------


class TaxProfileIn(Strict):
    title: str = Field(min_length=2, max_length=200, description="发票抬头")
    taxpayer_id: TaxpayerId = Field(description="纳税人识别号")
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+\-() ]{5,40}$")
    bank_name: str | None = Field(default=None, max_length=100)
    bank_account: BankAccount | None = None
    is_default: bool = False


class TaxProfileUpdate(Strict):
    title: str | None = Field(default=None, min_length=2, max_length=200)
    taxpayer_id: TaxpayerId | None = None
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+\-() ]{5,40}$")
    bank_name: str | None = Field(default=None, max_length=100)
    bank_account: BankAccount | None = None
    is_default: bool | None = None


class TaxProfileOut(BaseModel):
    id: uuid.UUID
    title: str
    taxpayer_id: str
    address: str | None
    phone: str | None
    bank_name: str | None
    bank_account: str | None
    is_default: bool
    complete: bool

    @classmethod
    def build(cls, p: TaxProfile, *, reveal: bool) -> TaxProfileOut:
        return cls(
            id=p.id,
            title=p.title,
            taxpayer_id=p.taxpayer_id,
            address=p.address,
            phone=p.phone,
            bank_name=p.bank_name,
            bank_account=p.bank_account if reveal else mask(p.bank_account, "bank_account"),
            is_default=p.is_default,
            complete=all((p.address, p.phone, p.bank_name, p.bank_account)),
        )


class InvoiceRequestIn(Strict):
    kind: InvoiceKind
    tax_profile_id: uuid.UUID
    order_id: uuid.UUID | None = Field(default=None, description="an invoice for one order …")
    supplier_org_id: uuid.UUID | None = Field(default=None, description="… or for a period: the issuer")
    period: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    date_from: date | None = None
    date_to: date | None = None
    note: str | None = Field(default=None, max_length=500)


class IssueIn(Strict):
    invoice_number: str = Field(min_length=8, max_length=40, pattern=r"^[0-9A-Za-z]+$")
    invoice_date: date
    amount_fen: int


class RejectIn(Strict):
    reason: str = Field(min_length=2, max_length=500)


class InvoiceOut(BaseModel):
    id: uuid.UUID
    buyer_org_id: uuid.UUID
    issuer_org_id: uuid.UUID
    kind: InvoiceKind
    scope: InvoiceScope
    status: InvoiceStatus
    order_id: uuid.UUID | None
    period_label: str | None
    period_start: datetime | None
    period_end: datetime | None
    currency: str
    amount_fen: int
    title: str
    taxpayer_id: str
    address: str | None
    phone: str | None
    bank_name: str | None
    bank_account: str | None
    note: str | None
    invoice_number: str | None
    invoice_date: date | None
    issued_amount_fen: int | None
    issued_at: datetime | None
    reject_reason: str | None
    created_at: datetime

    @classmethod
    def build(cls, inv: Invoice, *, reveal: bool) -> InvoiceOut:
        data: dict[str, Any] = {
            k: getattr(inv, k)
            for k in cls.model_fields
            if k not in ("buyer_org_id", "bank_account") and hasattr(inv, k)
        }
        return cls(
            **data,
            buyer_org_id=inv.org_id,
            bank_account=inv.bank_account if reveal else mask(inv.bank_account, "bank_account"),
        )


class IssuedNumberOut(BaseModel):
    invoice_number: str
    invoice_date: date
    kind: InvoiceKind
    amount_fen: int
    invoice_id: uuid.UUID
    buyer_org_id: uuid.UUID


Role = Literal["buyer", "issuer"]
