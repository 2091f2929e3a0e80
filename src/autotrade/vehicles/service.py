"""Rules of the vehicle master data (make → model → generation → variant, VIN patterns) and VIN → variants.

Master data is platform-wide: every logged-in company reads it, only platform catalogue staff write it
(the routes require ``platform.catalog:edit``). Writes go through the ORM so the audit hook records
them; services flush, the boundary commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.errors import NotFound, ValidationFailed
from autotrade.vehicles import errors, vin
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern
from autotrade.vehicles.repository import (
    GenerationRepository,
    MakeRepository,
    ModelRepository,
    VariantRepository,
    VinPatternRepository,
)
from autotrade.vehicles.schemas import (
    GenerationIn,
    GenerationUpdate,
    MakeIn,
    MakeUpdate,
    ModelIn,
    ModelUpdate,
    VariantDetailOut,
    VariantIn,
    VariantOut,
    VariantUpdate,
    VinPatternIn,
    VinPatternOut,
    VinPatternUpdate,
)


def _changes(data: BaseModel, *required: str) -> dict[str, Any]:
    """The fields a PATCH body set; ``null`` is refused for the ones the row cannot leave empty."""
    changes = data.model_dump(exclude_unset=True)
    for name in required:
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be null", field=name, code="required")
    return changes


def _apply(obj: Any, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(obj, key, value.value if hasattr(value, "value") else value)


def _check_years(year_from: int, year_to: int | None) -> None:
    if year_to is not None and year_to < year_from:
        raise errors.InvalidYearRange(
            f"year_to ({year_to}) is before year_from ({year_from})", field="year_to"
        )


def _get(repo: Any, id_: uuid.UUID, error: type[NotFound]) -> Any:
    obj = repo.get(id_)
    if obj is None:
        raise error(f"{repo.label} {id_} not found")
    return obj


def get_make(session: Session, make_id: uuid.UUID) -> VehicleMake:
    make: VehicleMake = _get(MakeRepository(session), make_id, errors.MakeNotFound)
    return make


def get_model(session: Session, model_id: uuid.UUID) -> VehicleModel:
    model: VehicleModel = _get(ModelRepository(session), model_id, errors.ModelNotFound)
    return model


def get_generation(session: Session, generation_id: uuid.UUID) -> VehicleGeneration:
    gen: VehicleGeneration = _get(GenerationRepository(session), generation_id, errors.GenerationNotFound)
    return gen


def get_variant(session: Session, variant_id: uuid.UUID) -> VehicleVariant:
    variant: VehicleVariant = _get(VariantRepository(session), variant_id, errors.VariantNotFound)
    return variant


def get_vin_pattern(session: Session, pattern_id: uuid.UUID) -> VinPattern:
    pattern: VinPattern = _get(VinPatternRepository(session), pattern_id, errors.VinPatternNotFound)
    return pattern


# ---- tree reads --------------------------------------------------------------------------------------


def models_of_make(session: Session, make_id: uuid.UUID) -> list[VehicleModel]:
    get_make(session, make_id)
    return list(ModelRepository(session).of_make(make_id))


def generations_of_model(session: Session, model_id: uuid.UUID) -> list[VehicleGeneration]:
    get_model(session, model_id)
    return list(GenerationRepository(session).of_model(model_id))


def variants_of_generation(session: Session, generation_id: uuid.UUID) -> list[VehicleVariant]:
    get_generation(session, generation_id)
    return list(VariantRepository(session).of_generation(generation_id))


def variant_detail(session: Session, variant_id: uuid.UUID) -> VariantDetailOut:
    found = VariantRepository(session).with_lineage(variant_id)
    if found is None:
        raise errors.VariantNotFound(f"vehicle variant {variant_id} not found")
    variant, gen, model, make = found
    patterns = VinPatternRepository(session).of_variant(variant_id)
    return VariantDetailOut(
        **VariantOut.model_validate(variant).model_dump(),
        make_id=make.id,
        make=make.name,
        model_id=model.id,
        model=model.name,
        generation=gen.name,
        vin_patterns=[VinPatternOut.model_validate(p) for p in patterns],
    )


# ---- writes ------------------------------------------------------------------------------------------


def create_make(session: Session, data: MakeIn) -> VehicleMake:
    repo = MakeRepository(session)
    if repo.name_taken(data.name):
        raise errors.MakeNameTaken(f"make {data.name!r} exists", field="name")
    make = VehicleMake(name=data.name, name_zh=data.name_zh, country=data.country)
    label(make, "vehicles.make.create")
    return repo.add(make)


def update_make(session: Session, make_id: uuid.UUID, data: MakeUpdate) -> VehicleMake:
    make = get_make(session, make_id)
    changes = _changes(data, "name")
    if "name" in changes and MakeRepository(session).name_taken(changes["name"], exclude=make.id):
        raise errors.MakeNameTaken(f"make {changes['name']!r} exists", field="name")
    _apply(make, changes)
    label(make, "vehicles.make.update")
    session.flush()
    return make


def create_model(session: Session, make_id: uuid.UUID, data: ModelIn) -> VehicleModel:
    get_make(session, make_id)
    repo = ModelRepository(session)
    if repo.name_taken(make_id, data.name):
        raise errors.ModelNameTaken(f"this make already has a model {data.name!r}", field="name")
    model = VehicleModel(make_id=make_id, name=data.name, name_zh=data.name_zh)
    label(model, "vehicles.model.create")
    return repo.add(model)


def update_model(session: Session, model_id: uuid.UUID, data: ModelUpdate) -> VehicleModel:
    model = get_model(session, model_id)
    changes = _changes(data, "name")
    if "name" in changes and ModelRepository(session).name_taken(
        model.make_id, changes["name"], exclude=model.id
    ):
        raise errors.ModelNameTaken(f"this make already has a model {changes['name']!r}", field="name")
    _apply(model, changes)
    label(model, "vehicles.model.update")
    session.flush()
    return model


def create_generation(session: Session, model_id: uuid.UUID, data: GenerationIn) -> VehicleGeneration:
    get_model(session, model_id)
    _check_years(data.year_from, data.year_to)
    repo = GenerationRepository(session)
    if repo.name_taken(model_id, data.name):
        raise errors.GenerationNameTaken(f"this model already has a generation {data.name!r}", field="name")
    gen = VehicleGeneration(model_id=model_id, name=data.name, year_from=data.year_from, year_to=data.year_to)
    label(gen, "vehicles.generation.create")
    return repo.add(gen)


def update_generation(
    session: Session, generation_id: uuid.UUID, data: GenerationUpdate
) -> VehicleGeneration:
    gen = get_generation(session, generation_id)
    changes = _changes(data, "name", "year_from")
    _check_years(changes.get("year_from", gen.year_from), changes.get("year_to", gen.year_to))
    repo = GenerationRepository(session)
    if "name" in changes and repo.name_taken(gen.model_id, changes["name"], exclude=gen.id):
        raise errors.GenerationNameTaken(
            f"this model already has a generation {changes['name']!r}", field="name"
        )
    _apply(gen, changes)
    label(gen, "vehicles.generation.update")
    session.flush()
    return gen


def create_variant(session: Session, generation_id: uuid.UUID, data: VariantIn) -> VehicleVariant:
    get_generation(session, generation_id)
    _check_years(data.year_from, data.year_to)
    repo = VariantRepository(session)
    if repo.code_taken(data.code):
        raise errors.VariantCodeTaken(f"variant code {data.code!r} is in use", field="code")
    if repo.name_taken(generation_id, data.name):
        raise errors.VariantNameTaken(f"this generation already has a variant {data.name!r}", field="name")
    variant = VehicleVariant(generation_id=generation_id)
    _apply(variant, data.model_dump())
    label(variant, "vehicles.variant.create")
    return repo.add(variant)


def update_variant(session: Session, variant_id: uuid.UUID, data: VariantUpdate) -> VehicleVariant:
    variant = get_variant(session, variant_id)
    changes = _changes(data, "code", "name", "fuel_type", "year_from")
    _check_years(changes.get("year_from", variant.year_from), changes.get("year_to", variant.year_to))
    repo = VariantRepository(session)
    if "code" in changes and repo.code_taken(changes["code"], exclude=variant.id):
        raise errors.VariantCodeTaken(f"variant code {changes['code']!r} is in use", field="code")
    if "name" in changes and repo.name_taken(variant.generation_id, changes["name"], exclude=variant.id):
        raise errors.VariantNameTaken(
            f"this generation already has a variant {changes['name']!r}", field="name"
        )
    _apply(variant, changes)
    label(variant, "vehicles.variant.update")
    session.flush()
    return variant


def _valid_pattern(raw: str) -> str:
    pattern = vin.normalise_pattern(raw)
    problem = vin.pattern_problem(pattern)
    if problem:
        raise errors.InvalidVinPattern(problem, field="pattern")
    return pattern


def create_vin_pattern(session: Session, variant_id: uuid.UUID, data: VinPatternIn) -> VinPattern:
    get_variant(session, variant_id)
    pattern = _valid_pattern(data.pattern)
    repo = VinPatternRepository(session)
    if repo.taken(variant_id, pattern):
        raise errors.VinPatternTaken(f"this variant already has the pattern {pattern}", field="pattern")
    row = VinPattern(pattern=pattern, wmi=pattern[:3], variant_id=variant_id, note=data.note)
    label(row, "vehicles.vin_pattern.create")
    return repo.add(row)


def update_vin_pattern(session: Session, pattern_id: uuid.UUID, data: VinPatternUpdate) -> VinPattern:
    row = get_vin_pattern(session, pattern_id)
    changes = _changes(data, "pattern")
    if "pattern" in changes:
        pattern = _valid_pattern(changes["pattern"])
        if VinPatternRepository(session).taken(row.variant_id, pattern, exclude=row.id):
            raise errors.VinPatternTaken(f"this variant already has the pattern {pattern}", field="pattern")
        changes["pattern"], changes["wmi"] = pattern, pattern[:3]
    _apply(row, changes)
    label(row, "vehicles.vin_pattern.update")
    session.flush()
    return row


# ---- VIN → variants ----------------------------------------------------------------------------------


def _year_fits(years: list[int], year_from: int, year_to: int | None) -> bool:
    if not years:
        return True  # model year unknown: do not filter
    return any(year_from <= y <= (year_to if year_to is not None else 9999) for y in years)


def match_variants(session: Session, decoded: vin.VinDecoded) -> list[vin.MatchedVariant]:
    """The catalogue variants whose VIN patterns match a decoded VIN and whose years hold its model year
    (any of the candidate years, when the cycle leaves more than one). One query per VIN, by WMI.
    When several patterns of one variant match, the most specific one is reported."""
    if not decoded.valid or decoded.wmi is None:
        return []
    best: dict[uuid.UUID, tuple[int, vin.MatchedVariant]] = {}
    for pattern, variant, generation, model, make in VinPatternRepository(session).candidates(
        decoded.wmi, decoded.vin
    ):
        if not vin.pattern_matches(pattern, decoded.vin):
            continue
        if not _year_fits(decoded.model_year_candidates, variant.year_from, variant.year_to):
            continue
        score = vin.pattern_specificity(pattern)
        if variant.id in best and best[variant.id][0] >= score:
            continue
        best[variant.id] = (
            score,
            vin.MatchedVariant(
                variant_id=variant.id,
                code=variant.code,
                name=variant.name,
                make=make,
                model=model,
                generation=generation,
                year_from=variant.year_from,
                year_to=variant.year_to,
                engine_code=variant.engine_code,
                fuel_type=variant.fuel_type,
                pattern=pattern,
            ),
        )
    ranked = sorted(best.values(), key=lambda sm: (-sm[0], sm[1].make, sm[1].model, sm[1].name))
    return [m for _, m in ranked]


def decode_vin(session: Session | None, raw: str) -> vin.VinDecoded:
    """Decode a VIN and, with a session, add the variants the catalogue maps it to."""
    decoded = vin.decode(raw)
    if session is not None:
        decoded.matched_variants = match_variants(session, decoded)
    return decoded
