"""Search latency on a kept 1M catalogue, with the time spent in each SQL statement — to compare two
versions of the code on the same catalogue (old and new in turn: this machine's speed drifts).

    .venv/bin/python bench/search_profile.py --catalog sqlite:////tmp/autotrade-bench-…/catalog.db
    .venv/bin/python bench/search_profile.py --catalog postgresql://postgres@127.0.0.1:5432/autotrade_bench_…
    .venv/bin/python bench/search_profile.py --catalog … --src ../old/src --kinds number prefix

Kinds: ``number`` (OE numbers of the catalogue, as stored), ``prefix`` (their first six characters,
type-ahead), ``zh`` and ``en`` (category names, alone or with a model, as ``bench/catalog.py`` asks),
``vin`` (a VIN of a pattern of the catalogue). Each kind: warm-up calls, then the timed ones; prints p50,
p99 and the total, and per statement (its first words) the time the driver took and how often it ran.
The catalogue is only read.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", required=True, help="URL of a catalogue kept by bench/catalog.py --keep")
    ap.add_argument("--kinds", nargs="+", default=["number", "prefix", "zh", "en", "vin"])
    ap.add_argument("--queries", type=int, default=350, help="timed queries per kind")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the autotrade code to run (its src directory)")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(args.src).resolve()))
    from sqlalchemy import event, select, text

    import autotrade
    import autotrade.models  # every table known
    from autotrade.catalog import search, service
    from autotrade.catalog.generate import vin_for
    from autotrade.catalog.generate_vocab import LEAVES, MAKES
    from autotrade.core.db import Database
    from autotrade.core.runtime import tune_gc
    from autotrade.core.tenancy import bind_system
    from autotrade.vehicles.models import VehicleVariant, VinPattern

    url = args.catalog.replace("postgresql://", "postgresql+psycopg://", 1)
    db = Database(url)
    s = db.session()
    bind_system(s, "bench")
    n, warm = args.queries, 30
    rng = random.Random(1)
    oe = [r[0] for r in s.execute(text("SELECT number FROM part_numbers WHERE kind = 'oe' LIMIT 20000"))]
    models_zh = [zh for m in MAKES for _, zh in m.models]
    models_en = [name.lower() for m in MAKES for name, _ in m.models]
    patterns = s.execute(select(VinPattern.pattern, VehicleVariant.year_from).join(VehicleVariant)).all()

    def by_vin(vin: str) -> Any:
        _, variants = service.vehicle_variants(s, vin=vin, variant_ids=[])
        return search.search_variants(s, variants)

    kinds: dict[str, tuple[list[str], Callable[[str], Any]]] = {
        "number": (rng.sample(oe, n + warm), lambda q: search.search_number(s, q)),
        "prefix": (
            [q[:6] for q in rng.sample(oe, n + warm)],
            lambda q: search.search_number(s, q, prefix=True),
        ),
        "zh": (
            [
                rng.choice([c.name_zh, f"前{c.name_zh}", f"{c.name_zh} {rng.choice(models_zh)}"])
                for c in (rng.choice(LEAVES) for _ in range(n + warm))
            ],
            lambda q: search.search_text(s, q),
        ),
        "en": (
            [
                rng.choice([c.name_en.lower(), f"{c.name_en.lower()} {rng.choice(models_en)}"])
                for c in (rng.choice(LEAVES) for _ in range(n + warm))
            ],
            lambda q: search.search_text(s, q),
        ),
        "vin": (
            [vin_for(p, y, rng.randrange(1_000_000)) for p, y in rng.choices(patterns, k=n + warm)],
            by_vin,
        ),
    }
    spent: dict[str, float] = defaultdict(float)
    runs: Counter[str] = Counter()
    started: list[float] = [0.0]

    @event.listens_for(db.engine, "before_cursor_execute")
    def _before(*_: Any) -> None:
        started[0] = time.perf_counter()

    @event.listens_for(db.engine, "after_cursor_execute")
    def _after(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        key = " ".join(statement.split())[:60]
        spent[key] += time.perf_counter() - started[0]
        runs[key] += 1

    print(f"code: {Path(autotrade.__file__).parent}; catalogue: {args.catalog}", flush=True)
    tune_gc()  # as the server does once the app is built
    for kind in args.kinds:
        queries, call = kinds[kind]
        for q in queries[:warm]:
            call(q)
        spent.clear()
        runs.clear()
        times = []
        for q in queries[warm:]:
            t = time.perf_counter()
            call(q)
            times.append(time.perf_counter() - t)
        times.sort()
        p50, p99 = times[len(times) // 2] * 1000, times[int(len(times) * 0.99)] * 1000
        print(f"  {kind:<7} n={len(times)}  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  total {sum(times):6.2f} s")
        for key, sec in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"      {sec:6.3f} s {runs[key]:>5}×  {key}")
    s.close()
    db.dispose()


if __name__ == "__main__":
    main()
