"""Catalogue at scale: generator and importer throughput, search latency and known-item recall.

Builds a seeded synthetic catalogue (``autotrade.catalog.generate``) on a fresh database, imports a
generated CSV through the real importer, then times the search *service* calls (no HTTP):

    .venv/bin/python bench/catalog.py --skus 1000000                      # SQLite file
    .venv/bin/python bench/catalog.py --skus 1000000 --db postgresql://postgres@127.0.0.1:5432/postgres

With ``--db`` a new PostgreSQL database is created and dropped afterwards. Between generating and
querying, the load is settled: statistics, a checkpoint and the operating system's write-back.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchdb import drop, fresh_db  # bench/benchdb.py (scripts run from bench/)
from importfiles import run_import, write_import_files
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import autotrade.models  # noqa: E402,F401
from autotrade.catalog import search, service  # noqa: E402
from autotrade.catalog.generate import generate, vin_for  # noqa: E402
from autotrade.catalog.generate_numbers import dirty  # noqa: E402
from autotrade.catalog.generate_vocab import LEAVES, MAKES, SUPPLIERS  # noqa: E402
from autotrade.catalog.models import Part  # noqa: E402
from autotrade.core.db import SQLITE_CACHE_MB, Database  # noqa: E402
from autotrade.core.migrate import upgrade  # noqa: E402
from autotrade.core.runtime import tune_gc  # noqa: E402
from autotrade.core.tenancy import bind_system  # noqa: E402
from autotrade.vehicles.models import VehicleVariant, VinPattern  # noqa: E402


def _typo(word: str, rng: random.Random) -> str:
    """One edit: a dropped, doubled, swapped or replaced letter (never the first)."""
    i = rng.randrange(1, len(word))
    op = rng.randrange(4)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    if op == 2 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeioulnrst".replace(word[i], "")) + word[i + 1 :]


def _time(
    label: str,
    queries: list[Any],
    call: Callable[[Any], Any],
    results: dict[str, Any],
    keep: Callable[[Any], Any] = lambda _result: None,
) -> list[Any]:
    """Time ``call`` over ``queries``; returns ``keep`` of each result. Only what ``keep`` takes is held:
    a thousand whole results (a VIN search's are a few hundred views each) kept the collector traversing
    a million live objects, and its pauses (225 and 349 ms, seen with ``gc.callbacks``) were the VIN
    searches' maximum — the benchmark's own doing, not the server's."""
    lat, out = [], []
    for q in queries:
        t = time.perf_counter()
        result = call(q)
        lat.append(time.perf_counter() - t)
        out.append(keep(result))
    lat.sort()
    p50, p99 = statistics.median(lat) * 1000, lat[max(0, int(len(lat) * 0.99) - 1)] * 1000
    results[label] = {
        "n": len(lat),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(lat[-1] * 1000, 1),
    }
    print(
        f"  {label:<28} n={len(lat):>5}  p50 {p50:>8.2f} ms  p99 {p99:>8.2f} ms"
        f"  max {lat[-1] * 1000:>8.1f} ms",
        flush=True,
    )
    return out


def _import_bench(db: Database, tmp: Path, n: int, seed: int, results: dict[str, Any]) -> None:
    """The real importer: ``n`` new parts (with OE cross-references), ``n`` cross-reference rows and
    2·``n`` fitment rows."""
    parts_csv, fit_csv, num_csv = write_import_files(db, tmp, n, seed)
    for kind, path, rows in (("parts", parts_csv, n), ("numbers", num_csv, n), ("fitment", fit_csv, 2 * n)):
        t = time.perf_counter()
        report = run_import(db, path, kind, tmp)
        sec = time.perf_counter() - t
        assert report.failed == 0, report.first_errors
        results[f"import_{kind}"] = {"rows": rows, "seconds": round(sec, 1), "rows_per_s": round(rows / sec)}
        print(
            f"  importer {kind:<8} {rows:>9,} rows in {sec:7.1f} s = {rows / sec:>9,.0f} rows/s", flush=True
        )


def _generate(db: Database, args: argparse.Namespace, results: dict[str, Any]) -> None:
    t = time.perf_counter()
    with db.transaction() as s:
        bind_system(s, "bench")
        res = generate(
            s,
            skus=args.skus,
            seed=args.seed,
            progress=lambda st, rows, sec: print(
                f"  generate {st:<10} {rows:>11,} rows {rows / sec:>9,.0f} rows/s", flush=True
            ),
        )
    sec = time.perf_counter() - t
    results["generate"] = res.as_dict() | {"wall_s": round(sec, 1), "rows_per_s": round(res.rows / sec)}
    print(
        f"generator: {res.rows:,} rows ({res.parts:,} parts, {res.numbers:,} numbers, "
        f"{res.fitments:,} fitments, "
        f"{res.variants:,} variants) in {sec:.1f} s incl. commit = {res.rows / sec:,.0f} rows/s",
        flush=True,
    )
    t = time.perf_counter()
    if args.db:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
            # The bulk load's dirty buffers written out now, not by the checkpointer while the first
            # queries run (needs a superuser or pg_checkpoint; skipped without).
            try:
                c.execute(text("CHECKPOINT"))
            except DBAPIError as e:  # a benchmark goes on without it
                print(f"  (no CHECKPOINT: {str(e).splitlines()[0]})", flush=True)
    else:
        # On the driver's connection, outside a transaction (the engine begins every transaction with
        # BEGIN IMMEDIATE, and a checkpoint inside one fails with "database table is locked").
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.execute("ANALYZE")  # type: ignore[union-attr]
            raw.commit()
            # The generator's one transaction leaves the whole catalogue in the WAL; move it into the
            # database file as SQLite's checkpointing does over time on a running system.
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
    # Gigabytes just written sit in the operating system's dirty pages; flush them before timing queries,
    # so the queries do not compete with the write-back of the load that preceded them.
    os.sync()
    print(
        f"settled after the load (analyse, checkpoint, sync) in {time.perf_counter() - t:.1f} s", flush=True
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skus", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", help="PostgreSQL admin URL (a new database is created and dropped)")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--import-rows", type=int, default=50_000, help="parts rows for the importer run")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite file / PostgreSQL database")
    ap.add_argument(
        "--sqlite-cache-mb",
        type=int,
        default=SQLITE_CACHE_MB,
        help="SQLite page cache per connection (AUTOTRADE_SQLITE_CACHE_MB of the server)",
    )
    ap.add_argument(
        "--reuse",
        metavar="URL",
        help="query a catalogue kept by an earlier --keep run (no generation; the database is kept)",
    )
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="autotrade-bench-"))
    if args.reuse:
        url, name, args.keep = args.reuse, None, True
        args.db = args.db or (args.reuse if args.reuse.startswith("postgresql") else None)
    else:
        url, name = fresh_db(args.db, tmp, "catalog.db")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{'PostgreSQL' if args.db else 'SQLite'}; skus={args.skus:,} seed={args.seed}",
        flush=True,
    )
    results: dict[str, Any] = {
        "skus": args.skus,
        "seed": args.seed,
        "backend": "postgresql" if args.db else "sqlite",
        "sqlite_cache_mb": None if args.db else args.sqlite_cache_mb,
    }
    db = Database(url, sqlite_cache_mb=args.sqlite_cache_mb)
    try:
        upgrade(db)
        if not args.reuse:
            _generate(db, args, results)
        rng = random.Random(args.seed)
        n = args.queries
        with db.transaction() as s:
            bind_system(s, "bench")
            oe_rows = s.execute(select(Part.id, Part.brand_number).where(Part.quality_grade == "oe")).all()
            targets = rng.sample(oe_rows, min(n, len(oe_rows)))
            patterns = s.execute(
                select(VinPattern.pattern, VehicleVariant.year_from).join(VehicleVariant)
            ).all()
            vins = [
                vin_for(p, y, rng.randrange(1_000_000))
                for p, y in rng.sample(patterns, min(n, len(patterns)))
            ]
            while len(vins) < n:
                p, y = rng.choice(patterns)
                vins.append(vin_for(p, y, rng.randrange(1_000_000)))
        cats = [c.code for c in LEAVES]
        models_zh = [zh for m in MAKES for _, zh in m.models]
        models_en = [name for m in MAKES for name, _ in m.models]
        zh_q = [
            rng.choice(
                [
                    c.name_zh,
                    f"前{c.name_zh}" if c.positions else c.name_zh,
                    f"{c.name_zh} {rng.choice(models_zh)}",
                ]
            )
            for c in (rng.choice(LEAVES) for _ in range(n))
        ]
        en_q = [
            rng.choice([c.name_en.lower(), f"{c.name_en.lower()} {rng.choice(models_en).lower()}"])
            for c in (rng.choice(LEAVES) for _ in range(n))
        ]
        typo_q = []
        for _ in range(n):
            sup = rng.choice([s for s in SUPPLIERS if len(s.name) >= 5])
            cat = rng.choice([c for c in LEAVES if any(c.code.startswith(p) for p in sup.categories)])
            typo_q.append(f"{_typo(sup.name.lower(), rng)} {cat.name_en.lower()}")
        dirty_q = [(pid, dirty(num, rng)) for pid, num in targets]
        tune_gc()  # as the server does once the app is built (autotrade.core.runtime)
        print("queries (service calls, one session, seeded):", flush=True)
        with db.transaction() as s:
            bind_system(s, "bench")
            _time("OE exact", [num for _, num in targets], lambda q: search.search_number(s, q), results)
            _time(
                "OE prefix (6 chars)",
                [num.replace(" ", "").replace("-", "")[:6] for _, num in targets],
                lambda q: search.search_number(s, q, prefix=True),
                results,
            )

            def by_vin(arg: tuple[str, str | None]) -> Any:
                _, variants = service.vehicle_variants(s, vin=arg[0], variant_ids=[])
                return search.search_variants(s, variants, category=arg[1])

            _time("VIN -> parts", [(v, None) for v in vins], by_vin, results)
            _time("VIN -> parts + category", [(v, rng.choice(cats)) for v in vins], by_vin, results)
            _time("full text zh", zh_q, lambda q: search.search_text(s, q), results)
            _time("full text en", en_q, lambda q: search.search_text(s, q), results)
            typo_res = _time(
                "typo'd brand + words",
                typo_q,
                lambda q: search.search_text(s, q),
                results,
                keep=lambda r: bool(r.corrected),
            )
            found = _time(
                "dirty OE (recall)",
                [q for _, q in dirty_q],
                lambda q: search.search_number(s, q),
                results,
                keep=lambda r: [h.part.id for h in r.items[:10]],
            )
        hits = sum(1 for (pid, _), top in zip(dirty_q, found, strict=True) if pid in top)
        corrected = sum(1 for c in typo_res if c)
        results["recall_top10"] = round(hits / len(dirty_q), 4)
        results["typo_corrected"] = round(corrected / len(typo_res), 4)
        print(
            "  known-item recall (target in top 10) for dirty OE queries: "
            f"{hits}/{len(dirty_q)} = {hits / len(dirty_q):.2%}"
        )
        print(f"  typo'd queries corrected: {corrected}/{len(typo_res)}; examples: {typo_q[:3]}")
        print("json:", json.dumps(results, ensure_ascii=False))
        if args.import_rows:
            _import_bench(db, tmp, args.import_rows, args.seed, results)
        print("json:", json.dumps(results, ensure_ascii=False))
    finally:
        db.dispose()
        if not args.keep:
            drop(args.db, name)
        print(f"(database {'kept at ' + url if args.keep else 'removed'})")


if __name__ == "__main__":
    main()
