"""orders: tables (see the package docstring and docs/orders.md).

An order belongs to two companies: the buyer (``org_id``) and the supplier (``supplier_org_id``);
``__tenant_parties__`` makes the central tenant filter show it to either. Shipments, returns and
disputes carry both parties too, so their own routes are isolated the same way. Lines, allocations,
shipment lines, return lines and timeline rows have no company column: they are only ever read
through their parent, after the parent was loaded under the tenant filter (see ``repository.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from autotrade.core.crypto import EncryptedText
from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, str_enum, utcnow
from autotrade.core.tenancy import OrgOwned


class OrderStatus(StrEnum):
    pending_payment = "pending_payment"
    paid = "paid"
    confirmed = "confirmed"
    partially_shipped = "partially_shipped"
    shipped = "shipped"
    delivered = "delivered"
    received = "received"
    completed = "completed"
    cancelled = "cancelled"


class ShipmentStatus(StrEnum):
    shipped = "shipped"
    delivered = "delivered"


class ReturnStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"
    shipped_back = "shipped_back"
    received = "received"
    restocked = "restocked"
    scrapped = "scrapped"


class DisputeStatus(StrEnum):
    open = "open"
    withdrawn = "withdrawn"
    decided = "decided"


class DisputeDecision(StrEnum):
    release = "release"  # the supplier is paid as agreed
    refund_partial = "refund_partial"
    refund_full = "refund_full"


class Party(StrEnum):
    buyer = "buyer"
    supplier = "supplier"
    platform = "platform"
    system = "system"


class BothParties(OrgOwned):
    """The buyer in ``org_id`` and the supplier beside it: the row is visible to both companies."""

    __tenant_parties__ = ("supplier_org_id",)

    supplier_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="RESTRICT"), index=True)


class Order(IdMixin, TimestampMixin, Audited, BothParties, Base):
    """One supplier's share of a checkout (采购订单 / 销售订单)."""

    __tablename__ = "orders"
    __audit_redact__ = ("ship_phone",)
    __table_args__ = (
        Index("ix_orders_status_payment_due_at", "status", "payment_due_at"),
        CheckConstraint("net_fen >= 0 AND vat_fen >= 0 AND gross_fen = net_fen + vat_fen", name="totals"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)  # SO20261128-0H5K2M9XQ4TA
    checkout_id: Mapped[uuid.UUID] = mapped_column(index=True)  # the orders of one checkout share it
    placed_by_id: Mapped[uuid.UUID | None]  # the buyer's user (None for an API key)
    status: Mapped[OrderStatus] = mapped_column(
        str_enum(OrderStatus, "order_status"), default=OrderStatus.pending_payment
    )
    channel: Mapped[str] = mapped_column(String(10), default="web")  # web | api (pricing channel)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    net_fen: Mapped[int] = mapped_column(BigInteger)
    vat_fen: Mapped[int] = mapped_column(BigInteger)
    gross_fen: Mapped[int] = mapped_column(BigInteger)
    ship_province: Mapped[str] = mapped_column(String(40))
    ship_city: Mapped[str] = mapped_column(String(40))
    ship_address: Mapped[str] = mapped_column(String(300))
    ship_contact: Mapped[str] = mapped_column(String(100))
    ship_phone: Mapped[str | None] = mapped_column(EncryptedText("phone"))
    ship_latitude: Mapped[float | None] = mapped_column(Float)
    ship_longitude: Mapped[float | None] = mapped_column(Float)
    buyer_note: Mapped[str | None] = mapped_column(String(500))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # the dashboard's day filters
    payment_due_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]  # the first shipment
    delivered_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    lines: Mapped[list[OrderLine]] = relationship(lazy="raise", order_by="OrderLine.position")
    allocations: Mapped[list[OrderAllocation]] = relationship(lazy="raise", order_by="OrderAllocation.id")


class OrderLine(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("shipped_quantity >= 0 AND shipped_quantity <= quantity", name="shipped_range"),
        CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= shipped_quantity", name="received_range"
        ),
        CheckConstraint(
            "returned_quantity >= 0 AND returned_quantity <= received_quantity", name="returned_range"
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # index of the line in the checkout request
    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offers.id"), index=True)
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    net_fen: Mapped[int] = mapped_column(BigInteger)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    vat_fen: Mapped[int] = mapped_column(BigInteger)
    gross_fen: Mapped[int] = mapped_column(BigInteger)
    pricing_rule: Mapped[str] = mapped_column(String(200))  # which price rule applied (from pricing)
    pricing_rule_id: Mapped[uuid.UUID | None]
    shipped_quantity: Mapped[int] = mapped_column(Integer, default=0)
    received_quantity: Mapped[int] = mapped_column(Integer, default=0)  # taken in at receiving inspection
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)  # in returns not rejected/cancelled


class OrderAllocation(IdMixin, TimestampMixin, Audited, Base):
    """The share of a line reserved in one warehouse of the supplier."""

    __tablename__ = "order_allocations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("shipped_quantity >= 0 AND shipped_quantity <= quantity", name="shipped_range"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"), index=True)
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    shipped_quantity: Mapped[int] = mapped_column(Integer, default=0)
    released: Mapped[bool] = mapped_column(default=False)  # the unshipped rest went back to stock

    # Many-to-one links order the unit of work's inserts (parents first); ids are set directly.
    line: Mapped[OrderLine] = relationship(lazy="raise")


class OrderEvent(IdMixin, Base):
    """The order's timeline: one row per transition of the order or of its shipments, returns and
    disputes (``subject_type``/``subject_id``), with actor and time. Append-only."""

    __tablename__ = "order_events"
    __audit_exempt__ = "append-only timeline: each row is the record of one transition"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # order | shipment | return | dispute
    subject_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    party: Mapped[str] = mapped_column(String(10))  # buyer | supplier | platform | system
    actor_label: Mapped[str] = mapped_column(String(200))
    actor_user_id: Mapped[uuid.UUID | None]
    note: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(lazy="raise")


class Shipment(IdMixin, TimestampMixin, Audited, BothParties, Base):
    __tablename__ = "shipments"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100))
    status: Mapped[ShipmentStatus] = mapped_column(
        str_enum(ShipmentStatus, "shipment_status"), default=ShipmentStatus.shipped
    )
    shipped_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    lines: Mapped[list[ShipmentLine]] = relationship(lazy="raise", order_by="ShipmentLine.id")
    order: Mapped[Order] = relationship(lazy="raise")


class ShipmentLine(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "shipment_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    allocation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_allocations.id"), index=True)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    line: Mapped[OrderLine] = relationship(lazy="raise")
    allocation: Mapped[OrderAllocation] = relationship(lazy="raise")


class Return(IdMixin, TimestampMixin, Audited, BothParties, Base):
    """A return (退货) of received quantities. An exchange (换货) is a return plus a new order."""

    __tablename__ = "returns"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(
        str_enum(ReturnStatus, "return_status"), default=ReturnStatus.requested
    )
    reason: Mapped[str] = mapped_column(String(1000))
    requested_by_id: Mapped[uuid.UUID | None]
    decision_note: Mapped[str | None] = mapped_column(String(1000))
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    restock_warehouse_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("warehouses.id"))
    decided_at: Mapped[datetime | None]
    shipped_back_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # restocked, scrapped, rejected or cancelled

    lines: Mapped[list[ReturnLine]] = relationship(lazy="raise", order_by="ReturnLine.id")
    order: Mapped[Order] = relationship(lazy="raise")


class ReturnLine(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "return_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    return_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("returns.id"), index=True)
    line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    line: Mapped[OrderLine] = relationship(lazy="raise")


class Dispute(IdMixin, TimestampMixin, Audited, BothParties, Base):
    """A dispute (纠纷) on an order, opened by either party, decided by platform risk staff. The
    decision is recorded here; its money effects come with payments (issue 5)."""

    __tablename__ = "disputes"
    __table_args__ = (CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="amount_not_negative"),)

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[DisputeStatus] = mapped_column(
        str_enum(DisputeStatus, "dispute_status"), default=DisputeStatus.open
    )
    opened_by_party: Mapped[str] = mapped_column(String(10))  # buyer | supplier
    opened_by_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = mapped_column(String(2000))
    decision: Mapped[DisputeDecision | None] = mapped_column(str_enum(DisputeDecision, "dispute_decision"))
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    decision_text: Mapped[str | None] = mapped_column(String(2000))
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(lazy="raise")
