"""Parts master data pages: search and list, add a part, edit a part, its numbers and
cross-references, its fitment (links to vehicle variants)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.catalog import search
from autotrade.catalog import service as catalog
from autotrade.catalog.models import NumberKind, Part, PartStatus, QualityGrade
from autotrade.catalog.numbers import normalise_number
from autotrade.catalog.repository import (
    BrandRepository,
    CategoryRepository,
    MasterDataRepository,
    PartRepository,
)
from autotrade.catalog.schemas import FitmentIn, NumberIn, PartIn, PartUpdate
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.vehicles.repository import VehicleTreeRepository
from autotrade.web import csrf
from autotrade.web.catalog_common import EDIT, VIEW, error_of, field_errors, present, text_fields
from autotrade.web.forms import form_data, undo
from autotrade.web.i18n import N_, Translator
from autotrade.web.render import redirect, render, translator

router = api_router("/platform/catalog/parts")
PAGE_SIZE = 50
FITMENT_SHOWN = 500
GROUP_SHOWN = 50

GRADES: dict[str, str] = {
    QualityGrade.oe: N_("OE (vehicle maker's brand)"),
    QualityGrade.oem: N_("OEM (original supplier's brand)"),
    QualityGrade.aftermarket: N_("Aftermarket brand"),
    QualityGrade.remanufactured: N_("Remanufactured"),
    QualityGrade.dismantled: N_("Dismantled (used)"),
}
STATUSES: dict[str, str] = {
    PartStatus.active: N_("On sale"),
    PartStatus.discontinued: N_("Discontinued"),
}
NUMBER_KINDS: dict[str, str] = {
    NumberKind.oe: N_("OE number"),
    NumberKind.brand: N_("Brand number"),
    NumberKind.trade: N_("Trade number"),
    NumberKind.aftermarket: N_("Aftermarket number"),
    NumberKind.replacement: N_("Superseded number"),
    NumberKind.ean: N_("EAN barcode"),
}
RELATIONS: dict[str, str] = {
    "exact": N_("Number matches"),
    "successor": N_("Replaces the number"),
    "interchange": N_("Interchangeable"),
    "match": N_("Words match"),
}
NEW_PART_FIELDS = (
    "brand",
    "brand_number",
    "name_zh",
    "name_en",
    "category",
    "quality_grade",
    "position",
    "material",
)
PART_FIELDS = (
    "brand",
    "name_zh",
    "name_en",
    "category",
    "quality_grade",
    "position",
    "material",
    "attributes",
    "status",
)
NUMBER_FIELDS = ("kind", "number", "brand", "source", "confidence", "successor")
FITMENT_FIELDS = ("variant_code", "position", "year_from", "year_to", "note")


def _form(
    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, error: str | None = None
) -> dict[str, Any]:
    return {"values": values or {}, "errors": errors or {}, "error": error}


def _choices(db: Session) -> dict[str, Any]:
    return {
        "categories": CategoryRepository(db).all(),
        "brands": BrandRepository(db).all(),
        "grades": GRADES,
        "statuses": STATUSES,
        "number_kinds": NUMBER_KINDS,
        "relations": RELATIONS,
    }


def _required(t: Translator, values: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {k: t.gettext("This field is required.") for k in names if not values.get(k, "").strip()}


# ---- list, search, add ---------------------------------------------------------------------------------


def _list(
    request: Request,
    db: Session,
    q: str,
    cursor: str | None,
    *,
    part_form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    q = q.strip()
    t = translator(request, db)
    hits: list[search.Hit] = []
    rows: list[Any] = []
    next_cursor: str | None = None
    mode = "list"
    query_error: str | None = None
    if q:
        if normalise_number(q) and not cursor:
            hits = search.search_number(db, q).items
            mode = "number"
        if not hits:
            mode = "words"
            try:
                found = search.search_text(db, q, cursor=cursor, limit=PAGE_SIZE)
            except AppError as exc:
                undo(db, exc)
                query_error = t.gettext("Enter a part number or words to search for.")
            else:
                hits, next_cursor = found.items, found.next_cursor
    else:
        rows, next_cursor = MasterDataRepository(db).parts_page(cursor, PAGE_SIZE)
    return render(
        request,
        "catalog/parts.html",
        db,
        status_code=status,
        tab="parts",
        q=q,
        mode=mode,
        hits=hits,
        rows=rows,
        next_cursor=next_cursor,
        query_error=query_error,
        part_form=part_form or _form({"quality_grade": "aftermarket"}),
        **_choices(db),
    )


@router.get("", include_in_schema=False)
def parts(
    request: Request,
    q: str = "",
    cursor: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    return _list(request, db, q, cursor)


@router.post("", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_part(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    values = text_fields(form, NEW_PART_FIELDS)
    t = translator(request, db)
    try:
        data = PartIn.model_validate(present(values))
    except ValidationError as exc:
        return _list(request, db, "", None, part_form=_form(values, field_errors(t, exc)), status=422)
    try:
        part = catalog.create_part(db, data)
    except AppError as exc:
        undo(db, exc)
        errors, error = error_of(t, exc)
        return _list(request, db, "", None, part_form=_form(values, errors, error), status=exc.status)
    return redirect(request, f"/platform/catalog/parts/{part.id}", flash="catalog_part_created")


# ---- one part ------------------------------------------------------------------------------------------


def _part_values(part: Part, brand_code: str, category_code: str) -> dict[str, str]:
    return {
        "brand": brand_code,
        "name_zh": part.name_zh,
        "name_en": part.name_en or "",
        "category": category_code,
        "quality_grade": part.quality_grade.value,
        "position": part.position or "",
        "material": part.material or "",
        "attributes": json.dumps(part.attributes or {}, ensure_ascii=False, sort_keys=True),
        "status": part.status.value,
    }


def _part_page(
    request: Request,
    db: Session,
    part_id: uuid.UUID,
    *,
    part_form: dict[str, Any] | None = None,
    number_form: dict[str, Any] | None = None,
    fitment_form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    repo = PartRepository(db)
    part = repo.get_or_404(part_id)
    _, brand, category = repo.with_names([part.id])[0]
    group = [
        row
        for row in repo.groups_with_names([part.group_id], [part.id], GROUP_SHOWN + 1)
        if row[0].id != part.id
    ]
    fitments, fitment_total = MasterDataRepository(db).fitments(part.id, FITMENT_SHOWN)
    return render(
        request,
        "catalog/part.html",
        db,
        status_code=status,
        tab="parts",
        part=part,
        brand=brand,
        category=category,
        numbers=repo.number_views([part.id])[part.id],
        group=group[:GROUP_SHOWN],
        fitments=fitments,
        fitment_total=fitment_total,
        part_form=part_form or _form(_part_values(part, brand.code, category.code)),
        number_form=number_form or _form({"kind": "oe", "confidence": "100"}),
        fitment_form=fitment_form or _form(),
        **_choices(db),
    )


@router.get("/{part_id}", include_in_schema=False)
def part_detail(
    request: Request, part_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    return _part_page(request, db, part_id)


def _part_update(t: Translator, values: dict[str, str]) -> tuple[PartUpdate | None, dict[str, str]]:
    errors = _required(t, values, ("brand", "name_zh", "category", "quality_grade", "status"))
    attributes: Any = {}
    if values["attributes"].strip():
        try:
            attributes = json.loads(values["attributes"])
        except ValueError:
            errors.setdefault("attributes", t.gettext("Not valid JSON."))
    raw: dict[str, Any] = {
        k: (values[k].strip() or None)
        for k in ("name_zh", "name_en", "category", "quality_grade", "position", "material", "status")
    }
    raw["attributes"] = attributes
    try:
        data = PartUpdate.model_validate(
            {
                k: v
                for k, v in raw.items()
                if not (v is None and k in ("name_zh", "category", "quality_grade", "status"))
            }
        )
    except ValidationError as exc:
        for k, v in field_errors(t, exc).items():
            errors.setdefault(k, v)
        return None, errors
    return (None if errors else data), errors


@router.post("/{part_id}", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def update_part(
    request: Request,
    part_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    PartRepository(db).get_or_404(part_id)
    values = text_fields(form, PART_FIELDS)
    t = translator(request, db)
    data, errors = _part_update(t, values)
    if data is None:
        return _part_page(request, db, part_id, part_form=_form(values, errors), status=422)
    try:
        catalog.update_part(db, part_id, data)
        catalog.change_part_brand(db, part_id, values["brand"])
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        errors, error = error_of(t, exc)
        return _part_page(request, db, part_id, part_form=_form(values, errors, error), status=exc.status)
    return redirect(request, f"/platform/catalog/parts/{part_id}", flash="catalog_part_saved")


@router.post("/{part_id}/numbers", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def add_number(
    request: Request,
    part_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    PartRepository(db).get_or_404(part_id)
    values = text_fields(form, NUMBER_FIELDS)
    t = translator(request, db)
    try:
        data = NumberIn.model_validate(present(values))
    except ValidationError as exc:
        return _part_page(request, db, part_id, number_form=_form(values, field_errors(t, exc)), status=422)
    try:
        catalog.add_number(db, part_id, data)
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        errors, error = error_of(t, exc)
        return _part_page(request, db, part_id, number_form=_form(values, errors, error), status=exc.status)
    return redirect(request, f"/platform/catalog/parts/{part_id}#numbers", flash="catalog_number_added")


@router.post(
    "/{part_id}/numbers/{number_id}/delete",
    include_in_schema=False,
    dependencies=[Depends(csrf.csrf_protect)],
)
def remove_number(
    request: Request,
    part_id: uuid.UUID,
    number_id: uuid.UUID,
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    try:
        catalog.remove_number(db, part_id, number_id)
    except AppError as exc:
        if exc.status == 404:
            raise
        undo(db, exc)
        state = _form({"kind": "oe", "confidence": "100"}, None, error_of(translator(request, db), exc)[1])
        return _part_page(request, db, part_id, number_form=state, status=exc.status)
    return redirect(request, f"/platform/catalog/parts/{part_id}#numbers", flash="catalog_number_removed")


@router.post("/{part_id}/fitments", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def add_fitment(
    request: Request,
    part_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    PartRepository(db).get_or_404(part_id)
    values = text_fields(form, FITMENT_FIELDS)
    t = translator(request, db)
    errors = _required(t, values, ("variant_code",))
    variant = VehicleTreeRepository(db).variant_by_code(values["variant_code"]) if not errors else None
    if not errors and variant is None:
        errors["variant_code"] = t.gettext("No vehicle variant with this code.")
    fields = {k: v for k, v in values.items() if k != "variant_code"}
    try:
        data = FitmentIn.model_validate(
            {**present(fields), "variant_id": variant.id if variant else uuid.UUID(int=0)}
        )
    except ValidationError as exc:
        errors = {**field_errors(t, exc), **errors}
    if errors:
        return _part_page(request, db, part_id, fitment_form=_form(values, errors), status=422)
    try:
        catalog.add_fitment(db, part_id, data)
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        errors, error = error_of(t, exc)
        errors = {("variant_code" if k == "variant_id" else k): v for k, v in errors.items()}
        return _part_page(request, db, part_id, fitment_form=_form(values, errors, error), status=exc.status)
    return redirect(request, f"/platform/catalog/parts/{part_id}#fitment", flash="catalog_fitment_added")


@router.post(
    "/{part_id}/fitments/{fitment_id}/delete",
    include_in_schema=False,
    dependencies=[Depends(csrf.csrf_protect)],
)
def remove_fitment(
    request: Request,
    part_id: uuid.UUID,
    fitment_id: uuid.UUID,
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    catalog.remove_fitment(db, part_id, fitment_id)
    return redirect(request, f"/platform/catalog/parts/{part_id}#fitment", flash="catalog_fitment_removed")
