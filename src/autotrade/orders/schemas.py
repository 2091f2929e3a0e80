"""orders: API shapes (Pydantic v2)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from autotrade.core.crypto import mask
from autotrade.orders.models import (
    Dispute,
    DisputeDecision,
    DisputeStatus,
    Order,
    OrderAllocation,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Return,
    ReturnLine,
    ReturnStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)

if TYPE_CHECKING:
    from autotrade.orders.checkout import CheckoutResult

MAX_LINES = 200


# ---- checkout ------------------------------------------------------------------------------------


class CheckoutLineIn(BaseModel):
    offer_id: uuid.UUID
    quantity: int  # checked by the service (field ``lines[i].quantity``)


class ShipTo(BaseModel):
    """Where the goods go. Coordinates (WGS-84 degrees) make allocation pick the nearest warehouse."""

    province: str = Field(min_length=1, max_length=40)
    city: str = Field(min_length=1, max_length=40)
    address: str = Field(min_length=1, max_length=300)
    contact: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(None, max_length=30)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class CheckoutIn(BaseModel):
    lines: list[CheckoutLineIn]  # 1..200, checked by the service (``empty_checkout``, ``too_many_lines``)
    ship_to: ShipTo
    note: str | None = Field(None, max_length=500)


class AllocationOut(BaseModel):
    id: uuid.UUID
    line_id: uuid.UUID
    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int
    shipped_quantity: int

    @classmethod
    def build(cls, a: OrderAllocation) -> AllocationOut:
        return cls(
            id=a.id,
            line_id=a.line_id,
            warehouse_id=a.warehouse_id,
            part_id=a.part_id,
            quantity=a.quantity,
            shipped_quantity=a.shipped_quantity or 0,
        )


class LineOut(BaseModel):
    id: uuid.UUID
    position: int
    offer_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int
    unit_price_fen: int
    net_fen: int
    vat_rate_bp: int
    vat_fen: int
    gross_fen: int
    pricing_rule: str
    pricing_rule_id: uuid.UUID | None
    shipped_quantity: int
    received_quantity: int
    returned_quantity: int

    @classmethod
    def build(cls, line: OrderLine) -> LineOut:
        return cls(
            id=line.id,
            position=line.position,
            offer_id=line.offer_id,
            part_id=line.part_id,
            quantity=line.quantity,
            unit_price_fen=line.unit_price_fen,
            net_fen=line.net_fen,
            vat_rate_bp=line.vat_rate_bp,
            vat_fen=line.vat_fen,
            gross_fen=line.gross_fen,
            pricing_rule=line.pricing_rule,
            pricing_rule_id=line.pricing_rule_id,
            shipped_quantity=line.shipped_quantity or 0,
            received_quantity=line.received_quantity or 0,
            returned_quantity=line.returned_quantity or 0,
        )


class ShipToOut(BaseModel):
    province: str
    city: str
    address: str
    contact: str
    phone: str | None
    latitude: float | None
    longitude: float | None


class OrderSummary(BaseModel):
    id: uuid.UUID
    number: str
    checkout_id: uuid.UUID
    buyer_org_id: uuid.UUID
    supplier_org_id: uuid.UUID
    status: OrderStatus
    currency: str
    net_fen: int
    vat_fen: int
    gross_fen: int
    placed_at: datetime
    payment_due_at: datetime
    paid_at: datetime | None
    confirmed_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    received_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None

    @staticmethod
    def fields(o: Order) -> dict[str, Any]:
        return {
            "id": o.id,
            "number": o.number,
            "checkout_id": o.checkout_id,
            "buyer_org_id": o.org_id,
            "supplier_org_id": o.supplier_org_id,
            "status": o.status,
            "currency": o.currency,
            "net_fen": o.net_fen,
            "vat_fen": o.vat_fen,
            "gross_fen": o.gross_fen,
            "placed_at": o.placed_at,
            "payment_due_at": o.payment_due_at,
            "paid_at": o.paid_at,
            "confirmed_at": o.confirmed_at,
            "shipped_at": o.shipped_at,
            "delivered_at": o.delivered_at,
            "received_at": o.received_at,
            "completed_at": o.completed_at,
            "cancelled_at": o.cancelled_at,
            "cancel_reason": o.cancel_reason,
        }

    @classmethod
    def build(cls, o: Order) -> OrderSummary:
        return cls(**cls.fields(o))


class OrderOut(OrderSummary):
    ship_to: ShipToOut
    note: str | None
    lines: list[LineOut]
    allocations: list[AllocationOut]

    @classmethod
    def full(
        cls,
        o: Order,
        lines: list[OrderLine],
        allocations: list[OrderAllocation],
        *,
        reveal: bool,
    ) -> OrderOut:
        return cls(
            **cls.fields(o),
            ship_to=ShipToOut(
                province=o.ship_province,
                city=o.ship_city,
                address=o.ship_address,
                contact=o.ship_contact,
                phone=o.ship_phone if reveal else mask(o.ship_phone, "phone"),
                latitude=o.ship_latitude,
                longitude=o.ship_longitude,
            ),
            note=o.buyer_note,
            lines=[LineOut.build(x) for x in lines],
            allocations=[AllocationOut.build(a) for a in allocations],
        )


class CheckoutOut(BaseModel):
    checkout_id: uuid.UUID
    currency: str
    net_fen: int
    vat_fen: int
    gross_fen: int
    orders: list[OrderOut]

    @classmethod
    def build(cls, result: CheckoutResult, *, reveal: bool) -> CheckoutOut:
        """The answer of a checkout (``POST /checkout``, ``POST /cart/checkout``)."""
        return cls(
            checkout_id=result.checkout_id,
            currency=result.orders[0].order.currency,
            net_fen=result.net_fen,
            vat_fen=result.vat_fen,
            gross_fen=result.gross_fen,
            orders=[OrderOut.full(p.order, p.lines, p.allocations, reveal=reveal) for p in result.orders],
        )


# ---- actions -------------------------------------------------------------------------------------


class NoteIn(BaseModel):
    note: str | None = Field(None, max_length=1000)


class CancelIn(BaseModel):
    reason: str | None = Field(None, max_length=500)


class ShipLineIn(BaseModel):
    line_id: uuid.UUID
    quantity: int = Field(gt=0)
    warehouse_id: uuid.UUID | None = None  # ship from this allocation's warehouse (default: in order)


class ShipmentIn(BaseModel):
    carrier: str = Field(min_length=1, max_length=100)
    tracking_number: str = Field(min_length=1, max_length=100)
    lines: list[ShipLineIn] | None = None  # omitted: everything still to ship


class ShipmentLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    line_id: uuid.UUID
    allocation_id: uuid.UUID
    warehouse_id: uuid.UUID
    quantity: int


class ShipmentOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    carrier: str
    tracking_number: str
    status: ShipmentStatus
    shipped_at: datetime
    delivered_at: datetime | None
    lines: list[ShipmentLineOut]

    @classmethod
    def build(cls, s: Shipment, lines: list[ShipmentLine]) -> ShipmentOut:
        return cls(
            id=s.id,
            order_id=s.order_id,
            carrier=s.carrier,
            tracking_number=s.tracking_number,
            status=s.status,
            shipped_at=s.shipped_at,
            delivered_at=s.delivered_at,
            lines=[ShipmentLineOut.model_validate(x) for x in lines],
        )


class ReceiveLineIn(BaseModel):
    line_id: uuid.UUID
    accepted_quantity: int = Field(ge=0)


class ReceiveIn(BaseModel):
    """Receiving inspection (验收). Without ``lines`` everything is accepted; a line accepted in part
    raises one return for the rest, with ``reason``."""

    lines: list[ReceiveLineIn] | None = None
    reason: str | None = Field(None, max_length=1000)
    note: str | None = Field(None, max_length=1000)


class TimelineEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject_type: str
    subject_id: uuid.UUID
    action: str
    from_status: str | None
    to_status: str
    party: str
    actor_label: str
    actor_user_id: uuid.UUID | None
    note: str | None
    at: datetime

    @classmethod
    def build(cls, e: OrderEvent) -> TimelineEntry:
        return cls.model_validate(e)


class ReceiveOut(BaseModel):
    order: OrderSummary
    return_id: uuid.UUID | None = None


# ---- returns -------------------------------------------------------------------------------------


class ReturnLineIn(BaseModel):
    line_id: uuid.UUID
    quantity: int = Field(gt=0)


class ReturnIn(BaseModel):
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=MAX_LINES)
    reason: str = Field(min_length=1, max_length=1000)


class ReturnDecisionIn(BaseModel):
    note: str | None = Field(None, max_length=1000)


class ReturnShipIn(BaseModel):
    carrier: str = Field(min_length=1, max_length=100)
    tracking_number: str = Field(min_length=1, max_length=100)


class RestockIn(BaseModel):
    warehouse_id: uuid.UUID
    note: str | None = Field(None, max_length=1000)


class ReturnLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    line_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int


class ReturnOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    buyer_org_id: uuid.UUID
    supplier_org_id: uuid.UUID
    status: ReturnStatus
    reason: str
    decision_note: str | None
    carrier: str | None
    tracking_number: str | None
    restock_warehouse_id: uuid.UUID | None
    created_at: datetime
    decided_at: datetime | None
    shipped_back_at: datetime | None
    received_at: datetime | None
    closed_at: datetime | None
    lines: list[ReturnLineOut]

    @classmethod
    def build(cls, r: Return, lines: list[ReturnLine]) -> ReturnOut:
        return cls(
            id=r.id,
            order_id=r.order_id,
            buyer_org_id=r.org_id,
            supplier_org_id=r.supplier_org_id,
            status=r.status,
            reason=r.reason,
            decision_note=r.decision_note,
            carrier=r.carrier,
            tracking_number=r.tracking_number,
            restock_warehouse_id=r.restock_warehouse_id,
            created_at=r.created_at,
            decided_at=r.decided_at,
            shipped_back_at=r.shipped_back_at,
            received_at=r.received_at,
            closed_at=r.closed_at,
            lines=[ReturnLineOut.model_validate(x) for x in lines],
        )


# ---- disputes ------------------------------------------------------------------------------------


class DisputeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class DecideIn(BaseModel):
    decision: DisputeDecision
    amount_fen: int | None = Field(None, ge=0)  # refund_partial: required, 1..order gross
    decision_text: str = Field(min_length=1, max_length=2000)


class DisputeOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    buyer_org_id: uuid.UUID
    supplier_org_id: uuid.UUID
    status: DisputeStatus
    opened_by_party: Literal["buyer", "supplier"]
    reason: str
    decision: DisputeDecision | None
    amount_fen: int | None
    currency: str
    decision_text: str | None
    decided_at: datetime | None
    created_at: datetime

    @classmethod
    def build(cls, d: Dispute) -> DisputeOut:
        return cls(
            id=d.id,
            order_id=d.order_id,
            buyer_org_id=d.org_id,
            supplier_org_id=d.supplier_org_id,
            status=d.status,
            opened_by_party=d.opened_by_party,
            reason=d.reason,
            decision=d.decision,
            amount_fen=d.amount_fen,
            currency=d.currency,
            decision_text=d.decision_text,
            decided_at=d.decided_at,
            created_at=d.created_at,
        )
