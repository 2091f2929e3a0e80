"""Checkout under concurrency: the real server on PostgreSQL, driven over HTTP by concurrent buyers.

    .venv/bin/python bench/orders.py --db postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/orders.py --db postgresql://postgres@127.0.0.1:5432/postgres --smoke

Seeds a fresh database (``--skus`` parts, each offered by every supplier from 3 warehouses), starts
``autotrade serve --workers N``, logs in the buyers, then for each buyer count runs ``--reps``
repetitions of ``--warmup`` seconds (not counted) plus ``--duration`` seconds of checkouts (1–5 lines,
20 % with one unit of a hot SKU whose stock runs out, 5 % resent with the same Idempotency-Key) and
prints the median and min–max of checkouts/s and latency, rejections and errors. Then it checks the
invariants on the database (oversell, lost updates, duplicate orders from retries, stock equal to the
sum of its movements) and measures the machine's ceiling with pgbench (TPC-B, scale 10, 8 clients).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from benchdb import drop, fresh_db  # bench/benchdb.py (scripts run from bench/)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BIN = Path(sys.executable).parent
PASSWORD = "Bench-Checkout-2026"  # benchmark data only

from bench_orders_seed import Seeded, seed  # noqa: E402  (bench/bench_orders_seed.py)


@dataclass
class RunStats:
    latencies: list[float] = field(default_factory=list)
    hot_latencies: list[float] = field(default_factory=list)
    hot_last_ok: float = 0.0  # when the last hot-SKU order succeeded (its stock ran out after)
    ok: int = 0
    hot_ok: int = 0
    rejected: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    created: int = 0  # orders created by first sends, warm-up included (retries must add none)
    retries: int = 0
    retry_mismatch: int = 0
    seconds: float = 0.0

    def pct(self, q: float, hot: bool = False) -> float:
        lat = sorted(self.hot_latencies if hot else self.latencies)
        if not lat:
            return float("nan")
        return lat[min(len(lat) - 1, max(0, round(q * len(lat)) - 1))] * 1000


def _order_ids(body: Any) -> list[str]:
    return sorted(o["id"] for o in body.get("orders", []))


async def _buyer(
    client: aiohttp.ClientSession,
    token: str,
    seeded: Seeded,
    rng: random.Random,
    stop_at: float,
    record_from: float,
    stats: RunStats,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    last: tuple[str, dict[str, Any], list[str]] | None = None
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            return
        retry = last is not None and rng.random() < 0.05
        hot = False
        if retry and last is not None:
            key, body, expected = last
        else:
            n = rng.randint(1, 5)
            offers = rng.sample(seeded.offer_ids, n)
            lines = [{"offer_id": o, "quantity": rng.randint(1, 3)} for o in offers]
            if rng.random() < 0.20:
                hot = True
                lines[0] = {"offer_id": seeded.hot_offer_id, "quantity": 1}
            key, body, expected = uuid.uuid4().hex, {"lines": lines, "ship_to": seeded.ship_to}, []
        t0 = time.perf_counter()
        try:
            async with client.post(
                "/api/v1/checkout", json=body, headers={**headers, "Idempotency-Key": key}
            ) as r:
                raw = await r.read()
                status, payload = r.status, (json.loads(raw) if raw else {})
        except (aiohttp.ClientError, TimeoutError) as e:
            status, payload = 599, {"detail": repr(e)}
        elapsed = time.perf_counter() - t0
        if status < 300 and not retry:
            stats.created += len(payload.get("orders", []))
        if t0 < record_from:
            if status < 300 and not retry:
                last = (key, body, _order_ids(payload))
            continue
        if status < 300:
            stats.ok += 1
            stats.latencies.append(elapsed)
            if hot:
                stats.hot_ok += 1
                stats.hot_latencies.append(elapsed)
                stats.hot_last_ok = max(stats.hot_last_ok, time.perf_counter() - record_from)
            if retry:
                stats.retries += 1
                if _order_ids(payload) != expected:
                    stats.retry_mismatch += 1
            else:
                last = (key, body, _order_ids(payload))
        elif status == 409 and payload.get("code") == "insufficient_stock":
            stats.rejected += 1
            stats.latencies.append(elapsed)
        else:
            stats.errors += 1
            if len(stats.error_samples) < 5:
                stats.error_samples.append(f"{status}: {str(payload)[:200]}")


def _client(base: str, buyers: int) -> aiohttp.ClientSession:
    """The load generator's HTTP client: one keep-alive connection per buyer. aiohttp, not httpx: on this
    machine httpx's AsyncClient spent 7–8 ms of CPU per request at 32 connections (aiohttp 0.35–0.4 ms),
    CPU taken from the server it measures on the same two cores (docs/performance.md)."""
    return aiohttp.ClientSession(
        base,
        connector=aiohttp.TCPConnector(limit=buyers),
        timeout=aiohttp.ClientTimeout(total=60),
    )


async def _run(
    base: str, tokens: list[str], seeded: Seeded, buyers: int, warmup: float, duration: float, seed_: int
) -> RunStats:
    stats = RunStats()
    async with _client(base, buyers) as client:
        start = time.perf_counter()
        record_from = start + warmup
        stop_at = record_from + duration
        tasks = [
            _buyer(
                client,
                tokens[i % len(tokens)],
                seeded,
                random.Random(seed_ * 1000 + i),
                stop_at,
                record_from,
                stats,
            )
            for i in range(buyers)
        ]
        await asyncio.gather(*tasks)
        stats.seconds = time.perf_counter() - record_from
    return stats


async def _floor_run(
    base: str, tokens: list[str], path: str, buyers: int, warmup: float, duration: float
) -> RunStats:
    """The same client and concurrency on a request that does (almost) nothing: the HTTP floor."""
    stats = RunStats()
    async with _client(base, buyers) as client:
        record_from = time.perf_counter() + warmup
        stop_at = record_from + duration

        async def one(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            while (t0 := time.perf_counter()) < stop_at:
                try:
                    async with client.get(path, headers=headers) as r:
                        await r.read()
                        ok = r.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                if t0 >= record_from:
                    stats.latencies.append(time.perf_counter() - t0)
                    stats.ok += ok
                    stats.errors += not ok

        await asyncio.gather(*(one(tokens[i % len(tokens)]) for i in range(buyers)))
        stats.seconds = time.perf_counter() - record_from
    return stats


def _login_all(base: str, emails: list[str]) -> list[str]:
    tokens = []
    with httpx.Client(base_url=base, timeout=60) as c:
        for email in emails:
            r = c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            r.raise_for_status()
            tokens.append(r.json()["access_token"])
    return tokens


def _wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start")


def _pgbench(admin_url: str, seconds: int) -> float | None:
    exe = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    if not Path(exe).exists():
        return None
    url, name = fresh_db(admin_url, Path(tempfile.mkdtemp()), "pgbench")
    assert name
    conninfo = re.sub(r"^postgresql\+psycopg://", "postgresql://", url)
    try:
        subprocess.run([exe, "-i", "-s", "10", "-q", conninfo], check=True, capture_output=True)
        out = subprocess.run(
            [exe, "-c", "8", "-j", "2", "-T", str(seconds), conninfo],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        m = re.search(r"tps = ([\d.]+)", out)
        return float(m.group(1)) if m else None
    finally:
        drop(admin_url, name)


def _fmt_range(values: list[float], unit: str = "", digits: int = 1) -> str:
    med = statistics.median(values)
    return f"{med:,.{digits}f}{unit} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="PostgreSQL admin URL (a fresh database is created and dropped)")
    ap.add_argument("--skus", type=int, default=100_000)
    ap.add_argument("--suppliers", type=int, default=3)
    ap.add_argument("--buyer-companies", type=int, default=16)
    ap.add_argument("--buyers", default="8,32,128", help="concurrent buyers per run, comma-separated")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--hot-stock", type=int, default=0, help="hot SKU units per run (default: sells out)")
    ap.add_argument("--pgbench-seconds", type=int, default=20)
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true", help="tiny and fast, for CI")
    ap.add_argument(
        "--floor-seconds",
        type=float,
        default=10,
        help="per buyer count, also time GET /healthz and GET /api/v1/me with the same client (0: skip)",
    )
    args = ap.parse_args()
    if args.smoke:
        args.skus, args.suppliers, args.buyer_companies = 2_000, 2, 2
        args.buyers, args.warmup, args.duration, args.reps, args.pgbench_seconds = "8", 0.5, 2.0, 1, 0
        args.floor_seconds = 1.0
    buyer_counts = [int(b) for b in args.buyers.split(",")]
    tmp = Path(tempfile.mkdtemp())
    url, name = fresh_db(args.db, tmp)
    env = {
        **os.environ,
        "AUTOTRADE_DATABASE_URL": url,
        "AUTOTRADE_LOG_LEVEL": "WARNING",
        "AUTOTRADE_LOGIN_RATE_LIMIT": "100000",
        "AUTOTRADE_ACCESS_TOKEN_TTL_SECONDS": "7200",
    }
    proc: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run([BIN / "autotrade", "db", "upgrade"], env=env, check=True, capture_output=True)
        t = time.perf_counter()
        seeded = seed(
            url,
            skus=args.skus,
            suppliers=args.suppliers,
            buyer_companies=args.buyer_companies,
            users_per_company=max(1, max(buyer_counts) // args.buyer_companies),
            password=PASSWORD,
            seed=args.seed,
        )
        print(
            f"seeded {args.skus:,} SKUs × {args.suppliers} suppliers × 3 warehouses, "
            f"{len(seeded.buyer_emails)} buyer users in {time.perf_counter() - t:.1f} s"
        )
        base = f"http://127.0.0.1:{args.port}"
        server_log = (tmp / "server.log").open("wb")  # the server writes here until it stops
        proc = subprocess.Popen(
            [BIN / "autotrade", "serve", "--port", str(args.port), "--workers", str(args.workers)],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        _wait_up(base, proc)
        tokens = _login_all(base, seeded.buyer_emails)
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"server: {args.workers} worker processes; client: one asyncio process on the same machine"
        )
        print(
            f"{'buyers':>6}  {'checkouts/s':>24}  {'p50 ms':>20}  {'p95 ms':>20}  {'p99 ms':>20}  "
            f"{'hot orders/s':>20}  {'hot p99 ms':>20}  rejected  errors"
        )
        results: dict[int, list[RunStats]] = {}
        for buyers in buyer_counts:
            runs = []
            for rep in range(args.reps):
                seeded.restock_hot(args.hot_stock)
                runs.append(
                    asyncio.run(
                        _run(base, tokens, seeded, buyers, args.warmup, args.duration, args.seed + rep)
                    )
                )
            results[buyers] = runs
            rate = [r.ok / r.seconds for r in runs]
            # Hot-SKU orders per second while its stock lasted (it sells out during the run).
            hot_rate = [r.hot_ok / max(r.hot_last_ok, 1e-9) if r.hot_ok else 0.0 for r in runs]
            print(
                f"{buyers:>6}  {_fmt_range(rate):>24}  {_fmt_range([r.pct(0.50) for r in runs]):>20}  "
                f"{_fmt_range([r.pct(0.95) for r in runs]):>20}  "
                f"{_fmt_range([r.pct(0.99) for r in runs]):>20}  "
                f"{_fmt_range(hot_rate):>20}  {_fmt_range([r.pct(0.99, hot=True) for r in runs]):>20}  "
                f"{sum(r.rejected for r in runs):>8}  {sum(r.errors for r in runs):>6}"
            )
            for r in runs:
                for sample in r.error_samples:
                    print(f"        error: {sample}")
        if args.floor_seconds:
            # What the same client gets from the same server on requests that do no trading: a request
            # that touches nothing, and one that only authenticates (bearer token → principal).
            print(f"HTTP floor, same client, {args.floor_seconds:g} s after 1 s warm-up:")
            for buyers in buyer_counts:
                for path in ("/healthz", "/api/v1/me"):
                    f = asyncio.run(_floor_run(base, tokens, path, buyers, 1.0, args.floor_seconds))
                    print(
                        f"{buyers:>6}  GET {path:<12} {f.ok / f.seconds:>8,.1f} req/s  "
                        f"p50 {f.pct(0.5):7.1f} ms  p99 {f.pct(0.99):7.1f} ms  errors {f.errors}"
                    )
        proc.terminate()
        proc.wait(timeout=30)
        proc = None
        inv = seeded.invariants()
        retried = sum(r.retries for runs in results.values() for r in runs)
        mismatched = sum(r.retry_mismatch for runs in results.values() for r in runs)
        created = sum(r.created for runs in results.values() for r in runs)
        duplicates = mismatched + abs(inv["orders"] - created)
        print(
            f"invariants: oversell {inv['oversell']}, lost updates {inv['lost_updates']}, "
            f"duplicate orders from {retried} retries {duplicates} (orders in the database "
            f"{inv['orders']:,}, created by first sends {created:,}), "
            f"stock ≠ Σ movements {inv['movement_mismatch']}, "
            f"hot SKU sold {inv['hot_sold']:,} of {inv['hot_received']:,}"
        )
        if args.pgbench_seconds and args.db:
            tps = _pgbench(args.db, args.pgbench_seconds)
            if tps:
                best = max(statistics.median([r.ok / r.seconds for r in runs]) for runs in results.values())
                print(
                    f"pgbench TPC-B scale 10, 8 clients, {args.pgbench_seconds} s: {tps:,.0f} TPS; "
                    f"best median checkouts/s ÷ TPS = {best / tps:.1%}"
                )
        bad = inv["oversell"] + inv["lost_updates"] + duplicates + inv["movement_mismatch"]
        errors = sum(r.errors for runs in results.values() for r in runs)
        if bad or errors:
            tail = (tmp / "server.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"FAILED: {bad} invariant violations, {errors} errors\nserver log tail:\n{tail}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        drop(args.db, name)


if __name__ == "__main__":
    main()
