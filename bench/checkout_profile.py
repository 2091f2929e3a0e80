"""Where one checkout's time goes: the real app in-process (no HTTP server, no load generator).

    .venv/bin/python bench/checkout_profile.py --db postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/checkout_profile.py --db ... --profile   # also the top functions (yappi)

Seeds a small fresh database (the same shape as bench/orders.py), sends ``--n`` checkouts of 3 lines
from 2 suppliers through the ASGI app one at a time, and prints the wall time per checkout (p50/p99),
the SQL statements per checkout and, with ``--profile``, the functions with the most CPU time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchdb import drop, fresh_db  # bench/benchdb.py (scripts run from bench/)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PASSWORD = "Bench-Checkout-2026"  # benchmark data only

from bench_orders_seed import seed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="PostgreSQL admin URL (default: a SQLite file)")
    ap.add_argument("--skus", type=int, default=2_000)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--callees", default="", help="with --profile: also list what this function calls")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url, name = fresh_db(args.db, tmp)
    os.environ.update(
        AUTOTRADE_DATABASE_URL=url, AUTOTRADE_LOG_LEVEL="WARNING", AUTOTRADE_LOGIN_RATE_LIMIT="100000"
    )
    try:
        from fastapi.testclient import TestClient
        from sqlalchemy import event

        from autotrade.app import create_app
        from autotrade.core.db import Database
        from autotrade.core.migrate import upgrade

        db = Database(url)
        upgrade(db)
        seeded = seed(
            url, skus=args.skus, suppliers=2, buyer_companies=1, users_per_company=1, password=PASSWORD
        )
        seeded.restock_hot(10**9)
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)
        rng = random.Random(1)
        with TestClient(create_app(db=db)) as client:
            r = client.post(
                "/api/v1/auth/login", json={"email": seeded.buyer_emails[0], "password": PASSWORD}
            )
            r.raise_for_status()
            auth = {"Authorization": f"Bearer {r.json()['access_token']}"}

            def one() -> float:
                lines = [{"offer_id": o, "quantity": 1} for o in rng.sample(seeded.offer_ids, 3)]
                t = time.perf_counter()
                r = client.post(
                    "/api/v1/checkout",
                    json={"lines": lines, "ship_to": seeded.ship_to},
                    headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                )
                elapsed = time.perf_counter() - t
                assert r.status_code == 201, r.text
                return elapsed

            for _ in range(50):
                one()
            statements = 0
            if args.profile:
                import yappi

                yappi.set_clock_type("cpu")
                yappi.start()
            cpu = time.process_time()
            times = [one() for _ in range(args.n)]
            cpu = time.process_time() - cpu
            if args.profile:
                yappi.stop()
        times.sort()
        p99 = times[int(len(times) * 0.99) - 1]
        print(
            f"{args.n} checkouts in-process ({'PostgreSQL' if name else 'SQLite'}): "
            f"p50 {statistics.median(times) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
            f"mean {statistics.mean(times) * 1000:.2f} ms; this process's CPU {cpu / args.n * 1000:.2f} ms "
            f"(client, app and driver); {statements / args.n:.1f} SQL statements per checkout"
        )
        if args.profile:
            import yappi

            stats = yappi.get_func_stats()
            stats.sort("tsub")
            stats.print_all(columns={0: ("name", 80), 1: ("ncall", 8), 2: ("tsub", 8), 3: ("ttot", 8)})
            for f in stats:
                if args.callees and f.name == args.callees:
                    print(f"callees of {f.full_name}:")
                    f.children.sort("ttot").print_all(
                        columns={0: ("name", 80), 1: ("ncall", 8), 3: ("ttot", 8)}
                    )
    finally:
        drop(args.db, name)


if __name__ == "__main__":
    main()
