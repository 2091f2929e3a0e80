"""Loaders of the catalogue kinds of the bulk import: parts (with their own and OE numbers), numbers
(cross-references) and fitment — the large files. Per batch: every row is checked, its references are
resolved with one query per kind (brands, categories and variants are remembered across batches), and
the good rows are written with one set-wise upsert per table; nothing is read back that the batch
already knows."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.catalog import indexing
from autotrade.catalog.documents import DocBuilder, jsonb_key_order
from autotrade.catalog.formats import LIST_SEP, NUMBER_KINDS_NEEDING_BRAND
from autotrade.catalog.import_batch import Ctx, Outcome, count, last_wins
from autotrade.catalog.import_rows import Row
from autotrade.catalog.models import Fitment, NumberKind, Part, PartNumber, PartStatus, QualityGrade
from autotrade.catalog.numbers import normalise_brand, normalise_number, sku_code
from autotrade.catalog.repository import GROUPING_KINDS

QUALITY_GRADES = tuple(QualityGrade)
PART_STATUSES = tuple(PartStatus)
NUMBER_KINDS = tuple(k.value for k in NumberKind if k is not NumberKind.brand)
NUMBER_KEY = ["part_id", "kind", "number_norm", "brand_code"]
# Part columns a file may set: (database column, file column).
PART_COLUMNS = (
    ("name_zh", "name_zh"),
    ("name_en", "name_en"),
    ("category_id", "category"),
    ("quality_grade", "quality_grade"),
    ("position", "position"),
    ("material", "material"),
    ("attributes", "attributes"),
    ("images", "images"),
    ("status", "status"),
)
BASE_COLUMNS = ("id", "created_at", "updated_at", "import_run_id")
NUMBER_COLUMNS = (
    *BASE_COLUMNS,
    "part_id",
    "kind",
    "number",
    "number_norm",
    "brand_code",
    "source",
    "confidence",
    "successor_norm",
)
PART_COLUMNS_ALL = (
    *BASE_COLUMNS,
    "sku",
    "brand_id",
    "brand_number",
    "brand_number_norm",
    "group_id",
    *(db_col for db_col, _ in PART_COLUMNS),
)
NAME_EN = PART_COLUMNS_ALL.index("name_en")
GROUP = PART_COLUMNS_ALL.index("group_id")
SKU = PART_COLUMNS_ALL.index("sku")
FITMENT_COLUMNS = (*BASE_COLUMNS, "part_id", "variant_id", "position", "year_from", "year_to", "note")


def _brand_ids(ctx: Ctx, codes: set[str]) -> dict[str, uuid.UUID]:
    return ctx.memo.get("brands", codes, ctx.repo.brand_ids)


def _part_ids(ctx: Ctx, keys: set[tuple[str, str]]) -> dict[tuple[str, str], uuid.UUID]:
    """(brand code, normalised number) → part id (brands are remembered across batches)."""
    return ctx.repo.part_ids(keys, _brand_ids(ctx, {b for b, _ in keys}))


def _oe_numbers(r: Row) -> list[tuple[str, str, str]]:
    oes: list[tuple[str, str, str]] = []
    for item in r.data.get("oe_numbers", "").split(LIST_SEP):
        item = item.strip()
        if not item:
            continue
        b, sep, n = item.partition(":")
        b_code, n = normalise_brand(b), n.strip()
        n_norm = normalise_number(n)
        if not sep or not b_code or not n_norm:
            r.fail("oe_numbers", item, "each OE number is BRAND:NUMBER")
        elif len(n) > 60 or len(b_code) > 40:
            r.fail("oe_numbers", item, "number longer than 60 or brand longer than 40 characters")
        else:
            oes.append((b_code, n, n_norm))
    return oes


def _number_row(
    ctx: Ctx,
    pid: uuid.UUID,
    kind: str,
    raw: str,
    norm: str,
    brand: str,
    source: str | None = None,
    confidence: int = 100,
    successor: str | None = None,
) -> tuple[Any, ...]:
    """A row of NUMBER_COLUMNS."""
    return (
        ctx.new_id(),
        ctx.now,
        ctx.now,
        ctx.run_id,
        pid,
        kind,
        raw,
        norm,
        brand,
        source,
        confidence,
        successor,
    )


def _doc_builder(ctx: Ctx) -> DocBuilder:
    return ctx.memo.once("doc_builder", lambda: DocBuilder(ctx.repo.category_refs()))


def _doc_attributes(ctx: Ctx, attributes: dict[str, Any]) -> dict[str, Any] | None:
    """The attributes as the database gives them back (PostgreSQL's jsonb orders the keys), or None when
    only the stored value can tell (nested values, floats: jsonb may write them differently)."""
    if any(not isinstance(v, str | int) for v in attributes.values()):
        return None
    if ctx.repo.pg:
        return {k: attributes[k] for k in jsonb_key_order(list(attributes))}
    return attributes


def load_parts(ctx: Ctx, rows: list[Row]) -> Outcome:
    """Parts with their own and OE numbers. The interchange groups are decided before the parts are
    written (:func:`~autotrade.catalog.indexing.plan_groups`: a new part is written into its group) and
    the search documents of new parts are built from the file's values; parts that existed are regrouped
    and re-indexed from what is stored, as single edits are."""
    out = Outcome()
    pre: list[tuple[Row, dict[str, Any], list[tuple[str, str, str]]]] = []
    for r in rows:
        v: dict[str, Any] = {
            "brand": r.brand("brand", required=True),
            "number": r.number("brand_number", required=True),
            "name_zh": r.text("name_zh", required=True, max_len=200),
            "name_en": r.text("name_en", max_len=200),
            "category": r.text("category", required=True, max_len=40),
            "quality_grade": r.choice("quality_grade", QUALITY_GRADES, required=True),
            "position": r.text("position", max_len=40),
            "material": r.text("material", max_len=80),
            "attributes": r.json_object("attributes"),
            "images": [u.strip() for u in r.data.get("images", "").split(LIST_SEP) if u.strip()],
            "status": r.choice("status", PART_STATUSES) or PartStatus.active.value,
        }
        for url in v["images"]:
            if not url.lower().startswith(("http://", "https://", "/")):
                r.fail("images", url, "an image is an http(s) URL or a path starting with /")
        pre.append((r, v, _oe_numbers(r)))
    brands = _brand_ids(ctx, {v["brand"] for _, v, _ in pre if v["brand"]})
    cats = ctx.memo.get(
        "categories", {v["category"] for _, v, _ in pre if v["category"]}, ctx.repo.categories
    )
    good: list[tuple[Any, tuple[Any, ...]]] = []
    numbers: dict[Any, tuple[tuple[str, str, str], list[tuple[str, str, str]], dict[str, Any]]] = {}
    for r, v, oes in pre:
        brand = v["brand"]
        if brand and brand not in brands:
            r.fail("brand", r.data["brand"], "unknown brand (import brands first)")
        if v["category"] and v["category"] not in cats:
            r.fail("category", v["category"], "unknown category (import categories first)")
        if r.errors:
            continue
        raw, norm = v["number"]
        sku = sku_code(brand, norm)
        if len(sku) > 80:
            r.fail("brand_number", raw, "brand + number too long for a SKU (80 characters)")
            continue
        key = (brands[brand], norm)
        v["category_id"] = cats[v["category"]][0]
        pid = ctx.new_id()
        # PART_COLUMNS_ALL; the group is decided below
        row = (
            pid,
            ctx.now,
            ctx.now,
            ctx.run_id,
            sku,
            key[0],
            raw,
            norm,
            pid,
            *(v[c] for c, _ in PART_COLUMNS),
        )
        good.append((key, row))
        numbers[key] = ((brand, raw, norm), oes, v)
    values = last_wins(good)
    if not values:
        return out
    # The parts of the batch that exist already: id, English name (the vocabulary counts the words of a
    # name that changed) and group.
    existing = ctx.repo.existing_parts({key: row[SKU] for key, row in values.items()})
    new_ids = {row[0] for key, row in values.items() if key not in existing}
    roots = indexing.plan_groups(
        ctx.session,
        [
            (
                existing[key][2] if key in existing else row[0],
                [(own[2], own[0]), *((n_norm, b_code) for b_code, _, n_norm in numbers[key][1])],
            )
            for key, row in values.items()
            for own in (numbers[key][0],)
        ],
        new_ids,
    )
    for key, row in values.items():
        if row[0] in new_ids and roots.get(row[0], row[0]) != row[0]:
            values[key] = (*row[:GROUP], roots[row[0]], *row[GROUP + 1 :])
    update = ["brand_number", *ctx.present(*PART_COLUMNS)]
    returned = ctx.repo.upsert_rows(
        Part, PART_COLUMNS_ALL, list(values.values()), keys=["brand_id", "brand_number_norm"], update=update
    )
    count(out, {k: v[0] for k, v in values.items()}, returned)
    written = {r[0] for r in returned}
    lost = [k for k, row in values.items() if row[0] in new_ids and row[0] not in written]
    if lost:  # created by another writer between the look-up and the write: treated as existing parts
        existing.update(ctx.repo.existing_parts({k: values[k][SKU] for k in lost}))
        out.regroup_parts.update(existing[k][0] for k in lost)
        out.touched_parts.update(existing[k][0] for k in lost)
    builder = _doc_builder(ctx)
    refs = ctx.memo.get("brand_refs", {own[0] for own, _, _ in numbers.values()}, ctx.repo.brand_refs)
    ids: dict[Any, uuid.UUID] = {}
    for key, row in values.items():
        old = existing.get(key)
        v = numbers[key][2]
        name = row[NAME_EN]
        if old is None:
            pid = ids[key] = row[0]
            attributes = _doc_attributes(ctx, v["attributes"])
            if attributes is None:
                out.touched_parts.add(pid)
            else:
                out.new_docs.append(
                    (
                        pid.hex,
                        builder.doc(
                            v["name_zh"],
                            v["name_en"],
                            refs[v["brand"]],
                            v["category"],
                            v["position"],
                            v["material"],
                            attributes,
                            v["quality_grade"],
                            v["status"],
                        ),
                    )
                )
            if name:
                out.names_written.append(name)
        else:
            pid = ids[key] = old[0]
            if pid in written:
                out.touched_parts.add(pid)
                if name and "name_en" in ctx.header and old[1] != name:
                    out.names_written.append(name)
    num_rows: list[tuple[Any, tuple[Any, ...]]] = []
    for key, ((own_brand, own_raw, own_norm), oes, _) in numbers.items():
        pid = ids[key]
        num_rows.append(
            (
                (pid, "brand", own_norm, own_brand),
                _number_row(ctx, pid, "brand", own_raw, own_norm, own_brand),
            )
        )
        for b_code, n, n_norm in oes:
            num_rows.append(((pid, "oe", n_norm, b_code), _number_row(ctx, pid, "oe", n, n_norm, b_code)))
    # The groups were planned from these numbers: nothing to merge afterwards.
    ctx.repo.upsert_rows(
        PartNumber,
        NUMBER_COLUMNS,
        list(last_wins(num_rows).values()),
        keys=NUMBER_KEY,
        update=["number"],
        returning=(),
    )
    return out


def load_numbers(ctx: Ctx, rows: list[Row]) -> Outcome:
    out = Outcome()
    pre: list[tuple[Row, dict[str, Any]]] = []
    for r in rows:
        v: dict[str, Any] = {
            "brand": r.brand("brand", required=True),
            "own": r.number("brand_number", required=True),
            "kind": r.choice("kind", NUMBER_KINDS, required=True),
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
    keys = {(v["brand"], v["own"][1]) for r, v in pre if v["brand"] and v["own"]}
    parts = ctx.repo.part_groups(keys, _brand_ids(ctx, {b for b, _ in keys}))
    group_of: dict[uuid.UUID, uuid.UUID] = {}
    good: list[tuple[Any, tuple[Any, ...]]] = []
    for r, v in pre:
        found = parts.get((v["brand"], v["own"][1])) if v["brand"] and v["own"] else None
        if found is None and v["brand"] and v["own"]:
            r.fail("brand_number", v["own"][0], f"no part {v['brand']} {v['own'][0]} (import parts first)")
        if r.errors or found is None:
            continue
        pid, group_of[found[0]] = found
        raw, norm = v["number"]
        brand_code = v["number_brand"] or ""
        good.append(
            (
                (pid, v["kind"], norm, brand_code),
                _number_row(
                    ctx,
                    pid,
                    v["kind"],
                    raw,
                    norm,
                    brand_code,
                    v["source"],
                    100 if v["confidence"] is None else v["confidence"],
                    v["successor"][1] if v["successor"] else None,
                ),
            )
        )
    values = last_wins(good)
    # The groups the new numbers join, decided before writing as the parts loader does (a number a part
    # holds already changes nothing: its group holds the closure of its numbers).
    indexing.plan_groups(
        ctx.session,
        [
            (group_of[pid], [(norm, brand)])
            for pid, kind, norm, brand in values
            if brand and kind in GROUPING_KINDS
        ],
        set(),
    )
    update = [
        "number",
        *ctx.present(("source", "source"), ("confidence", "confidence"), ("successor_norm", "successor")),
    ]
    returned = ctx.repo.upsert_rows(
        PartNumber,
        NUMBER_COLUMNS,
        list(values.values()),
        keys=NUMBER_KEY,
        update=update,
        returning=("id",),
    )
    count(out, {k: v[0] for k, v in values.items()}, returned)
    return out


def load_fitment(ctx: Ctx, rows: list[Row]) -> Outcome:
    out = Outcome()
    pre: list[tuple[Row, str | None, tuple[str, str] | None, str | None, tuple[Any, ...]]] = []
    for r in rows:
        brand = r.brand("brand", required=True)
        own = r.number("brand_number", required=True)
        variant = r.text("variant_code", required=True, max_len=80)
        position = r.text("position", max_len=40)
        note = r.text("note", max_len=200)
        year_from, year_to = r.years("year_from", "year_to")
        pre.append((r, brand, own, variant, (position, year_from, year_to, note)))
    parts = _part_ids(ctx, {(b, o[1]) for _, b, o, _, _ in pre if b and o})
    variants = ctx.memo.get("variants", {v for _, _, _, v, _ in pre if v}, ctx.repo.variant_ids)
    good: list[tuple[Any, tuple[Any, ...]]] = []
    for r, brand, own, variant, fields in pre:
        pid = parts.get((brand, own[1])) if brand and own else None
        if pid is None and brand and own:
            r.fail("brand_number", own[0], f"no part {brand} {own[0]} (import parts first)")
        vid = variants.get(variant) if variant else None
        if vid is None and variant:
            r.fail("variant_code", variant, "unknown vehicle variant (import vehicles first)")
        if r.errors or pid is None or vid is None:
            continue
        good.append(((vid, pid), (ctx.new_id(), ctx.now, ctx.now, ctx.run_id, pid, vid, *fields)))
    values = last_wins(good)
    update = ctx.present(
        ("position", "position"), ("year_from", "year_from"), ("year_to", "year_to"), ("note", "note")
    )
    # In key order: the writes walk the (variant, part) index instead of jumping around it.
    returned = ctx.repo.upsert_rows(
        Fitment,
        FITMENT_COLUMNS,
        [values[k] for k in sorted(values, key=lambda k: (k[0].int, k[1].int))],  # UUID order, faster
        keys=["variant_id", "part_id"],
        update=update,
    )
    count(out, {k: v[0] for k, v in values.items()}, returned)
    return out
