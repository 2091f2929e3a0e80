"""Buyer: the cart (lines by supplier, change and remove), quick order (pasted or uploaded lists),
requisition lists (save, list, reorder) and checkout with its result (the split into supplier orders)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from autotrade.cart import requisitions
from autotrade.cart import service as carts
from autotrade.cart.api import checkout_out
from autotrade.cart.models import LineSource, RequisitionList
from autotrade.cart.parsing import MAX_QUANTITY, parse_file, parse_text
from autotrade.cart.repository import CatalogLookups, RequisitionRepository
from autotrade.cart.resolution import Result
from autotrade.cart.schemas import CartLineIn, CartLinePatch, SaveCartIn
from autotrade.core.deps import require
from autotrade.core.errors import AppError, NotFound
from autotrade.core.http import get_db
from autotrade.core.idempotency import Idempotency
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.iam.repository import UserRepository
from autotrade.inventory.repository import WarehouseRepository
from autotrade.orders import service as order_service
from autotrade.orders.repository import OrderRepository
from autotrade.orders.schemas import ShipTo
from autotrade.orgs.repository import OrgRepository
from autotrade.web import csrf
from autotrade.web.buyer_common import cart_count, error_message, is_htmx, line_outcome, page, parse_uuid
from autotrade.web.buyer_search import part_context
from autotrade.web.forms import field_errors, form_data, undo
from autotrade.web.render import redirect, safe_next, translator

router = api_router()
EDIT = "procurement:edit"
SHIP_FIELDS = ("province", "city", "address", "contact", "phone")
LIST_PAGE = 50


# ---- the cart page --------------------------------------------------------------------------------------


@dataclass
class SupplierGroup:
    supplier_id: uuid.UUID | None
    name: str
    lines: list[tuple[Any, Result]] = field(default_factory=list)

    @property
    def ready(self) -> list[Result]:
        return [r for _l, r in self.lines if r.resolved and r.quote]

    @property
    def net_fen(self) -> int:
        return sum(r.quote.net_fen for r in self.ready if r.quote)

    @property
    def vat_fen(self) -> int:
        return sum(r.quote.vat_fen for r in self.ready if r.quote)

    @property
    def gross_fen(self) -> int:
        return sum(r.quote.gross_fen for r in self.ready if r.quote)


def _ship_defaults(db: Session, p: Principal) -> dict[str, str]:
    """The checkout form's first values: the ordering org's address, the user's name and phone."""
    org = OrgRepository(db).get(p.org_id)
    user = UserRepository(db).get(p.user_id) if p.user_id else None
    return {
        "province": org.province if org else "",
        "city": org.city if org else "",
        "address": " ".join(x for x in (org.district, org.address) if x) if org else "",
        "contact": user.name if user else "",
        "phone": (user.phone or "") if user else "",
        "note": "",
        "idempotency_key": str(uuid.uuid4()),
    }


def cart_context(
    request: Request,
    db: Session,
    p: Principal,
    *,
    line_errors: dict[uuid.UUID, str] | None = None,
    line_values: dict[uuid.UUID, str] | None = None,
    ship: dict[str, str] | None = None,
    ship_errors: dict[str, str] | None = None,
    checkout_error: str | None = None,
    quick_text: str = "",
    quick_errors: dict[str, str] | None = None,
    report: list[Result] | None = None,
    report_title: str | None = None,
    save: dict[str, str] | None = None,
    save_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    t = translator(request, db)
    view = carts.view(db, p)
    suppliers = {r.offer.org_id for _l, r in view.lines if r.offer}
    suppliers |= {r.offer.org_id for r in report or [] if r.offer}
    names = OrgRepository(db).names_any_tenant(suppliers)
    groups: dict[uuid.UUID | None, SupplierGroup] = {}
    for line, r in view.lines:
        key = r.offer.org_id if r.offer else None
        group = groups.get(key)
        if group is None:
            name = names.get(key, "") if key else t.gettext("No offer can deliver this now")
            group = groups.setdefault(key, SupplierGroup(key, name))
        group.lines.append((line, r))
    ready = [r for _l, r in view.lines if r.resolved and r.quote]
    outcome = {
        line.id: line_outcome(
            t,
            r.code,
            available=r.available,
            moq=r.moq,
            pack_size=r.pack_size,
            suggested=r.suggested_quantity,
        )
        for line, r in view.lines
    }
    reported = {
        r.line: line_outcome(
            t,
            r.code,
            available=r.available,
            moq=r.moq,
            pack_size=r.pack_size,
            suggested=r.suggested_quantity,
            merged_into=r.merged_into,
        )
        for r in report or []
    }
    return {
        "view": view,
        "groups": sorted(groups.values(), key=lambda g: (g.supplier_id is None, g.name)),
        "outcome": outcome,
        "totals": {
            "lines": len(view.lines),
            "ready": len(ready),
            "suppliers": len({r.quote.supplier_org_id for r in ready if r.quote}),
            "net_fen": sum(r.quote.net_fen for r in ready if r.quote),
            "vat_fen": sum(r.quote.vat_fen for r in ready if r.quote),
            "gross_fen": sum(r.quote.gross_fen for r in ready if r.quote),
        },
        "line_errors": line_errors or {},
        "line_values": line_values or {},
        "ship": ship or _ship_defaults(db, p),
        "ship_errors": ship_errors or {},
        "checkout_error": checkout_error,
        "can_checkout": p.can("orders:edit"),
        "quick_text": quick_text,
        "quick_errors": quick_errors or {},
        "report": report,
        "reported": reported,
        "report_title": report_title,
        "supplier_names": names,
        "save": save or {"name": "", "note": ""},
        "save_errors": save_errors or {},
        "cart_lines": len(view.lines),
    }


def _cart_page(request: Request, db: Session, p: Principal, *, status: int = 200, **kw: Any) -> Response:
    ctx = cart_context(request, db, p, **kw)
    return page(request, "buyer/cart.html", db, status_code=status, **ctx)


def _cart_fragment(request: Request, db: Session, p: Principal, *, status: int = 200, **kw: Any) -> Response:
    """The ``#cart-main`` section (lines, totals) for an HTMX action, with the cart counter."""
    ctx = cart_context(request, db, p, **kw)
    return page(request, "buyer/_cart_main.html", db, status_code=status, oob_count=True, **ctx)


@router.get("/cart", include_in_schema=False)
def cart_page(
    request: Request, p: Principal = Depends(require(EDIT)), db: Session = Depends(get_db)
) -> Response:
    """购物车: lines by supplier priced now for the caller, quick order, checkout."""
    return _cart_page(request, db, p)


# ---- adding from the part page ---------------------------------------------------------------------------


def _quantity(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_QUANTITY else None


@router.post("/cart/add", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def add_to_cart(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """ "Add to cart" on an offer row of the part page: this part from this offer, this quantity (the
    cart service's ``add_line``). HTMX: a message in the row and the cart counter; else back to the
    page (or the page again with the error at the row)."""
    t = translator(request, db)
    part_id = parse_uuid(str(form.get("part_id") or ""))
    offer_id = parse_uuid(str(form.get("offer_id") or ""))
    raw_quantity = str(form.get("quantity") or "")
    back = safe_next(str(form.get("next") or ""), f"/parts/{part_id}" if part_id else "/search")
    if part_id is None:
        raise NotFound("part not found", code="part_not_found")
    quantity = _quantity(raw_quantity)
    error: str | None = None
    status = 200
    line = None
    if quantity is None:
        error, status = t.gettext("Enter a whole number from 1 to 1,000,000."), 422
    else:
        try:
            _result, line = carts.add_line(
                db, p, CartLineIn(part_id=part_id, quantity=quantity, offer_id=offer_id)
            )
        except AppError as exc:
            undo(db, exc)
            if exc.status >= 500 or exc.code == "company_not_approved":
                raise
            error, status = _add_error(t, exc), exc.status
    if is_htmx(request):
        return page(
            request,
            "buyer/_added.html",
            db,
            status_code=status,
            error=error,
            line=line,
            quantity=quantity,
            cart_lines=cart_count(db, p),
        )
    if error is None:
        return redirect(request, back, flash="buyer_added")
    key = str(offer_id or "")
    where = urlsplit(back)
    shown = parse_uuid(where.path.removeprefix("/parts/")) if where.path.startswith("/parts/") else None
    ctx, _status = part_context(
        request,
        db,
        p,
        shown or part_id,  # the page the row is on (an interchangeable part's offer is on it too)
        dict(parse_qsl(where.query)),
        row_errors={key: error},
        row_quantities={key: raw_quantity},
    )
    return page(request, "buyer/part.html", db, status_code=status, **ctx)


def _add_error(t: Any, exc: AppError) -> str:
    extra = exc.extra or {}
    if exc.code in ("insufficient_stock", "below_moq", "not_pack_multiple"):
        return line_outcome(
            t,
            exc.code,
            available=extra.get("available"),
            moq=extra.get("moq"),
            pack_size=extra.get("pack_size"),
            suggested=extra.get("moq") or extra.get("pack_size"),
        )
    return error_message(t, exc)


# ---- changing lines -------------------------------------------------------------------------------------


def _after_line_action(request: Request, db: Session, p: Principal, flash: str) -> Response:
    if is_htmx(request):
        return _cart_fragment(request, db, p)
    return redirect(request, "/cart", flash=flash)


def _line_failed(
    request: Request, db: Session, p: Principal, line_id: uuid.UUID, message: str, status: int, raw: str
) -> Response:
    kw: dict[str, Any] = {"line_errors": {line_id: message}, "line_values": {line_id: raw}, "status": status}
    return _cart_fragment(request, db, p, **kw) if is_htmx(request) else _cart_page(request, db, p, **kw)


@router.post("/cart/lines/{line_id}", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def update_line(
    request: Request,
    line_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Change a line's quantity (the cart service's ``update_line``)."""
    t = translator(request, db)
    raw = str(form.get("quantity") or "")
    quantity = _quantity(raw)
    if quantity is None:
        return _line_failed(
            request, db, p, line_id, t.gettext("Enter a whole number from 1 to 1,000,000."), 422, raw
        )
    try:
        carts.update_line(db, p, line_id, CartLinePatch(quantity=quantity))
    except AppError as exc:
        undo(db, exc)
        if exc.code == "cart_line_not_found":
            raise
        return _line_failed(request, db, p, line_id, error_message(t, exc), exc.status, raw)
    return _after_line_action(request, db, p, "buyer_line_updated")


@router.post(
    "/cart/lines/{line_id}/remove", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def remove_line(
    request: Request,
    line_id: uuid.UUID,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    carts.delete_line(db, p, line_id)  # a line not in the caller's cart: 404
    return _after_line_action(request, db, p, "buyer_line_removed")


# ---- quick order -----------------------------------------------------------------------------------------


def _not_added(results: list[Result]) -> str:
    """The input lines that did not reach the cart (unresolved, or merged into an unresolved line),
    for the box: the user fixes them and sends them again."""
    failed = {r.line for r in results if r.status == "unresolved"}
    return "\n".join(
        r.input for r in results if r.line in failed or (r.status == "merged" and r.merged_into in failed)
    )


@router.post("/cart/quick-order", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def quick_order(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """快速下单: pasted ``number,quantity`` lines, every line resolved or reported next to it. "Check"
    only reports; "add" puts the resolved lines in the cart and keeps the others in the box."""
    t = translator(request, db)
    text = str(form.get("text") or "")
    dry_run = str(form.get("action") or "") == "check"
    try:
        results, added = carts.quick_order(db, p, parse_text(text), source=LineSource.paste, dry_run=dry_run)
    except AppError as exc:
        undo(db, exc)
        if exc.status >= 500:
            raise
        return _cart_page(
            request, db, p, status=exc.status, quick_text=text, quick_errors={"text": error_message(t, exc)}
        )
    keep = text if dry_run else _not_added(results)
    title = (
        t.gettext("Check of the pasted lines: nothing was added")
        if dry_run
        else t.ngettext("%(num)d line added to the cart", "%(num)d lines added to the cart", len(added))
    )
    return _cart_page(request, db, p, quick_text=keep, report=results, report_title=title)


@router.post("/cart/quick-order/upload", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def quick_order_upload(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Quick order from a CSV (UTF-8) or XLSX file: the same report as pasted lines."""
    t = translator(request, db)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _cart_page(
            request, db, p, status=422, quick_errors={"file": t.gettext("Choose a CSV or XLSX file.")}
        )
    data = upload.file.read()
    try:
        rows = parse_file(data, upload.filename)
        results, added = carts.quick_order(db, p, rows, source=LineSource.upload, dry_run=False)
    except AppError as exc:
        undo(db, exc)
        if exc.status >= 500:
            raise
        return _cart_page(request, db, p, status=exc.status, quick_errors={"file": error_message(t, exc)})
    title = t.ngettext(
        "%(num)d line of %(file)s added to the cart",
        "%(num)d lines of %(file)s added to the cart",
        len(added),
        file=upload.filename,
    )
    return _cart_page(request, db, p, quick_text=_not_added(results), report=results, report_title=title)


# ---- requisition lists ----------------------------------------------------------------------------------


@router.post("/cart/save-list", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def save_as_list(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Save the cart as a new requisition list (the cart stays as it is)."""
    t = translator(request, db)
    values = {k: str(form.get(k) or "") for k in ("name", "note")}
    try:
        data = SaveCartIn.model_validate({k: v for k, v in values.items() if v.strip()})
    except ValidationError as exc:
        return _cart_page(request, db, p, status=422, save=values, save_errors=field_errors(t, exc))
    try:
        lst = requisitions.save_cart(db, p, data)
    except AppError as exc:
        undo(db, exc)
        message = error_message(t, exc)
        return _cart_page(
            request, db, p, status=exc.status, save=values, save_errors={exc.field or "name": message}
        )
    return redirect(request, f"/cart/lists/{lst.id}", flash="buyer_list_saved")


@router.get("/cart/lists", include_in_schema=False)
def lists_page(
    request: Request,
    cursor: str | None = None,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """采购清单: the company's requisition lists, newest first, each reordered in one click."""
    repo = RequisitionRepository(db)
    rows, nxt = paginate(db, repo.listing(), RequisitionList.id, cursor=cursor, limit=LIST_PAGE)
    return page(
        request,
        "buyer/lists.html",
        db,
        lists=rows,
        counts=repo.line_counts([x.id for x in rows]),
        next_cursor=nxt,
        cart_lines=cart_count(db, p),
    )


@router.get("/cart/lists/{list_id}", include_in_schema=False)
def list_page(
    request: Request,
    list_id: uuid.UUID,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    lst = requisitions.get(db, list_id)  # another company's list: 404
    lines = RequisitionRepository(db).lines([lst.id])[lst.id]
    return page(
        request,
        "buyer/list.html",
        db,
        lst=lst,
        lines=lines,
        parts=CatalogLookups(db).parts(ln.part_id for ln in lines),
        cart_lines=cart_count(db, p),
    )


@router.post(
    "/cart/lists/{list_id}/reorder", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def reorder(
    request: Request,
    list_id: uuid.UUID,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Reorder from a list in one click: every line resolved again now, the resolved ones added to the
    cart, each reported on the cart page."""
    t = translator(request, db)
    lst = requisitions.get(db, list_id)
    try:
        pairs, added = requisitions.reorder(db, p, list_id, dry_run=False)
    except AppError as exc:
        undo(db, exc)
        if exc.status == 404:
            raise
        return _cart_page(request, db, p, status=exc.status, checkout_error=error_message(t, exc))
    title = t.ngettext(
        "%(num)d line of “%(list)s” added to the cart",
        "%(num)d lines of “%(list)s” added to the cart",
        len(added),
        list=lst.name,
    )
    return _cart_page(request, db, p, report=[r for _l, r in pairs], report_title=title)


@router.post(
    "/cart/lists/{list_id}/delete", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def delete_list(
    request: Request,
    list_id: uuid.UUID,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    requisitions.delete(db, list_id)
    return redirect(request, "/cart/lists", flash="buyer_list_deleted")


# ---- checkout --------------------------------------------------------------------------------------------


def _ship_to(values: dict[str, str]) -> ShipTo:
    """The destination from the form (the checkout adds the company's coordinates for its own city)."""
    return ShipTo.model_validate({k: v.strip() for k, v in values.items() if k in SHIP_FIELDS and v.strip()})


def _checkout_errors(t: Any, view: carts.CartView, exc: AppError) -> dict[uuid.UUID, str]:
    """Per cart line, why the checkout refused it (``cart_not_ready`` names lines; a stock shortage at
    reservation names parts)."""
    out: dict[uuid.UUID, str] = {}
    by_part = {line.part_id: line.id for line, _r in view.lines}
    for e in exc.errors or []:
        line_id = parse_uuid(str(e.get("line_id") or "")) or by_part.get(
            parse_uuid(str(e.get("part_id") or "")) or uuid.UUID(int=0)
        )
        if line_id is None:
            continue
        code = str(e.get("code") or exc.code)
        out[line_id] = line_outcome(
            t, code, available=e.get("available"), moq=e.get("moq"), pack_size=e.get("pack_size")
        )
    return out


@router.post("/cart/checkout", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def checkout(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require(EDIT, "orders:edit")),
    db: Session = Depends(get_db),
) -> Response:
    """下单: the cart's checkout (the service behind ``POST /api/v1/cart/checkout``) with the form's
    idempotency key, so that a double submit answers the same orders. Errors go back to the cart
    with everything kept."""
    t = translator(request, db)
    values = {k: str(form.get(k) or "") for k in (*SHIP_FIELDS, "note", "idempotency_key")}
    try:
        ship_to = _ship_to(values)
    except ValidationError as exc:
        return _cart_page(request, db, p, status=422, ship=values, ship_errors=field_errors(t, exc))
    note = values["note"].strip()[:500] or None
    key = values["idempotency_key"].strip()
    canonical = urlencode(sorted((k, str(v)) for k, v in form.multi_items() if k != "csrf_token")).encode()
    idem = Idempotency(db, request, canonical, "web.cart.checkout")
    idem.key = key if parse_uuid(key) else None

    def run() -> Any:
        return checkout_out(p, carts.checkout(db, p, ship_to=ship_to, note=note, line_ids=None))

    try:
        answer = idem.run(run, status_code=201)
    except AppError as exc:
        undo(db, exc)
        if exc.status >= 500:
            raise
        view = carts.view(db, p)
        return _cart_page(
            request,
            db,
            p,
            status=exc.status,
            ship=values,
            checkout_error=error_message(t, exc),
            line_errors=_checkout_errors(t, view, exc),
        )
    checkout_id = json.loads(bytes(answer.body))["checkout_id"]
    return redirect(request, f"/cart/checkout/{checkout_id}")


@router.get("/cart/checkout/{checkout_id}", include_in_schema=False)
def checkout_result(
    request: Request,
    checkout_id: uuid.UUID,
    p: Principal = Depends(require("procurement:view")),
    db: Session = Depends(get_db),
) -> Response:
    """The checkout's split into supplier orders: number, supplier, lines, warehouse allocation,
    totals with VAT shown separately, and a link to pay each."""
    repo = OrderRepository(db)
    orders = order_service.checkout_orders(db, p, checkout_id)
    ids = [o.id for o in orders]
    lines = repo.lines(ids)
    allocations = repo.allocations(ids)
    return page(
        request,
        "buyer/checkout_result.html",
        db,
        checkout_id=checkout_id,
        orders=orders,
        lines_of={o.id: [x for x in lines if x.order_id == o.id] for o in orders},
        allocations_of={x.id: [a for a in allocations if a.line_id == x.id] for x in lines},
        parts=CatalogLookups(db).parts(x.part_id for x in lines),
        warehouses=WarehouseRepository(db).get_any_tenant_many(a.warehouse_id for a in allocations),
        suppliers=OrgRepository(db).names_any_tenant(o.supplier_org_id for o in orders),
        totals={k: sum(getattr(o, k) for o in orders) for k in ("net_fen", "vat_fen", "gross_fen")},
        can_pay=p.can("payments:view"),
        cart_lines=cart_count(db, p),
    )
