"""API shapes of the vehicle tree and VIN decoding."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from autotrade.orgs.schemas import Strict
from autotrade.vehicles.vin import MatchedVariant, VinDecoded, VinError, VinWarning

__all__ = [
    "FuelType",
    "GenerationIn",
    "GenerationOut",
    "GenerationUpdate",
    "MakeIn",
    "MakeOut",
    "MakeUpdate",
    "MatchedVariant",
    "ModelIn",
    "ModelOut",
    "ModelUpdate",
    "VariantDetailOut",
    "VariantIn",
    "VariantOut",
    "VariantUpdate",
    "VinDecoded",
    "VinError",
    "VinPatternIn",
    "VinPatternOut",
    "VinPatternUpdate",
    "VinWarning",
]


class FuelType(StrEnum):
    petrol = "petrol"
    diesel = "diesel"
    hev = "hev"  # full hybrid
    mhev = "mhev"  # 48 V mild hybrid
    phev = "phev"
    bev = "bev"
    erev = "erev"  # range extender (增程)
    fcev = "fcev"
    cng = "cng"
    lpg = "lpg"


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- makes -------------------------------------------------------------------------------------------


class MakeIn(Strict):
    name: str = Field(min_length=1, max_length=80)
    name_zh: str | None = Field(default=None, min_length=1, max_length=80)
    country: str | None = Field(default=None, min_length=1, max_length=60)


class MakeUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    name_zh: str | None = Field(default=None, min_length=1, max_length=80)
    country: str | None = Field(default=None, min_length=1, max_length=60)


class MakeOut(_Out):
    id: uuid.UUID
    name: str
    name_zh: str | None
    country: str | None


# ---- models ------------------------------------------------------------------------------------------


class ModelIn(Strict):
    name: str = Field(min_length=1, max_length=80)
    name_zh: str | None = Field(default=None, min_length=1, max_length=80)


class ModelUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    name_zh: str | None = Field(default=None, min_length=1, max_length=80)


class ModelOut(_Out):
    id: uuid.UUID
    make_id: uuid.UUID
    name: str
    name_zh: str | None


# ---- generations -------------------------------------------------------------------------------------


class GenerationIn(Strict):
    name: str = Field(min_length=1, max_length=80)
    year_from: int = Field(ge=1886, le=2100)
    year_to: int | None = Field(default=None, ge=1886, le=2100)


class GenerationUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    year_from: int | None = Field(default=None, ge=1886, le=2100)
    year_to: int | None = Field(default=None, ge=1886, le=2100)


class GenerationOut(_Out):
    id: uuid.UUID
    model_id: uuid.UUID
    name: str
    year_from: int
    year_to: int | None


# ---- variants ----------------------------------------------------------------------------------------

_CODE = r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$"


class VariantIn(Strict):
    code: str = Field(min_length=1, max_length=80, pattern=_CODE, description="stable external code")
    name: str = Field(min_length=1, max_length=120)
    engine_code: str | None = Field(default=None, min_length=1, max_length=40)
    displacement_cc: int | None = Field(default=None, ge=1, le=20000)
    fuel_type: FuelType
    transmission: str | None = Field(default=None, min_length=1, max_length=40)
    body: str | None = Field(default=None, min_length=1, max_length=40)
    power_kw: int | None = Field(default=None, ge=1, le=2000)
    year_from: int = Field(ge=1886, le=2100)
    year_to: int | None = Field(default=None, ge=1886, le=2100)


class VariantUpdate(Strict):
    code: str | None = Field(default=None, min_length=1, max_length=80, pattern=_CODE)
    name: str | None = Field(default=None, min_length=1, max_length=120)
    engine_code: str | None = Field(default=None, min_length=1, max_length=40)
    displacement_cc: int | None = Field(default=None, ge=1, le=20000)
    fuel_type: FuelType | None = None
    transmission: str | None = Field(default=None, min_length=1, max_length=40)
    body: str | None = Field(default=None, min_length=1, max_length=40)
    power_kw: int | None = Field(default=None, ge=1, le=2000)
    year_from: int | None = Field(default=None, ge=1886, le=2100)
    year_to: int | None = Field(default=None, ge=1886, le=2100)


class VariantOut(_Out):
    id: uuid.UUID
    generation_id: uuid.UUID
    code: str
    name: str
    engine_code: str | None
    displacement_cc: int | None
    fuel_type: str
    transmission: str | None
    body: str | None
    power_kw: int | None
    year_from: int
    year_to: int | None


# ---- VIN patterns ------------------------------------------------------------------------------------


class VinPatternIn(Strict):
    pattern: str = Field(
        min_length=1,
        max_length=17,
        description="up to 17 VIN characters; * or ? match any character; shorter patterns match prefixes",
        examples=["LFV2A2150*", "LSVAU2180?2"],
    )
    note: str | None = Field(default=None, min_length=1, max_length=200)


class VinPatternUpdate(Strict):
    pattern: str | None = Field(default=None, min_length=1, max_length=17)
    note: str | None = Field(default=None, min_length=1, max_length=200)


class VinPatternOut(_Out):
    id: uuid.UUID
    variant_id: uuid.UUID
    pattern: str
    wmi: str
    note: str | None


class VariantDetailOut(VariantOut):
    make_id: uuid.UUID
    make: str
    model_id: uuid.UUID
    model: str
    generation: str
    vin_patterns: list[VinPatternOut]
