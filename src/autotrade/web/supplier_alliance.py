"""Supplier pages: stock alliances (库存联盟) — members' available stock by warehouse (quantities only,
never costs or prices), invitations, and transfer requests (raise, approve or reject, cancel)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.inventory import alliances
from autotrade.inventory.alliance_repository import AllianceRepository, TransferRepository
from autotrade.inventory.models import Alliance, MemberStatus, TransferRequest, Warehouse
from autotrade.inventory.repository import StockRepository, WarehouseRepository
from autotrade.inventory.schemas import TransferIn
from autotrade.pricing.repository import CustomerGroupRepository
from autotrade.web import csrf
from autotrade.web.forms import field_errors, form_data, undo
from autotrade.web.i18n import N_
from autotrade.web.render import redirect, translator
from autotrade.web.supplier_common import PAGE_SIZE, message, page, parse_int, seller

router = api_router("/supplier/alliance")
VIEW = require("inventory:view")
EDIT = require("inventory:edit")
APPROVE = require("inventory:approve")
MEMBER_LABELS = {"invited": N_("Invited"), "active": N_("Member"), "declined": N_("Declined")}
TRANSFER_LABELS = {
    "requested": N_("Waiting for a decision"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "cancelled": N_("Cancelled"),
}


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _transfers(db: Session, transfers: list[TransferRequest]) -> dict[str, Any]:
    """Names for transfer rows: warehouses (either company's), parts and companies, set-based."""
    warehouses = WarehouseRepository(db).get_any_tenant_many(
        [x.from_warehouse_id for x in transfers] + [x.to_warehouse_id for x in transfers]
    )
    return {
        "transfer_warehouses": warehouses,
        "transfer_parts": StockRepository(db).parts_by_id(x.part_id for x in transfers),
        "transfer_companies": CustomerGroupRepository(db).company_names(
            [x.org_id for x in transfers] + [x.source_org_id for x in transfers]
        ),
        "transfer_labels": TRANSFER_LABELS,
    }


def _alliance_page(
    request: Request,
    db: Session,
    p: Principal,
    *,
    alliance: str | None = None,
    sku: str | None = None,
    transfer_form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    repo = AllianceRepository(db)
    mine, _ = paginate(db, repo.mine(p.scope), Alliance.id, cursor=None, limit=PAGE_SIZE)
    memberships = repo.members([a.id for a in mine])
    my_status = {m.alliance_id: m.status for m in memberships if m.org_id in p.scope}
    # Members see the member list; an invitee sees only its own row.
    visible = [
        m for m in memberships if my_status.get(m.alliance_id) == MemberStatus.active or m.org_id in p.scope
    ]
    members: dict[uuid.UUID, list[Any]] = {a.id: [] for a in mine}
    for m in visible:
        members[m.alliance_id].append(m)
    names = CustomerGroupRepository(db).company_names([m.org_id for m in visible] + [a.org_id for a in mine])
    active = [a for a in mine if my_status.get(a.id) == MemberStatus.active]
    selected = next((a for a in active if str(a.id) == (alliance or "")), active[0] if active else None)
    sku_text = (sku or "").strip()[:80]
    stock_rows: list[tuple[Any, ...]] = []
    part_id = None
    unknown_sku = False
    if selected is not None and sku_text:
        part_id = StockRepository(db).parts_by_sku([sku_text]).get(sku_text)
        unknown_sku = part_id is None
        if part_id is not None:
            stock_rows = alliances.stock(db, p, selected.id, part_id)
    own_warehouses, _ = paginate(
        db, WarehouseRepository(db).listing(active=True), Warehouse.id, cursor=None, limit=200
    )
    transfers, _ = paginate(
        db, TransferRepository(db).listing(), TransferRequest.id, cursor=None, limit=PAGE_SIZE
    )
    return page(
        request,
        "supplier/alliance.html",
        db,
        status_code=status,
        alliances=mine,
        my_status=my_status,
        members=members,
        company_names=names,
        member_labels=MEMBER_LABELS,
        selected=selected,
        sku=sku_text,
        part_id=part_id,
        unknown_sku=unknown_sku,
        stock_rows=stock_rows,
        own_warehouses=sorted(own_warehouses, key=lambda w: w.code),
        transfers=transfers,
        transfer_form=transfer_form or {},
        **_transfers(db, transfers),
    )


@router.get("", include_in_schema=False)
def alliance_page(
    request: Request,
    alliance: str | None = None,
    sku: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    return _alliance_page(request, db, p, alliance=alliance, sku=sku)


@router.post("/{alliance_id}/accept", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def accept(
    request: Request, alliance_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    alliances.respond(db, p, alliance_id, accept=True)
    return redirect(request, "/supplier/alliance", flash="supplier_alliance_joined")


@router.post("/{alliance_id}/decline", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def decline(
    request: Request, alliance_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    alliances.respond(db, p, alliance_id, accept=False)
    return redirect(request, "/supplier/alliance", flash="supplier_alliance_declined")


@router.post("/{alliance_id}/transfers", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def request_transfer(
    request: Request,
    alliance_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    """Ask a member for stock from its warehouse into one of mine."""
    seller(p)
    t = translator(request, db)
    values = {
        k: str(form.get(k) or "").strip()
        for k in ("from_warehouse_id", "to_warehouse_id", "part_id", "quantity", "note", "sku")
    }
    back = {"alliance": str(alliance_id), "sku": values["sku"]}
    errors: dict[str, str] = {}
    quantity = parse_int(values["quantity"]) if values["quantity"] else None
    if not values["quantity"]:
        errors["quantity"] = t.gettext("This field is required.")
    elif quantity is None or quantity <= 0:
        errors["quantity"] = t.gettext("Enter a whole number above 0.")
    if not values["to_warehouse_id"]:
        errors["to_warehouse_id"] = t.gettext("This field is required.")
    form_state = {"values": values, "errors": errors, "row": values["from_warehouse_id"], "error": None}
    if errors:
        return _alliance_page(request, db, p, **back, transfer_form=form_state, status=422)
    try:
        data = TransferIn.model_validate(
            {
                "from_warehouse_id": values["from_warehouse_id"],
                "to_warehouse_id": values["to_warehouse_id"],
                "part_id": values["part_id"],
                "quantity": quantity,
                "note": values["note"] or None,
            }
        )
    except ValidationError as exc:
        form_state["errors"] = field_errors(t, exc)
        return _alliance_page(request, db, p, **back, transfer_form=form_state, status=422)
    try:
        alliances.request_transfer(db, p, alliance_id, data)
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        text = message(t, exc)
        if exc.field in ("to_warehouse_id", "quantity"):
            form_state["errors"] = {exc.field: text}
        else:
            form_state["error"] = text
        return _alliance_page(request, db, p, **back, transfer_form=form_state, status=exc.status)
    return redirect(request, "/supplier/alliance#transfers", flash="supplier_transfer_requested")


def _transfer_row(
    request: Request, db: Session, transfer: TransferRequest, *, error: str | None = None, status: int = 200
) -> Response:
    return page(
        request,
        "supplier/_transfer_row.html",
        db,
        status_code=status,
        tr=transfer,
        row_error=error,
        **_transfers(db, [transfer]),
    )


def _decide(
    request: Request, db: Session, p: Principal, transfer_id: uuid.UUID, action: str, reason: str | None
) -> Response:
    htmx = request.headers.get("hx-request") == "true"
    try:
        if action == "approve":
            transfer = alliances.approve(db, p, transfer_id, reason)
        elif action == "reject":
            transfer = alliances.reject(db, p, transfer_id, reason)
        else:
            transfer = alliances.cancel(db, p, transfer_id)
    except AppError as exc:
        if exc.status == 404:
            raise
        undo(db, exc)
        current = alliances.get_transfer(db, transfer_id)
        text = message(translator(request, db), exc)
        if not htmx:
            return _alliance_page(
                request, db, p, transfer_form={"row_error": (current.id, text)}, status=exc.status
            )
        return _transfer_row(request, db, current, error=text, status=exc.status)
    if not htmx:
        return redirect(request, "/supplier/alliance#transfers", flash=f"supplier_transfer_{action}")
    return _transfer_row(request, db, transfer)


@router.post(
    "/transfers/{transfer_id}/approve", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def approve(
    request: Request,
    transfer_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(APPROVE),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    return _decide(
        request, db, p, transfer_id, "approve", str(form.get("reason") or "").strip()[:500] or None
    )


@router.post(
    "/transfers/{transfer_id}/reject", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def reject(
    request: Request,
    transfer_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(APPROVE),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    return _decide(request, db, p, transfer_id, "reject", str(form.get("reason") or "").strip()[:500] or None)


@router.post(
    "/transfers/{transfer_id}/cancel", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def cancel(
    request: Request, transfer_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _decide(request, db, p, transfer_id, "cancel", None)
