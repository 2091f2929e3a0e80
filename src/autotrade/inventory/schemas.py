"""inventory: API shapes (Pydantic v2)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from autotrade.inventory.models import MemberStatus, MovementKind, TransferStatus


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- warehouses -------------------------------------------------------------------------------------


class WarehouseIn(Strict):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=200)
    province: str = Field(min_length=1, max_length=40)
    city: str = Field(min_length=1, max_length=40)
    address: str = Field(min_length=1, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    service_radius_km: int = Field(default=50, ge=0, le=5000)
    active: bool = True


class WarehouseUpdate(Strict):
    code: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )
    name: str | None = Field(default=None, min_length=1, max_length=200)
    province: str | None = Field(default=None, min_length=1, max_length=40)
    city: str | None = Field(default=None, min_length=1, max_length=40)
    address: str | None = Field(default=None, min_length=1, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    service_radius_km: int | None = Field(default=None, ge=0, le=5000)
    active: bool | None = None


class WarehouseOut(Out):
    id: uuid.UUID
    org_id: uuid.UUID
    code: str
    name: str
    province: str
    city: str
    address: str
    latitude: float | None
    longitude: float | None
    service_radius_km: int
    active: bool
    created_at: datetime
    updated_at: datetime


# ---- stock levels and movements -----------------------------------------------------------------------


class StockLevelOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    sku: str | None = None
    part_name: str | None = None
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int | None
    updated_at: datetime


class ReceiptIn(Strict):
    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int = Field(gt=0, le=10_000_000)
    reason: str | None = Field(default=None, max_length=300)
    reference: str | None = Field(
        default=None, max_length=100, description="e.g. the supplier's delivery note"
    )


class AdjustmentIn(Strict):
    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    on_hand: int | None = Field(default=None, ge=0, le=10_000_000, description="set on hand to this count")
    delta: int | None = Field(default=None, ge=-10_000_000, le=10_000_000, description="or change it by this")
    reason: str = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def _one_of(self) -> AdjustmentIn:
        if (self.on_hand is None) == (self.delta is None):
            raise ValueError("give either on_hand or delta")
        return self


class ThresholdIn(Strict):
    low_stock_threshold: int | None = Field(ge=0, le=10_000_000)


class MovementOut(Out):
    id: uuid.UUID
    stock_level_id: uuid.UUID
    warehouse_id: uuid.UUID
    part_id: uuid.UUID
    kind: MovementKind
    on_hand_delta: int
    reserved_delta: int
    reason: str | None
    reference_type: str | None
    reference_id: str | None
    actor_label: str
    created_at: datetime


# ---- ERP/WMS sync --------------------------------------------------------------------------------------


class SyncRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    warehouse_code: str = Field(min_length=1, max_length=40)
    sku: str | None = Field(default=None, max_length=80)
    part_id: uuid.UUID | None = None
    on_hand: int = Field(ge=0, le=10_000_000)


class SyncIn(Strict):
    rows: list[SyncRow] = Field(min_length=1, max_length=5000)
    reason: str = Field(default="ERP/WMS sync", min_length=1, max_length=300)
    reference: str | None = Field(default=None, max_length=100)


class SyncRowResult(BaseModel):
    index: int
    status: str  # "changed" | "unchanged" | "error"
    warehouse_code: str
    sku: str | None = None
    part_id: uuid.UUID | None = None
    on_hand: int | None = None
    delta: int | None = None
    code: str | None = None
    field: str | None = None
    message: str | None = None


class SyncOut(BaseModel):
    changed: int
    unchanged: int
    errors: int
    rows: list[SyncRowResult]


class UploadOut(BaseModel):
    id: uuid.UUID
    status: str
    filename: str | None
    rows_total: int
    rows_changed: int
    rows_unchanged: int
    rows_failed: int
    errors: list[dict[str, object]]
    errors_url: str | None


# ---- alliances and transfers ----------------------------------------------------------------------------


class AllianceIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class InviteIn(Strict):
    company_id: uuid.UUID


class MemberOut(Out):
    id: uuid.UUID
    alliance_id: uuid.UUID
    org_id: uuid.UUID
    status: MemberStatus
    responded_at: datetime | None
    created_at: datetime


class AllianceOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    description: str | None
    my_status: MemberStatus | None = None
    members: list[MemberOut] = []
    created_at: datetime


class AllianceStockOut(BaseModel):
    org_id: uuid.UUID
    company_name: str
    warehouse_id: uuid.UUID
    warehouse_name: str
    province: str
    city: str
    part_id: uuid.UUID
    available: int


class TransferIn(Strict):
    from_warehouse_id: uuid.UUID
    to_warehouse_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int = Field(gt=0, le=10_000_000)
    note: str | None = Field(default=None, max_length=500)


class DecisionIn(Strict):
    reason: str | None = Field(default=None, max_length=500)


class TransferOut(Out):
    id: uuid.UUID
    alliance_id: uuid.UUID
    org_id: uuid.UUID
    source_org_id: uuid.UUID
    from_warehouse_id: uuid.UUID
    to_warehouse_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int
    status: TransferStatus
    note: str | None
    decided_at: datetime | None
    decision_reason: str | None
    created_at: datetime
