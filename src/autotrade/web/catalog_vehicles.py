"""Vehicle master data pages: the make → model → generation → variant tree (browse, search, add),
a variant's edit form and its VIN-pattern rules."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.errors import AppError, NotFound
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.vehicles import errors as vehicle_errors
from autotrade.vehicles import service as vehicles
from autotrade.vehicles.models import VehicleMake, VehicleVariant
from autotrade.vehicles.repository import VehicleTreeRepository, VinPatternRepository
from autotrade.vehicles.schemas import (
    FuelType,
    GenerationIn,
    MakeIn,
    ModelIn,
    VariantIn,
    VariantUpdate,
    VinPatternIn,
)
from autotrade.web import csrf
from autotrade.web.catalog_common import EDIT, VIEW, error_of, field_errors, present, text_fields
from autotrade.web.forms import form_data, undo
from autotrade.web.i18n import N_
from autotrade.web.render import redirect, render, translator

router = api_router("/platform/catalog/vehicles")

FUEL_TYPES: dict[str, str] = {
    FuelType.petrol: N_("Petrol"),
    FuelType.diesel: N_("Diesel"),
    FuelType.hev: N_("Full hybrid (HEV)"),
    FuelType.mhev: N_("Mild hybrid (MHEV)"),
    FuelType.phev: N_("Plug-in hybrid (PHEV)"),
    FuelType.bev: N_("Battery electric (BEV)"),
    FuelType.erev: N_("Range extender (EREV)"),
    FuelType.fcev: N_("Fuel cell (FCEV)"),
    FuelType.cng: N_("Natural gas (CNG)"),
    FuelType.lpg: N_("Liquefied petroleum gas (LPG)"),
}
TRANSMISSIONS = ("MT", "AT", "DCT", "CVT", "AMT", "e-drive")
BODIES = ("sedan", "hatchback", "wagon", "suv", "mpv", "coupe", "pickup", "van")
MAKE_FIELDS = ("name", "name_zh", "country")
MODEL_FIELDS = ("name", "name_zh")
GENERATION_FIELDS = ("model_id", "name", "year_from", "year_to")
VARIANT_FIELDS = (
    "code",
    "name",
    "engine_code",
    "displacement_cc",
    "fuel_type",
    "transmission",
    "body",
    "power_kw",
    "year_from",
    "year_to",
)
PATTERN_FIELDS = ("pattern", "note")
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$", re.I)


def _form(
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, error: str | None = None
) -> dict[str, Any]:
    return {"values": values or {}, "errors": errors or {}, "error": error}


def _attempt(
    request: Request, db: Session, schema: type[BaseModel], values: dict[str, str], call: Any
) -> tuple[Any, dict[str, Any] | None, int]:
    """Validate ``values`` with ``schema`` and run ``call(data)``: (result, None, 200), or on an error
    (None, the form state to show again, the status)."""
    t = translator(request, db)
    try:
        data = schema.model_validate(present(values))
    except ValidationError as exc:
        return None, _form(values, field_errors(t, exc)), 422
    try:
        return call(data), None, 200
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        errors, error = error_of(t, exc)
        return None, _form(values, errors, error), exc.status


# ---- makes ---------------------------------------------------------------------------------------------


def _index(
    request: Request, db: Session, q: str, *, make_form: dict[str, Any] | None = None, status: int = 200
) -> Response:
    q = q.strip()
    tree = VehicleTreeRepository(db)
    found = tree.search(q) if q else []
    vin = vehicles.decode_vin(db, q) if _VIN.match(q) else None
    return render(
        request,
        "catalog/vehicles.html",
        db,
        status_code=status,
        tab="vehicles",
        q=q,
        makes=tree.makes_with_model_counts(),
        found=found,
        vin=vin,
        make_form=make_form or _form(),
    )


@router.get("", include_in_schema=False)
def index(
    request: Request, q: str = "", p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    return _index(request, db, q)


@router.post("/makes", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_make(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    values = text_fields(form, MAKE_FIELDS)
    make, state, status = _attempt(request, db, MakeIn, values, lambda d: vehicles.create_make(db, d))
    if state is not None:
        return _index(request, db, "", make_form=state, status=status)
    return redirect(request, f"/platform/catalog/vehicles/makes/{make.id}", flash="catalog_make_created")


def _make_page(
    request: Request,
    db: Session,
    make: VehicleMake,
    *,
    model_form: dict[str, Any] | None = None,
    generation_form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    tree = VehicleTreeRepository(db)
    models = vehicles.models_of_make(db, make.id)
    generations = tree.generations_of_models([m.id for m in models])
    counts = tree.variant_counts([g.id for gs in generations.values() for g in gs])
    return render(
        request,
        "catalog/make.html",
        db,
        status_code=status,
        tab="vehicles",
        make=make,
        models=models,
        generations=generations,
        variant_counts=counts,
        model_form=model_form or _form(),
        generation_form=generation_form or _form(),
    )


@router.get("/makes/{make_id}", include_in_schema=False)
def make_detail(
    request: Request, make_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    return _make_page(request, db, vehicles.get_make(db, make_id))


@router.post("/makes/{make_id}/models", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_model(
    request: Request,
    make_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    make = vehicles.get_make(db, make_id)
    values = text_fields(form, MODEL_FIELDS)
    _model, state, status = _attempt(
        request, db, ModelIn, values, lambda d: vehicles.create_model(db, make_id, d)
    )
    if state is not None:
        return _make_page(request, db, vehicles.get_make(db, make.id), model_form=state, status=status)
    return redirect(request, f"/platform/catalog/vehicles/makes/{make_id}", flash="catalog_model_created")


@router.post(
    "/makes/{make_id}/generations", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def create_generation(
    request: Request,
    make_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    make = vehicles.get_make(db, make_id)
    values = text_fields(form, GENERATION_FIELDS)
    t = translator(request, db)
    model_ids = {str(m.id) for m in vehicles.models_of_make(db, make.id)}
    if values["model_id"] not in model_ids:
        bad = _form(values, {"model_id": t.gettext("Choose one of the listed values.")})
        return _make_page(request, db, make, generation_form=bad, status=422)
    model_id = uuid.UUID(values["model_id"])
    fields = {k: v for k, v in values.items() if k != "model_id"}
    gen, state, status = _attempt(
        request, db, GenerationIn, fields, lambda d: vehicles.create_generation(db, model_id, d)
    )
    if state is not None:
        state["values"] = values
        return _make_page(request, db, vehicles.get_make(db, make.id), generation_form=state, status=status)
    return redirect(
        request, f"/platform/catalog/vehicles/generations/{gen.id}", flash="catalog_generation_created"
    )


# ---- generations and variants --------------------------------------------------------------------------


def _generation_page(
    request: Request,
    db: Session,
    generation_id: uuid.UUID,
    *,
    variant_form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    tree = VehicleTreeRepository(db)
    lineage = tree.generation_lineage(generation_id)
    if lineage is None:
        raise vehicle_errors.GenerationNotFound(f"vehicle generation {generation_id} not found")
    gen, model, make = lineage
    variants = vehicles.variants_of_generation(db, gen.id)
    return render(
        request,
        "catalog/generation.html",
        db,
        status_code=status,
        tab="vehicles",
        gen=gen,
        model=model,
        make=make,
        variants=variants,
        pattern_counts=tree.pattern_counts([v.id for v in variants]),
        variant_form=variant_form or _form({"year_from": str(gen.year_from)}),
        fuel_types=FUEL_TYPES,
        transmissions=TRANSMISSIONS,
        bodies=BODIES,
    )


@router.get("/generations/{generation_id}", include_in_schema=False)
def generation_detail(
    request: Request, generation_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    return _generation_page(request, db, generation_id)


@router.post(
    "/generations/{generation_id}/variants",
    include_in_schema=False,
    dependencies=[Depends(csrf.csrf_protect)],
)
def create_variant(
    request: Request,
    generation_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    vehicles.get_generation(db, generation_id)
    values = text_fields(form, VARIANT_FIELDS)
    variant, state, status = _attempt(
        request, db, VariantIn, values, lambda d: vehicles.create_variant(db, generation_id, d)
    )
    if state is not None:
        return _generation_page(request, db, generation_id, variant_form=state, status=status)
    return redirect(
        request, f"/platform/catalog/vehicles/variants/{variant.id}", flash="catalog_variant_created"
    )


def _variant_values(v: VehicleVariant) -> dict[str, str]:
    return {k: "" if getattr(v, k) is None else str(getattr(v, k)) for k in VARIANT_FIELDS}


def _variant_page(
    request: Request,
    db: Session,
    variant_id: uuid.UUID,
    *,
    variant_form: dict[str, Any] | None = None,
    pattern_form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    variant = vehicles.get_variant(db, variant_id)
    lineage = VehicleTreeRepository(db).generation_lineage(variant.generation_id)
    if lineage is None:  # pragma: no cover - a variant always has a generation
        raise NotFound("vehicle generation not found")
    gen, model, make = lineage
    return render(
        request,
        "catalog/variant.html",
        db,
        status_code=status,
        tab="vehicles",
        variant=variant,
        gen=gen,
        model=model,
        make=make,
        patterns=VinPatternRepository(db).of_variant(variant.id),
        variant_form=variant_form or _form(_variant_values(variant)),
        pattern_form=pattern_form or _form(),
        fuel_types=FUEL_TYPES,
        transmissions=TRANSMISSIONS,
        bodies=BODIES,
    )


@router.get("/variants/{variant_id}", include_in_schema=False)
def variant_detail(
    request: Request, variant_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    return _variant_page(request, db, variant_id)


@router.post("/variants/{variant_id}", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def update_variant(
    request: Request,
    variant_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    vehicles.get_variant(db, variant_id)
    values = text_fields(form, VARIANT_FIELDS)
    t = translator(request, db)
    # Every field of the form is sent: a blank one clears the value (or is refused when required).
    raw = {k: (v.strip() or None) for k, v in values.items()}
    try:
        data = VariantUpdate.model_validate(raw)
    except ValidationError as exc:
        state = _form(values, field_errors(t, exc))
        return _variant_page(request, db, variant_id, variant_form=state, status=422)
    try:
        vehicles.update_variant(db, variant_id, data)
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        errors, error = error_of(t, exc)
        return _variant_page(
            request, db, variant_id, variant_form=_form(values, errors, error), status=exc.status
        )
    return redirect(
        request, f"/platform/catalog/vehicles/variants/{variant_id}", flash="catalog_variant_saved"
    )


@router.post(
    "/variants/{variant_id}/vin-patterns", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)]
)
def create_vin_pattern(
    request: Request,
    variant_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    vehicles.get_variant(db, variant_id)
    values = text_fields(form, PATTERN_FIELDS)
    _row, state, status = _attempt(
        request, db, VinPatternIn, values, lambda d: vehicles.create_vin_pattern(db, variant_id, d)
    )
    if state is not None:
        return _variant_page(request, db, variant_id, pattern_form=state, status=status)
    return redirect(
        request,
        f"/platform/catalog/vehicles/variants/{variant_id}#vin-patterns",
        flash="catalog_pattern_added",
    )
