"""Requisition lists over HTTP (included by ``cart.api``). See docs/cart.md."""

from __future__ import annotations

import uuid

from fastapi import Depends, Query, Response
from sqlalchemy.orm import Session

from autotrade.cart import requisitions
from autotrade.cart.models import RequisitionList
from autotrade.cart.repository import CatalogLookups, RequisitionRepository
from autotrade.cart.schemas import (
    LineReport,
    ReorderIn,
    RequisitionLineIn,
    RequisitionLineOut,
    RequisitionLinePatch,
    RequisitionListIn,
    RequisitionListOut,
    RequisitionListPatch,
    ResolutionOut,
    summarise,
)
from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal

router = api_router("", tags=["requisition lists"])

VIEW = "procurement:view"
EDIT = "procurement:edit"


def list_out(db: Session, lst: RequisitionList, *, with_lines: bool) -> RequisitionListOut:
    repo = RequisitionRepository(db)
    lines = repo.lines([lst.id])[lst.id]
    out = RequisitionListOut(
        id=lst.id,
        name=lst.name,
        note=lst.note,
        line_count=len(lines),
        created_at=lst.created_at,
        updated_at=lst.updated_at,
    )
    if with_lines:
        parts = CatalogLookups(db).parts(ln.part_id for ln in lines)
        out.lines = [
            RequisitionLineOut(
                id=ln.id,
                part_id=ln.part_id,
                sku=parts[ln.part_id].sku if ln.part_id in parts else None,
                part_name=parts[ln.part_id].name_zh if ln.part_id in parts else None,
                brand=parts[ln.part_id].brand if ln.part_id in parts else None,
                quantity=ln.quantity,
                offer_id=ln.offer_id,
            )
            for ln in lines
        ]
    return out


@router.get("/requisition-lists", response_model=Page[RequisitionListOut])
def list_requisition_lists(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require(VIEW)),
    db: Session = Depends(get_db),
) -> Page[RequisitionListOut]:
    """Your company's requisition lists (a branch user: the branch's), newest first."""
    repo = RequisitionRepository(db)
    rows, nxt = paginate(db, repo.listing(), RequisitionList.id, cursor=cursor, limit=limit)
    counts = repo.line_counts([r.id for r in rows])
    items = [
        RequisitionListOut(
            id=r.id,
            name=r.name,
            note=r.note,
            line_count=counts.get(r.id, 0),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in rows
    ]
    return Page(items=items, next_cursor=nxt)


@router.post("/requisition-lists", status_code=201, response_model=RequisitionListOut)
def create_requisition_list(
    data: RequisitionListIn, p: Principal = Depends(require(EDIT)), db: Session = Depends(get_db)
) -> RequisitionListOut:
    """A new list, optionally with lines (each names a part by ``part_id``, ``sku`` or ``number``)."""
    return list_out(db, requisitions.create(db, p, data), with_lines=True)


@router.get("/requisition-lists/{list_id}", response_model=RequisitionListOut)
def get_requisition_list(
    list_id: uuid.UUID, p: Principal = Depends(require(VIEW)), db: Session = Depends(get_db)
) -> RequisitionListOut:
    return list_out(db, requisitions.get(db, list_id), with_lines=True)


@router.patch("/requisition-lists/{list_id}", response_model=RequisitionListOut)
def update_requisition_list(
    list_id: uuid.UUID,
    data: RequisitionListPatch,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> RequisitionListOut:
    return list_out(db, requisitions.update(db, p, list_id, data), with_lines=True)


@router.delete("/requisition-lists/{list_id}", status_code=204, response_class=Response)
def delete_requisition_list(
    list_id: uuid.UUID, p: Principal = Depends(require(EDIT)), db: Session = Depends(get_db)
) -> Response:
    requisitions.delete(db, list_id)
    return Response(status_code=204)


@router.post("/requisition-lists/{list_id}/lines", status_code=201, response_model=RequisitionListOut)
def add_requisition_line(
    list_id: uuid.UUID,
    data: RequisitionLineIn,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> RequisitionListOut:
    """Add a part (a part already on the list gets the quantity added)."""
    requisitions.add_line(db, p, list_id, data)
    return list_out(db, requisitions.get(db, list_id), with_lines=True)


@router.patch("/requisition-lists/{list_id}/lines/{list_line_id}", response_model=RequisitionListOut)
def update_requisition_line(
    list_id: uuid.UUID,
    list_line_id: uuid.UUID,
    data: RequisitionLinePatch,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> RequisitionListOut:
    requisitions.update_line(db, list_id, list_line_id, data)
    return list_out(db, requisitions.get(db, list_id), with_lines=True)


@router.delete("/requisition-lists/{list_id}/lines/{list_line_id}", status_code=204, response_class=Response)
def delete_requisition_line(
    list_id: uuid.UUID,
    list_line_id: uuid.UUID,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    requisitions.delete_line(db, list_id, list_line_id)
    return Response(status_code=204)


@router.post("/requisition-lists/{list_id}/add-to-cart", response_model=ResolutionOut)
def reorder_requisition_list(
    list_id: uuid.UUID,
    data: ReorderIn | None = None,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> ResolutionOut:
    """Reorder: every line resolved again now (its preferred offer first) and reported like a quick
    order; the resolved lines go to your cart (not with ``dry_run``)."""
    dry_run = bool(data and data.dry_run)
    pairs, added = requisitions.reorder(db, p, list_id, dry_run=dry_run)
    reports = [LineReport.build(r, added.get(r.line)) for _ln, r in pairs]
    return ResolutionOut(dry_run=dry_run, added=len(added), summary=summarise(reports), lines=reports)
