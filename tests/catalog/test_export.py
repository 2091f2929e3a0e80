"""Export writes the import format: export → import finds every row unchanged, in CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotrade.catalog.exporter import export_file
from autotrade.catalog.formats import KINDS
from autotrade.catalog.importer import import_file
from autotrade.core.db import Database, uuid7
from autotrade.core.tenancy import bind_system

DATA = Path(__file__).parent / "data"


def export(db: Database, kind: str, out: Path) -> int:
    with db.transaction() as s:
        bind_system(s, "test")
        return export_file(s, kind, out)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_then_import_round_trips_unchanged(db: Database, tmp_path: Path, suffix: str) -> None:
    for kind in KINDS:
        import_file(db, DATA / f"{kind}.csv", run_id=uuid7(), errors_dir=tmp_path)
    expected = {"categories": 5, "brands": 4, "vehicles": 2, "parts": 4, "numbers": 6, "fitment": 2}
    first: dict[str, str] = {}
    for kind in KINDS:
        out = tmp_path / f"{kind}.{suffix}"
        assert export(db, kind, out) == expected[kind]
        report = import_file(db, out, run_id=uuid7(), errors_dir=tmp_path)
        assert (
            report.kind,
            report.read,
            report.created,
            report.updated,
            report.unchanged,
            report.failed,
        ) == (kind, expected[kind], 0, 0, expected[kind], 0)
        assert report.errors_path is None
        again = tmp_path / f"{kind}-again.csv"
        export(db, kind, again)
        first[kind] = again.read_text(encoding="utf-8")
    assert first["parts"].splitlines()[1:] == [
        "BOSCH,0 986 494 553,前刹车片,Front brake pads,BRAKE.PAD,oem,front,,,,active,TOYOTA:04465-33471",
        "BREMBO,P 83 160,前刹车片 陶瓷,Front brake pads ceramic,BRAKE.PAD,aftermarket,front,ceramic,,,active,"
        "TOYOTA:04465-02220;TOYOTA:04465 33471",
        "MANNFILTER,W 712/95,机油滤清器,Oil filter,FILTER.OIL,aftermarket,,,,,active,",
        "TOYOTA,04465-33471,前刹车片,Front brake pad set,BRAKE.PAD,oe,front,ceramic,"
        '"{""thickness_mm"": 17.5}",'
        "https://img.example.com/04465-33471.jpg,active,",
    ]
    assert first["vehicles"].splitlines()[1].endswith(",LFMAP22C*;LVGB")
    assert first["numbers"].splitlines()[1:] == [
        "BOSCH,0 986 494 553,ean,4047024123456,,,100,",
        "BOSCH,0 986 494 553,oe,04465-33471,TOYOTA,,100,",
        "BOSCH,0 986 494 553,trade,BP1234,BOSCH,TecDoc,90,",
        "BREMBO,P 83 160,oe,04465-02220,TOYOTA,,100,",
        "BREMBO,P 83 160,oe,04465 33471,TOYOTA,,100,",
        "TOYOTA,04465-33471,replacement,04465-33450,TOYOTA,maker catalogue,100,0446533471",
    ]
