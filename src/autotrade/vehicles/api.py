"""Vehicle tree and VIN decoding routes.

Reads (``catalog:view``) are open to every logged-in company: the tree is shared platform master data,
not tenant data. Writes need ``platform.catalog:edit``, which only platform catalogue staff hold.
"""

from __future__ import annotations

import uuid

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of
from autotrade.core.routing import api_router
from autotrade.vehicles import service
from autotrade.vehicles.models import VehicleMake
from autotrade.vehicles.repository import MakeRepository
from autotrade.vehicles.schemas import (
    GenerationIn,
    GenerationOut,
    GenerationUpdate,
    MakeIn,
    MakeOut,
    MakeUpdate,
    ModelIn,
    ModelOut,
    ModelUpdate,
    VariantDetailOut,
    VariantIn,
    VariantOut,
    VariantUpdate,
    VinDecoded,
    VinPatternIn,
    VinPatternOut,
    VinPatternUpdate,
)

router = api_router("/api/v1", tags=["vehicles"])

VIEW = Depends(require("catalog:view"))
EDIT = Depends(require("platform.catalog:edit"))


# ---- reads -------------------------------------------------------------------------------------------


@router.get("/vehicles/makes", response_model=Page[MakeOut], dependencies=[VIEW])
def list_makes(
    cursor: str | None = None, limit: int = Query(100, ge=1, le=200), db: Session = Depends(get_db)
) -> Page[MakeOut]:
    return page_of(
        db, MakeRepository(db).listing(), VehicleMake.id, MakeOut.model_validate, cursor=cursor, limit=limit
    )


@router.get("/vehicles/makes/{make_id}", response_model=MakeOut, dependencies=[VIEW])
def get_make(make_id: uuid.UUID, db: Session = Depends(get_db)) -> MakeOut:
    return MakeOut.model_validate(service.get_make(db, make_id))


@router.get("/vehicles/makes/{make_id}/models", response_model=list[ModelOut], dependencies=[VIEW])
def list_models(make_id: uuid.UUID, db: Session = Depends(get_db)) -> list[ModelOut]:
    return [ModelOut.model_validate(m) for m in service.models_of_make(db, make_id)]


@router.get(
    "/vehicles/models/{model_id}/generations", response_model=list[GenerationOut], dependencies=[VIEW]
)
def list_generations(model_id: uuid.UUID, db: Session = Depends(get_db)) -> list[GenerationOut]:
    return [GenerationOut.model_validate(g) for g in service.generations_of_model(db, model_id)]


@router.get(
    "/vehicles/generations/{generation_id}/variants", response_model=list[VariantOut], dependencies=[VIEW]
)
def list_variants(generation_id: uuid.UUID, db: Session = Depends(get_db)) -> list[VariantOut]:
    return [VariantOut.model_validate(v) for v in service.variants_of_generation(db, generation_id)]


@router.get("/vehicles/variants/{variant_id}", response_model=VariantDetailOut, dependencies=[VIEW])
def get_variant(variant_id: uuid.UUID, db: Session = Depends(get_db)) -> VariantDetailOut:
    """A variant with its make, model, generation and VIN patterns."""
    return service.variant_detail(db, variant_id)


@router.get("/vin/{vin}", response_model=VinDecoded, dependencies=[VIEW])
def decode_vin(vin: str, db: Session = Depends(get_db)) -> VinDecoded:
    """Decode a VIN and list the catalogue variants it maps to. An invalid VIN is still a 200 answer,
    with ``valid: false`` and every error (see docs/vin.md); the body is the same as one line of
    ``autotrade vin decode --json``."""
    return service.decode_vin(db, vin)


# ---- writes (platform catalogue staff) ---------------------------------------------------------------


@router.post("/vehicles/makes", status_code=201, response_model=MakeOut, dependencies=[EDIT])
def create_make(data: MakeIn, db: Session = Depends(get_db)) -> MakeOut:
    return MakeOut.model_validate(service.create_make(db, data))


@router.patch("/vehicles/makes/{make_id}", response_model=MakeOut, dependencies=[EDIT])
def update_make(make_id: uuid.UUID, data: MakeUpdate, db: Session = Depends(get_db)) -> MakeOut:
    return MakeOut.model_validate(service.update_make(db, make_id, data))


@router.post(
    "/vehicles/makes/{make_id}/models", status_code=201, response_model=ModelOut, dependencies=[EDIT]
)
def create_model(make_id: uuid.UUID, data: ModelIn, db: Session = Depends(get_db)) -> ModelOut:
    return ModelOut.model_validate(service.create_model(db, make_id, data))


@router.patch("/vehicles/models/{model_id}", response_model=ModelOut, dependencies=[EDIT])
def update_model(model_id: uuid.UUID, data: ModelUpdate, db: Session = Depends(get_db)) -> ModelOut:
    return ModelOut.model_validate(service.update_model(db, model_id, data))


@router.post(
    "/vehicles/models/{model_id}/generations",
    status_code=201,
    response_model=GenerationOut,
    dependencies=[EDIT],
)
def create_generation(
    model_id: uuid.UUID, data: GenerationIn, db: Session = Depends(get_db)
) -> GenerationOut:
    return GenerationOut.model_validate(service.create_generation(db, model_id, data))


@router.patch("/vehicles/generations/{generation_id}", response_model=GenerationOut, dependencies=[EDIT])
def update_generation(
    generation_id: uuid.UUID, data: GenerationUpdate, db: Session = Depends(get_db)
) -> GenerationOut:
    return GenerationOut.model_validate(service.update_generation(db, generation_id, data))


@router.post(
    "/vehicles/generations/{generation_id}/variants",
    status_code=201,
    response_model=VariantOut,
    dependencies=[EDIT],
)
def create_variant(generation_id: uuid.UUID, data: VariantIn, db: Session = Depends(get_db)) -> VariantOut:
    return VariantOut.model_validate(service.create_variant(db, generation_id, data))


@router.patch("/vehicles/variants/{variant_id}", response_model=VariantOut, dependencies=[EDIT])
def update_variant(variant_id: uuid.UUID, data: VariantUpdate, db: Session = Depends(get_db)) -> VariantOut:
    return VariantOut.model_validate(service.update_variant(db, variant_id, data))


@router.post(
    "/vehicles/variants/{variant_id}/vin-patterns",
    status_code=201,
    response_model=VinPatternOut,
    dependencies=[EDIT],
)
def create_vin_pattern(
    variant_id: uuid.UUID, data: VinPatternIn, db: Session = Depends(get_db)
) -> VinPatternOut:
    """``LFV2A2150*``: up to 17 VIN characters, ``*``/``?`` match any one character, a shorter pattern
    matches every VIN it starts; the first three characters (the WMI) must be concrete."""
    return VinPatternOut.model_validate(service.create_vin_pattern(db, variant_id, data))


@router.patch("/vehicles/vin-patterns/{pattern_id}", response_model=VinPatternOut, dependencies=[EDIT])
def update_vin_pattern(
    pattern_id: uuid.UUID, data: VinPatternUpdate, db: Session = Depends(get_db)
) -> VinPatternOut:
    return VinPatternOut.model_validate(service.update_vin_pattern(db, pattern_id, data))
