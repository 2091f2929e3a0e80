"""Where one kind of catalogue search spends its time, on a catalogue kept by ``bench/catalog.py --keep``.

Runs the same seeded queries as ``bench/catalog.py`` for one kind, twice (the first pass warms the
caches; the second is reported), and prints p50/p99, statements per query, the share of wall time spent
inside the driver's ``execute`` (the database plus the round trip), with ``--statements`` the time of
each statement, and with ``--profile`` the top of a yappi CPU profile of the second pass. ``--src`` runs
another checkout's code on the same catalogue (old and new in turn: this machine's speed drifts):

    .venv/bin/python bench/search_profile.py --reuse sqlite:////tmp/…/catalog.db --kind oe
    .venv/bin/python bench/search_profile.py --kind vin --profile \
        --reuse postgresql+psycopg://postgres@127.0.0.1:5432/autotrade_bench_…
    .venv/bin/python bench/search_profile.py --reuse … --kind zh --statements --src ../old/src
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

ROOT = Path(__file__).resolve().parent.parent
_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--src", default=str(ROOT / "src"))
sys.path.insert(0, str(Path(_pre.parse_known_args()[0].src).resolve()))

import autotrade.models  # noqa: E402,F401
from autotrade.catalog import search, service  # noqa: E402
from autotrade.catalog.generate import vin_for  # noqa: E402
from autotrade.catalog.generate_vocab import LEAVES, MAKES  # noqa: E402
from autotrade.catalog.models import Part  # noqa: E402
from autotrade.core.db import Database  # noqa: E402
from autotrade.core.runtime import tune_gc  # noqa: E402
from autotrade.core.tenancy import bind_system  # noqa: E402
from autotrade.vehicles.models import VehicleVariant, VinPattern  # noqa: E402

KINDS = ("oe", "prefix", "vin", "vincat", "zh", "en")


def _queries(s: Any, kind: str, n: int, seed: int) -> tuple[list[Any], Callable[[Any], Any]]:
    rng = random.Random(seed)
    if kind in ("oe", "prefix"):
        rows = s.execute(select(Part.brand_number).where(Part.quality_grade == "oe")).scalars().all()
        nums = rng.sample(list(rows), min(n, len(rows)))
        if kind == "oe":
            return nums, lambda q: search.search_number(s, q)
        return [x.replace(" ", "").replace("-", "")[:6] for x in nums], lambda q: search.search_number(
            s, q, prefix=True
        )
    if kind == "zh":  # the shapes bench/catalog.py asks
        models_zh = [zh for m in MAKES for _, zh in m.models]
        return [
            rng.choice(
                [
                    c.name_zh,
                    f"前{c.name_zh}" if c.positions else c.name_zh,
                    f"{c.name_zh} {rng.choice(models_zh)}",
                ]
            )
            for c in (rng.choice(LEAVES) for _ in range(n))
        ], lambda q: search.search_text(s, q)
    if kind == "en":
        models_en = [name.lower() for m in MAKES for name, _ in m.models]
        return [
            rng.choice([c.name_en.lower(), f"{c.name_en.lower()} {rng.choice(models_en)}"])
            for c in (rng.choice(LEAVES) for _ in range(n))
        ], lambda q: search.search_text(s, q)
    patterns = s.execute(select(VinPattern.pattern, VehicleVariant.year_from).join(VehicleVariant)).all()
    cats = [c.code for c in LEAVES]
    vins = []
    for _ in range(n):
        p, y = rng.choice(patterns)
        vins.append((vin_for(p, y, rng.randrange(1_000_000)), rng.choice(cats) if kind == "vincat" else None))

    def by_vin(arg: tuple[str, str | None]) -> Any:
        _, variants = service.vehicle_variants(s, vin=arg[0], variant_ids=[])
        return search.search_variants(s, variants, category=arg[1])

    return vins, by_vin


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reuse", required=True, metavar="URL")
    ap.add_argument("--kind", choices=KINDS, default="oe")
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", action="store_true", help="yappi CPU profile of the measured pass")
    ap.add_argument("--statements", action="store_true", help="time of each statement (its first words)")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the autotrade code to run (its src directory)")
    args = ap.parse_args()
    db = Database(args.reuse)
    calls = {"n": 0, "sec": 0.0}
    started: list[float] = []
    each: dict[str, list[float]] = {}

    @event.listens_for(db.engine, "before_cursor_execute")
    def _before(*_a: Any) -> None:
        started.append(time.perf_counter())

    @event.listens_for(db.engine, "after_cursor_execute")
    def _after(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        sec = time.perf_counter() - started.pop()
        calls["n"] += 1
        calls["sec"] += sec
        seen = each.setdefault(" ".join(statement.split())[:60], [0, 0.0])
        seen[0] += 1
        seen[1] += sec

    try:
        with db.transaction() as s:
            bind_system(s, "bench")
            queries, call = _queries(s, args.kind, args.n, args.seed)
            tune_gc()
            for q in queries:  # warm-up pass
                call(q)
            if args.profile:
                import yappi

                yappi.set_clock_type("cpu")
                yappi.start()
            calls.update(n=0, sec=0.0)
            each.clear()
            lat = []
            cpu0 = time.process_time()
            for q in queries:
                t = time.perf_counter()
                call(q)
                lat.append(time.perf_counter() - t)
            cpu = time.process_time() - cpu0
            if args.profile:
                yappi.stop()
        lat.sort()
        total = sum(lat)
        print(
            f"{args.kind}: n={len(lat)}  p50 {statistics.median(lat) * 1000:.2f} ms"
            f"  p99 {lat[max(0, int(len(lat) * 0.99) - 1)] * 1000:.2f} ms"
            f"  CPU {cpu / len(lat) * 1000:.2f} ms/query  statements {calls['n'] / len(lat):.1f}/query"
            f"  in execute {calls['sec'] / total:.0%} of wall"
        )
        print(f"  code: {Path(search.__file__).parent.parent}")
        if args.statements:
            for key, (count, sec) in sorted(each.items(), key=lambda kv: -kv[1][1]):
                print(f"  {sec:7.3f} s {count:>6}×  {key}")
        if args.profile:
            stats = yappi.get_func_stats()
            stats.sort("ttot")
            stats.print_all(
                columns={0: ("name", 90), 1: ("ncall", 8), 2: ("tsub", 8), 3: ("ttot", 8), 4: ("tavg", 8)},
                out=sys.stdout,
            )
    finally:
        db.dispose()


if __name__ == "__main__":
    main()
