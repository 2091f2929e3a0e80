"""A small, hand-written catalogue built through the catalogue service (the path an API edit takes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from autotrade.catalog import service
from autotrade.catalog.schemas import BrandIn, CategoryIn, FitmentIn, NumberIn, NumberRef, PartIn
from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern


@dataclass
class Catalog:
    parts: dict[str, uuid.UUID] = field(default_factory=dict)
    variants: dict[str, uuid.UUID] = field(default_factory=dict)


def _variant(
    s: Any, make: str, make_zh: str, model: str, model_zh: str, gen: str, code: str, name: str
) -> uuid.UUID:
    mk = s.query(VehicleMake).filter_by(name=make).one_or_none() or VehicleMake(name=make, name_zh=make_zh)
    s.add(mk)
    s.flush()
    md = VehicleModel(make_id=mk.id, name=model, name_zh=model_zh)
    s.add(md)
    s.flush()
    g = VehicleGeneration(model_id=md.id, name=gen, year_from=2019)
    s.add(g)
    s.flush()
    v = VehicleVariant(code=code, generation_id=g.id, name=name, fuel_type="petrol", year_from=2019)
    s.add(v)
    s.flush()
    return v.id


@pytest.fixture
def catalog(db: Database) -> Catalog:
    cat = Catalog()
    with db.transaction() as s:
        bind_system(s, "test")
        for c in (
            CategoryIn(code="BRAKE", name_zh="制动系统", name_en="Brakes"),
            CategoryIn(code="BRAKE.PAD", parent_code="BRAKE", name_zh="刹车片", name_en="Brake pads"),
            CategoryIn(code="BRAKE.DISC", parent_code="BRAKE", name_zh="刹车盘", name_en="Brake discs"),
            CategoryIn(code="FILTER", name_zh="滤清器", name_en="Filters"),
            CategoryIn(code="FILTER.OIL", parent_code="FILTER", name_zh="机油滤清器", name_en="Oil filters"),
        ):
            service.create_category(s, c)
        for b in (
            BrandIn(name="Toyota", name_zh="丰田", kind="vehicle_maker", country="JP"),
            BrandIn(name="Volkswagen", name_zh="大众", kind="vehicle_maker", country="DE"),
            BrandIn(name="Bosch", name_zh="博世", kind="oe_supplier", country="DE"),
            BrandIn(name="TRW", name_zh="天合", kind="aftermarket", country="DE"),
            BrandIn(name="Brembo", name_zh="布雷博", kind="aftermarket", country="IT"),
            BrandIn(name="Mann-Filter", name_zh="曼牌", kind="aftermarket", country="DE"),
        ):
            service.create_brand(s, b)
        toyota_oe = [NumberRef(brand="TOYOTA", number="04465-33471")]
        specs = {
            "toyota_pad": PartIn(
                brand="TOYOTA",
                brand_number="04465-33471",
                name_zh="前刹车片",
                name_en="Front brake pad set",
                category="BRAKE.PAD",
                quality_grade="oe",
                position="front",
            ),
            "bosch_pad": PartIn(
                brand="BOSCH",
                brand_number="0 986 494 614",
                name_zh="博世前刹车片 陶瓷",
                name_en="Front brake pads ceramic",
                category="BRAKE.PAD",
                quality_grade="oem",
                position="front",
                material="ceramic",
                oe_numbers=toyota_oe,
            ),
            "trw_pad": PartIn(
                brand="TRW",
                brand_number="GDB3426",
                name_zh="前刹车片",
                name_en="Front brake pads",
                category="BRAKE.PAD",
                quality_grade="aftermarket",
                position="front",
                oe_numbers=toyota_oe,
            ),
            "brembo_disc": PartIn(
                brand="BREMBO",
                brand_number="09.A913.11",
                name_zh="前刹车盘",
                name_en="Front brake disc",
                category="BRAKE.DISC",
                quality_grade="aftermarket",
                position="front",
                attributes={"diameter_mm": 296, "thickness_mm": 28},
            ),
            "vw_filter": PartIn(
                brand="VOLKSWAGEN",
                brand_number="04E 115 561 H",
                name_zh="机油滤清器",
                name_en="Oil filter",
                category="FILTER.OIL",
                quality_grade="oe",
            ),
            "mann_filter": PartIn(
                brand="MANNFILTER",
                brand_number="HU 6020 z",
                name_zh="机油滤芯",
                name_en="Oil filter element",
                category="FILTER.OIL",
                quality_grade="aftermarket",
                oe_numbers=[NumberRef(brand="VOLKSWAGEN", number="04E115561H")],
            ),
            "old_toyota_pad": PartIn(
                brand="TOYOTA",
                brand_number="04465-33450",
                name_zh="前刹车片(旧号)",
                name_en="Front brake pad set (superseded)",
                category="BRAKE.PAD",
                quality_grade="oe",
                position="front",
            ),
        }
        for key, spec in specs.items():
            cat.parts[key] = service.create_part(s, spec).id
        service.add_number(
            s,
            cat.parts["old_toyota_pad"],
            NumberIn(kind="replacement", number="04465-33450", brand="TOYOTA", successor="04465-33471"),
        )
        cat.variants["camry"] = _variant(
            s, "Toyota", "丰田", "Camry", "凯美瑞", "XV70", "TOYOTA-CAMRY-XV70-25", "2.5L 自动 豪华版"
        )
        cat.variants["sagitar"] = _variant(
            s, "Volkswagen", "大众", "Sagitar", "速腾", "A7", "VW-SAGITAR-A7-14T", "1.4T DSG 舒适型"
        )
        # GAC Toyota (LVG) Camrys of model year 2021 (position 10 = M) map to the Camry variant.
        s.add(VinPattern(pattern="LVGB*****M", wmi="LVG", variant_id=cat.variants["camry"]))
        for key in ("toyota_pad", "bosch_pad", "trw_pad", "brembo_disc"):
            service.add_fitment(
                s, cat.parts[key], FitmentIn(variant_id=cat.variants["camry"], position="front")
            )
        for key in ("vw_filter", "mann_filter"):
            service.add_fitment(
                s, cat.parts[key], FitmentIn(variant_id=cat.variants["sagitar"], note="EA211 发动机")
            )
    return cat
