"""Commission rates page (platform finance, the permissions of the escrow commission API): rates by
trade type and category subtree with their effective dates; add a rate from a future date."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.catalog.repository import CategoryRepository
from autotrade.core.db import utcnow
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.escrow import rates
from autotrade.escrow.models import CommissionRate, TradeType
from autotrade.escrow.repository import RateRepository
from autotrade.escrow.schemas import RateIn
from autotrade.web import csrf
from autotrade.web.catalog_common import (
    FINANCE_EDIT,
    FINANCE_VIEW,
    error_of,
    field_errors,
    local_datetime,
    local_input,
    text_fields,
)
from autotrade.web.forms import form_data, undo
from autotrade.web.i18n import N_, Translator
from autotrade.web.money import bp_to_percent, percent_to_bp
from autotrade.web.render import redirect, render, translator

router = api_router("/platform/commission")
PAGE_SIZE = 50
FIELDS = ("trade_type", "category_id", "rate_percent", "effective_from", "effective_until", "note")
RENAME = {"rate_bp": "rate_percent"}

TRADE_TYPES: dict[str, str] = {
    TradeType.parts: N_("Parts"),
    TradeType.wear_parts: N_("Wear parts"),
    TradeType.new_vehicle: N_("New vehicles"),
    TradeType.used_vehicle: N_("Used vehicles"),
}
RATE_STATES: dict[str, str] = {
    "scheduled": N_("Scheduled"),
    "in_force": N_("In force"),
    "ended": N_("Ended"),
}


def _state(rate: CommissionRate, now: datetime) -> str:
    if rate.effective_from > now:
        return "scheduled"
    if rate.effective_until is not None and rate.effective_until <= now:
        return "ended"
    return "in_force"


def _defaults(t: Translator) -> dict[str, str]:
    tomorrow = datetime.combine(utcnow().astimezone(t.tz).date() + timedelta(days=1), time(), tzinfo=t.tz)
    return {"trade_type": "parts", "effective_from": local_input(t, tomorrow)}


def _page(
    request: Request,
    db: Session,
    p: Principal,
    trade_type: str | None,
    cursor: str | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    t = translator(request, db)
    wanted = trade_type if trade_type in TRADE_TYPES else None
    stmt = RateRepository(db).listing(trade_type=wanted)
    rows, next_cursor = paginate(db, stmt, CommissionRate.id, cursor=cursor, limit=PAGE_SIZE)
    categories = CategoryRepository(db).all()
    now = utcnow()
    return render(
        request,
        "catalog/commission.html",
        db,
        status_code=status,
        tab="commission",
        rates=rows,
        state_of={r.id: _state(r, now) for r in rows},
        percent_of={r.id: bp_to_percent(r.rate_bp) for r in rows},
        category_of={c.id: c for c in categories},
        categories=categories,
        trade_types=TRADE_TYPES,
        rate_states=RATE_STATES,
        trade_type=wanted or "",
        next_cursor=next_cursor,
        values=values or _defaults(t),
        errors=errors or {},
        error=error,
    )


@router.get("", include_in_schema=False)
def commission(
    request: Request,
    trade_type: str | None = None,
    cursor: str | None = None,
    p: Principal = Depends(FINANCE_VIEW),
    db: Session = Depends(get_db),
) -> Response:
    return _page(request, db, p, trade_type, cursor)


def _rate_input(t: Translator, values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as the escrow service's input, and the errors found while converting it."""
    errors: dict[str, str] = {}
    raw: dict[str, Any] = {"trade_type": values["trade_type"] or None, "note": values["note"].strip() or None}
    raw["category_id"] = values["category_id"] or None
    if not values["rate_percent"].strip():
        errors["rate_percent"] = t.gettext("This field is required.")
    else:
        bp = percent_to_bp(values["rate_percent"])
        if bp is None:
            errors["rate_percent"] = t.gettext("Enter a percentage with at most two decimals, e.g. 2.5.")
        raw["rate_bp"] = bp
    for name, required in (("effective_from", True), ("effective_until", False)):
        text = values[name].strip()
        if not text:
            if required:
                errors[name] = t.gettext("This field is required.")
            continue
        moment = local_datetime(t, text)
        if moment is None:
            errors[name] = t.gettext("Enter a date and time.")
        raw[name] = moment
    return {k: v for k, v in raw.items() if v is not None}, errors


@router.post("", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_rate(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(FINANCE_EDIT),
    db: Session = Depends(get_db),
) -> Response:
    values = text_fields(form, FIELDS)
    t = translator(request, db)
    raw, errors = _rate_input(t, values)
    try:
        data = RateIn.model_validate(raw)
    except ValidationError as exc:
        for k, v in field_errors(t, exc).items():
            errors.setdefault(RENAME.get(k, k), v)
    if errors:
        return _page(request, db, p, None, None, values=values, errors=errors, status=422)
    try:
        rates.schedule_rate(db, data)
    except AppError as exc:
        undo(db, exc)
        errs, error = error_of(t, exc)
        errs = {RENAME.get(k, k): v for k, v in errs.items()}
        return _page(request, db, p, None, None, values=values, errors=errs, error=error, status=exc.status)
    return redirect(request, "/platform/commission", flash="catalog_rate_created")
