"""cart: API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from autotrade.cart.parsing import MAX_QUANTITY
from autotrade.cart.resolution import Result
from autotrade.orders.schemas import ShipTo


def _quantity(default: Any = ...) -> Any:
    return Field(default, ge=1, le=MAX_QUANTITY)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartRef(Strict):
    """A part named by id, by SKU, or by a part number (OE / brand / trade …)."""

    part_id: uuid.UUID | None = None
    sku: str | None = Field(default=None, min_length=1, max_length=80)
    number: str | None = Field(default=None, min_length=1, max_length=60)

    @model_validator(mode="after")
    def _one(self) -> PartRef:
        given = [k for k in ("part_id", "sku", "number") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("name the part by exactly one of part_id, sku, number")
        return self


class CartLineIn(PartRef):
    quantity: int = _quantity()
    offer_id: uuid.UUID | None = Field(default=None, description="order from this offer (default: the best)")


class CartLinePatch(Strict):
    quantity: int | None = _quantity(None)
    offer_id: uuid.UUID | None = Field(
        default=None, description="choose this offer; null: let the cart choose the best at checkout"
    )


class QuickOrderIn(Strict):
    text: str = Field(min_length=1, max_length=100_000, description="one `number,quantity` per line")
    dry_run: bool = False


class LineReport(BaseModel):
    """One input line's outcome: ``code`` is one of resolved, unknown_number, no_offer,
    insufficient_stock, below_moq, not_pack_multiple, invalid_quantity, duplicate_merged, bad_line."""

    line: int
    input: str
    status: str  # resolved | merged | unresolved
    code: str
    detail: str
    number: str | None
    quantity: int | None
    total_quantity: int | None
    merged_lines: list[int]
    merged_into: int | None
    part_id: uuid.UUID | None
    sku: str | None
    part_name: str | None
    brand: str | None
    candidates: list[str]
    offer_id: uuid.UUID | None
    supplier_org_id: uuid.UUID | None
    unit_price_fen: int | None
    net_fen: int | None
    vat_rate_bp: int | None
    vat_fen: int | None
    gross_fen: int | None
    currency: str | None
    lead_time_days: int | None
    pricing_rule: str | None
    available: int | None
    moq: int | None
    pack_size: int | None
    suggested_quantity: int | None
    cart_line_id: uuid.UUID | None = None

    @classmethod
    def build(cls, r: Result, cart_line_id: uuid.UUID | None = None) -> LineReport:
        q, o, p = r.quote, r.offer, r.part
        return cls(
            line=r.line,
            input=r.input,
            status=r.status,
            code=r.code,
            detail=r.detail,
            number=r.number,
            quantity=r.quantity,
            total_quantity=r.total_quantity,
            merged_lines=r.merged_lines,
            merged_into=r.merged_into,
            part_id=p.id if p else None,
            sku=p.sku if p else None,
            part_name=p.name_zh if p else None,
            brand=p.brand if p else None,
            candidates=r.candidates,
            offer_id=o.id if o else None,
            supplier_org_id=o.org_id if o else None,
            unit_price_fen=q.unit_price_fen if q else None,
            net_fen=q.net_fen if q else None,
            vat_rate_bp=q.vat_rate_bp if q else None,
            vat_fen=q.vat_fen if q else None,
            gross_fen=q.gross_fen if q else None,
            currency=q.currency if q else (o.currency if o else None),
            lead_time_days=q.lead_time_days if q else None,
            pricing_rule=q.rule if q else None,
            available=r.available,
            moq=r.moq,
            pack_size=r.pack_size,
            suggested_quantity=r.suggested_quantity,
            cart_line_id=cart_line_id,
        )


class ReportSummary(BaseModel):
    lines: int
    resolved: int
    merged: int
    unresolved: int
    by_code: dict[str, int]


def summarise(reports: list[LineReport]) -> ReportSummary:
    by_code: dict[str, int] = {}
    for r in reports:
        by_code[r.code] = by_code.get(r.code, 0) + 1
    return ReportSummary(
        lines=len(reports),
        resolved=sum(r.status == "resolved" for r in reports),
        merged=sum(r.status == "merged" for r in reports),
        unresolved=sum(r.status == "unresolved" for r in reports),
        by_code=dict(sorted(by_code.items())),
    )


class ResolutionOut(BaseModel):
    """A quick order's (or a requisition list's reorder) per-line report."""

    dry_run: bool
    added: int  # cart lines added or increased
    summary: ReportSummary
    lines: list[LineReport]


class CartLineOut(BaseModel):
    id: uuid.UUID
    part_id: uuid.UUID
    sku: str | None
    part_name: str | None
    brand: str | None
    quantity: int
    offer_id: uuid.UUID | None  # the chosen offer (None: the best is chosen at checkout)
    source: str
    raw_input: str | None
    created_at: datetime
    updated_at: datetime
    # Now: the offer that would be ordered, its price for this buyer and quantity, and stock.
    code: str  # resolved | no_offer | insufficient_stock | below_moq | not_pack_multiple
    detail: str
    current_offer_id: uuid.UUID | None
    supplier_org_id: uuid.UUID | None
    unit_price_fen: int | None
    net_fen: int | None
    vat_fen: int | None
    gross_fen: int | None
    currency: str | None
    lead_time_days: int | None
    pricing_rule: str | None
    available: int | None
    moq: int | None
    pack_size: int | None


class CartTotals(BaseModel):
    lines: int
    ready_lines: int
    suppliers: int
    net_fen: int
    vat_fen: int
    gross_fen: int
    currency: str


class CartOut(BaseModel):
    id: uuid.UUID | None
    ready: bool  # every line can be ordered now as it stands
    lines: list[CartLineOut]
    totals: CartTotals


class CartLineAdded(BaseModel):
    line: CartLineOut
    report: LineReport


class CartCheckoutIn(Strict):
    ship_to: ShipTo
    note: str | None = Field(default=None, max_length=500)
    line_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=500, description="check out only these cart lines (default: all)"
    )


# ---- requisition lists ------------------------------------------------------------------------------


class RequisitionLineIn(PartRef):
    quantity: int = _quantity()
    offer_id: uuid.UUID | None = Field(default=None, description="preferred offer, tried first on reorder")


class RequisitionListIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=500)
    lines: list[RequisitionLineIn] = Field(default_factory=list, max_length=500)


class RequisitionListPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=500)


class RequisitionLinePatch(Strict):
    quantity: int | None = _quantity(None)
    offer_id: uuid.UUID | None = None


class SaveCartIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=500)


class ReorderIn(Strict):
    dry_run: bool = False


class RequisitionLineOut(BaseModel):
    id: uuid.UUID
    part_id: uuid.UUID
    sku: str | None
    part_name: str | None
    brand: str | None
    quantity: int
    offer_id: uuid.UUID | None


class RequisitionListOut(BaseModel):
    id: uuid.UUID
    name: str
    note: str | None
    line_count: int
    created_at: datetime
    updated_at: datetime
    lines: list[RequisitionLineOut] | None = None  # in the detail view
