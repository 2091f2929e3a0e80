"""Supplier pages: my offers (list, search, create, edit with volume tiers)."""

from __future__ import annotations

import re
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
from autotrade.pricing import supplier
from autotrade.pricing.models import Offer, OfferStatus
from autotrade.pricing.repository import OfferRepository
from autotrade.pricing.schemas import OfferIn, OfferUpdate
from autotrade.web import csrf
from autotrade.web.forms import field_errors, form_data, undo
from autotrade.web.i18n import N_, Translator
from autotrade.web.money import bp_to_percent, percent_to_bp, yuan_input
from autotrade.web.money import parse_yuan as parse_fen
from autotrade.web.render import redirect, translator
from autotrade.web.supplier_common import PAGE_SIZE, message, page, parse_int, seller

router = api_router("/supplier/offers")
VIEW = require("pricing:view")
EDIT = require("pricing:edit")
TIER_ROWS = 5
FIELDS = ("sku", "list_price", "moq", "pack_size", "lead_time_days", "vat_rate", "status")
BOUNDS = {"moq": (1, 10_000_000), "pack_size": (1, 100_000), "lead_time_days": (0, 365)}
STATUS_LABELS = {"active": N_("On sale"), "paused": N_("Paused")}


def _status(value: str | None) -> OfferStatus | None:
    try:
        return OfferStatus(value) if value else None
    except ValueError:
        return None


@router.get("", include_in_schema=False)
def list_offers(
    request: Request,
    q: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    text = (q or "").strip()[:80]
    wanted = _status(status)
    repo = OfferRepository(db)
    offers, nxt = paginate(
        db, repo.search(text=text or None, status=wanted), Offer.id, cursor=cursor, limit=PAGE_SIZE
    )
    return page(
        request,
        "supplier/offers.html",
        db,
        offers=offers,
        parts=repo.part_labels(o.part_id for o in offers),
        next_cursor=nxt,
        q=text,
        status=wanted.value if wanted else "",
        status_labels=STATUS_LABELS,
    )


# ---- the form ------------------------------------------------------------------------------------------


_TIER_LOC = re.compile(r"^tiers[.\[](\d+)\]?\.(min_quantity|unit_price_fen)$")
_FORM_NAME = {
    "part_id": "sku",
    "list_price_fen": "list_price",
    "vat_rate_bp": "vat_rate",
    "tiers": "tiers",
}


def _form_name(field: str | None) -> str:
    """A schema / service field (``tiers[1].unit_price_fen``, ``list_price_fen``) → the form's input."""
    if not field:
        return "__all__"
    m = _TIER_LOC.match(field)
    if m:
        return f"tier_{'qty' if m.group(2) == 'min_quantity' else 'price'}_{m.group(1)}"
    return _FORM_NAME.get(field, field)


def _values_of(offer: Offer | None, sku: str = "") -> dict[str, Any]:
    if offer is None:
        values: dict[str, Any] = {
            "sku": sku,
            "list_price": "",
            "moq": "1",
            "pack_size": "1",
            "lead_time_days": "0",
            "vat_rate": "13",
            "status": "active",
        }
        tiers: list[tuple[str, str]] = []
    else:
        values = {
            "sku": sku,
            "list_price": yuan_input(offer.list_price_fen),
            "moq": str(offer.moq),
            "pack_size": str(offer.pack_size),
            "lead_time_days": str(offer.lead_time_days),
            "vat_rate": bp_to_percent(offer.vat_rate_bp),
            "status": offer.status.value,
        }
        tiers = [(str(tr.min_quantity), yuan_input(tr.unit_price_fen)) for tr in offer.tiers]
    for i in range(TIER_ROWS):
        qty, price = tiers[i] if i < len(tiers) else ("", "")
        values[f"tier_qty_{i}"], values[f"tier_price_{i}"] = qty, price
    return values


def _parse(t: Translator, form: FormData) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """The form → (what the user typed, schema input, field errors of the typing itself)."""
    values = {k: str(form.get(k) or "").strip() for k in FIELDS}
    for i in range(TIER_ROWS):
        for k in (f"tier_qty_{i}", f"tier_price_{i}"):
            values[k] = str(form.get(k) or "").strip()
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    required = t.gettext("This field is required.")
    if not values["list_price"]:
        errors["list_price"] = required
    else:
        fen = parse_fen(values["list_price"])
        if fen is None:
            errors["list_price"] = t.gettext("Enter a price in yuan, e.g. 298.00.")
        else:
            data["list_price_fen"] = fen
    for name, (lo, hi) in BOUNDS.items():
        if not values[name]:
            errors[name] = required
            continue
        n = parse_int(values[name])
        if n is None or not lo <= n <= hi:
            errors[name] = t.gettext("Enter a whole number from %(lo)s to %(hi)s.", lo=lo, hi=hi)
        else:
            data[name] = n
    if values["vat_rate"]:
        bp = percent_to_bp(values["vat_rate"])
        if bp is None:
            errors["vat_rate"] = t.gettext("Enter a percentage, e.g. 13.")
        else:
            data["vat_rate_bp"] = bp
    data["status"] = values["status"] or "active"
    tiers = []
    for i in range(TIER_ROWS):
        qty, price = values[f"tier_qty_{i}"], values[f"tier_price_{i}"]
        if not qty and not price:
            continue
        q = parse_int(qty) if qty else None
        fen = parse_fen(price) if price else None
        if q is None:
            errors[f"tier_qty_{i}"] = required if not qty else t.gettext("Enter a whole number.")
        if fen is None:
            errors[f"tier_price_{i}"] = (
                required if not price else t.gettext("Enter a price in yuan, e.g. 298.00.")
            )
        tiers.append({"min_quantity": q, "unit_price_fen": fen})
    data["tiers"] = tiers
    return values, data, errors


def _schema_errors(t: Translator, exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, msg in field_errors(t, exc).items():
        out.setdefault(_form_name(key), msg)
    return out


def _form(
    request: Request,
    db: Session,
    *,
    offer: Offer | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "supplier/offer_form.html",
        db,
        status_code=status,
        offer=offer,
        values=values,
        errors=errors or {},
        error=error,
        tier_rows=range(TIER_ROWS),
        status_labels=STATUS_LABELS,
    )


def _fail(
    request: Request, db: Session, exc: AppError, offer_id: uuid.UUID | None, values: dict[str, Any]
) -> Response:
    undo(db, exc)
    t = translator(request, db)
    text = message(t, exc)
    name = _form_name(exc.field)
    offer = supplier.get_offer(db, offer_id) if offer_id else None
    if name == "__all__" or (name not in values and name != "tiers"):
        return _form(request, db, offer=offer, values=values, error=text, status=exc.status)
    return _form(request, db, offer=offer, values=values, errors={name: text}, status=exc.status)


@router.get("/new", include_in_schema=False)
def new_offer(
    request: Request,
    sku: str | None = None,
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    return _form(request, db, offer=None, values=_values_of(None, (sku or "").strip()[:80]))


@router.post("/new", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_offer(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    t = translator(request, db)
    values, data, errors = _parse(t, form)
    part_id = None
    if not values["sku"]:
        errors["sku"] = t.gettext("This field is required.")
    else:
        part_id = OfferRepository(db).parts_by_sku([values["sku"]]).get(values["sku"])
        if part_id is None:
            errors["sku"] = t.gettext("No part with this SKU in the catalogue.")
    if errors:
        return _form(request, db, offer=None, values=values, errors=errors, status=422)
    try:
        payload = OfferIn.model_validate({**data, "part_id": part_id})
    except ValidationError as exc:
        return _form(request, db, offer=None, values=values, errors=_schema_errors(t, exc), status=422)
    try:
        supplier.create_offer(db, p, payload)
    except AppError as exc:
        return _fail(request, db, exc, None, values)
    return redirect(request, "/supplier/offers", flash="supplier_offer_created")


@router.get("/{offer_id}", include_in_schema=False)
def edit_offer(
    request: Request,
    offer_id: uuid.UUID,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    offer = supplier.get_offer(db, offer_id)
    sku = OfferRepository(db).part_labels([offer.part_id]).get(offer.part_id, ("", "", None))[0]
    return _form(request, db, offer=offer, values=_values_of(offer, sku))


@router.post("/{offer_id}", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def save_offer(
    request: Request,
    offer_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    offer = supplier.get_offer(db, offer_id)  # 404 for another company's offer
    t = translator(request, db)
    values, data, errors = _parse(t, form)
    values["sku"] = OfferRepository(db).part_labels([offer.part_id]).get(offer.part_id, ("", "", None))[0]
    if errors:
        return _form(request, db, offer=offer, values=values, errors=errors, status=422)
    try:
        payload = OfferUpdate.model_validate(data)
    except ValidationError as exc:
        return _form(request, db, offer=offer, values=values, errors=_schema_errors(t, exc), status=422)
    try:
        supplier.update_offer(db, offer_id, payload)
    except AppError as exc:
        return _fail(request, db, exc, offer_id, values)
    return redirect(request, f"/supplier/offers/{offer_id}", flash="supplier_offer_saved")
