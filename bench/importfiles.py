"""The importer benchmark's input: ``n`` new parts (each with one OE number already in the catalogue),
one aftermarket cross-reference per part (three consecutive parts share one: their groups join) and two
fitment rows per part, as CSV files, seeded. Shared by ``catalog.py`` and ``import_profile.py``;
``autotrade`` is imported when called, so a script can point it at another checkout first."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

PARTS_HEADER = [
    "brand",
    "brand_number",
    "name_zh",
    "name_en",
    "category",
    "quality_grade",
    "position",
    "material",
    "attributes",
    "oe_numbers",
]
FITMENT_HEADER = ["brand", "brand_number", "variant_code", "position", "note"]
NUMBERS_HEADER = ["brand", "brand_number", "kind", "number", "number_brand", "source", "confidence"]


def write_import_files(db: Any, tmp: Path, n: int, seed: int) -> tuple[Path, Path, Path]:
    """(parts file, fitment file, numbers file) in ``tmp``, drawing variants and OE numbers from the
    catalogue."""
    from sqlalchemy import select

    from autotrade.catalog.generate_vocab import LEAVES, MATERIAL_ZH, SUPPLIERS
    from autotrade.catalog.models import PartNumber
    from autotrade.core.tenancy import bind_system
    from autotrade.vehicles.models import VehicleVariant

    rng = random.Random(seed)
    with db.transaction() as s:
        bind_system(s, "bench")
        codes = list(s.scalars(select(VehicleVariant.code).limit(5000)))
        oes = s.execute(
            select(PartNumber.number, PartNumber.brand_code).where(PartNumber.kind == "oe").limit(5000)
        ).all()
    parts_csv, fit_csv, num_csv = (
        tmp / "bench-parts.csv",
        tmp / "bench-fitment.csv",
        tmp / "bench-numbers.csv",
    )
    with (
        parts_csv.open("w", newline="", encoding="utf-8") as pf,
        fit_csv.open("w", newline="", encoding="utf-8") as ff,
        num_csv.open("w", newline="", encoding="utf-8") as nf,
    ):
        pw, fw, nw = csv.writer(pf), csv.writer(ff), csv.writer(nf)
        pw.writerow(PARTS_HEADER)
        fw.writerow(FITMENT_HEADER)
        nw.writerow(NUMBERS_HEADER)
        for i in range(n):
            sup = SUPPLIERS[i % len(SUPPLIERS)]
            cat = LEAVES[i % len(LEAVES)]
            num = f"BX-{seed}-{i:07d}"
            material = cat.materials[0] if cat.materials else ""
            oe_num, oe_brand = rng.choice(oes)
            pw.writerow(
                [
                    sup.name,
                    num,
                    f"{sup.name_zh} {cat.name_zh}{MATERIAL_ZH.get(material, '')}",
                    f"{sup.name} {cat.name_en.lower()}",
                    cat.code,
                    "aftermarket",
                    "",
                    material,
                    json.dumps({"width_mm": 100 + i % 50}),
                    f"{oe_brand}:{oe_num}",
                ]
            )
            for code in rng.sample(codes, 2):
                fw.writerow([sup.name, num, code, "", ""])
            issuer = SUPPLIERS[(i // 3) % len(SUPPLIERS)].name
            nw.writerow([sup.name, num, "aftermarket", f"AM {seed}-{i // 3:07d}", issuer, "bench", 90])
    return parts_csv, fit_csv, num_csv


def run_import(db: Any, path: Path, kind: str, tmp: Path) -> Any:
    """The real importer on ``path``, as a job run of its own; returns the report."""
    from autotrade.catalog.importer import import_file
    from autotrade.core.tenancy import bind_system
    from autotrade.jobs.models import JobRun

    with db.transaction() as s:
        bind_system(s, "bench")
        run = JobRun(name="catalog.import", payload={"path": str(path), "kind": kind}, status="running")
        s.add(run)
        s.flush()
        run_id = run.id
    return import_file(db, path, kind=kind, run_id=run_id, errors_dir=tmp)
