"""inventory: HTTP routes (thin: parse, call the service, shape the answer). See docs/inventory.md."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from fastapi import Depends, File, Query, Response, UploadFile
from sqlalchemy.orm import Session

from autotrade.core.deps import require
from autotrade.core.errors import ValidationFailed
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of, paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.inventory import alliances, service, sync
from autotrade.inventory.alliance_repository import AllianceRepository, TransferRepository
from autotrade.inventory.errors import StockLevelNotFound, UploadNotFound
from autotrade.inventory.models import (
    Alliance,
    StockLevel,
    StockMovement,
    StockUpload,
    TransferRequest,
    TransferStatus,
    Warehouse,
)
from autotrade.inventory.repository import StockRepository, UploadRepository, WarehouseRepository
from autotrade.inventory.schemas import (
    AdjustmentIn,
    AllianceIn,
    AllianceOut,
    AllianceStockOut,
    DecisionIn,
    InviteIn,
    MemberOut,
    MovementOut,
    ReceiptIn,
    StockLevelOut,
    SyncIn,
    SyncOut,
    SyncRowResult,
    ThresholdIn,
    TransferIn,
    TransferOut,
    UploadOut,
    WarehouseIn,
    WarehouseOut,
    WarehouseUpdate,
)

router = api_router("/api/v1", tags=["inventory"])

VIEW = Depends(require("inventory:view"))
EDIT = Depends(require("inventory:edit"))
APPROVE = Depends(require("inventory:approve"))


# ---- warehouses ---------------------------------------------------------------------------------------


@router.get("/warehouses", response_model=Page[WarehouseOut])
def list_warehouses(
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = VIEW,
    db: Session = Depends(get_db),
) -> Page[WarehouseOut]:
    return page_of(
        db,
        WarehouseRepository(db).listing(active=active),
        Warehouse.id,
        WarehouseOut.model_validate,
        cursor=cursor,
        limit=limit,
    )


@router.post("/warehouses", status_code=201, response_model=WarehouseOut)
def create_warehouse(data: WarehouseIn, p: Principal = EDIT, db: Session = Depends(get_db)) -> WarehouseOut:
    return WarehouseOut.model_validate(service.create_warehouse(db, p.org_id, data))


@router.get("/warehouses/{warehouse_id}", response_model=WarehouseOut)
def get_warehouse(
    warehouse_id: uuid.UUID, p: Principal = VIEW, db: Session = Depends(get_db)
) -> WarehouseOut:
    return WarehouseOut.model_validate(service.get_warehouse(db, warehouse_id))


@router.patch("/warehouses/{warehouse_id}", response_model=WarehouseOut)
def update_warehouse(
    warehouse_id: uuid.UUID, data: WarehouseUpdate, p: Principal = EDIT, db: Session = Depends(get_db)
) -> WarehouseOut:
    return WarehouseOut.model_validate(service.update_warehouse(db, warehouse_id, data))


@router.delete("/warehouses/{warehouse_id}", status_code=204, response_class=Response)
def delete_warehouse(warehouse_id: uuid.UUID, p: Principal = EDIT, db: Session = Depends(get_db)) -> Response:
    """Delete an empty warehouse (one that never held stock); deactivate the others instead."""
    service.delete_warehouse(db, warehouse_id)
    return Response(status_code=204)


# ---- stock levels -------------------------------------------------------------------------------------


def _levels_out(db: Session, rows: list[StockLevel]) -> list[StockLevelOut]:
    parts = StockRepository(db).parts_by_id(r.part_id for r in rows)
    return [
        StockLevelOut(
            id=r.id,
            org_id=r.org_id,
            warehouse_id=r.warehouse_id,
            part_id=r.part_id,
            sku=parts.get(r.part_id, (None, None))[0],
            part_name=parts.get(r.part_id, (None, None))[1],
            on_hand=r.on_hand,
            reserved=r.reserved,
            available=r.available,
            low_stock_threshold=r.low_stock_threshold,
            updated_at=r.updated_at,
        )
        for r in rows
    ]


@router.get("/stock/levels", response_model=Page[StockLevelOut])
def list_stock(
    warehouse_id: uuid.UUID | None = None,
    part_id: uuid.UUID | None = None,
    low_only: bool = Query(False, description="only levels at or below their low-stock threshold"),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = VIEW,
    db: Session = Depends(get_db),
) -> Page[StockLevelOut]:
    """My company's stock levels, newest first."""
    stmt = StockRepository(db).listing(warehouse_id=warehouse_id, part_id=part_id, low_only=low_only)
    rows, nxt = paginate(db, stmt, StockLevel.id, cursor=cursor, limit=limit)
    return Page(items=_levels_out(db, rows), next_cursor=nxt)


@router.get("/stock/alerts", response_model=Page[StockLevelOut])
def stock_alerts(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = VIEW,
    db: Session = Depends(get_db),
) -> Page[StockLevelOut]:
    """Low-stock alerts: my levels whose available quantity is at or below their threshold."""
    rows, nxt = paginate(
        db, StockRepository(db).listing(low_only=True), StockLevel.id, cursor=cursor, limit=limit
    )
    return Page(items=_levels_out(db, rows), next_cursor=nxt)


@router.put("/stock/levels", response_model=SyncOut)
def sync_levels(data: SyncIn, p: Principal = EDIT, db: Session = Depends(get_db)) -> SyncOut:
    """ERP/WMS sync: absolute on-hand counts by warehouse code and SKU (or part id). Per row: good rows
    land (an adjustment movement for each difference), bad rows come back with code and reason."""
    rows = [
        sync.CountRow(
            line=i, warehouse_code=r.warehouse_code, on_hand=r.on_hand, sku=r.sku or None, part_id=r.part_id
        )
        for i, r in enumerate(data.rows)
    ]
    results = sync.apply_counts(db, rows, reason=data.reason, reference=data.reference, own_org=p.org_id)
    out = []
    for r in results:
        e = r.errors[0] if r.errors else None
        out.append(
            SyncRowResult(
                index=r.line,
                status=r.status,
                warehouse_code=r.warehouse_code,
                sku=r.sku,
                part_id=r.part_id,
                on_hand=r.on_hand,
                delta=r.delta,
                code=r.code,
                field=f"rows.{r.line}.{e.column}" if e else None,
                message=e.reason if e else None,
            )
        )
    return SyncOut(
        changed=sum(r.status == "changed" for r in out),
        unchanged=sum(r.status == "unchanged" for r in out),
        errors=sum(r.status == "error" for r in out),
        rows=out,
    )


@router.get("/stock/levels/{stock_level_id}", response_model=StockLevelOut)
def get_level(stock_level_id: uuid.UUID, p: Principal = VIEW, db: Session = Depends(get_db)) -> StockLevelOut:
    level = StockRepository(db).refresh(stock_level_id)
    if level is None:
        raise StockLevelNotFound()
    return _levels_out(db, [level])[0]


@router.patch("/stock/levels/{stock_level_id}", response_model=StockLevelOut)
def set_threshold(
    stock_level_id: uuid.UUID, data: ThresholdIn, p: Principal = EDIT, db: Session = Depends(get_db)
) -> StockLevelOut:
    """Set or clear (null) the low-stock threshold."""
    return _levels_out(db, [service.set_threshold(db, stock_level_id, data.low_stock_threshold)])[0]


@router.get("/stock/levels/{stock_level_id}/movements", response_model=Page[MovementOut])
def list_movements(
    stock_level_id: uuid.UUID,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = VIEW,
    db: Session = Depends(get_db),
) -> Page[MovementOut]:
    """The movements of one of my stock levels, newest first."""
    repo = StockRepository(db)
    if repo.refresh(stock_level_id) is None:
        raise StockLevelNotFound()
    return page_of(
        db,
        repo.movements(stock_level_id),
        StockMovement.id,
        MovementOut.model_validate,
        cursor=cursor,
        limit=limit,
    )


@router.post("/stock/receipts", status_code=201, response_model=StockLevelOut)
def receive(data: ReceiptIn, p: Principal = EDIT, db: Session = Depends(get_db)) -> StockLevelOut:
    """Goods received into one of my warehouses (on hand += quantity)."""
    level = service.receive(
        db,
        data.warehouse_id,
        data.part_id,
        data.quantity,
        reason=data.reason,
        reference_type="receipt" if data.reference else None,
        reference_id=data.reference,
    )
    return _levels_out(db, [level])[0]


@router.post("/stock/adjustments", response_model=StockLevelOut)
def adjust(data: AdjustmentIn, p: Principal = EDIT, db: Session = Depends(get_db)) -> StockLevelOut:
    """A stock count or correction: set on hand, or change it by a delta, with a reason."""
    level = service.adjust(
        db, data.warehouse_id, data.part_id, on_hand=data.on_hand, delta=data.delta, reason=data.reason
    )
    return _levels_out(db, [level])[0]


# ---- uploads ------------------------------------------------------------------------------------------


def _upload_out(u: StockUpload) -> UploadOut:
    return UploadOut(
        id=u.id,
        status=u.status,
        filename=u.filename,
        rows_total=u.rows_total,
        rows_changed=u.rows_changed,
        rows_unchanged=u.rows_unchanged,
        rows_failed=u.rows_failed,
        errors=list(u.errors[:50]),
        errors_url=f"/api/v1/stock/uploads/{u.id}/errors.csv" if u.errors else None,
    )


@router.post("/stock/uploads", status_code=201, response_model=UploadOut)
def upload_stock(
    file: UploadFile = File(
        ..., description="CSV (UTF-8, header row) or XLSX: warehouse_code, sku or part_id, on_hand"
    ),
    p: Principal = EDIT,
    db: Session = Depends(get_db),
) -> UploadOut:
    """A stock file of absolute counts, processed now: good rows land, every bad row is reported with
    line, column and reason (``errors_url`` downloads them all as CSV)."""
    filename = (file.filename or "stock.csv").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not filename.lower().endswith((".csv", ".xlsx", ".txt")):
        raise ValidationFailed("upload a .csv or .xlsx file", field="file", code="unsupported_file")
    with tempfile.TemporaryDirectory(prefix="stock-upload-") as tmp:
        path = Path(tmp) / ("upload.xlsx" if filename.lower().endswith(".xlsx") else "upload.csv")
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        upload = sync.process_file(db, path, org_id=p.org_id, user_id=p.user_id, filename=filename)
    return _upload_out(upload)


@router.get("/stock/uploads/{upload_id}", response_model=UploadOut)
def get_upload(upload_id: uuid.UUID, p: Principal = VIEW, db: Session = Depends(get_db)) -> UploadOut:
    upload = UploadRepository(db).get(upload_id)
    if upload is None:
        raise UploadNotFound()
    return _upload_out(upload)


@router.get("/stock/uploads/{upload_id}/errors.csv", response_class=Response)
def upload_errors(upload_id: uuid.UUID, p: Principal = VIEW, db: Session = Depends(get_db)) -> Response:
    """The upload's error report: ``line,column,value,reason`` per problem (header only when clean)."""
    upload = UploadRepository(db).get(upload_id)
    if upload is None:
        raise UploadNotFound()
    return Response(
        sync.errors_csv(upload),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="stock-upload-{upload_id}-errors.csv"'},
    )


# ---- alliances and transfers ------------------------------------------------------------------------------


def _alliance_out(view: alliances.AllianceView) -> AllianceOut:
    a = view.alliance
    return AllianceOut(
        id=a.id,
        org_id=a.org_id,
        name=a.name,
        description=a.description,
        my_status=view.my_status,
        members=[MemberOut.model_validate(m) for m in view.members],
        created_at=a.created_at,
    )


@router.post("/alliances", status_code=201, response_model=AllianceOut)
def create_alliance(data: AllianceIn, p: Principal = EDIT, db: Session = Depends(get_db)) -> AllianceOut:
    alliance = alliances.create(db, p, data)
    return _alliance_out(alliances.view(db, p, alliance.id))


@router.get("/alliances", response_model=Page[AllianceOut])
def list_alliances(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = VIEW,
    db: Session = Depends(get_db),
) -> Page[AllianceOut]:
    """The alliances my company belongs to or is invited to."""
    rows, nxt = paginate(db, AllianceRepository(db).mine(p.scope), Alliance.id, cursor=cursor, limit=limit)
    return Page(items=[_alliance_out(alliances.view(db, p, a.id)) for a in rows], next_cursor=nxt)


@router.get("/alliances/{alliance_id}", response_model=AllianceOut)
def get_alliance(alliance_id: uuid.UUID, p: Principal = VIEW, db: Session = Depends(get_db)) -> AllianceOut:
    return _alliance_out(alliances.view(db, p, alliance_id))


@router.post("/alliances/{alliance_id}/invitations", status_code=201, response_model=MemberOut)
def invite(
    alliance_id: uuid.UUID, data: InviteIn, p: Principal = EDIT, db: Session = Depends(get_db)
) -> MemberOut:
    """The alliance's owner invites a company (by its id)."""
    return MemberOut.model_validate(alliances.invite(db, p, alliance_id, data.company_id))


@router.post("/alliances/{alliance_id}/accept", response_model=MemberOut)
def accept(alliance_id: uuid.UUID, p: Principal = EDIT, db: Session = Depends(get_db)) -> MemberOut:
    return MemberOut.model_validate(alliances.respond(db, p, alliance_id, accept=True))


@router.post("/alliances/{alliance_id}/decline", response_model=MemberOut)
def decline(alliance_id: uuid.UUID, p: Principal = EDIT, db: Session = Depends(get_db)) -> MemberOut:
    return MemberOut.model_validate(alliances.respond(db, p, alliance_id, accept=False))


@router.get("/alliances/{alliance_id}/stock", response_model=list[AllianceStockOut])
def alliance_stock(
    alliance_id: uuid.UUID,
    part_id: uuid.UUID | None = Query(None, description="the part (required)"),
    p: Principal = VIEW,
    db: Session = Depends(get_db),
) -> list[AllianceStockOut]:
    """Available quantities of a part in every member's warehouses (quantities only, never prices)."""
    fields = (
        "org_id",
        "company_name",
        "warehouse_id",
        "warehouse_name",
        "province",
        "city",
        "part_id",
        "available",
    )
    return [
        AllianceStockOut(**dict(zip(fields, r, strict=True)))
        for r in alliances.stock(db, p, alliance_id, part_id)
    ]


@router.post("/alliances/{alliance_id}/transfers", status_code=201, response_model=TransferOut)
def request_transfer(
    alliance_id: uuid.UUID, data: TransferIn, p: Principal = EDIT, db: Session = Depends(get_db)
) -> TransferOut:
    """Ask a member for stock: from its warehouse to one of mine."""
    return TransferOut.model_validate(alliances.request_transfer(db, p, alliance_id, data))


@router.get("/transfers", response_model=Page[TransferOut])
def list_transfers(
    status: TransferStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = VIEW,
    db: Session = Depends(get_db),
) -> Page[TransferOut]:
    """Transfer requests my company raised or must decide."""
    stmt = TransferRepository(db).listing(status=status)
    return page_of(db, stmt, TransferRequest.id, TransferOut.model_validate, cursor=cursor, limit=limit)


@router.get("/transfers/{transfer_id}", response_model=TransferOut)
def get_transfer(transfer_id: uuid.UUID, p: Principal = VIEW, db: Session = Depends(get_db)) -> TransferOut:
    return TransferOut.model_validate(alliances.get_transfer(db, transfer_id))


@router.post("/transfers/{transfer_id}/approve", response_model=TransferOut)
def approve_transfer(
    transfer_id: uuid.UUID,
    data: DecisionIn | None = None,
    p: Principal = APPROVE,
    db: Session = Depends(get_db),
) -> TransferOut:
    """The source warehouse's company approves: the stock moves now (409 when not enough is available)."""
    return TransferOut.model_validate(alliances.approve(db, p, transfer_id, data.reason if data else None))


@router.post("/transfers/{transfer_id}/reject", response_model=TransferOut)
def reject_transfer(
    transfer_id: uuid.UUID,
    data: DecisionIn | None = None,
    p: Principal = APPROVE,
    db: Session = Depends(get_db),
) -> TransferOut:
    return TransferOut.model_validate(alliances.reject(db, p, transfer_id, data.reason if data else None))


@router.post("/transfers/{transfer_id}/cancel", response_model=TransferOut)
def cancel_transfer(
    transfer_id: uuid.UUID, p: Principal = EDIT, db: Session = Depends(get_db)
) -> TransferOut:
    """The requester withdraws a request that is still waiting."""
    return TransferOut.model_validate(alliances.cancel(db, p, transfer_id))
