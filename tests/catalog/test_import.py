"""Bulk import: exact error reports, idempotency, updates, CSV = XLSX, interchange groups, streaming."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from autotrade.audit.models import AuditLog
from autotrade.catalog import indexing
from autotrade.catalog.import_batch import uuid7s
from autotrade.catalog.import_repository import ImportRepository
from autotrade.catalog.importer import ImportReport, import_file
from autotrade.catalog.models import Brand, Category, Fitment, Part, PartNumber, SearchTerm
from autotrade.core.db import Database, uuid7
from autotrade.core.tenancy import bind_system
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern
from tests.helpers import count, search_documents

DATA = Path(__file__).parent / "data"


def run(db: Database, path: Path, tmp_path: Path, **kw: Any) -> ImportReport:
    return import_file(db, path, run_id=uuid7(), errors_dir=tmp_path / "errors", **kw)


def errors(report: ImportReport) -> list[tuple[int, str, str, str]]:
    assert report.errors_path
    with open(report.errors_path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["line", "column", "value", "reason"]
    return [(int(a), b, c, d) for a, b, c, d in rows[1:]]


def counts(report: ImportReport) -> tuple[int, int, int, int, int]:
    return report.read, report.created, report.updated, report.unchanged, report.failed


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def csv_to_xlsx(src: Path, dst: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    with src.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            ws.append(row)
    wb.save(dst)
    return dst


def load_masters(db: Database, tmp_path: Path) -> None:
    for kind in ("categories", "brands", "vehicles"):
        report = run(db, DATA / f"{kind}.csv", tmp_path)
        assert report.failed == 0 and report.errors_path is None, kind


def parts_by_sku(db: Database) -> dict[str, Part]:
    with db.transaction() as s:
        bind_system(s, "test")
        return {p.sku: p for p in s.scalars(select(Part))}


def numbers(db: Database) -> set[tuple[str, str, str, str, str, str | None, int, str | None]]:
    with db.transaction() as s:
        bind_system(s, "test")
        rows = s.execute(
            select(
                Part.sku,
                PartNumber.kind,
                PartNumber.number,
                PartNumber.number_norm,
                PartNumber.brand_code,
                PartNumber.source,
                PartNumber.confidence,
                PartNumber.successor_norm,
            ).join(Part, Part.id == PartNumber.part_id)
        ).all()
    return {
        (a, str(b.value if hasattr(b, "value") else b), c, d, e, f, g, h) for a, b, c, d, e, f, g, h in rows
    }


def test_masters_import_with_exact_values(db: Database, tmp_path: Path) -> None:
    load_masters(db, tmp_path)
    with db.transaction() as s:
        bind_system(s, "test")
        cats = {c.code: (c.path, c.name_zh, c.name_en) for c in s.scalars(select(Category))}
        brands = {b.code: (b.name, b.name_zh, b.kind, b.country) for b in s.scalars(select(Brand))}
        variants = {
            v.code: (v.name, v.fuel_type, v.displacement_cc, v.year_from, v.year_to)
            for v in s.scalars(select(VehicleVariant))
        }
        patterns = sorted(p.pattern + ":" + p.wmi for p in s.scalars(select(VinPattern)))
    assert cats == {
        "BRAKE": ("BRAKE", "制动系统", "Brakes"),
        "BRAKE.PAD": ("BRAKE/BRAKE.PAD", "刹车片", "Brake pads"),
        "BRAKE.DISC": ("BRAKE/BRAKE.DISC", "刹车盘", "Brake discs"),
        "FILTER": ("FILTER", "滤清器", "Filters"),
        "FILTER.OIL": ("FILTER/FILTER.OIL", "机油滤清器", "Oil filters"),
    }
    assert brands["MANNFILTER"] == ("Mann Filter", "曼牌", "aftermarket", "DE")  # code normalised
    assert len(brands) == 4
    assert variants == {
        "TOYOTA-COROLLA-E210-12T-CVT": ("1.2T CVT 先锋版", "petrol", 1197, 2019, None),
        "TOYOTA-COROLLA-E210-18HEV": ("1.8L 双擎 E-CVT", "hev", 1798, 2019, 2023),
    }
    assert patterns == ["LFMAP22C*:LFM", "LVGB:LVG"]
    assert count(db, VehicleMake) == 1 and count(db, VehicleModel) == 1 and count(db, VehicleGeneration) == 1


def test_mixed_file_reports_every_bad_row_and_lands_the_good_ones(db: Database, tmp_path: Path) -> None:
    load_masters(db, tmp_path)
    report = run(db, DATA / "parts.csv", tmp_path)
    assert report.kind == "parts"
    assert counts(report) == (7, 4, 0, 0, 3)
    assert errors(report) == [
        (5, "brand", "NOBRAND", "unknown brand (import brands first)"),
        (6, "brand_number", "", "required"),
        (7, "quality_grade", "best", "must be one of oe, oem, aftermarket, remanufactured, dismantled"),
        (7, "attributes", "[1,2]", "must be a JSON object ({...})"),
        (7, "category", "FILTER.NOPE", "unknown category (import categories first)"),
    ]
    parts = parts_by_sku(db)
    assert sorted(parts) == ["BOSCH-0986494553", "BREMBO-P83160", "MANNFILTER-W71295", "TOYOTA-0446533471"]
    toyota = parts["TOYOTA-0446533471"]
    assert (toyota.brand_number, toyota.brand_number_norm, toyota.name_zh, toyota.name_en) == (
        "04465-33471",
        "0446533471",
        "前刹车片",
        "Front brake pad set",
    )
    assert (toyota.quality_grade.value, toyota.position, toyota.material, toyota.status.value) == (
        "oe",
        "front",
        "ceramic",
        "active",
    )
    assert toyota.attributes == {"thickness_mm": 17.5}
    assert toyota.images == ["https://img.example.com/04465-33471.jpg"]
    assert parts["BOSCH-0986494553"].status.value == "active"  # default
    # Every part has its own brand number; OE numbers are normalised (04465-33471 = 04465 33471).
    assert numbers(db) == {
        ("TOYOTA-0446533471", "brand", "04465-33471", "0446533471", "TOYOTA", None, 100, None),
        ("BOSCH-0986494553", "brand", "0 986 494 553", "0986494553", "BOSCH", None, 100, None),
        ("BOSCH-0986494553", "oe", "04465-33471", "0446533471", "TOYOTA", None, 100, None),
        ("BREMBO-P83160", "brand", "P 83 160", "P83160", "BREMBO", None, 100, None),
        ("BREMBO-P83160", "oe", "04465 33471", "0446533471", "TOYOTA", None, 100, None),
        ("BREMBO-P83160", "oe", "04465-02220", "0446502220", "TOYOTA", None, 100, None),
        ("MANNFILTER-W71295", "brand", "W 712/95", "W71295", "MANNFILTER", None, 100, None),
    }
    # One interchange group: the Toyota part, and the two parts that list its OE number.
    groups = {sku: p.group_id for sku, p in parts.items()}
    assert groups["BOSCH-0986494553"] == groups["BREMBO-P83160"] == groups["TOYOTA-0446533471"]
    assert groups["MANNFILTER-W71295"] == parts["MANNFILTER-W71295"].id
    # One audit event for the run, with file, hash and counts.
    with db.transaction() as s:
        bind_system(s, "test")
        events = s.scalars(
            select(AuditLog).where(AuditLog.action == "catalog.import", AuditLog.entity_id == report.run_id)
        ).all()
    assert len(events) == 1
    after = events[0].after or {}
    assert events[0].entity_type == "job_runs"
    assert (after["filename"], after["kind"], after["read"], after["created"], after["failed"]) == (
        "parts.csv",
        "parts",
        7,
        4,
        3,
    )
    assert after["sha256"] == report.sha256 and len(report.sha256) == 64


def test_reimport_is_idempotent_and_a_changed_file_updates(db: Database, tmp_path: Path) -> None:
    load_masters(db, tmp_path)
    first = run(db, DATA / "parts.csv", tmp_path)
    before = parts_by_sku(db)
    again = run(db, DATA / "parts.csv", tmp_path)
    assert counts(again) == (7, 0, 0, 4, 3)
    assert count(db, Part) == 4 and count(db, PartNumber) == 7
    after = parts_by_sku(db)
    assert {k: (p.id, p.updated_at, p.import_run_id) for k, p in after.items()} == {
        k: (p.id, p.updated_at, p.import_run_id) for k, p in before.items()
    }
    assert all(p.import_run_id == uuid.UUID(first.run_id) for p in after.values())

    changed = write_csv(
        tmp_path / "changed.csv",
        ["brand", "brand_number", "name_zh", "category", "quality_grade", "status", "oe_numbers"],
        [
            ["toyota", "0446533471", "前刹车片(新)", "BRAKE.PAD", "oe", "discontinued", ""],
            ["BOSCH", "0 986 494 553", "前刹车片", "BRAKE.PAD", "oem", "active", "TOYOTA:04465-33471"],
        ],
    )
    third = run(db, changed, tmp_path)
    assert counts(third) == (2, 0, 1, 1, 0) and third.errors_path is None
    parts = parts_by_sku(db)
    toyota = parts["TOYOTA-0446533471"]
    assert (toyota.name_zh, toyota.status.value, toyota.import_run_id) == (
        "前刹车片(新)",
        "discontinued",
        uuid.UUID(third.run_id),
    )
    assert toyota.brand_number == "0446533471"  # as written in the new file
    # Columns the file does not have are left as they were.
    assert (toyota.name_en, toyota.material, toyota.attributes) == (
        "Front brake pad set",
        "ceramic",
        {"thickness_mm": 17.5},
    )
    assert parts["BOSCH-0986494553"].import_run_id == uuid.UUID(first.run_id)  # unchanged: not rewritten
    assert count(db, Part) == 4


def test_xlsx_and_csv_give_the_same_result(db: Database, tmp_path: Path) -> None:
    load_masters(db, tmp_path)
    xlsx = csv_to_xlsx(DATA / "parts.csv", tmp_path / "parts.xlsx")
    report = run(db, xlsx, tmp_path)
    assert counts(report) == (7, 4, 0, 0, 3)
    assert [e[:2] for e in errors(report)] == [
        (5, "brand"),
        (6, "brand_number"),
        (7, "quality_grade"),
        (7, "attributes"),
        (7, "category"),
    ]
    from_xlsx = {k: (p.name_zh, p.attributes, p.images, p.quality_grade) for k, p in parts_by_sku(db).items()}
    nums = numbers(db)
    again = run(db, DATA / "parts.csv", tmp_path)
    assert counts(again) == (7, 0, 0, 4, 3)  # the CSV finds exactly what the XLSX wrote
    assert {
        k: (p.name_zh, p.attributes, p.images, p.quality_grade) for k, p in parts_by_sku(db).items()
    } == from_xlsx
    assert numbers(db) == nums


def test_numbers_and_fitment_with_exact_errors(db: Database, tmp_path: Path) -> None:
    load_masters(db, tmp_path)
    run(db, DATA / "parts.csv", tmp_path)
    report = run(db, DATA / "numbers.csv", tmp_path)
    assert counts(report) == (6, 3, 0, 0, 3)
    assert errors(report) == [
        (5, "number_brand", "", "required for oe numbers (the brand that issued the number)"),
        (6, "brand_number", "9999", "no part BOSCH 9999 (import parts first)"),
        (7, "confidence", "150", "must be between 0 and 100"),
    ]
    nums = numbers(db)
    assert ("BOSCH-0986494553", "trade", "BP1234", "BP1234", "BOSCH", "TecDoc", 90, None) in nums
    assert ("BOSCH-0986494553", "ean", "4047024123456", "4047024123456", "", None, 100, None) in nums
    assert (
        "TOYOTA-0446533471",
        "replacement",
        "04465-33450",
        "0446533450",
        "TOYOTA",
        "maker catalogue",
        100,
        "0446533471",
    ) in nums
    fit = run(db, DATA / "fitment.csv", tmp_path)
    assert counts(fit) == (4, 2, 0, 0, 2)
    assert errors(fit) == [
        (4, "variant_code", "NO-SUCH-VARIANT", "unknown vehicle variant (import vehicles first)"),
        (5, "year_to", "2020", "before year_from 2021"),
    ]
    with db.transaction() as s:
        bind_system(s, "test")
        rows = s.execute(
            select(
                Part.sku,
                VehicleVariant.code,
                Fitment.position,
                Fitment.year_from,
                Fitment.year_to,
                Fitment.note,
            )
            .join(Part, Part.id == Fitment.part_id)
            .join(VehicleVariant, VehicleVariant.id == Fitment.variant_id)
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        ("BOSCH-0986494553", "TOYOTA-COROLLA-E210-12T-CVT", "front", 2019, 2022, "带ABS"),
        ("TOYOTA-0446533471", "TOYOTA-COROLLA-E210-12T-CVT", "front", 2019, None, None),
    ]
    assert counts(run(db, DATA / "fitment.csv", tmp_path)) == (4, 0, 0, 2, 2)
    assert count(db, Fitment) == 2


GROUP_HEADER = ["brand", "brand_number", "name_zh", "category", "quality_grade", "oe_numbers"]


def two_groups(db: Database, tmp_path: Path) -> dict[str, uuid.UUID]:
    """Masters, then two interchange groups of two parts each (sharing one Toyota number per group);
    returns each part's group by SKU."""
    load_masters(db, tmp_path)
    first = write_csv(
        tmp_path / "a.csv",
        GROUP_HEADER,
        [
            ["BOSCH", "BP-1", "刹车片", "BRAKE.PAD", "oem", "TOYOTA:04465-11111"],
            ["BREMBO", "P-1", "刹车片", "BRAKE.PAD", "aftermarket", "TOYOTA:0446511111"],
            ["BOSCH", "BP-2", "刹车片", "BRAKE.PAD", "oem", "TOYOTA:04465-22222"],
            ["BREMBO", "P-2", "刹车片", "BRAKE.PAD", "aftermarket", "toyota:04465 22222"],
        ],
    )
    run(db, first, tmp_path)
    g = {k: p.group_id for k, p in parts_by_sku(db).items()}
    assert g["BOSCH-BP1"] == g["BREMBO-P1"] != g["BOSCH-BP2"] == g["BREMBO-P2"]
    return g


def test_a_later_import_joining_two_groups_merges_them(db: Database, tmp_path: Path) -> None:
    two_groups(db, tmp_path)
    # A number file links a part of the first group to the second group's OE number.
    link = write_csv(
        tmp_path / "link.csv",
        ["brand", "brand_number", "kind", "number", "number_brand"],
        [["BREMBO", "P-1", "oe", "04465.22222", "TOYOTA"]],
    )
    assert counts(run(db, link, tmp_path)) == (1, 1, 0, 0, 0)
    groups = {p.group_id for p in parts_by_sku(db).values()}
    assert len(groups) == 1


def test_new_parts_join_and_merge_stored_groups_as_merging_afterwards_would(
    db: Database, tmp_path: Path
) -> None:
    """The parts loader decides groups before it writes (indexing.plan_groups); the result is the one
    merging afterwards gives: every group sharing a number is one, the smallest group id survives."""
    before = two_groups(db, tmp_path)
    second = write_csv(
        tmp_path / "b.csv",
        GROUP_HEADER,
        [
            # one new part holding both groups' numbers: the two stored groups become one
            ["BOSCH", "BP-3", "刹车片", "BRAKE.PAD", "oem", "TOYOTA:04465-11111;TOYOTA:04465-22222"],
            # two new parts sharing a number nobody held: one new group
            ["BOSCH", "BP-4", "刹车片", "BRAKE.PAD", "oem", "HONDA:45022-XYZ"],
            ["BREMBO", "P-4", "刹车片", "BRAKE.PAD", "aftermarket", "HONDA:45022 xyz"],
            # alone
            ["BREMBO", "P-5", "刹车片", "BRAKE.PAD", "aftermarket", ""],
        ],
    )
    assert counts(run(db, second, tmp_path)) == (4, 4, 0, 0, 0)
    parts = parts_by_sku(db)
    g = {k: p.group_id for k, p in parts.items()}
    survivor = min(before["BOSCH-BP1"], before["BOSCH-BP2"])
    assert {g[k] for k in ("BOSCH-BP1", "BREMBO-P1", "BOSCH-BP2", "BREMBO-P2", "BOSCH-BP3")} == {survivor}
    assert g["BOSCH-BP4"] == g["BREMBO-P4"] == min(parts["BOSCH-BP4"].id, parts["BREMBO-P4"].id)
    assert g["BREMBO-P5"] == parts["BREMBO-P5"].id
    # An existing part re-imported with a number of another group joins it (and its whole group).
    third = write_csv(
        tmp_path / "c.csv",
        GROUP_HEADER,
        [["BREMBO", "P-4", "刹车片", "BRAKE.PAD", "aftermarket", "HONDA:45022-XYZ;TOYOTA:04465-11111"]],
    )
    assert counts(run(db, third, tmp_path)) == (1, 0, 0, 1, 0)  # the part row itself did not change
    g = {k: p.group_id for k, p in parts_by_sku(db).items()}
    assert len({g[k] for k in g if k != "BREMBO-P5"}) == 1
    with db.transaction() as s:
        bind_system(s, "test")
        assert indexing.merge_groups(s, list(s.scalars(select(Part.id)))) == 0  # nothing left to merge


def test_parts_created_by_another_writer_after_the_look_up_are_taken_as_existing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another import may create a part between the batch's look-up and its write. The upsert then meets
    the stored row; the loader reads its id back, hangs the numbers on it, regroups and re-indexes it.
    Simulated on a real database: the first look-up answers as if the parts were not there yet."""
    load_masters(db, tmp_path)
    run(db, DATA / "parts.csv", tmp_path)
    before = parts_by_sku(db)
    with db.transaction() as s:
        bind_system(s, "test")
        documents = search_documents(s)
    real = ImportRepository.existing_parts
    calls = []

    def not_yet(self: ImportRepository, keys: Any) -> Any:
        calls.append(len(keys))
        return {} if len(calls) == 1 else real(self, keys)

    monkeypatch.setattr(ImportRepository, "existing_parts", not_yet)
    changed = write_csv(
        tmp_path / "late.csv",
        GROUP_HEADER,
        [
            ["TOYOTA", "04465-33471", "前刹车片", "BRAKE.PAD", "oe", ""],
            ["BOSCH", "0 986 494 553", "前刹车片", "BRAKE.PAD", "oem", "TOYOTA:04465-33471;HONDA:45022-S9A"],
        ],
    )
    report = run(db, changed, tmp_path)
    assert calls == [2, 2]  # the batch's look-up, then the read-back of the two "lost" parts
    assert report.failed == 0 and report.created == 0
    after = parts_by_sku(db)
    assert {k: p.id for k, p in after.items()} == {k: p.id for k, p in before.items()}
    bosch = after["BOSCH-0986494553"]
    assert ("oe", "45022S9A") in {(kind, norm) for sku, kind, _, norm, *_ in numbers(db) if sku == bosch.sku}
    assert bosch.group_id == after["TOYOTA-0446533471"].group_id == after["BREMBO-P83160"].group_id
    with db.transaction() as s:
        bind_system(s, "test")
        assert search_documents(s) == documents  # re-indexed from the stored rows: the same documents
        assert indexing.merge_groups(s, list(s.scalars(select(Part.id)))) == 0


def test_documents_of_imported_parts_equal_index_parts(db: Database, tmp_path: Path) -> None:
    """New parts' search documents are built from the file's values; they equal what index_parts
    builds from the stored rows (PostgreSQL's jsonb reorders attribute keys; values only the stored
    JSON can tell — floats, nested objects — are indexed from the stored row)."""
    load_masters(db, tmp_path)
    path = write_csv(
        tmp_path / "p.csv",
        [
            "brand",
            "brand_number",
            "name_zh",
            "name_en",
            "category",
            "quality_grade",
            "position",
            "material",
            "attributes",
            "status",
        ],
        [
            [
                "BOSCH",
                "D-1",
                "前刹车片 陶瓷",
                "Front brake pads",
                "BRAKE.PAD",
                "oem",
                "front",
                "ceramic",
                '{"width_mm": 155, "a": "x", "thickness_mm": 17}',
                "",
            ],
            ["BREMBO", "D-2", "刹车盘", "", "BRAKE.DISC", "aftermarket", "", "", "", "discontinued"],
            [
                "TOYOTA",
                "D-3",
                "机油滤清器 Oil",
                "Oil filter",
                "FILTER.OIL",
                "oe",
                "",
                "paper",
                '{"height_mm": 1e2, "nested": {"z": 1, "b": 2}}',
                "active",
            ],
            [
                "MANN-FILTER",
                "D-4",
                "机油滤清器",
                "Oil filter",
                "FILTER.OIL",
                "aftermarket",
                "",
                "",
                '{"thickness_mm": 17.50}',
                "",
            ],
        ],
    )
    report = run(db, path, tmp_path)
    assert report.failed == 0, report.first_errors
    with db.transaction() as s:
        bind_system(s, "test")
        written = search_documents(s)
        assert len(written) == 4
        indexing.index_parts(s, list(s.scalars(select(Part.id))))
        assert search_documents(s) == written


def test_kind_is_inferred_or_the_file_is_refused_with_a_report(db: Database, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", ["foo", "bar"], [["1", "2"]])
    report = run(db, bad, tmp_path)
    assert report.kind is None and report.read == 0
    assert errors(report)[0][0] == 1 and "cannot tell the kind" in errors(report)[0][3]
    missing = write_csv(tmp_path / "m.csv", ["code", "name"], [["X", "Y"]])
    report = run(db, missing, tmp_path, kind="brands")
    assert errors(report) == [(1, "", "", "brands: required column(s) missing from the header: kind")]
    assert count(db, Brand) == 0


def test_batches_stream_a_large_file(db: Database, tmp_path: Path) -> None:
    load_masters(db, tmp_path)
    n = 10_000
    rows = [
        ["BOSCH", f"F 026 {i:06d}", "机油滤清器", "FILTER.OIL", "aftermarket", f"TOYOTA:90915-{i // 2:05d}"]
        for i in range(n)
    ]
    rows[4321][4] = "used"  # one bad row, line 4323
    big = write_csv(
        tmp_path / "big.csv",
        ["brand", "brand_number", "name_zh", "category", "quality_grade", "oe_numbers"],
        rows,
    )
    seen: list[tuple[int, int | None]] = []
    report = run(db, big, tmp_path, batch_size=500, progress=lambda done, total: seen.append((done, total)))
    assert counts(report) == (n, n - 1, 0, 0, 1)
    assert errors(report) == [
        (4323, "quality_grade", "used", "must be one of oe, oem, aftermarket, remanufactured, dismantled")
    ]
    assert [d for d, _ in seen] == list(range(500, n + 1, 500))  # committed and reported batch by batch
    assert {t for _, t in seen} == {n}
    assert count(db, Part) == n - 1 and count(db, PartNumber) == 2 * (n - 1)
    groups = {p.group_id for p in parts_by_sku(db).values()}
    assert len(groups) == n // 2  # pairs sharing an OE number, across batch boundaries too


@pytest.mark.parametrize(
    "value", ["04465-33471", "0446533471", "04465 33471", "04465.33471", "０４４６５－３３４７１"]
)
def test_numbers_are_normalised(db: Database, tmp_path: Path, value: str) -> None:
    load_masters(db, tmp_path)
    f = write_csv(
        tmp_path / "p.csv",
        ["brand", "brand_number", "name_zh", "category", "quality_grade"],
        [["TOYOTA", value, "刹车片", "BRAKE.PAD", "oe"]],
    )
    run(db, f, tmp_path)
    assert list(parts_by_sku(db)) == ["TOYOTA-0446533471"]


def vocabulary(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        bind_system(s, "test")
        return {t: f for t, f in s.execute(select(SearchTerm.term, SearchTerm.freq))}


def test_parts_count_the_words_of_the_names_they_write_into_the_vocabulary(
    db: Database, tmp_path: Path
) -> None:
    load_masters(db, tmp_path)
    before = vocabulary(db)
    run(db, DATA / "parts.csv", tmp_path)  # 4 good rows; the 3 bad ones write nothing
    after = vocabulary(db)
    added = {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}
    assert added == {
        "front": 3,
        "brake": 3,
        "pad": 1,
        "set": 1,
        "pads": 2,
        "ceramic": 1,
        "oil": 1,
        "filter": 1,
    }
    # The same as a full rebuild over the catalogue.
    with db.transaction() as s:
        bind_system(s, "test")
        indexing.rebuild_vocabulary(s)
    assert vocabulary(db) == after
    # An unchanged re-import counts nothing; a renamed part counts the words of its new name.
    run(db, DATA / "parts.csv", tmp_path)
    assert vocabulary(db) == after
    renamed = write_csv(
        tmp_path / "renamed.csv",
        ["brand", "brand_number", "name_zh", "name_en", "category", "quality_grade"],
        [["TOYOTA", "04465-33471", "前刹车片", "Front brake pad kit", "BRAKE.PAD", "oe"]],
    )
    assert counts(run(db, renamed, tmp_path)) == (1, 0, 1, 0, 0)
    again = vocabulary(db)
    assert {t: again[t] - after.get(t, 0) for t in again if again[t] != after.get(t, 0)} == {
        "front": 1,
        "brake": 1,
        "pad": 1,
        "kit": 1,
    }


def test_fitment_across_batches_and_repeated_keys(db: Database, tmp_path: Path) -> None:
    load_masters(db, tmp_path)
    run(db, DATA / "parts.csv", tmp_path)
    header = ["brand", "brand_number", "variant_code", "position", "year_from"]
    variants = ["TOYOTA-COROLLA-E210-12T-CVT", "TOYOTA-COROLLA-E210-18HEV"]
    parts = [("TOYOTA", "04465-33471"), ("BOSCH", "0986494553"), ("BREMBO", "P83160")]
    rows = [[b, n, v, "front", 2019] for b, n in parts for v in variants]
    rows.append(["TOYOTA", "0446533471", variants[0], "rear", 2020])  # the same key again: the later row wins
    f = write_csv(tmp_path / "fit.csv", header, rows)
    assert counts(run(db, f, tmp_path, batch_size=4)) == (7, 6, 1, 0, 0)  # the repeat, in another batch
    assert counts(run(db, f, tmp_path, batch_size=100)) == (7, 0, 0, 6, 0)
    with db.transaction() as s:
        bind_system(s, "test")
        got = sorted((p, y) for p, y in s.execute(select(Fitment.position, Fitment.year_from)))
    assert got == [("front", 2019)] * 5 + [("rear", 2020)]


def test_batch_ids_are_uuid7() -> None:
    ids = uuid7s(1000)
    assert len(set(ids)) == 1000
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert abs((ids[0].int >> 80) - (uuid7().int >> 80)) < 10_000  # the same millisecond clock (ms)


def test_batches_run_with_the_collector_paused_and_leave_it_on(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from autotrade.catalog import importer

    load_masters(db, tmp_path)
    seen: list[bool] = []
    real = importer.LOADERS["parts"]

    def spy(ctx: Any, rows: Any) -> Any:
        seen.append(gc.isenabled())
        return real(ctx, rows)

    monkeypatch.setitem(importer.LOADERS, "parts", spy)
    big = write_csv(
        tmp_path / "parts.csv",
        ["brand", "brand_number", "name_zh", "category", "quality_grade"],
        [["BOSCH", f"F 026 {i:06d}", "机油滤清器", "FILTER.OIL", "aftermarket"] for i in range(30)],
    )
    assert gc.isenabled()
    report = run(db, big, tmp_path, batch_size=10)
    assert counts(report) == (30, 30, 0, 0, 0)
    assert seen == [False, False, False]
    assert gc.isenabled()


def test_numbers_join_groups_in_one_batch_as_merging_afterwards_would(db: Database, tmp_path: Path) -> None:
    """The numbers loader plans groups before writing (indexing.plan_groups): a chain of links within one
    batch joins every group it touches, the smallest id surviving; non-grouping numbers join nothing."""
    before = two_groups(db, tmp_path)
    third = write_csv(
        tmp_path / "third.csv",
        GROUP_HEADER,
        [["BOSCH", "BP-9", "刹车片", "BRAKE.PAD", "oem", "HONDA:45022-XYZ"]],
    )
    run(db, third, tmp_path)
    g9 = parts_by_sku(db)["BOSCH-BP9"].group_id
    link = write_csv(
        tmp_path / "chain.csv",
        ["brand", "brand_number", "kind", "number", "number_brand"],
        [
            ["BOSCH", "BP-9", "trade", "TR-77", "ATE"],  # a number nobody else holds: no merge by itself
            ["BREMBO", "P-2", "trade", "tr 77", "ate"],  # … now held by group 2 too: groups 2 and 9 join
            ["BREMBO", "P-1", "ean", "4047024123456", ""],  # an EAN joins nothing
            ["BOSCH", "BP-1", "ean", "4047024123456", ""],
        ],
    )
    assert counts(run(db, link, tmp_path)) == (4, 4, 0, 0, 0)
    g = {k: p.group_id for k, p in parts_by_sku(db).items()}
    assert g["BOSCH-BP1"] == g["BREMBO-P1"] == before["BOSCH-BP1"]
    assert g["BOSCH-BP2"] == g["BREMBO-P2"] == g["BOSCH-BP9"] == min(before["BOSCH-BP2"], g9)
    assert g["BOSCH-BP1"] != g["BOSCH-BP2"]
    with db.transaction() as s:
        bind_system(s, "test")
        assert indexing.merge_groups(s, list(s.scalars(select(Part.id)))) == 0  # nothing left to merge
