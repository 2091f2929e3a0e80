"""Catalogue master data edits by platform catalogue staff. Every change goes through the ORM (and
so the audit log), then keeps the derived data in step: interchange groups and search documents."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from autotrade.catalog import indexing
from autotrade.catalog.models import Brand, Category, Fitment, NumberKind, Part, PartNumber
from autotrade.catalog.numbers import normalise_brand, normalise_number, sku_code
from autotrade.catalog.repository import BrandRepository, CategoryRepository, PartRepository
from autotrade.catalog.schemas import BrandIn, CategoryIn, FitmentIn, NumberIn, PartIn, PartUpdate
from autotrade.catalog.search import Hit, hits_for
from autotrade.core.db import uuid7
from autotrade.core.errors import Conflict, NotFound, ValidationFailed
from autotrade.vehicles import service as vehicles
from autotrade.vehicles.models import VehicleVariant


def _category(session: Session, code: str, field: str = "category") -> Category:
    c = CategoryRepository(session).by_code(code)
    if c is None:
        raise NotFound(f"no category {code!r}", code="category_not_found", field=field)
    return c


def _brand(session: Session, code: str, field: str = "brand") -> Brand:
    b = BrandRepository(session).by_code(normalise_brand(code))
    if b is None:
        raise NotFound(f"no brand {code!r}", code="brand_not_found", field=field)
    return b


def create_category(session: Session, data: CategoryIn) -> Category:
    if CategoryRepository(session).by_code(data.code) is not None:
        raise Conflict("a category with this code exists", code="category_code_taken", field="code")
    parent = _category(session, data.parent_code, "parent_code") if data.parent_code else None
    category = Category(
        code=data.code,
        parent_id=parent.id if parent else None,
        path=f"{parent.path}/{data.code}" if parent else data.code,
        name_zh=data.name_zh,
        name_en=data.name_en,
    )
    indexing.add_to_vocabulary(session, data.name_en)
    return CategoryRepository(session).add(category)


def create_brand(session: Session, data: BrandIn) -> Brand:
    code = normalise_brand(data.name)
    if BrandRepository(session).by_code(code) is not None:
        raise Conflict("a brand with this name exists", code="brand_taken", field="name")
    brand = Brand(code=code, name=data.name, name_zh=data.name_zh, kind=data.kind, country=data.country)
    indexing.add_to_vocabulary(session, data.name, code)
    return BrandRepository(session).add(brand)


def create_part(session: Session, data: PartIn) -> Part:
    brand = _brand(session, data.brand)
    category = _category(session, data.category)
    norm = normalise_number(data.brand_number)
    if not norm:
        raise ValidationFailed(
            "the part number has no letters or digits", field="brand_number", code="invalid_number"
        )
    repo = PartRepository(session)
    if repo.by_brand_number(brand.id, norm) is not None:
        raise Conflict(f"{brand.name} {data.brand_number} exists", code="part_exists", field="brand_number")
    issuers = BrandRepository(session).by_codes(normalise_brand(n.brand) for n in data.oe_numbers)
    for i, n in enumerate(data.oe_numbers):
        if normalise_brand(n.brand) not in issuers:
            raise NotFound(f"no brand {n.brand!r}", code="brand_not_found", field=f"oe_numbers.{i}.brand")
    part_id = uuid7()
    part = Part(
        id=part_id,
        group_id=part_id,
        sku=sku_code(brand.code, norm),
        brand_id=brand.id,
        brand_number=data.brand_number,
        brand_number_norm=norm,
        name_zh=data.name_zh,
        name_en=data.name_en,
        category_id=category.id,
        quality_grade=data.quality_grade,
        position=data.position,
        material=data.material,
        attributes=data.attributes,
        images=data.images,
    )
    session.add(part)
    session.add(
        PartNumber(
            part_id=part_id,
            kind=NumberKind.brand,
            number=data.brand_number,
            number_norm=norm,
            brand_code=brand.code,
        )
    )
    for n in data.oe_numbers:
        session.add(
            PartNumber(
                part_id=part_id,
                kind=NumberKind.oe,
                number=n.number,
                number_norm=normalise_number(n.number),
                brand_code=normalise_brand(n.brand),
            )
        )
    session.flush()
    indexing.merge_groups(session, [part_id])
    indexing.index_parts(session, [part_id])
    indexing.add_to_vocabulary(session, data.name_en)
    return part


def update_part(session: Session, part_id: uuid.UUID, data: PartUpdate) -> Part:
    part = PartRepository(session).get_or_404(part_id)
    fields = data.model_dump(exclude_unset=True)
    if "category" in fields:
        part.category_id = _category(session, fields.pop("category")).id
    for key, value in fields.items():
        setattr(part, key, value)
    session.flush()
    indexing.index_parts(session, [part.id])
    if "name_en" in fields:
        indexing.add_to_vocabulary(session, part.name_en)
    return part


def add_number(session: Session, part_id: uuid.UUID, data: NumberIn) -> PartNumber:
    part = PartRepository(session).get_or_404(part_id)
    brand_code = normalise_brand(data.brand) if data.brand else ""
    if brand_code:
        _brand(session, data.brand)
    elif data.kind in (NumberKind.oe, NumberKind.aftermarket, NumberKind.trade):
        raise ValidationFailed(
            f"an {data.kind.value} number needs its issuing brand", field="brand", code="required"
        )
    number = PartNumber(
        part_id=part.id,
        kind=data.kind,
        number=data.number,
        number_norm=normalise_number(data.number),
        brand_code=brand_code,
        source=data.source,
        confidence=data.confidence,
        successor_norm=normalise_number(data.successor) if data.successor else None,
    )
    session.add(number)
    session.flush()
    indexing.merge_groups(session, [part.id])
    return number


def add_fitment(session: Session, part_id: uuid.UUID, data: FitmentIn) -> Fitment:
    part = PartRepository(session).get_or_404(part_id)
    if session.get(VehicleVariant, data.variant_id) is None:
        raise NotFound("no such vehicle variant", code="variant_not_found", field="variant_id")
    if data.year_from and data.year_to and data.year_from > data.year_to:
        raise ValidationFailed("year_from is after year_to", field="year_from", code="invalid_year_range")
    if PartRepository(session).fitment_exists(part.id, data.variant_id):
        raise Conflict(
            "this part is already linked to this variant", code="fitment_exists", field="variant_id"
        )
    fitment = Fitment(part_id=part.id, **data.model_dump())
    session.add(fitment)
    session.flush()
    return fitment


def part_detail(session: Session, part_id: uuid.UUID) -> Hit:
    PartRepository(session).get_or_404(part_id)
    return hits_for(session, [part_id], {part_id: "match"}, {})[0]


def vehicle_variants(
    session: Session, *, vin: str | None, variant_ids: list[uuid.UUID]
) -> tuple[dict[str, object] | None, list[uuid.UUID]]:
    """The variants to search parts for: given directly, or decoded from a VIN."""
    if vin is None:
        if not variant_ids:
            raise ValidationFailed("give a VIN or a vehicle variant", field="vin", code="required")
        return None, variant_ids
    decoded = vehicles.decode_vin(session, vin)
    if not decoded.valid:
        first = decoded.errors[0]
        raise ValidationFailed(
            first.message, field="vin", code=first.code, errors=[e.model_dump() for e in decoded.errors]
        )
    return decoded.model_dump(mode="json"), [*variant_ids, *(v.variant_id for v in decoded.matched_variants)]
