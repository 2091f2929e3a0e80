from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field, field_validator

from autotrade.catalog.models import Brand, Category, NumberKind, Part, PartNumber, PartStatus, QualityGrade
from autotrade.catalog.search import Hit
from autotrade.catalog.views import BrandView, CategoryView, NumberView, PartView
from autotrade.orgs.schemas import Strict


class CategoryIn(Strict):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")
    parent_code: str | None = Field(default=None, max_length=40)
    name_zh: str = Field(min_length=1, max_length=80)
    name_en: str = Field(min_length=1, max_length=80)


class BrandIn(Strict):
    name: str = Field(min_length=1, max_length=80)
    name_zh: str | None = Field(default=None, max_length=80)
    kind: str = Field(pattern=r"^(vehicle_maker|oe_supplier|aftermarket)$")
    country: str | None = Field(default=None, max_length=60)


class NumberRef(Strict):
    brand: str = Field(min_length=1, max_length=40, description="issuing brand code, e.g. TOYOTA")
    number: str = Field(min_length=1, max_length=60)


class PartIn(Strict):
    brand: str = Field(min_length=1, max_length=40, description="brand code")
    brand_number: str = Field(min_length=1, max_length=60)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    category: str = Field(min_length=1, max_length=40, description="category code")
    quality_grade: QualityGrade
    position: str | None = Field(default=None, max_length=40)
    material: str | None = Field(default=None, max_length=80)
    attributes: dict[str, Any] = Field(default_factory=dict)
    images: list[str] = Field(default_factory=list, max_length=20)
    oe_numbers: list[NumberRef] = Field(default_factory=list, max_length=50)


class PartUpdate(Strict):
    name_zh: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=40)
    quality_grade: QualityGrade | None = None
    position: str | None = Field(default=None, max_length=40)
    material: str | None = Field(default=None, max_length=80)
    attributes: dict[str, Any] | None = None
    images: list[str] | None = Field(default=None, max_length=20)
    status: PartStatus | None = None


class NumberIn(Strict):
    kind: NumberKind
    number: str = Field(min_length=1, max_length=60)
    brand: str = Field(default="", max_length=40, description="issuing brand code")
    source: str | None = Field(default=None, max_length=80)
    confidence: int = Field(default=100, ge=0, le=100)
    successor: str | None = Field(default=None, max_length=60, description="for a superseded number")

    @field_validator("kind")
    @classmethod
    def _not_brand(cls, v: NumberKind) -> NumberKind:
        if v == NumberKind.brand:
            raise ValueError("a part's own brand number is set when the part is created")
        return v


class FitmentIn(Strict):
    variant_id: uuid.UUID
    position: str | None = Field(default=None, max_length=40)
    year_from: int | None = Field(default=None, ge=1950, le=2100)
    year_to: int | None = Field(default=None, ge=1950, le=2100)
    note: str | None = Field(default=None, max_length=200)


class CategoryOut(BaseModel):
    id: uuid.UUID
    code: str
    path: str
    name_zh: str
    name_en: str

    @classmethod
    def build(cls, c: Category | CategoryView) -> CategoryOut:
        return cls(id=c.id, code=c.code, path=c.path, name_zh=c.name_zh, name_en=c.name_en)


class BrandOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    name_zh: str | None
    kind: str
    country: str | None

    @classmethod
    def build(cls, b: Brand | BrandView) -> BrandOut:
        return cls(id=b.id, code=b.code, name=b.name, name_zh=b.name_zh, kind=b.kind, country=b.country)


class NumberOut(BaseModel):
    id: uuid.UUID
    kind: NumberKind
    number: str
    number_norm: str
    brand: str
    source: str | None
    confidence: int
    successor: str | None

    @classmethod
    def build(cls, n: PartNumber | NumberView) -> NumberOut:
        return cls(
            id=n.id,
            kind=n.kind,
            number=n.number,
            number_norm=n.number_norm,
            brand=n.brand_code,
            source=n.source,
            confidence=n.confidence,
            successor=n.successor_norm,
        )


class PartOut(BaseModel):
    id: uuid.UUID
    sku: str
    brand: BrandOut
    brand_number: str
    name_zh: str
    name_en: str | None
    category: CategoryOut
    quality_grade: QualityGrade
    position: str | None
    material: str | None
    attributes: dict[str, Any]
    images: list[str]
    status: PartStatus
    group_id: uuid.UUID

    @classmethod
    def build(cls, p: Part | PartView, b: Brand | BrandView, c: Category | CategoryView) -> PartOut:
        return cls(
            id=p.id,
            sku=p.sku,
            brand=BrandOut.build(b),
            brand_number=p.brand_number,
            name_zh=p.name_zh,
            name_en=p.name_en,
            category=CategoryOut.build(c),
            quality_grade=p.quality_grade,
            position=p.position,
            material=p.material,
            attributes=dict(p.attributes or {}),
            images=list(p.images or []),
            status=p.status,
            group_id=p.group_id,
        )


class FitmentOut(BaseModel):
    variant_id: uuid.UUID
    variant_code: str
    variant: str
    model: str
    model_zh: str | None
    make: str
    make_zh: str | None
    position: str | None
    year_from: int | None
    year_to: int | None
    note: str | None


class HitOut(BaseModel):
    part: PartOut
    why: list[str] = Field(description="why this part matched")
    relation: str
    score: float
    numbers: list[NumberOut]
    fitment_total: int
    fitment: list[FitmentOut]

    @classmethod
    def build(cls, h: Hit) -> HitOut:
        return cls(
            part=PartOut.build(h.part, h.brand, h.category),
            why=h.why,
            relation=h.relation,
            score=h.score,
            numbers=[NumberOut.build(n) for n in h.numbers],
            fitment_total=h.fitment_total,
            fitment=[FitmentOut(**f) for f in h.fitment],
        )


class NumberSearchOut(BaseModel):
    query: str
    normalised: str
    items: list[HitOut]


class FacetOut(BaseModel):
    value: str
    label: str
    count: int


class TextSearchOut(BaseModel):
    query: str
    items: list[HitOut]
    facets: dict[str, list[FacetOut]]
    corrected: dict[str, str] = Field(description="mistyped word → the word searched instead")
    matched: int
    matched_is_exact: bool = Field(
        description="false when more than `matched` parts match (facets count the best)"
    )
    next_cursor: str | None


class CategoryGroupOut(BaseModel):
    category: CategoryOut
    total: int = Field(description="parts of this category that fit; `items` lists the first of them")
    items: list[HitOut]


class VehicleSearchOut(BaseModel):
    variant_ids: list[uuid.UUID]
    total: int
    groups: list[CategoryGroupOut]
    vin: dict[str, Any] | None = None
