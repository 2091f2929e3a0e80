"""The synthetic catalogue generator: exact shape for a seed, determinism, formats, documents, audit."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from autotrade.catalog import indexing
from autotrade.catalog.generate import generate
from autotrade.catalog.generate_numbers import dirty
from autotrade.catalog.models import Brand, Fitment, Part, PartNumber
from autotrade.catalog.search import search_number
from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.jobs.models import JobRun
from autotrade.vehicles.models import VehicleVariant, VinPattern
from tests.helpers import search_documents

SKUS = 500

OE_FORMATS = {
    "TOYOTA": r"\d{5}-\d{5}",
    "VOLKSWAGEN": r"[0-9A-Z]{3} \d{3} \d{3}( [A-J])?",
    "AUDI": r"[0-9A-Z]{3} \d{3} \d{3}( [A-J])?",
    "HONDA": r"\d{5}-T[A-Z]{2}-[A-Z]\d{2}",
    "NISSAN": r"[0-9A-Z]\d{4}-\d[A-Z]{2}\dA",
    "HYUNDAI": r"\d{5}-\d[A-Z]{2}\d{2}",
    "KIA": r"\d{5}-\d[A-Z]{2}\d{2}",
    "BMW": r"\d{2} \d{2} \d \d{3} \d{3}",
    "MERCEDESBENZ": r"A \d{3} \d{3} \d{2} \d{2}",
    "BUICK": r"\d{8}",
    "TESLA": r"\d{7}-00-[A-D]",
    "BYD": r"[A-Z0-9]{2,4}-\d{7}(-[A-H])?",
    "CHANGAN": r"[A-Z0-9]{2,4}-\d{7}(-[A-H])?",
    "GEELY": r"10\d{8}",
    "HAVAL": r"\d{7}X[A-Z]{2}\d{2}A",
    "MAZDA": r"[A-Z0-9]{4}-\d{2}-\d{3}[A-G]?",
}


def _generate(db: Database, seed: int = 7, skus: int = SKUS) -> Any:
    with db.transaction() as s:
        bind_system(s, "test")
        return generate(s, skus=skus, seed=seed)


def _fingerprint(db: Database) -> tuple[Any, ...]:
    """The catalogue's content without ids or timestamps."""
    with db.transaction() as s:
        bind_system(s, "test")
        parts = sorted(
            s.execute(select(Part.sku, Part.name_zh, Part.name_en, Part.quality_grade, Part.position)).all()
        )
        numbers = sorted(
            s.execute(
                select(Part.sku, PartNumber.kind, PartNumber.number, PartNumber.brand_code).join(
                    Part, Part.id == PartNumber.part_id
                )
            ).all()
        )
        fits = sorted(
            s.execute(
                select(Part.sku, VehicleVariant.code)
                .join(Fitment, Fitment.part_id == Part.id)
                .join(VehicleVariant, VehicleVariant.id == Fitment.variant_id)
            ).all()
        )
        return tuple(parts), tuple(numbers), tuple(fits)


def test_exact_shape_for_a_seed(db: Database) -> None:
    res = _generate(db)
    assert (res.parts, res.variants, res.vin_patterns) == (SKUS, 10, 10)
    assert (res.numbers, res.fitments, res.groups) == (EXPECTED_NUMBERS, EXPECTED_FITMENTS, EXPECTED_GROUPS)
    with db.transaction() as s:
        bind_system(s, "test")
        assert s.scalar(select(func.count()).select_from(Part)) == SKUS
        assert s.scalar(select(func.count()).select_from(PartNumber)) == res.numbers
        assert s.scalar(select(func.count()).select_from(Fitment)) == res.fitments
        assert s.scalar(select(func.count()).select_from(VehicleVariant)) == 10
        assert s.scalar(select(func.count()).select_from(VinPattern)) == 10
        run = s.get(JobRun, res.run_id)
        assert run is not None and run.status == "succeeded" and run.result["parts"] == SKUS
        # every row names the run (its catalog.import audit entry covers them: checked after the test)
        assert s.scalar(select(func.count()).where(Part.import_run_id != res.run_id)) == 0


def test_same_seed_same_catalogue_on_any_database(
    db: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    _generate(db)
    other_path = tmp_path / "other.db"
    shutil.copyfile(sqlite_template, other_path)
    other = Database(f"sqlite:///{other_path}")
    try:
        _generate(other)
        assert _fingerprint(other) == _fingerprint(db)
    finally:
        other.dispose()
    third_path = tmp_path / "third.db"
    shutil.copyfile(sqlite_template, third_path)
    third = Database(f"sqlite:///{third_path}")
    try:
        _generate(third, seed=8)
        assert _fingerprint(third) != _fingerprint(db)
    finally:
        third.dispose()


def test_groups_formats_and_fitments(db: Database) -> None:
    _generate(db)
    with db.transaction() as s:
        bind_system(s, "test")
        rows = s.execute(
            select(Part.id, Part.group_id, Part.quality_grade, Part.brand_number, Brand.code).join(Brand)
        ).all()
        by_group: dict[Any, list[Any]] = {}
        for r in rows:
            by_group.setdefault(r.group_id, []).append(r)
        makers = set(OE_FORMATS)
        for members in by_group.values():
            oe = [m for m in members if m.quality_grade == "oe"]
            assert len(oe) == 1, members  # every group has its OE part …
            assert oe[0].id == oe[0].group_id  # … whose id names the group
            assert oe[0].code in makers
            assert re.fullmatch(OE_FORMATS[oe[0].code], oe[0].brand_number), oe[0]
        assert max(len(m) for m in by_group.values()) > 2  # OE plus suppliers
        # every supplier part lists its group's OE number (any formatting, same normalised number)
        oe_of_group = {r.group_id: r for r in rows if r.quality_grade == "oe"}
        listed = {
            (pid, norm, brand)
            for pid, norm, brand in s.execute(
                select(PartNumber.part_id, PartNumber.number_norm, PartNumber.brand_code).where(
                    PartNumber.kind == "oe"
                )
            )
        }
        for r in rows:
            if r.quality_grade != "oe":
                oe = oe_of_group[r.group_id]
                norm = re.sub(r"[\s\-.]", "", oe.brand_number).upper()
                assert (r.id, norm, oe.code) in listed
        per_part = Counter(s.scalars(select(Fitment.part_id)))
        assert len(per_part) == SKUS
        assert min(per_part.values()) >= 3 and max(per_part.values()) <= 10
        # merging groups from the numbers finds nothing to merge: the groups written are already closed
        assert indexing.merge_groups(s, [r.id for r in rows]) == 0


def test_search_documents_equal_index_parts(db: Database) -> None:
    _generate(db)
    with db.transaction() as s:
        bind_system(s, "test")
        ids = list(s.scalars(select(Part.id)))
        written = search_documents(s)
        assert len(written) == SKUS
        indexing.index_parts(s, ids)
        assert search_documents(s) == written
        # the vocabulary was rebuilt: brand names are there for typo correction
        assert s.execute(text("SELECT freq FROM search_terms WHERE term = 'bosch'")).scalar()


def test_dirty_oe_numbers_find_the_part(db: Database) -> None:
    import random

    _generate(db)
    rng = random.Random(3)
    with db.transaction() as s:
        bind_system(s, "test")
        oe_parts = s.execute(select(Part.id, Part.brand_number).where(Part.quality_grade == "oe")).all()
        for pid, number in rng.sample(oe_parts, 20):
            q = dirty(number, rng)
            hits = search_number(s, q).items
            assert pid in [h.part.id for h in hits[:10]], (number, q)


def test_number_search_carries_each_parts_stored_numbers_and_fitment(db: Database) -> None:
    """The number search reads every part's numbers with its matches (as JSON) and the fitment sample in
    a statement of its own: what it returns is what is stored — all numbers, the fitment count, the first
    variants by id."""
    import random

    from autotrade.catalog.repository import PartRepository
    from autotrade.catalog.search import FITMENT_SAMPLE, hits_for

    _generate(db)
    rng = random.Random(5)
    with db.transaction() as s:
        bind_system(s, "test")
        fits: dict[Any, list[Any]] = {}
        for pid, vid in s.execute(select(Fitment.part_id, Fitment.variant_id)):
            fits.setdefault(pid, []).append(vid)
        numbers = s.execute(select(PartNumber.number).where(PartNumber.kind == "oe")).scalars().all()
        repo = PartRepository(s)
        seen = 0
        for q in rng.sample(numbers, 15):
            hits = search_number(s, q).items
            assert hits
            stored = repo.number_views([h.part.id for h in hits])
            for h in [*hits, *hits_for(s, [hits[0].part.id], {hits[0].part.id: "match"}, {})]:
                variants = sorted(fits.get(h.part.id, []))
                assert h.fitment_total == len(variants)
                assert [f["variant_id"] for f in h.fitment] == variants[:FITMENT_SAMPLE]
                assert all(f["make"] and f["variant_code"] for f in h.fitment)
                assert h.numbers == stored[h.part.id]
                seen += 1
        # the sample stops at the asked number of variants
        some = [pid for pid, v in fits.items() if len(v) >= 3][:5]
        sample = Counter(row[0] for row in repo.fitment_sample(some, per_part=2))
        assert sample == dict.fromkeys(some, 2)
        assert seen >= 30


@pytest.mark.parametrize("skus", [1, 37])
def test_small_counts(db: Database, skus: int) -> None:
    res = _generate(db, skus=skus)
    assert res.parts == skus and res.variants == 10


# Fixed by the generator and its vocabularies: change them deliberately.
EXPECTED_NUMBERS = 959
EXPECTED_FITMENTS = 2549
EXPECTED_GROUPS = 153


def test_rank_classes_match_the_migration() -> None:
    """Migration 0003 creates one partial index per rank class on PostgreSQL; a class without one would
    never be searched."""
    import importlib

    from autotrade.catalog.documents import RANK_CLASSES

    m = importlib.import_module("autotrade.migrations.versions.0003_search_index_order")
    assert m.RANK_CLASSES == RANK_CLASSES


def test_migration_0003_rebuilds_the_documents_of_stored_parts(db: Database) -> None:
    """Upgrading a database that already holds parts re-indexes them (downgrade to 0002, whose search
    structures come back empty, then upgrade again)."""
    from alembic import command

    from autotrade.core.migrate import alembic_config, upgrade

    _generate(db, skus=200)
    with db.transaction() as s:
        bind_system(s, "test")
        before = search_documents(s)
    assert len(before) == 200
    command.downgrade(alembic_config(db.url), "0002")
    with db.engine.connect() as c:
        table = "part_search" if db.engine.dialect.name == "postgresql" else "part_search_docs"
        assert c.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one() == 0
    upgrade(db)
    with db.transaction() as s:
        bind_system(s, "test")
        assert search_documents(s) == before
