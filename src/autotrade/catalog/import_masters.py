"""Loaders of the reference kinds of the bulk import: categories (with their paths), brands, and the
vehicle tree (make, model, generation, variant, VIN patterns). Small files; each batch is checked, then
written set-wise level by level."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.catalog.formats import BRAND_KINDS, FUEL_TYPES, LIST_SEP
from autotrade.catalog.import_batch import Ctx, Outcome, count, last_wins
from autotrade.catalog.import_rows import Row
from autotrade.catalog.models import Brand, Category
from autotrade.vehicles.models import VehicleGeneration, VehicleMake, VehicleModel, VehicleVariant, VinPattern


def load_categories(ctx: Ctx, rows: list[Row]) -> Outcome:
    out = Outcome()
    parsed: list[tuple[Row, str, str | None, str, str]] = []
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
        values = last_wins(
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
        count(out, {k: v["id"] for k, v in values.items()}, returned)
        out.changed_refs.update(r[0] for r in returned)
        known.update(ctx.repo.categories(values))  # ids and paths as stored (a few rows)
    for r, _code, parent, _, _ in pending:
        r.fail(
            "parent_code", parent or "", "unknown category (a parent must exist or come earlier in the file)"
        )
    if parsed:
        _fix_paths(ctx)
    return out


def _fix_paths(ctx: Ctx) -> None:
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


def load_brands(ctx: Ctx, rows: list[Row]) -> Outcome:
    out = Outcome()
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
    values = last_wins(good)
    update = ctx.present(("name", "name"), ("name_zh", "name_zh"), ("kind", "kind"), ("country", "country"))
    returned = ctx.repo.upsert(Brand, list(values.values()), keys=["code"], update=update, now=ctx.now)
    count(out, {k: v["id"] for k, v in values.items()}, returned)
    out.changed_refs.update(r[0] for r in returned)
    return out


def load_vehicles(ctx: Ctx, rows: list[Row]) -> Outcome:
    out = Outcome()
    good: list[tuple[Row, dict[str, Any]]] = []
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
            for p in [r.vin_pattern(raw)]
        ]
        v["patterns"] = patterns
        if r.ok:
            good.append((r, v))
    # A variant name is unique within its generation: another code may not take it.
    taken = ctx.repo.variant_names((v["make"], v["model"], v["generation"], v["name"]) for _, v in good)
    seen: dict[tuple[str, str, str, str], str] = {}
    kept: list[tuple[Row, dict[str, Any]]] = []
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
    makes = last_wins(
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
    models = last_wins(
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
    gens = last_wins(
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
    variants = last_wins(
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
    count(out, {k: v["id"] for k, v in variants.items()}, returned)
    variant_ids = ctx.repo.variant_ids(variants)
    pats = last_wins(
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
