"""Catalogue master data edits by platform catalogue staff. Every change goes through the ORM (and
so the audit log), then keeps the derived data in step: interchange groups and search documents."""

from __future__ import annotations

import csv
import re
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from autotrade.catalog import indexing
from autotrade.catalog.models import Brand, Category, Fitment, NumberKind, Part, PartNumber
from autotrade.catalog.numbers import normalise_brand, normalise_number, sku_code
from autotrade.catalog.repository import BrandRepository, CategoryRepository, PartRepository
from autotrade.catalog.schemas import BrandIn, CategoryIn, FitmentIn, NumberIn, PartIn, PartUpdate
from autotrade.catalog.search import Hit, hits_for
from autotrade.core.db import uuid7
from autotrade.core.errors import Conflict, NotFound, ValidationFailed
from autotrade.jobs.models import JobRun
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


# ---- master-data pages: brand change, removals, uploads, error reports ------------------------------


def change_part_brand(session: Session, part_id: uuid.UUID, brand_code: str) -> Part:
    """Correct a part's brand. Brand + normalised number are the part's key, so its SKU and its own
    ``brand`` number row follow; another part with the same brand and number refuses the change."""
    part = PartRepository(session).get_or_404(part_id)
    brand = _brand(session, brand_code)
    if brand.id == part.brand_id:
        return part
    other = PartRepository(session).by_brand_number(brand.id, part.brand_number_norm)
    if other is not None:
        raise Conflict(f"{brand.name} {part.brand_number} exists", code="part_exists", field="brand")
    own = PartRepository(session).own_number(part)
    if own is not None:
        own.brand_code = brand.code
    part.brand_id = brand.id
    part.sku = sku_code(brand.code, part.brand_number_norm)
    session.flush()
    indexing.merge_groups(session, [part.id])
    indexing.index_parts(session, [part.id])
    return part


def _split_group(session: Session, group_id: uuid.UUID) -> None:
    """Rebuild one interchange group from its members' numbers (after a number left it)."""
    from autotrade.catalog.repository import MasterDataRepository

    members = MasterDataRepository(session).ungroup(group_id)
    if members:
        indexing.merge_groups(session, members)


def remove_number(session: Session, part_id: uuid.UUID, number_id: uuid.UUID) -> PartNumber:
    """Remove a number or cross-reference from a part (not the part's own brand number, which is
    its key). The part's interchange group is rebuilt, so parts linked only by it part ways."""
    from autotrade.catalog.repository import MasterDataRepository

    part = PartRepository(session).get_or_404(part_id)
    number = MasterDataRepository(session).number_of(part.id, number_id)
    if number is None:
        raise NotFound("no such number on this part", code="number_not_found")
    if number.kind == NumberKind.brand and number.number_norm == part.brand_number_norm:
        raise Conflict(
            "the part's own brand number identifies it and cannot be removed", code="brand_number_kept"
        )
    session.delete(number)
    session.flush()
    _split_group(session, part.group_id)
    return number


def remove_fitment(session: Session, part_id: uuid.UUID, fitment_id: uuid.UUID) -> Fitment:
    from autotrade.catalog.repository import MasterDataRepository

    part = PartRepository(session).get_or_404(part_id)
    fitment = MasterDataRepository(session).fitment_of(part.id, fitment_id)
    if fitment is None:
        raise NotFound("no such fitment on this part", code="fitment_not_found")
    session.delete(fitment)
    session.flush()
    return fitment


UPLOAD_SUFFIXES = (".csv", ".xlsx", ".txt")


def submit_import(
    session: Session, directory: Path, stream: BinaryIO, filename: str | None, kind: str | None
) -> JobRun:
    """Save an uploaded catalogue file under ``directory`` and queue its ``catalog.import`` job (the
    same job the API's upload queues; it runs after the caller commits)."""
    from autotrade.catalog.formats import KINDS

    if kind is not None and kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}", field="kind", code="invalid_kind")
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not name:
        raise ValidationFailed("choose a file", field="file", code="required")
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise ValidationFailed("upload a .csv or .xlsx file", field="file", code="invalid_file_type")
    return save_import(session, directory, stream, name, kind)


def save_import(session: Session, directory: Path, stream: BinaryIO, name: str, kind: str | None) -> JobRun:
    """Save an uploaded catalogue file as ``name`` (made safe) under ``directory`` and queue its
    ``catalog.import`` job. It checks nothing: the caller has checked ``kind`` and the file's name (the
    web page through :func:`submit_import`, the API with its own error codes)."""
    from autotrade.catalog import importer  # noqa: F401  (registers the catalog.import job)
    from autotrade.jobs import service as jobs

    directory.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._\-\u4e00-\u9fff]+", "_", name)[-100:]
    saved = directory / f"{uuid.uuid4().hex}-{safe}"
    with saved.open("wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return jobs.submit(
        session, "catalog.import", {"path": str(saved.resolve()), "kind": kind, "filename": name}
    )


def import_runs(session: Session, cursor: str | None, limit: int) -> tuple[list[JobRun], str | None]:
    """The caller's company's catalogue imports, newest first."""
    from autotrade.core.pagination import paginate
    from autotrade.jobs.repository import JobRepository

    stmt = JobRepository(session).select().where(JobRun.name == "catalog.import")
    return paginate(session, stmt, JobRun.id, cursor=cursor, limit=limit)


def import_run(session: Session, job_id: uuid.UUID) -> JobRun:
    """One catalogue import of the caller's company (another company's job, or another kind of job,
    is not found)."""
    from autotrade.jobs.repository import JobRepository

    run = JobRepository(session).get(job_id)
    if run is None or run.name != "catalog.import":
        raise NotFound("import not found", code="import_not_found")
    return run


def import_errors(run: JobRun, offset: int = 0, limit: int = 500) -> tuple[list[dict[str, str]], int]:
    """Rows ``offset``… of a finished import's error report (line, column, value, reason) and how many
    rows the report has. No report (a clean import, or still running): nothing."""
    path = (run.result or {}).get("errors_path")
    if not path or not Path(path).is_file():
        return [], 0
    rows: list[dict[str, str]] = []
    total = 0
    with Path(path).open(encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            total += 1
            if offset <= i < offset + limit:
                rows.append({k: row.get(k) or "" for k in ("line", "column", "value", "reason")})
    return rows, total
