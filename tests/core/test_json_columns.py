"""JSON columns are read with orjson (core.db.json_loads) and fall back to the standard decoder for
what orjson refuses, so no stored document becomes unreadable."""

from __future__ import annotations

import json

from sqlalchemy import select

from autotrade.catalog.models import Brand, Category, Part
from autotrade.core.db import Database, json_loads, uuid7
from autotrade.core.tenancy import bind_system


def test_json_loads_reads_what_the_standard_decoder_reads() -> None:
    doc = {"width_mm": 100, "材料": "陶瓷", "ratio": 0.5, "ok": True, "none": None, "list": [1, "a"]}
    text = json.dumps(doc, ensure_ascii=False)
    assert json_loads(text) == json_loads(text.encode()) == doc
    huge = '{"serial": 123456789012345678901234567890}'  # beyond 64 bits: orjson refuses it
    assert json_loads(huge) == {"serial": 123456789012345678901234567890}


def test_json_columns_round_trip_on_both_databases(db: Database) -> None:
    attrs = {"width_mm": 100, "材料": "陶瓷", "serial": 123456789012345678901234567890}
    with db.transaction() as s:
        bind_system(s, "test")
        brand = Brand(code="JSONT", name="Json Test", kind="aftermarket")
        cat = Category(code="JSONT", name_zh="测试", name_en="Test", path="JSONT")
        s.add_all([brand, cat])
        s.flush()
        pid = uuid7()
        part = Part(
            id=pid,
            group_id=pid,
            sku="JSONT-1",
            brand_id=brand.id,
            brand_number="1",
            brand_number_norm="1",
            name_zh="测试件",
            category_id=cat.id,
            quality_grade="aftermarket",
            attributes=attrs,
            images=["/img/1.png"],
        )
        s.add(part)
    with db.session() as s:
        bind_system(s, "test")
        row = s.execute(select(Part.attributes, Part.images).where(Part.sku == "JSONT-1")).one()
    assert row.attributes == attrs and row.images == ["/img/1.png"]
