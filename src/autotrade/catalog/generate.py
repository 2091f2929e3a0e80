"""`autotrade catalog generate`: a large synthetic catalogue with realistic shapes, for benchmarks.

Deterministic for a seed (the same rows, numbers and links; only ids and timestamps differ):

* ``skus // 50`` vehicle variants (at least 10) in a make → model → generation → variant tree of real
  makes and models sold in China, each with a VIN pattern under the maker's real WMI;
* interchange groups: an OE part with the maker's number format plus 1–5 parts of supplier brands
  that list the OE number (written in varied formatting); some OE numbers superseded by a successor;
* 3–10 fitments per part (mean ≈ 5), to variants of one model (or its maker when the model is small);
* Chinese and English names, positions, materials and dimensions from per-category vocabularies.

Rows are written set-wise (executemany on SQLite, COPY on PostgreSQL) and marked with the
``import_run_id`` of one :class:`JobRun`, whose ``catalog.import`` audit entry stands for them. Group
ids are known up front; search documents are built here by :class:`autotrade.catalog.documents.DocBuilder`
(the same documents ``indexing.index_parts`` builds; a test holds them equal) and the vocabulary is
rebuilt once at the end. Vehicles, categories and brands that already exist (e.g. from ``autotrade
demo``) are reused.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from autotrade.audit.service import record_event
from autotrade.catalog import indexing
from autotrade.catalog.documents import Doc, DocBuilder, jsonb_key_order
from autotrade.catalog.generate_numbers import brand_number, dirty, ean13, oe_number, varied
from autotrade.catalog.generate_vocab import (
    ATTRIBUTES,
    BODIES,
    FITMENT_NOTES,
    LEAVES,
    MAKES,
    MATERIAL_ZH,
    MODEL_SUFFIXES,
    NAME_SUFFIX_EN,
    NAME_SUFFIX_ZH,
    POSITION_EN,
    POSITION_ZH,
    ROOTS,
    SUPPLIERS,
    TRIMS,
    VIN_CHARS,
    MakeSpec,
    year_code,
)
from autotrade.catalog.generate_writer import RowWriter
from autotrade.catalog.models import Brand, Category
from autotrade.catalog.numbers import normalise_brand, normalise_number, sku_code
from autotrade.catalog.repository import SearchIndex
from autotrade.core.db import utcnow
from autotrade.jobs.models import JobRun
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant
from autotrade.vehicles.vin import with_check_digit

__all__ = ["GenerateResult", "dirty", "generate", "vin_for"]

Progress = Callable[[str, int, float], None]  # (stage, rows written so far, seconds since start)

FITMENT_COUNTS = (3, 4, 5, 6, 7, 8, 9, 10)
FITMENT_WEIGHTS = (26, 22, 17, 12, 9, 6, 5, 3)  # mean 5.09 fitments per part
AFTERMARKET_COUNTS = (1, 2, 3, 4, 5)
AFTERMARKET_WEIGHTS = (30, 30, 20, 12, 8)
CHUNK_PARTS = 20_000
VARIANTS_PER_MODEL = 18
GENERATIONS_PER_MODEL = 3


@dataclass
class GenerateResult:
    run_id: Any
    seed: int
    variants: int = 0
    vin_patterns: int = 0
    parts: int = 0
    numbers: int = 0
    fitments: int = 0
    groups: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.parts + self.numbers + self.fitments + self.variants + self.vin_patterns

    def as_dict(self) -> dict[str, Any]:
        keys = ("seed", "variants", "vin_patterns", "parts", "numbers", "fitments", "groups", "rows")
        return {k: getattr(self, k) for k in keys} | {"seconds": round(self.seconds, 2)}


def vin_for(pattern: str, year: int, serial: int) -> str:
    """A valid VIN matching an 8-character pattern: check digit, model-year code, plant, serial."""
    return with_check_digit(f"{pattern}0{year_code(year)}A{serial % 1_000_000:06d}")


@dataclass
class _Variant:
    id: str
    make: int
    model: int
    year_from: int
    year_to: int | None


class _Tree:
    """The vehicle tree, planned in memory and written once; reuses rows that already exist."""

    def __init__(self, session: Session, w: RowWriter, rng: random.Random, seed: int, count: int) -> None:
        self.variants: list[_Variant] = []
        self.by_model: list[list[int]] = []
        self.by_make: list[list[int]] = [[] for _ in MAKES]
        self.patterns: list[tuple[str, str, int]] = []  # (pattern, variant id, a year it was built)
        self.model_names: list[tuple[str, str]] = []
        makes = {m.name: m.id.hex for m in session.scalars(select(VehicleMake))}
        models = {(m.make_id.hex, m.name): m.id.hex for m in session.scalars(select(VehicleModel))}
        gens = {(g.model_id.hex, g.name): g.id.hex for g in session.scalars(select(VehicleGeneration))}
        names = {(v.generation_id.hex, v.name) for v in session.scalars(select(VehicleVariant))}
        n_models = max(min(count, len(MAKES)), -(-count // VARIANTS_PER_MODEL))
        vds_used: dict[str, int] = {}
        rows: dict[str, list[tuple[Any, ...]]] = {"makes": [], "models": [], "gens": [], "variants": []}
        vins: list[tuple[Any, ...]] = []
        for mi, make in enumerate(MAKES):
            if make.name not in makes and mi < n_models:
                makes[make.name] = w.new_id()
                rows["makes"].append((makes[make.name], make.name, make.name_zh, make.country))
        for j in range(n_models):
            mi = j % len(MAKES)
            make = MAKES[mi]
            n = j // len(MAKES)
            base, zh = make.models[n % len(make.models)]
            r = n // len(make.models)
            suffix = MODEL_SUFFIXES[r % len(MODEL_SUFFIXES)] + (
                f" {r // len(MODEL_SUFFIXES) + 1}" if r >= 10 else ""
            )
            name, name_zh = base + suffix, zh + suffix
            make_id = makes[make.name]
            model_id = models.get((make_id, name))
            if model_id is None:
                model_id = models[(make_id, name)] = w.new_id()
                rows["models"].append((model_id, make_id, name, name_zh))
            in_model = count // n_models + (1 if j < count % n_models else 0)
            per_gen = [
                in_model // GENERATIONS_PER_MODEL + (1 if g < in_model % GENERATIONS_PER_MODEL else 0)
                for g in range(GENERATIONS_PER_MODEL)
            ]
            first_year = 2008 + (j * 7) % 6
            model_variants: list[int] = []
            for g, k_count in enumerate(per_gen):
                if not k_count:
                    continue
                yf = first_year + 5 * g
                yt: int | None = yf + 5 if yf + 5 <= 2024 else None
                gname = f"第{g + 1}代 ({yf}–{yt or ''})"
                gen_id = gens.get((model_id, gname))
                if gen_id is None:
                    gen_id = gens[(model_id, gname)] = w.new_id()
                    rows["gens"].append((gen_id, model_id, gname, yf, yt))
                for k in range(k_count):
                    code, cc, fuel, kw = make.engines[(k + g) % len(make.engines)]
                    trans = make.transmissions[(k // len(make.engines)) % len(make.transmissions)]
                    size = f"{cc / 1000:.1f}{'T' if kw > cc / 13 else 'L'}" if cc else f"{kw}kW"
                    vname = f"{size} {trans} {TRIMS[k % len(TRIMS)]}"
                    vcode = f"G{seed}-{normalise_brand(make.name)[:6]}-{j:05d}-{g}-{k}"
                    if (gen_id, vname) in names:
                        vname = f"{vname} ({vcode})"
                    vid = w.new_id()
                    vfrom = yf + (1 if k % 4 == 3 else 0)
                    rows["variants"].append(
                        (
                            vid,
                            vcode,
                            gen_id,
                            vname,
                            code,
                            cc or None,
                            fuel,
                            trans,
                            BODIES[(j + k) % len(BODIES)],
                            kw,
                            vfrom,
                            yt,
                        )
                    )
                    model_variants.append(len(self.variants))
                    self.by_make[mi].append(len(self.variants))
                    self.variants.append(_Variant(vid, mi, j, vfrom, yt))
                    wmi = make.wmis[(j + g) % len(make.wmis)]
                    i = vds_used.get(wmi, 0)
                    vds_used[wmi] = i + 1
                    n5 = (i * 7919 + seed * 104_729) % (len(VIN_CHARS) ** 5)
                    vds = ""
                    for _ in range(5):
                        n5, rem = divmod(n5, len(VIN_CHARS))
                        vds += VIN_CHARS[rem]
                    pattern = wmi + vds
                    vins.append((w.new_id(), pattern, wmi, vid, f"generated {make.name} {name} {gname}"))
                    self.patterns.append((pattern, vid, vfrom))
            self.by_model.append(model_variants)
            self.model_names.append((name, name_zh))
        w.insert("vehicle_makes", ("id", "name", "name_zh", "country"), rows["makes"])
        w.insert("vehicle_models", ("id", "make_id", "name", "name_zh"), rows["models"])
        w.insert("vehicle_generations", ("id", "model_id", "name", "year_from", "year_to"), rows["gens"])
        w.insert(
            "vehicle_variants",
            (
                "id",
                "code",
                "generation_id",
                "name",
                "engine_code",
                "displacement_cc",
                "fuel_type",
                "transmission",
                "body",
                "power_kw",
                "year_from",
                "year_to",
            ),
            rows["variants"],
        )
        w.insert("vin_patterns", ("id", "pattern", "wmi", "variant_id", "note"), vins)
        self.model_count = n_models

    def pick(self, rng: random.Random, k: int) -> list[_Variant]:
        """``k`` distinct variants of one model (topped up from its maker, then from any maker)."""
        model = rng.randrange(self.model_count)
        pool = self.by_model[model]
        if len(pool) < k:
            make = self.variants[pool[0]].make if pool else 0
            pool = self.by_make[make] if len(self.by_make[make]) >= k else list(range(len(self.variants)))
        return [self.variants[i] for i in rng.sample(pool, k)]


def _ensure_master(
    session: Session, w: RowWriter
) -> tuple[dict[str, tuple[str, str, str, str]], dict[str, Any]]:
    """Categories and brands by code, created when missing: code → (id hex, path, name_zh, name_en),
    code → (id hex, name, name_zh, code)."""
    cats = {c.code: (c.id.hex, c.path, c.name_zh, c.name_en) for c in session.scalars(select(Category))}
    rows: list[tuple[Any, ...]] = []
    for spec in ROOTS + LEAVES:
        if spec.code not in cats:
            parent = cats[spec.parent] if spec.parent else None
            path = f"{parent[1]}/{spec.code}" if parent else spec.code
            cats[spec.code] = (w.new_id(), path, spec.name_zh, spec.name_en)
            rows.append(
                (
                    cats[spec.code][0],
                    spec.code,
                    parent[0] if parent else None,
                    path,
                    spec.name_zh,
                    spec.name_en,
                )
            )
    w.insert("part_categories", ("id", "code", "parent_id", "path", "name_zh", "name_en"), rows)
    brands: dict[str, Any] = {
        b.code: (b.id.hex, b.name, b.name_zh, b.code) for b in session.scalars(select(Brand))
    }
    rows = []
    specs: list[tuple[str, str | None, str, str]] = [
        (m.name, m.name_zh, "vehicle_maker", m.country) for m in MAKES
    ]
    specs += [(s.name, s.name_zh, s.kind, s.country) for s in SUPPLIERS]
    for name, name_zh, kind, country in specs:
        code = normalise_brand(name)
        if code not in brands:
            brands[code] = (w.new_id(), name, name_zh, code)
            rows.append((brands[code][0], code, name, name_zh, kind, country))
    w.insert("brands", ("id", "code", "name", "name_zh", "kind", "country"), rows)
    return cats, brands


PART_COLS = (
    "id",
    "sku",
    "brand_id",
    "brand_number",
    "brand_number_norm",
    "name_zh",
    "name_en",
    "category_id",
    "quality_grade",
    "position",
    "material",
    "attributes",
    "images",
    "status",
    "group_id",
)
NUMBER_COLS = (
    "id",
    "part_id",
    "kind",
    "number",
    "number_norm",
    "brand_code",
    "source",
    "confidence",
    "successor_norm",
)
FITMENT_COLS = ("id", "part_id", "variant_id", "position", "year_from", "year_to", "note")


def _attributes(rng: random.Random, code: str) -> dict[str, int]:
    shape = ATTRIBUTES.get(code, ())
    values = {key: rng.randint(lo, hi) for key, lo, hi in shape}
    return {k: values[k] for k in jsonb_key_order(list(values))}


def generate(
    session: Session,
    *,
    skus: int,
    seed: int = 1,
    variants: int | None = None,
    progress: Progress | None = None,
) -> GenerateResult:
    """Write a synthetic catalogue of exactly ``skus`` parts. The caller's boundary commits."""
    if skus < 1:
        raise ValueError("skus must be at least 1")
    started = time.perf_counter()
    n_variants = max(10, variants if variants is not None else skus // 50)
    run = JobRun(
        name="catalog.generate",
        payload={"skus": skus, "seed": seed, "variants": n_variants},
        status="running",
        started_at=utcnow(),
        total=skus,
    )
    session.add(run)
    session.flush()
    res = GenerateResult(run_id=run.id, seed=seed)
    w = RowWriter(session, run.id)
    rng = random.Random(seed)
    cats, brands = _ensure_master(session, w)
    tree = _Tree(session, w, rng, seed, n_variants)
    res.variants, res.vin_patterns = len(tree.variants), len(tree.patterns)
    taken = w.existing_part_keys()
    docs = SearchIndex(session)
    builder = DocBuilder(cats)
    eligible = {
        c.code: [s for s in SUPPLIERS if any(c.code.startswith(p) for p in s.categories)] for c in LEAVES
    }
    cum = []
    total = 0
    for c in LEAVES:
        total += c.weight
        cum.append(total)
    oe_counter: dict[str, int] = {}
    brand_counter: dict[tuple[str, int], int] = {}
    offset = (seed * 7_654_321) % 100_000
    ean_k = 0
    parts: list[tuple[Any, ...]] = []
    numbers: list[tuple[Any, ...]] = []
    fits: list[tuple[Any, ...]] = []
    doc_rows: list[tuple[str, Doc]] = []

    def flush() -> None:
        w.insert("parts", PART_COLS, parts)
        w.insert("part_numbers", NUMBER_COLS, numbers)
        w.insert("fitments", FITMENT_COLS, fits)
        docs.add(doc_rows)
        res.parts += len(parts)
        res.numbers += len(numbers)
        res.fitments += len(fits)
        for rows in (parts, numbers, fits, doc_rows):
            rows.clear()
        if progress:
            progress("parts", res.rows, time.perf_counter() - started)

    def next_k(counter: dict[Any, int], key: Any) -> int:
        k = counter.get(key, 0)
        counter[key] = k + 1
        return k

    while res.parts + len(parts) < skus:
        ci = rng.choices(range(len(LEAVES)), cum_weights=cum)[0]
        cat = LEAVES[ci]
        pi = rng.randrange(len(cat.positions)) if cat.positions else 0
        position = cat.positions[pi] if cat.positions else None
        fit = tree.pick(rng, min(rng.choices(FITMENT_COUNTS, FITMENT_WEIGHTS)[0], len(tree.variants)))
        make: MakeSpec = MAKES[fit[0].make]
        attrs = _attributes(rng, cat.code)
        material = rng.choice(cat.materials) if cat.materials else None
        make_brand = brands[normalise_brand(make.name)]
        while True:
            oe = oe_number(make.fmt, cat, ci, pi, next_k(oe_counter, make.name), offset)
            oe_norm = normalise_number(oe)
            if (make_brand[3], oe_norm) not in taken:
                break
        n_after = rng.choices(AFTERMARKET_COUNTS, AFTERMARKET_WEIGHTS)[0]
        suppliers = rng.sample(eligible[cat.code], min(n_after, len(eligible[cat.code])))
        group_id = w.new_id()
        members: list[tuple[Any, str, str, str]] = [(make_brand, oe, "oe", "")]
        for s in suppliers:
            b = brands[normalise_brand(s.name)]
            while True:
                num = brand_number(s.fmt, cat, ci, next_k(brand_counter, (b[3], ci)), offset)
                if (b[3], normalise_number(num)) not in taken:
                    break
            r = rng.random()
            grade = (
                "dismantled"
                if r < 0.01
                else "remanufactured"
                if r < 0.03
                else "oem"
                if s.kind == "oe_supplier" and r < 0.5
                else "aftermarket"
            )
            members.append((b, num, grade, s.name_zh or s.name))
        room = skus - res.parts - len(parts)
        model_name, model_zh = tree.model_names[fit[0].model]
        for mi, (b, num, grade, label) in enumerate(members[:room]):
            pid = group_id if mi == 0 else w.new_id()
            norm = normalise_number(num)
            pos_zh, pos_en = POSITION_ZH.get(position or "", ""), POSITION_EN.get(position or "", "")
            sfx = rng.randrange(len(NAME_SUFFIX_ZH))
            mat_zh = MATERIAL_ZH.get(material or "", "") if mi and material else ""
            name_zh = f"{pos_zh}{cat.name_zh}{mat_zh}{NAME_SUFFIX_ZH[sfx]} 适用{model_zh}"
            noun = cat.name_en.lower()
            name_en = (
                f"{pos_en} {noun}".strip().capitalize()
                + NAME_SUFFIX_EN[sfx]
                + f" for {make.name} {model_name}"
            )
            if mi:
                name_zh = f"{label} {name_zh}"
            status = "discontinued" if rng.random() < 0.02 else "active"
            parts.append(
                (
                    pid,
                    sku_code(b[3], norm),
                    b[0],
                    num,
                    norm,
                    name_zh,
                    name_en,
                    cats[cat.code][0],
                    grade,
                    position,
                    material,
                    json.dumps(attrs),
                    "[]",
                    status,
                    group_id,
                )
            )
            doc_rows.append(
                (pid, builder.doc(name_zh, name_en, b, cat.code, position, material, attrs, grade, status))
            )
            numbers.append((w.new_id(), pid, "brand", num, norm, b[3], "generator", 100, None))
            if mi == 0:
                if rng.random() < 0.05:  # the maker superseded an older number by this one
                    old = oe_number(make.fmt, cat, ci, pi, next_k(oe_counter, make.name), offset)
                    numbers.append(
                        (
                            w.new_id(),
                            pid,
                            "replacement",
                            old,
                            normalise_number(old),
                            b[3],
                            "maker catalogue",
                            100,
                            oe_norm,
                        )
                    )
            else:
                numbers.append(
                    (
                        w.new_id(),
                        pid,
                        "oe",
                        varied(oe, rng),
                        oe_norm,
                        make_brand[3],
                        "generator",
                        rng.choice((100, 90, 80)),
                        None,
                    )
                )
                if rng.random() < 0.3:
                    ean_k += 1
                    ean = ean13(ean_k + seed * 10_000_000)
                    numbers.append((w.new_id(), pid, "ean", ean, ean, "", "generator", 100, None))
            for v in fit:
                note = rng.choice(FITMENT_NOTES) if rng.random() < 0.05 else None
                yf = v.year_from + 1 if rng.random() < 0.1 else None
                fits.append((w.new_id(), pid, v.id, position, yf, None, note))
        res.groups += 1
        if len(parts) >= CHUNK_PARTS:
            flush()
    flush()
    if progress:
        progress("vocabulary", res.rows, time.perf_counter() - started)
    indexing.rebuild_vocabulary(session)
    res.seconds = time.perf_counter() - started
    run.status, run.progress, run.finished_at = "succeeded", res.parts, utcnow()
    run.result = res.as_dict()
    record_event(
        session,
        "catalog.import",
        entity_type="job_runs",
        entity_id=run.id,
        after={"source": "generator", **res.as_dict()},
    )
    session.flush()
    return res
