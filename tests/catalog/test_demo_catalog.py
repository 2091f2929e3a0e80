"""The demo catalogue loads through the importer, idempotently, with the facts the demo relies on."""

from __future__ import annotations

from sqlalchemy import func, select

from autotrade.catalog.demo import load_demo_catalog
from autotrade.catalog.models import Brand, Category, Fitment, Part, PartNumber
from autotrade.catalog.search import search_number, search_text
from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.vehicles.models import VehicleVariant, VinPattern

TABLES = (Category, Brand, VehicleVariant, VinPattern, Part, PartNumber, Fitment)


def _counts(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        bind_system(s, "test")
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


def test_demo_catalogue_loads_idempotently(db: Database) -> None:
    first = load_demo_catalog(db)
    counts = _counts(db)
    assert first["parts"] == {"read": 129, "created": 129, "updated": 0, "unchanged": 0, "failed": 0}
    assert counts["parts"] == 129 and counts["fitments"] == 433 and counts["vehicle_variants"] == 31
    assert counts["part_categories"] == 24 and counts["brands"] == 24
    second = load_demo_catalog(db)
    assert _counts(db) == counts
    assert all(v["created"] == 0 and v["updated"] == 0 for v in second.values()), second


def test_demo_catalogue_facts(db: Database) -> None:
    load_demo_catalog(db)
    with db.transaction() as s:
        bind_system(s, "test")
        # Toyota 04465-33471 with its interchange group (Bosch, TRW, Brembo, and the superseded old number)
        hits = search_number(s, "04465 33471").items
        skus = {h.part.sku for h in hits}
        assert {"TOYOTA-0446533471", "BOSCH-0986494614", "TRW-GDB3426", "BREMBO-P83117"} <= skus
        old = s.scalar(select(PartNumber).where(PartNumber.kind == "replacement"))
        assert old is not None and (old.number_norm, old.successor_norm) == ("0446533450", "0446533471")
        # a Chinese-named category tree: 制动系统 → 刹车片
        pad = s.scalar(select(Category).where(Category.code == "BRAKE.PAD"))
        brakes = s.scalar(select(Category).where(Category.code == "BRAKE"))
        assert pad is not None and brakes is not None
        assert (pad.name_zh, pad.parent_id, brakes.name_zh) == ("刹车片", brakes.id, "制动系统")
        # grades beyond OE and aftermarket, and Chinese/English full text
        grades = set(s.scalars(select(Part.quality_grade).distinct()))
        assert {"oe", "oem", "aftermarket", "remanufactured", "dismantled"} <= grades
        assert search_text(s, "刹车片").items and search_text(s, "brake pad").items
        vw = s.scalar(select(VinPattern.wmi).where(VinPattern.pattern.startswith("LFV")))
        assert vw == "LFV"
