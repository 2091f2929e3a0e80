"""cart: HTTP routes (thin: parse, call the service, shape the answer). See docs/cart.md."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from autotrade.cart import requisitions, service
from autotrade.cart.models import CartLine, LineSource
from autotrade.cart.parsing import parse_file, parse_text
from autotrade.cart.requisition_api import list_out
from autotrade.cart.requisition_api import router as requisition_router
from autotrade.cart.resolution import Result
from autotrade.cart.schemas import (
    CartCheckoutIn,
    CartLineAdded,
    CartLineIn,
    CartLineOut,
    CartLinePatch,
    CartOut,
    CartTotals,
    LineReport,
    QuickOrderIn,
    RequisitionListOut,
    ResolutionOut,
    SaveCartIn,
    summarise,
)
from autotrade.core.deps import require
from autotrade.core.errors import ValidationFailed
from autotrade.core.http import get_db
from autotrade.core.idempotency import Idempotency, idempotency
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.orders.checkout import CheckoutResult
from autotrade.orders.schemas import CheckoutOut, OrderOut

router = api_router("/api/v1", tags=["cart"])

VIEW = "procurement:view"
EDIT = "procurement:edit"


def line_out(line: CartLine, r: Result) -> CartLineOut:
    q, o, p = r.quote, r.offer, r.part
    return CartLineOut(
        id=line.id,
        part_id=line.part_id,
        sku=p.sku if p else None,
        part_name=p.name_zh if p else None,
        brand=p.brand if p else None,
        quantity=line.quantity,
        offer_id=line.offer_id,
        source=line.source.value,
        raw_input=line.raw_input,
        created_at=line.created_at,
        updated_at=line.updated_at,
        code=r.code,
        detail=r.detail,
        current_offer_id=o.id if o else None,
        supplier_org_id=o.org_id if o else None,
        unit_price_fen=q.unit_price_fen if q else None,
        net_fen=q.net_fen if q else None,
        vat_fen=q.vat_fen if q else None,
        gross_fen=q.gross_fen if q else None,
        currency=q.currency if q else None,
        lead_time_days=q.lead_time_days if q else None,
        pricing_rule=q.rule if q else None,
        available=r.available,
        moq=r.moq,
        pack_size=r.pack_size,
    )


def cart_out(view: service.CartView) -> CartOut:
    lines = [line_out(ln, r) for ln, r in view.lines]
    ready = [r for _l, r in view.lines if r.resolved and r.quote]
    return CartOut(
        id=view.cart.id if view.cart else None,
        ready=view.ready,
        lines=lines,
        totals=CartTotals(
            lines=len(lines),
            ready_lines=len(ready),
            suppliers=len({r.quote.supplier_org_id for r in ready if r.quote}),
            net_fen=sum(r.quote.net_fen for r in ready if r.quote),
            vat_fen=sum(r.quote.vat_fen for r in ready if r.quote),
            gross_fen=sum(r.quote.gross_fen for r in ready if r.quote),
            currency="CNY",
        ),
    )


def resolution_out(results: list[Result], added: dict[int, uuid.UUID], *, dry_run: bool) -> ResolutionOut:
    reports = [LineReport.build(r, added.get(r.line)) for r in results]
    return ResolutionOut(dry_run=dry_run, added=len(added), summary=summarise(reports), lines=reports)


@router.get("/cart", response_model=CartOut)
def get_cart(p: Principal = Depends(require(VIEW)), db: Session = Depends(get_db)) -> CartOut:
    """Your cart: every line with its offer priced now for you and its quantity, and the stock."""
    return cart_out(service.view(db, p))


@router.post("/cart/lines", status_code=201, response_model=CartLineAdded)
def add_cart_line(
    data: CartLineIn, p: Principal = Depends(require(EDIT)), db: Session = Depends(get_db)
) -> CartLineAdded:
    """Add a part (by ``part_id``, ``sku`` or ``number``), optionally from a chosen ``offer_id``. When it
    cannot be ordered as asked the answer is a problem whose ``code`` is the resolution code
    (``unknown_number``, ``no_offer``, ``insufficient_stock``, ``below_moq``, ``not_pack_multiple``)."""
    r, line = service.add_line(db, p, data)
    report = LineReport.build(r, line.id)
    (now,) = service.evaluate(db, p, [line])
    return CartLineAdded(line=line_out(*now), report=report)


@dataclass
class QuickOrderInput:
    text: str | None
    data: bytes | None
    filename: str | None
    dry_run: bool


_TRUE = {"1", "true", "yes", "on"}


async def quick_order_input(request: Request) -> QuickOrderInput:
    """JSON ``{text, dry_run}`` or a multipart form with ``file`` (CSV / XLSX) and ``dry_run``."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ValidationFailed(
                "attach the CSV or XLSX file as the form field `file`", field="file", code="required"
            )
        dry = str(form.get("dry_run") or "").strip().lower() in _TRUE
        return QuickOrderInput(None, await upload.read(), upload.filename, dry)
    try:
        body = await request.json()
    except ValueError:
        raise ValidationFailed(
            'send JSON {"text": …} or a multipart form with a file', field="body", code="invalid_json"
        ) from None
    try:
        parsed = QuickOrderIn.model_validate(body)
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from None
    return QuickOrderInput(parsed.text, None, None, parsed.dry_run)


_QUICK_ORDER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": QuickOrderIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "dry_run": {"type": "boolean"},
                    },
                }
            },
        },
    }
}


@router.post("/cart/quick-order", response_model=ResolutionOut, openapi_extra=_QUICK_ORDER_BODY)
def quick_order(
    p: Principal = Depends(require(EDIT)),
    data: QuickOrderInput = Depends(quick_order_input),
    db: Session = Depends(get_db),
) -> ResolutionOut:
    """Pasted ``number,quantity`` lines or an uploaded CSV / XLSX: every line resolved to a part and its
    best offer, or reported with its code; resolved lines are added to your cart (not with ``dry_run``).
    At most 500 lines (``too_many_lines``)."""
    if data.text is not None:
        rows, source = parse_text(data.text), LineSource.paste
    else:
        rows, source = parse_file(data.data or b"", data.filename), LineSource.upload
    results, added = service.quick_order(db, p, rows, source=source, dry_run=data.dry_run)
    return resolution_out(results, added, dry_run=data.dry_run)


@router.patch("/cart/lines/{line_id}", response_model=CartLineOut)
def update_cart_line(
    line_id: uuid.UUID,
    data: CartLinePatch,
    p: Principal = Depends(require(EDIT)),
    db: Session = Depends(get_db),
) -> CartLineOut:
    """Change a line's quantity or chosen offer (``offer_id: null``: the best offer at checkout)."""
    line = service.update_line(db, p, line_id, data)
    (now,) = service.evaluate(db, p, [line])
    return line_out(*now)


@router.delete("/cart/lines/{line_id}", status_code=204, response_class=Response)
def delete_cart_line(
    line_id: uuid.UUID, p: Principal = Depends(require(EDIT)), db: Session = Depends(get_db)
) -> Response:
    service.delete_line(db, p, line_id)
    return Response(status_code=204)


@router.delete("/cart", status_code=204, response_class=Response)
def clear_cart(p: Principal = Depends(require(EDIT)), db: Session = Depends(get_db)) -> Response:
    service.clear(db, p)
    return Response(status_code=204)


def checkout_out(p: Principal, result: CheckoutResult) -> CheckoutOut:
    """The same answer as ``POST /api/v1/checkout``."""
    reveal = p.can("pii:view")
    return CheckoutOut(
        checkout_id=result.checkout_id,
        currency=result.orders[0].order.currency if result.orders else "CNY",
        net_fen=result.net_fen,
        vat_fen=result.vat_fen,
        gross_fen=result.gross_fen,
        orders=[OrderOut.full(x.order, x.lines, x.allocations, reveal=reveal) for x in result.orders],
    )


@router.post("/cart/checkout", status_code=201, response_model=CheckoutOut)
def checkout_cart(
    data: CartCheckoutIn,
    p: Principal = Depends(require(EDIT, "orders:edit")),
    db: Session = Depends(get_db),
    idem: Idempotency = Depends(idempotency("cart.checkout")),
) -> JSONResponse:
    """Check out the cart (or ``line_ids``): one order per supplier, stock reserved, the lines leave the
    cart — all in one transaction. ``cart_not_ready`` (409) lists lines that cannot be ordered as they
    stand. Send an ``Idempotency-Key`` to make a retry return the same orders."""

    def run() -> CheckoutOut:
        result = service.checkout(db, p, ship_to=data.ship_to, note=data.note, line_ids=data.line_ids)
        return checkout_out(p, result)

    return idem.run(run, status_code=201)


@router.post("/cart/save-as-list", status_code=201, response_model=RequisitionListOut)
def save_cart_as_list(
    data: SaveCartIn, p: Principal = Depends(require(EDIT)), db: Session = Depends(get_db)
) -> RequisitionListOut:
    """Save the cart as a new requisition list (each line's chosen offer becomes its preferred offer)."""
    return list_out(db, requisitions.save_cart(db, p, data), with_lines=True)


router.include_router(requisition_router)
