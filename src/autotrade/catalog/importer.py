"""Bulk import of catalogue master data from CSV or XLSX (see docs/import.md).

The file is read as a stream and handled in batches (:data:`BATCH_SIZE` rows). Per batch:

1. every row is checked and its references (brand, category, vehicle variant, part by brand + number)
   are resolved with one query per batch; a row with any problem is reported (line, column, value,
   reason) and writes nothing;
2. the good rows are written set-wise with ``INSERT … ON CONFLICT (natural key) DO UPDATE … WHERE
   changed RETURNING id``, so a re-import updates and never duplicates; every written row carries
   ``import_run_id`` (the job run), whose single ``catalog.import`` audit entry stands for the rows;
3. interchange groups and full-text documents of the touched parts are brought up to date;
4. the batch is **committed**: an import is a boundary, like a job — good rows land even when later
   rows are bad. This is the only place in the catalogue where code below a route or command commits.

At the end the search vocabulary is rebuilt once, the error report is written to
``<import_dir>/<run_id>-errors.csv`` and one audit event ``catalog.import`` records the file name,
SHA-256, kind and counts.
"""

from __future__ import annotations

import contextvars
import csv
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from autotrade.audit.service import record_event
from autotrade.catalog import indexing
from autotrade.catalog.formats import (
    BRAND_KINDS,
    FORMATS,
    FUEL_TYPES,
    LIST_SEP,
    NUMBER_KINDS_NEEDING_BRAND,
    FileFormatError,
    check_header,
    file_type,
    fingerprint,
    infer_kind,
    open_source,
)
from autotrade.catalog.import_repository import ImportRepository
from autotrade.catalog.models import (
    Brand,
    Category,
    Fitment,
    NumberKind,
    Part,
    PartNumber,
    PartStatus,
    QualityGrade,
)
from autotrade.catalog.numbers import normalise_brand, normalise_number, sku_code
from autotrade.core.db import Database, utcnow, uuid7
from autotrade.core.settings import get_settings
from autotrade.core.tenancy import bind_system
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern

BATCH_SIZE = 2000
ERROR_COLUMNS = ("line", "column", "value", "reason")
Progress = Callable[[int, int | None], None]  # (rows read so far, estimated total)

# The CLI listens to a job's progress (for its progress bar) while the job runs in the same thread.
progress_listener: contextvars.ContextVar[Progress | None] = contextvars.ContextVar(
    "catalog_import_progress", default=None
)


@dataclass
class RowError:
    line: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    run_id: str
    kind: str | None
    filename: str
    sha256: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors_path: str | None = None
    seconds: float = 0.0
    rows_per_second: float = 0.0
    first_errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_dir() -> Path:
    return Path(get_settings().import_dir)


def errors_path_for(run_id: uuid.UUID | str, directory: Path | None = None) -> Path:
    return (directory or import_dir()) / f"{run_id}-errors.csv"


# ---- row checks ---------------------------------------------------------------------------------------


class _Row:
    """One file row being checked: typed getters that record a problem instead of raising."""

    __slots__ = ("data", "errors", "line")

    def __init__(self, line: int, data: dict[str, str]) -> None:
        self.line = line
        self.data = data
        self.errors: list[RowError] = []
        extra = data.get("\x00extra")
        if extra:
            self.fail("", extra, "more values than header columns")

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, column: str, value: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, value, reason))

    def text(self, col: str, *, required: bool = False, max_len: int | None = None) -> str | None:
        value = self.data.get(col, "")
        if not value:
            if required:
                self.fail(col, "", "required")
            return None
        if max_len is not None and len(value) > max_len:
            self.fail(col, value, f"longer than {max_len} characters")
            return None
        return value

    def integer(
        self, col: str, *, required: bool = False, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        value = self.data.get(col, "")
        if not value:
            if required:
                self.fail(col, "", "required")
            return None
        try:
            n = int(value)
        except ValueError:
            self.fail(col, value, "not a whole number")
            return None
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            self.fail(col, value, f"must be between {lo} and {hi}")
            return None
        return n

    def choice(self, col: str, choices: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.data.get(col, "")
        if not value:
            if required:
                self.fail(col, "", "required")
            return None
        low = value.lower()
        if low not in choices:
            self.fail(col, value, f"must be one of {', '.join(choices)}")
            return None
        return low

    def number(self, col: str, *, required: bool = False) -> tuple[str, str] | None:
        """A part number: (as written, normalised)."""
        raw = self.text(col, required=required, max_len=60)
        if raw is None:
            return None
        norm = normalise_number(raw)
        if not norm:
            self.fail(col, raw, "has no letters or digits")
            return None
        return raw, norm

    def brand(self, col: str, *, required: bool = False) -> str | None:
        raw = self.text(col, required=required, max_len=40)
        if raw is None:
            return None
        code = normalise_brand(raw)
        if not code:
            self.fail(col, raw, "has no letters or digits")
            return None
        return code

    def years(
        self, col_from: str, col_to: str, *, required_from: bool = False
    ) -> tuple[int | None, int | None]:
        y_from = self.integer(col_from, required=required_from, lo=1900, hi=2100)
        y_to = self.integer(col_to, lo=1900, hi=2100)
        if y_from is not None and y_to is not None and y_to < y_from:
            self.fail(col_to, str(y_to), f"before {col_from} {y_from}")
            return y_from, None
        return y_from, y_to


# ---- per-kind loaders -----------------------------------------------------------------------------------


@dataclass
class _Ctx:
    session: Session
    repo: ImportRepository
    run_id: uuid.UUID
    header: frozenset[str]
    now: datetime = field(default_factory=utcnow)

    def base(self) -> dict[str, Any]:
        return {"id": uuid7(), "created_at": self.now, "updated_at": self.now, "import_run_id": self.run_id}

    def present(self, *pairs: tuple[str, str]) -> list[str]:
        """Database columns to update: those whose file column is in the header (a column the file does
        not have is left as it is)."""
        return [db_col for db_col, file_col in pairs if file_col in self.header]


@dataclass
class _Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    touched_parts: set[uuid.UUID] = field(default_factory=set)
    regroup_parts: set[uuid.UUID] = field(default_factory=set)
    changed_refs: set[uuid.UUID] = field(default_factory=set)  # brands / categories written


def _count(out: _Outcome, proposed: dict[Any, uuid.UUID], returned: list[Any]) -> None:
    """Rows whose returned id is the id we proposed were created; others were updated."""
    created = updated = 0
    mine = set(proposed.values())
    for r in returned:
        if r[0] in mine:
            created += 1
        else:
            updated += 1
    out.created += created
    out.updated += updated
    out.unchanged += len(proposed) - created - updated


def _last_wins(rows: list[tuple[Any, dict[str, Any]]]) -> dict[Any, dict[str, Any]]:
    """Rows keyed by natural key; a key repeated within a batch: the later row wins."""
    out: dict[Any, dict[str, Any]] = {}
    for key, values in rows:
        out.pop(key, None)
        out[key] = values
    return out


def _load_categories(ctx: _Ctx, rows: list[_Row]) -> _Outcome:
    out = _Outcome()
    parsed: list[tuple[_Row, str, str | None, str, str]] = []
    for r in rows:
        code = r.text("code", required=True, max_len=40)
        parent = r.text("parent_code", max_len=40)
        name_zh = r.text("name_zh", required=True, max_len=80)
        name_en = r.text("name_en", required=True, max_len=80)
        if code and "/" in code:
            r.fail("code", code, "must not contain '/'")
        if code and parent == code:
            r.fail("parent_code", parent, "a category cannot be its own parent")
        if r.ok:
            assert code and name_zh and name_en
            parsed.append((r, code, parent, name_zh, name_en))
    known = ctx.repo.categories({p for _, _, p, _, _ in parsed if p} | {c for _, c, _, _, _ in parsed})
    pending = parsed
    update = ["parent_id", "path", "name_zh", "name_en"]
    while pending:
        # Waves: rows whose parent is known (or who have none) go first; their children next.
        wave = [p for p in pending if p[2] is None or p[2] in known]
        if not wave:
            break
        pending = [p for p in pending if not (p[2] is None or p[2] in known)]
        values = _last_wins(
            [
                (
                    code,
                    {
                        **ctx.base(),
                        "code": code,
                        "parent_id": known[parent][0] if parent else None,
                        "path": f"{known[parent][1]}/{code}" if parent else code,
                        "name_zh": name_zh,
                        "name_en": name_en,
                    },
                )
                for _, code, parent, name_zh, name_en in wave
            ]
        )
        returned = ctx.repo.upsert(Category, list(values.values()), keys=["code"], update=update, now=ctx.now)
        _count(out, {k: v["id"] for k, v in values.items()}, returned)
        out.changed_refs.update(r[0] for r in returned)
        known.update(ctx.repo.categories(values))  # ids and paths as stored (a few rows)
    for r, _code, parent, _, _ in pending:
        r.fail(
            "parent_code", parent or "", "unknown category (a parent must exist or come earlier in the file)"
        )
    if parsed:
        _fix_paths(ctx)
    return out


def _fix_paths(ctx: _Ctx) -> None:
    """A category that moved to another parent moves its subtree: recompute every stored path."""
    tree = ctx.repo.category_tree()
    by_id = {cid: (parent, code, path) for cid, parent, code, path in tree}
    wanted: dict[uuid.UUID, str] = {}

    def path_of(cid: uuid.UUID, depth: int = 0) -> str:
        if cid in wanted:
            return wanted[cid]
        parent, code, _ = by_id[cid]
        p = (
            code
            if parent is None or parent not in by_id or depth > 50
            else f"{path_of(parent, depth + 1)}/{code}"
        )
        wanted[cid] = p
        return p

    stale = [(cid, path_of(cid)) for cid in by_id if path_of(cid) != by_id[cid][2]]
    if stale:
        rows = [
            {
                **ctx.base(),
                "code": by_id[cid][1],
                "parent_id": by_id[cid][0],
                "path": path,
                "name_zh": "",
                "name_en": "",
            }
            for cid, path in stale
        ]
        ctx.repo.upsert(Category, rows, keys=["code"], update=["path"], now=ctx.now)


def _load_brands(ctx: _Ctx, rows: list[_Row]) -> _Outcome:
    out = _Outcome()
    good: list[tuple[Any, dict[str, Any]]] = []
    for r in rows:
        code = r.brand("code", required=True)
        name = r.text("name", required=True, max_len=80)
        name_zh = r.text("name_zh", max_len=80)
        kind = r.choice("kind", BRAND_KINDS, required=True)
        country = r.text("country", max_len=60)
        if r.ok:
            good.append(
                (
                    code,
                    {
                        **ctx.base(),
                        "code": code,
                        "name": name,
                        "name_zh": name_zh,
                        "kind": kind,
                        "country": country,
                    },
                )
            )
    values = _last_wins(good)
    update = ctx.present(("name", "name"), ("name_zh", "name_zh"), ("kind", "kind"), ("country", "country"))
    returned = ctx.repo.upsert(Brand, list(values.values()), keys=["code"], update=update, now=ctx.now)
    _count(out, {k: v["id"] for k, v in values.items()}, returned)
    out.changed_refs.update(r[0] for r in returned)
    return out


def _vin_pattern(r: _Row, raw: str) -> str | None:
    p = raw.strip().upper()
    if not (3 <= len(p) <= 17) or any(not (c.isascii() and (c.isalnum() or c in "*?")) for c in p):
        r.fail("vin_patterns", raw, "a VIN pattern is 3–17 letters, digits, * or ?")
        return None
    if any(c in "IOQ" for c in p):
        r.fail("vin_patterns", raw, "VINs never contain I, O or Q")
        return None
    if any(c in "*?" for c in p[:3]):
        r.fail("vin_patterns", raw, "the first three characters (the WMI) must be given")
        return None
    return p


def _load_vehicles(ctx: _Ctx, rows: list[_Row]) -> _Outcome:
    out = _Outcome()
    good: list[tuple[_Row, dict[str, Any]]] = []
    for r in rows:
        v: dict[str, Any] = {
            "make": r.text("make", required=True, max_len=80),
            "make_zh": r.text("make_zh", max_len=80),
            "model": r.text("model", required=True, max_len=80),
            "model_zh": r.text("model_zh", max_len=80),
            "generation": r.text("generation", required=True, max_len=80),
            "code": r.text("variant_code", required=True, max_len=80),
            "name": r.text("variant", required=True, max_len=120),
            "engine_code": r.text("engine_code", max_len=40),
            "displacement_cc": r.integer("displacement_cc", lo=1, hi=20000),
            "fuel_type": r.choice("fuel_type", FUEL_TYPES, required=True),
            "transmission": r.text("transmission", max_len=40),
            "body": r.text("body", max_len=40),
            "power_kw": r.integer("power_kw", lo=1, hi=2000),
        }
        v["gen_from"], v["gen_to"] = r.years("generation_year_from", "generation_year_to", required_from=True)
        v["year_from"], v["year_to"] = r.years("year_from", "year_to", required_from=True)
        patterns = [
            p
            for raw in (r.data.get("vin_patterns") or "").split(LIST_SEP)
            if raw.strip()
            for p in [_vin_pattern(r, raw)]
        ]
        v["patterns"] = patterns
        if r.ok:
            good.append((r, v))
    # A variant name is unique within its generation: another code may not take it.
    taken = ctx.repo.variant_names((v["make"], v["model"], v["generation"], v["name"]) for _, v in good)
    seen: dict[tuple[str, str, str, str], str] = {}
    kept: list[tuple[_Row, dict[str, Any]]] = []
    for r, v in good:
        key = (v["make"], v["model"], v["generation"], v["name"])
        other = taken.get(key) or seen.get(key)
        if other is not None and other != v["code"]:
            r.fail("variant", v["name"], f"variant {other} of this generation already has this name")
            continue
        seen[key] = v["code"]
        kept.append((r, v))
    if not kept:
        return out
    now = ctx.now
    makes = _last_wins(
        [
            (v["make"], {**ctx.base(), "name": v["make"], "name_zh": v["make_zh"], "country": None})
            for _, v in kept
        ]
    )
    for m in makes.values():  # a blank Chinese name on one row does not hide it given on another
        m["name_zh"] = next(
            (v["make_zh"] for _, v in reversed(kept) if v["make"] == m["name"] and v["make_zh"]), None
        )
    ctx.repo.upsert(
        VehicleMake,
        list(makes.values()),
        keys=["name"],
        update=["name_zh"],
        keep_if_null=["name_zh"],
        now=now,
    )
    make_ids = ctx.repo.make_ids(list(makes))
    models = _last_wins(
        [
            (
                (v["make"], v["model"]),
                {**ctx.base(), "make_id": make_ids[v["make"]], "name": v["model"], "name_zh": v["model_zh"]},
            )
            for _, v in kept
        ]
    )
    for (mk, md), m in models.items():
        m["name_zh"] = next(
            (
                v["model_zh"]
                for _, v in reversed(kept)
                if (v["make"], v["model"]) == (mk, md) and v["model_zh"]
            ),
            None,
        )
    ctx.repo.upsert(
        VehicleModel,
        list(models.values()),
        keys=["make_id", "name"],
        update=["name_zh"],
        keep_if_null=["name_zh"],
        now=now,
    )
    model_ids = ctx.repo.vehicle_model_ids(list(models))
    gens = _last_wins(
        [
            (
                (v["make"], v["model"], v["generation"]),
                {
                    **ctx.base(),
                    "model_id": model_ids[(v["make"], v["model"])],
                    "name": v["generation"],
                    "year_from": v["gen_from"],
                    "year_to": v["gen_to"],
                },
            )
            for _, v in kept
        ]
    )
    gen_update = ctx.present(("year_from", "generation_year_from"), ("year_to", "generation_year_to"))
    ctx.repo.upsert(
        VehicleGeneration, list(gens.values()), keys=["model_id", "name"], update=gen_update, now=now
    )
    gen_ids = ctx.repo.generation_ids(list(gens))
    variant_cols = (
        "name",
        "engine_code",
        "displacement_cc",
        "fuel_type",
        "transmission",
        "body",
        "power_kw",
        "year_from",
        "year_to",
    )
    variants = _last_wins(
        [
            (
                v["code"],
                {
                    **ctx.base(),
                    "code": v["code"],
                    "generation_id": gen_ids[(v["make"], v["model"], v["generation"])],
                    **{c: v[c] for c in variant_cols},
                },
            )
            for _, v in kept
        ]
    )
    update = ["generation_id", *ctx.present(*((c, "variant" if c == "name" else c) for c in variant_cols))]
    returned = ctx.repo.upsert(
        VehicleVariant, list(variants.values()), keys=["code"], update=update, returning=("id",), now=now
    )
    _count(out, {k: v["id"] for k, v in variants.items()}, returned)
    variant_ids = ctx.repo.variant_ids(variants)
    pats = _last_wins(
        [
            (
                (p, variant_ids[v["code"]]),
                {
                    **ctx.base(),
                    "pattern": p,
                    "wmi": p[:3],
                    "variant_id": variant_ids[v["code"]],
                    "note": None,
                },
            )
            for _, v in kept
            for p in v["patterns"]
        ]
    )
    ctx.repo.upsert(VinPattern, list(pats.values()), keys=["pattern", "variant_id"], update=[], now=now)
    return out


def _parse_json_object(r: _Row, col: str) -> dict[str, Any] | None:
    raw = r.data.get(col, "")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as e:
        r.fail(col, raw, f"not valid JSON: {e.msg}")
        return None
    if not isinstance(value, dict):
        r.fail(col, raw, "must be a JSON object ({...})")
        return None
    return value


def _load_parts(ctx: _Ctx, rows: list[_Row]) -> _Outcome:
    out = _Outcome()
    pre: list[tuple[_Row, dict[str, Any], list[tuple[str, str, str]]]] = []
    for r in rows:
        brand = r.brand("brand", required=True)
        num = r.number("brand_number", required=True)
        v: dict[str, Any] = {
            "brand": brand,
            "name_zh": r.text("name_zh", required=True, max_len=200),
            "name_en": r.text("name_en", max_len=200),
            "category": r.text("category", required=True, max_len=40),
            "quality_grade": r.choice("quality_grade", tuple(QualityGrade), required=True),
            "position": r.text("position", max_len=40),
            "material": r.text("material", max_len=80),
            "attributes": _parse_json_object(r, "attributes"),
            "images": [u.strip() for u in (r.data.get("images") or "").split(LIST_SEP) if u.strip()],
            "status": r.choice("status", tuple(PartStatus)) or PartStatus.active.value,
        }
        for url in v["images"]:
            if not url.lower().startswith(("http://", "https://", "/")):
                r.fail("images", url, "an image is an http(s) URL or a path starting with /")
        oes: list[tuple[str, str, str]] = []
        for item in (r.data.get("oe_numbers") or "").split(LIST_SEP):
            if not item.strip():
                continue
            b, sep, n = item.partition(":")
            b_code, n = normalise_brand(b), n.strip()
            n_norm = normalise_number(n)
            if not sep or not b_code or not n_norm:
                r.fail("oe_numbers", item.strip(), "each OE number is BRAND:NUMBER")
            elif len(n) > 60 or len(b_code) > 40:
                r.fail("oe_numbers", item.strip(), "number longer than 60 or brand longer than 40 characters")
            else:
                oes.append((b_code, n, n_norm))
        if num is not None:
            v["brand_number"], v["brand_number_norm"] = num
        pre.append((r, v, oes))
    brands = ctx.repo.brand_ids(v["brand"] for r, v, _ in pre if v["brand"])
    cats = ctx.repo.categories(v["category"] for r, v, _ in pre if v["category"])
    good: list[tuple[Any, dict[str, Any]]] = []
    numbers: dict[Any, tuple[tuple[str, str, str], list[tuple[str, str, str]]]] = {}
    for r, v, oes in pre:
        if v["brand"] and v["brand"] not in brands:
            r.fail("brand", r.data["brand"], "unknown brand (import brands first)")
        if v["category"] and v["category"] not in cats:
            r.fail("category", v["category"], "unknown category (import categories first)")
        if not r.ok:
            continue
        sku = sku_code(v["brand"], v["brand_number_norm"])
        if len(sku) > 80:
            r.fail("brand_number", v["brand_number"], "brand + number too long for a SKU (80 characters)")
            continue
        key = (brands[v["brand"]], v["brand_number_norm"])
        row = {
            **ctx.base(),
            "sku": sku,
            "brand_id": brands[v["brand"]],
            "brand_number": v["brand_number"],
            "brand_number_norm": v["brand_number_norm"],
            "name_zh": v["name_zh"],
            "name_en": v["name_en"],
            "category_id": cats[v["category"]][0],
            "quality_grade": v["quality_grade"],
            "position": v["position"],
            "material": v["material"],
            "attributes": v["attributes"],
            "images": v["images"],
            "status": v["status"],
        }
        row["group_id"] = row["id"]  # a new part is alone in its group until numbers join it to others
        good.append((key, row))
        numbers[key] = ((v["brand"], v["brand_number"], v["brand_number_norm"]), oes)
    values = _last_wins(good)
    update = [
        "brand_number",
        *ctx.present(
            ("name_zh", "name_zh"),
            ("name_en", "name_en"),
            ("category_id", "category"),
            ("quality_grade", "quality_grade"),
            ("position", "position"),
            ("material", "material"),
            ("attributes", "attributes"),
            ("images", "images"),
            ("status", "status"),
        ),
    ]
    returned = ctx.repo.upsert(
        Part,
        list(values.values()),
        keys=["brand_id", "brand_number_norm"],
        update=update,
        returning=("id", "brand_id", "brand_number_norm"),
        now=ctx.now,
    )
    _count(out, {k: v["id"] for k, v in values.items()}, returned)
    out.touched_parts.update(r[0] for r in returned)
    ids = {(r[1], r[2]): r[0] for r in returned}
    ids.update(ctx.repo.part_ids_by_brand_id([k for k in values if k not in ids]))  # unchanged rows
    num_rows: list[tuple[Any, dict[str, Any]]] = []
    for key, ((own_brand, own_raw, own_norm), oes) in numbers.items():
        pid = ids[key]
        num_rows.append(
            (
                (pid, "brand", own_norm, own_brand),
                {
                    **ctx.base(),
                    "part_id": pid,
                    "kind": NumberKind.brand.value,
                    "number": own_raw,
                    "number_norm": own_norm,
                    "brand_code": own_brand,
                    "source": None,
                    "confidence": 100,
                    "successor_norm": None,
                },
            )
        )
        for b_code, n, n_norm in oes:
            num_rows.append(
                (
                    (pid, "oe", n_norm, b_code),
                    {
                        **ctx.base(),
                        "part_id": pid,
                        "kind": NumberKind.oe.value,
                        "number": n,
                        "number_norm": n_norm,
                        "brand_code": b_code,
                        "source": None,
                        "confidence": 100,
                        "successor_norm": None,
                    },
                )
            )
    nvalues = _last_wins(num_rows)
    changed = ctx.repo.upsert(
        PartNumber,
        list(nvalues.values()),
        keys=["part_id", "kind", "number_norm", "brand_code"],
        update=["number"],
        returning=("part_id",),
        now=ctx.now,
    )
    out.regroup_parts.update(r[0] for r in changed)
    return out


def _load_numbers(ctx: _Ctx, rows: list[_Row]) -> _Outcome:
    out = _Outcome()
    pre: list[tuple[_Row, dict[str, Any]]] = []
    for r in rows:
        v: dict[str, Any] = {
            "brand": r.brand("brand", required=True),
            "own": r.number("brand_number", required=True),
            "kind": r.choice(
                "kind", tuple(k.value for k in NumberKind if k is not NumberKind.brand), required=True
            ),
            "number": r.number("number", required=True),
            "number_brand": r.brand("number_brand"),
            "source": r.text("source", max_len=80),
            "confidence": r.integer("confidence", lo=0, hi=100),
            "successor": r.number("successor"),
        }
        if (
            v["kind"] in NUMBER_KINDS_NEEDING_BRAND
            and v["number_brand"] is None
            and "number_brand" not in {e.column for e in r.errors}
        ):
            r.fail("number_brand", "", f"required for {v['kind']} numbers (the brand that issued the number)")
        if v["successor"] is not None and v["kind"] not in (None, "replacement"):
            r.fail("successor", r.data.get("successor", ""), "only replacement numbers have a successor")
        if r.data.get("kind", "").lower() == "brand":
            r.errors = [e for e in r.errors if e.column != "kind"]
            r.fail("kind", r.data["kind"], "a part's own brand number comes from the parts file")
        pre.append((r, v))
    parts = ctx.repo.part_ids((v["brand"], v["own"][1]) for r, v in pre if v["brand"] and v["own"])
    good: list[tuple[Any, dict[str, Any]]] = []
    for r, v in pre:
        pid = parts.get((v["brand"], v["own"][1])) if v["brand"] and v["own"] else None
        if pid is None and v["brand"] and v["own"]:
            r.fail("brand_number", v["own"][0], f"no part {v['brand']} {v['own'][0]} (import parts first)")
        if not r.ok or pid is None:
            continue
        raw, norm = v["number"]
        brand_code = v["number_brand"] or ""
        good.append(
            (
                (pid, v["kind"], norm, brand_code),
                {
                    **ctx.base(),
                    "part_id": pid,
                    "kind": v["kind"],
                    "number": raw,
                    "number_norm": norm,
                    "brand_code": brand_code,
                    "source": v["source"],
                    "confidence": 100 if v["confidence"] is None else v["confidence"],
                    "successor_norm": v["successor"][1] if v["successor"] else None,
                },
            )
        )
    values = _last_wins(good)
    update = [
        "number",
        *ctx.present(("source", "source"), ("confidence", "confidence"), ("successor_norm", "successor")),
    ]
    returned = ctx.repo.upsert(
        PartNumber,
        list(values.values()),
        keys=["part_id", "kind", "number_norm", "brand_code"],
        update=update,
        returning=("id", "part_id"),
        now=ctx.now,
    )
    _count(out, {k: v["id"] for k, v in values.items()}, returned)
    out.regroup_parts.update(r[1] for r in returned)
    return out


def _load_fitment(ctx: _Ctx, rows: list[_Row]) -> _Outcome:
    out = _Outcome()
    pre: list[tuple[_Row, dict[str, Any]]] = []
    for r in rows:
        v: dict[str, Any] = {
            "brand": r.brand("brand", required=True),
            "own": r.number("brand_number", required=True),
            "variant": r.text("variant_code", required=True, max_len=80),
            "position": r.text("position", max_len=40),
            "note": r.text("note", max_len=200),
        }
        v["year_from"], v["year_to"] = r.years("year_from", "year_to")
        pre.append((r, v))
    parts = ctx.repo.part_ids((v["brand"], v["own"][1]) for r, v in pre if v["brand"] and v["own"])
    variants = ctx.repo.variant_ids(v["variant"] for r, v in pre if v["variant"])
    good: list[tuple[Any, dict[str, Any]]] = []
    for r, v in pre:
        pid = parts.get((v["brand"], v["own"][1])) if v["brand"] and v["own"] else None
        if pid is None and v["brand"] and v["own"]:
            r.fail("brand_number", v["own"][0], f"no part {v['brand']} {v['own'][0]} (import parts first)")
        vid = variants.get(v["variant"]) if v["variant"] else None
        if vid is None and v["variant"]:
            r.fail("variant_code", v["variant"], "unknown vehicle variant (import vehicles first)")
        if not r.ok or pid is None or vid is None:
            continue
        good.append(
            (
                (vid, pid),
                {
                    **ctx.base(),
                    "part_id": pid,
                    "variant_id": vid,
                    "position": v["position"],
                    "year_from": v["year_from"],
                    "year_to": v["year_to"],
                    "note": v["note"],
                },
            )
        )
    values = _last_wins(good)
    update = ctx.present(
        ("position", "position"), ("year_from", "year_from"), ("year_to", "year_to"), ("note", "note")
    )
    returned = ctx.repo.upsert(
        Fitment, list(values.values()), keys=["variant_id", "part_id"], update=update, now=ctx.now
    )
    _count(out, {k: v["id"] for k, v in values.items()}, returned)
    return out


LOADERS: dict[str, Callable[[_Ctx, list[_Row]], _Outcome]] = {
    "categories": _load_categories,
    "brands": _load_brands,
    "vehicles": _load_vehicles,
    "parts": _load_parts,
    "numbers": _load_numbers,
    "fitment": _load_fitment,
}
assert set(LOADERS) == set(FORMATS)


# ---- the import ---------------------------------------------------------------------------------------


def _batches(
    rows: Iterator[tuple[int, dict[str, str]]], size: int
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _ErrorFile:
    """The error report, opened on the first error (a clean import leaves no file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._f: Any = None
        self._w: Any = None
        self.count = 0
        self.first: list[dict[str, Any]] = []

    def write(self, errors: list[RowError]) -> None:
        if not errors:
            return
        if self._f is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._f = self.path.open("w", encoding="utf-8", newline="")
            self._w = csv.writer(self._f)
            self._w.writerow(ERROR_COLUMNS)
        for e in errors:
            self._w.writerow((e.line, e.column, e.value, e.reason))
            if len(self.first) < 20:
                self.first.append(asdict(e))
        self.count += len(errors)

    def close(self) -> str | None:
        if self._f is None:
            return None
        self._f.close()
        return str(self.path)


def import_file(
    db: Session | Database,
    path: str | Path,
    *,
    kind: str | None = None,
    run_id: uuid.UUID,
    progress: Progress | None = None,
    filename: str | None = None,
    batch_size: int = BATCH_SIZE,
    errors_dir: Path | None = None,
    actor_user_id: uuid.UUID | None = None,
) -> ImportReport:
    """Import one file. Commits after every batch (see the module docstring); returns the counts.

    ``db`` is a session (a job's) or a :class:`Database` (a session bound to the system is opened)."""
    if isinstance(db, Database):
        session = db.session()
        bind_system(session, "catalog-import")
        try:
            return import_file(
                session,
                path,
                kind=kind,
                run_id=run_id,
                progress=progress,
                filename=filename,
                batch_size=batch_size,
                errors_dir=errors_dir,
                actor_user_id=actor_user_id,
            )
        finally:
            session.close()
    session = db
    path = Path(path)
    filename = filename or path.name
    started = time.perf_counter()
    sha256, lines = fingerprint(path)
    report = ImportReport(run_id=str(run_id), kind=kind, filename=filename, sha256=sha256)
    errors = _ErrorFile(errors_path_for(run_id, errors_dir))
    touched_parts = False
    try:
        try:
            ftype = file_type(path, filename)
            source = open_source(path, ftype, lines)
        except FileFormatError as e:
            errors.write([RowError(1, "", "", str(e))])
            source = None
        if source is not None:
            try:
                header = [h for h in source.header]
                kind = kind or infer_kind(header)
                check_header(kind, header)
                report.kind = kind
                loader = LOADERS[kind]
                repo = ImportRepository(session)
                for raw in _batches(source.rows, batch_size):
                    rows = [_Row(line, data) for line, data in raw]
                    ctx = _Ctx(session, repo, run_id, frozenset(header))
                    outcome = loader(ctx, rows)
                    if outcome.regroup_parts:
                        indexing.merge_groups(session, sorted(outcome.regroup_parts))
                    if outcome.touched_parts:
                        indexing.index_parts(session, sorted(outcome.touched_parts))
                    if outcome.changed_refs:
                        _reindex_dependants(session, repo, kind, outcome.changed_refs)
                    touched_parts = touched_parts or bool(outcome.touched_parts or outcome.regroup_parts)
                    bad = [r for r in rows if r.errors]
                    # A row that failed after writing started cannot happen: loaders check before they write.
                    errors.write([e for r in bad for e in r.errors])
                    report.read += len(rows)
                    report.failed += len(bad)
                    report.created += outcome.created
                    report.updated += outcome.updated
                    report.unchanged += outcome.unchanged
                    session.commit()  # the import's batch boundary
                    if progress is not None:
                        progress(report.read, source.total)
            except FileFormatError as e:
                session.rollback()
                errors.write([RowError(1, "", "", str(e))])
            finally:
                source.close()
        if touched_parts or kind in ("brands", "categories"):
            indexing.rebuild_vocabulary(session)
    except BaseException:
        session.rollback()
        report.errors_path = errors.close()
        _finish(
            session, report, started, actor_user_id, failed_with="the import stopped with an unexpected error"
        )
        raise
    report.errors_path = errors.close()
    report.first_errors = errors.first
    _finish(session, report, started, actor_user_id)
    return report


def _reindex_dependants(session: Session, repo: ImportRepository, kind: str, changed: set[uuid.UUID]) -> None:
    """A renamed brand or category changes the search documents of its parts (and of the parts below a
    category)."""
    if kind == "brands":
        ids = list(repo.parts_of(brand_ids=sorted(changed)))
    else:
        tree = repo.category_tree()
        paths = [path for cid, _, _, path in tree if cid in changed]
        below = [cid for cid, _, _, path in tree if any(path == p or path.startswith(p + "/") for p in paths)]
        ids = list(repo.parts_of(category_ids=below))
    for start in range(0, len(ids), indexing.BATCH):
        indexing.index_parts(session, ids[start : start + indexing.BATCH])


def _finish(
    session: Session,
    report: ImportReport,
    started: float,
    actor_user_id: uuid.UUID | None,
    failed_with: str | None = None,
) -> None:
    """Record the run's one audit event (it stands for every row the run wrote) and commit."""
    report.seconds = round(time.perf_counter() - started, 3)
    report.rows_per_second = round(report.read / report.seconds, 1) if report.seconds else 0.0
    after = {k: v for k, v in report.as_dict().items() if k not in ("first_errors", "run_id")}
    if failed_with:
        after["error"] = failed_with
    record_event(
        session,
        "catalog.import",
        entity_type="job_runs",
        entity_id=report.run_id,
        after=after,
        actor_user_id=actor_user_id,
    )
    session.commit()


@jobs.job("catalog.import")
def run_import_job(session: Session, run: JobRun) -> dict[str, Any]:
    """Job payload: ``{path, kind, filename}``. Result: the import's counts and the error report path."""
    listener = progress_listener.get()

    def on_progress(done: int, total: int | None) -> None:
        jobs.progress(session, run, done, total)
        if listener is not None:
            listener(done, total)

    payload = run.payload or {}
    report = import_file(
        session,
        payload["path"],
        kind=payload.get("kind"),
        run_id=run.id,
        progress=on_progress,
        filename=payload.get("filename"),
        actor_user_id=run.created_by_id,
    )
    result = report.as_dict()
    result.pop("first_errors", None)
    return result
