"""Supplier pages: stock by warehouse (filters, low-stock highlights, thresholds), warehouses, and the
manual stock adjustment (a count or a correction)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.inventory import service as inventory
from autotrade.inventory.errors import StockLevelNotFound
from autotrade.inventory.models import StockLevel, Warehouse
from autotrade.inventory.repository import StockRepository, WarehouseRepository
from autotrade.web import csrf
from autotrade.web.forms import form_data, undo
from autotrade.web.render import redirect, translator
from autotrade.web.supplier_common import PAGE_SIZE, message, page, parse_int, seller

router = api_router("/supplier/stock")
VIEW = require("inventory:view")
EDIT = require("inventory:edit")
MAX_WAREHOUSES = 200
ADJUST_FIELDS = ("warehouse_id", "sku", "on_hand", "delta", "reason")


def is_low(level: StockLevel) -> bool:
    return level.low_stock_threshold is not None and level.available <= level.low_stock_threshold


def _warehouses(db: Session) -> list[Warehouse]:
    rows, _ = paginate(db, WarehouseRepository(db).listing(), Warehouse.id, cursor=None, limit=MAX_WAREHOUSES)
    return sorted(rows, key=lambda w: (not w.active, w.code))


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _stock_page(
    request: Request,
    db: Session,
    *,
    warehouse: str | None = None,
    sku: str | None = None,
    low: str | None = None,
    cursor: str | None = None,
    adjust_values: dict[str, Any] | None = None,
    adjust_errors: dict[str, str] | None = None,
    adjust_error: str | None = None,
    status: int = 200,
) -> Response:
    repo = StockRepository(db)
    warehouses = _warehouses(db)
    warehouse_id = _uuid(warehouse)
    sku_text = (sku or "").strip()[:80]
    levels: list[StockLevel] = []
    nxt = None
    unknown_sku = False
    part_id = None
    if sku_text:
        part_id = repo.parts_by_sku([sku_text]).get(sku_text)
        unknown_sku = part_id is None
    if not unknown_sku:
        stmt = repo.listing(warehouse_id=warehouse_id, part_id=part_id, low_only=bool(low))
        levels, nxt = paginate(db, stmt, StockLevel.id, cursor=cursor, limit=PAGE_SIZE)
    filtered = bool(warehouse_id or sku_text or low)
    return page(
        request,
        "supplier/stock.html",
        db,
        status_code=status,
        levels=levels,
        parts=repo.parts_by_id(lv.part_id for lv in levels),
        warehouses=warehouses,
        warehouse_by_id={w.id: w for w in warehouses},
        warehouse=str(warehouse_id or ""),
        sku=sku_text,
        low=bool(low),
        unknown_sku=unknown_sku,
        filtered=filtered,
        next_cursor=nxt,
        is_low=is_low,
        adjust_values=adjust_values or {"warehouse_id": str(warehouse_id or ""), "sku": sku_text},
        adjust_errors=adjust_errors or {},
        adjust_error=adjust_error,
    )


@router.get("", include_in_schema=False)
def stock(
    request: Request,
    warehouse: str | None = None,
    sku: str | None = None,
    low: str | None = None,
    cursor: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    return _stock_page(request, db, warehouse=warehouse, sku=sku, low=low, cursor=cursor)


@router.post("/adjust", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def adjust(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    """A stock count (new on-hand count) or a correction (a change ±), with a reason."""
    seller(p)
    t = translator(request, db)
    values = {k: str(form.get(k) or "").strip() for k in ADJUST_FIELDS}
    errors: dict[str, str] = {}
    required = t.gettext("This field is required.")
    warehouse_id = _uuid(values["warehouse_id"])
    if warehouse_id is None:
        errors["warehouse_id"] = (
            required if not values["warehouse_id"] else t.gettext("Choose one of the listed warehouses.")
        )
    part_id = None
    if not values["sku"]:
        errors["sku"] = required
    else:
        part_id = StockRepository(db).parts_by_sku([values["sku"]]).get(values["sku"])
        if part_id is None:
            errors["sku"] = t.gettext("No part with this SKU in the catalogue.")
    on_hand = delta = None
    if values["on_hand"] and values["delta"]:
        errors["delta"] = t.gettext("Give either the new count or the change, not both.")
    elif values["on_hand"]:
        on_hand = parse_int(values["on_hand"])
        if on_hand is None or on_hand < 0:
            errors["on_hand"] = t.gettext("Enter a whole number of 0 or more.")
    elif values["delta"]:
        delta = parse_int(values["delta"])
        if delta is None or delta == 0:
            errors["delta"] = t.gettext("Enter a whole number other than 0, e.g. -2 or 5.")
    else:
        errors["on_hand"] = t.gettext("Give the new count or the change.")
    if not values["reason"]:
        errors["reason"] = required
    elif len(values["reason"]) > 300:
        errors["reason"] = t.gettext("This is too long.")
    if errors:
        return _stock_page(request, db, adjust_values=values, adjust_errors=errors, status=422)
    assert warehouse_id is not None and part_id is not None
    try:
        inventory.adjust(db, warehouse_id, part_id, on_hand=on_hand, delta=delta, reason=values["reason"])
    except AppError as exc:
        undo(db, exc)
        name = {"part_id": "sku"}.get(exc.field or "", exc.field or "")
        text = message(t, exc)
        if name in values:
            return _stock_page(
                request, db, adjust_values=values, adjust_errors={name: text}, status=exc.status
            )
        return _stock_page(request, db, adjust_values=values, adjust_error=text, status=exc.status)
    return redirect(
        request,
        f"/supplier/stock?warehouse={warehouse_id}&sku={values['sku']}",
        flash="supplier_stock_adjusted",
    )


def _row(
    request: Request,
    db: Session,
    level: StockLevel,
    *,
    error: str | None = None,
    value: str | None = None,
    status: int = 200,
) -> Response:
    repo = StockRepository(db)
    warehouses = WarehouseRepository(db).by_ids([level.warehouse_id])
    return page(
        request,
        "supplier/_stock_row.html",
        db,
        status_code=status,
        lv=level,
        parts=repo.parts_by_id([level.part_id]),
        warehouse_by_id=warehouses,
        is_low=is_low,
        row_error=error,
        row_value=value,
    )


@router.post(
    "/levels/{level_id}/threshold", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def set_threshold(
    request: Request,
    level_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    """Set (or clear, when blank) a level's low-stock threshold; answers the table row (HTMX) or goes
    back to the stock page."""
    seller(p)
    level = StockRepository(db).refresh(level_id)
    if level is None:
        raise StockLevelNotFound()
    t = translator(request, db)
    raw = str(form.get("low_stock_threshold") or "").strip()
    threshold = parse_int(raw) if raw else None
    htmx = request.headers.get("hx-request") == "true"
    if raw and (threshold is None or threshold < 0):
        text = t.gettext("Enter a whole number of 0 or more.")
        if not htmx:
            return _stock_page(request, db, adjust_error=text, status=422)
        return _row(request, db, level, error=text, value=raw, status=422)
    try:
        level = inventory.set_threshold(db, level_id, threshold)
    except AppError as exc:
        undo(db, exc)
        if not htmx:
            return _stock_page(request, db, adjust_error=message(t, exc), status=exc.status)
        current = StockRepository(db).refresh(level_id) or level
        return _row(request, db, current, error=message(t, exc), value=raw, status=exc.status)
    if not htmx:
        return redirect(request, "/supplier/stock", flash="supplier_threshold_saved")
    return _row(request, db, level)
