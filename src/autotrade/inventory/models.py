"""inventory: tables (see the package docstring and docs/inventory.md).

Quantities live in ``stock_levels`` and change only through the conditional SQL UPDATEs of
``inventory.repository``; each change writes its ``stock_movements`` rows in the same statement or
transaction, so ``on_hand = Σ on_hand_delta`` and ``reserved = Σ reserved_delta`` per level.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, json_type, str_enum, utcnow
from autotrade.core.tenancy import OrgOwned


class MovementKind(StrEnum):
    receipt = "receipt"
    reservation = "reservation"
    release = "release"
    shipment = "shipment"
    adjustment = "adjustment"
    transfer_out = "transfer_out"
    transfer_in = "transfer_in"
    # "return" is a Python keyword: the member is ``return_``, the stored value "return".
    return_ = "return"


class MemberStatus(StrEnum):
    invited = "invited"
    active = "active"
    declined = "declined"


class TransferStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"


class Warehouse(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A company's warehouse (仓库): where stock is counted, and the point distances are measured from."""

    __tablename__ = "warehouses"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))  # unique per company, e.g. "HZ-01"
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    service_radius_km: Mapped[int] = mapped_column(Integer, default=50)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StockLevel(IdMixin, TimestampMixin, OrgOwned, Base):
    """One part in one warehouse: on hand, reserved; available = on_hand - reserved."""

    __tablename__ = "stock_levels"
    __audit_exempt__ = "quantities: stock_movements is their history"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "part_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
    )

    warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"))
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id", ondelete="RESTRICT"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    # Alert when available <= threshold (NULL: no alert). Changes are audited with record_event.
    low_stock_threshold: Mapped[int | None] = mapped_column(Integer)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(IdMixin, OrgOwned, Base):
    """Append-only history of every quantity change; it is its own audit record."""

    __tablename__ = "stock_movements"
    __audit_exempt__ = "append-only stock history written with each quantity change"

    stock_level_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stock_levels.id", ondelete="RESTRICT"), index=True
    )
    warehouse_id: Mapped[uuid.UUID]
    part_id: Mapped[uuid.UUID]
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind, "movement_kind"))
    on_hand_delta: Mapped[int] = mapped_column(Integer)
    reserved_delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(300))
    reference_type: Mapped[str | None] = mapped_column(String(40))  # "order", "transfer", "erp_sync", …
    reference_id: Mapped[str | None] = mapped_column(String(100))  # a uuid or the caller's own reference
    actor_label: Mapped[str] = mapped_column(String(200))
    actor_user_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alliance(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """Companies sharing stock visibility (库存联盟); ``org_id`` is the company that created it."""

    __tablename__ = "alliances"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))


class AllianceMember(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A company's membership (``org_id`` = the member). The alliance's owner is a party to the row, so
    it sees the invitations it sent; the member sees its own row."""

    __tablename__ = "alliance_members"
    __table_args__ = (UniqueConstraint("alliance_id", "org_id"),)
    __tenant_parties__ = ("owner_org_id",)

    alliance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alliances.id", ondelete="CASCADE"))
    owner_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="RESTRICT"), index=True)
    status: Mapped[MemberStatus] = mapped_column(str_enum(MemberStatus, "member_status"))
    invited_by_id: Mapped[uuid.UUID | None]  # the user who invited
    responded_at: Mapped[datetime | None]


class TransferRequest(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A member asks another member for stock: ``org_id`` = the requester (destination warehouse's
    company), ``source_org_id`` = the owner of the source warehouse, who approves or rejects."""

    __tablename__ = "transfer_requests"
    __tenant_parties__ = ("source_org_id",)
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    alliance_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("alliances.id", ondelete="RESTRICT"), index=True
    )
    source_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="RESTRICT"), index=True)
    from_warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"))
    to_warehouse_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"))
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[TransferStatus] = mapped_column(
        str_enum(TransferStatus, "transfer_status"), default=TransferStatus.requested
    )
    note: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[uuid.UUID | None]
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))


class StockUpload(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A bulk stock file (CSV/XLSX of absolute counts) processed when uploaded, with its per-row report
    kept for download (``errors``: ``[{line, column, value, reason}]``)."""

    __tablename__ = "stock_uploads"

    filename: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # done | failed (the file could not be read at all)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_failed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(json_type(), default=list)
    created_by_id: Mapped[uuid.UUID | None]
