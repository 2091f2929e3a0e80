"""Catalogue routes: search (every logged-in company), master data edits (platform catalogue staff)."""

from __future__ import annotations

import uuid

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from autotrade.catalog import search, service
from autotrade.catalog.models import QualityGrade
from autotrade.catalog.repository import BrandRepository, CategoryRepository, PartRepository
from autotrade.catalog.schemas import (
    BrandIn,
    BrandOut,
    CategoryGroupOut,
    CategoryIn,
    CategoryOut,
    FacetOut,
    FitmentIn,
    HitOut,
    NumberIn,
    NumberOut,
    NumberSearchOut,
    PartIn,
    PartOut,
    PartUpdate,
    TextSearchOut,
    VehicleSearchOut,
)
from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal

router = api_router("/api/v1/catalog", tags=["catalogue"])
VIEW = require("catalog:view")
EDIT = require("platform.catalog:edit")


@router.get("/search", response_model=TextSearchOut)
def search_text(
    q: str = Query(min_length=1, max_length=200, description="words in Chinese or English"),
    brand: str | None = Query(None, description="brand code facet"),
    category: str | None = Query(None, description="category code (its subtree)"),
    grade: QualityGrade | None = None,
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=100),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> TextSearchOut:
    """Full-text search, ranked, with facets and the reason for each hit; a typo in a Latin-script
    brand is corrected (see `corrected`)."""
    r = search.search_text(
        db,
        q,
        brand=brand,
        category=category,
        grade=grade.value if grade else None,
        cursor=cursor,
        limit=limit,
    )
    return TextSearchOut(
        query=r.query,
        items=[HitOut.build(h) for h in r.items],
        facets={
            k: [FacetOut(value=f.value, label=f.label, count=f.count) for f in v] for k, v in r.facets.items()
        },
        corrected=r.corrected,
        matched=r.matched,
        matched_is_exact=r.matched_is_exact,
        next_cursor=r.next_cursor,
    )


@router.get("/search/number", response_model=NumberSearchOut)
def search_number(
    q: str = Query(
        min_length=1, max_length=80, description="OE, brand, trade or EAN number in any formatting"
    ),
    prefix: bool = Query(False, description="match numbers that start with q"),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> NumberSearchOut:
    """The parts carrying a number, their successors and their whole interchange groups, with fitment."""
    r = search.search_number(db, q, prefix=prefix)
    return NumberSearchOut(query=r.query, normalised=r.normalised, items=[HitOut.build(h) for h in r.items])


@router.get("/search/vehicle", response_model=VehicleSearchOut)
def search_vehicle(
    variant_id: list[uuid.UUID] = Query(default_factory=list, description="vehicle variant id(s)"),
    vin: str | None = Query(None, min_length=1, max_length=40),
    category: str | None = Query(None, description="category code (its subtree)"),
    per_category: int | None = Query(
        None,
        ge=1,
        le=search.PER_CATEGORY_FILTERED,
        description="parts listed per category (default 20, 500 with a category)",
    ),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> VehicleSearchOut:
    """Parts that fit a vehicle (by VIN or variant), grouped by category."""
    decoded, variants = service.vehicle_variants(db, vin=vin, variant_ids=variant_id)
    r = search.search_variants(db, variants, category=category, per_category=per_category)
    return VehicleSearchOut(
        variant_ids=r.variant_ids,
        total=r.total,
        groups=[
            CategoryGroupOut(
                category=CategoryOut.build(g.category),
                total=g.total,
                items=[HitOut.build(h) for h in g.items],
            )
            for g in r.groups
        ],
        vin=decoded,
    )


@router.get("/parts/{part_id}", response_model=HitOut)
def get_part(part_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)) -> HitOut:
    return HitOut.build(service.part_detail(db, part_id))


@router.post("/parts", status_code=201, response_model=PartOut)
def create_part(data: PartIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)) -> PartOut:
    part = service.create_part(db, data)
    return PartOut.build(*PartRepository(db).with_names([part.id])[0])


@router.patch("/parts/{part_id}", response_model=PartOut)
def update_part(
    part_id: uuid.UUID, data: PartUpdate, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> PartOut:
    part = service.update_part(db, part_id, data)
    return PartOut.build(*PartRepository(db).with_names([part.id])[0])


@router.post("/parts/{part_id}/numbers", status_code=201, response_model=NumberOut)
def add_number(
    part_id: uuid.UUID, data: NumberIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> NumberOut:
    return NumberOut.build(service.add_number(db, part_id, data))


@router.post("/parts/{part_id}/fitments", status_code=201, response_model=HitOut)
def add_fitment(
    part_id: uuid.UUID, data: FitmentIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> HitOut:
    service.add_fitment(db, part_id, data)
    return HitOut.build(service.part_detail(db, part_id))


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(p: Principal = Depends(VIEW), db: Session = Depends(get_db)) -> list[CategoryOut]:
    return [CategoryOut.build(c) for c in CategoryRepository(db).all()]


@router.post("/categories", status_code=201, response_model=CategoryOut)
def create_category(
    data: CategoryIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> CategoryOut:
    return CategoryOut.build(service.create_category(db, data))


@router.get("/brands", response_model=list[BrandOut])
def list_brands(p: Principal = Depends(VIEW), db: Session = Depends(get_db)) -> list[BrandOut]:
    return [BrandOut.build(b) for b in BrandRepository(db).all()]


@router.post("/brands", status_code=201, response_model=BrandOut)
def create_brand(data: BrandIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)) -> BrandOut:
    return BrandOut.build(service.create_brand(db, data))
