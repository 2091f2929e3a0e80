"""Per-request cost of the foundation: authentication, tenant-scoped reads and an audited write.

Starts a real server (uvicorn, one process) on a fresh database, loads the demo data, then drives it
from N client threads over loopback and prints throughput and p50/p99 latency per endpoint.

    .venv/bin/python bench/api_requests.py                       # embedded SQLite
    .venv/bin/python bench/api_requests.py --db postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from benchdb import drop, fresh_db  # bench/benchdb.py (scripts run from bench/)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _measure(
    base: str, name: str, fn: Callable[[httpx.Client, int], httpx.Response], threads: int, per_thread: int
) -> None:
    lat: list[float] = []
    lock = threading.Lock()
    errors = [0]

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            local = []
            for i in range(per_thread):
                t = time.perf_counter()
                r = fn(c, i)
                local.append(time.perf_counter() - t)
                if r.status_code >= 400:
                    errors[0] += 1
            with lock:
                lat.extend(local)

    start = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.perf_counter() - start
    lat.sort()
    p50 = statistics.median(lat) * 1000
    p99 = lat[int(len(lat) * 0.99) - 1] * 1000
    rate = len(lat) / wall
    figures = f"{rate:>8.1f} req/s  p50 {p50:>7.2f} ms  p99 {p99:>7.2f} ms  errors {errors[0]}"
    print(f"{name:<34} {len(lat):>6} req  {figures}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="PostgreSQL admin URL; default: embedded SQLite")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--requests", type=int, default=200, help="per thread")
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url, name = fresh_db(args.db, tmp)
    env = {
        **os.environ,
        "AUTOTRADE_DATABASE_URL": url,
        "AUTOTRADE_LOG_LEVEL": "WARNING",
        "AUTOTRADE_LOGIN_RATE_LIMIT": "100000",
    }
    subprocess.run([BIN / "autotrade", "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([BIN / "autotrade", "demo"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [BIN / "autotrade", "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        login = {"email": "owner@repair.demo.autotrade.cn", "password": "Autotrade-2026"}
        tok = httpx.post(base + "/api/v1/auth/login", json=login).json()["access_token"]
        h = {"Authorization": f"Bearer {tok}"}
        backend = "PostgreSQL" if args.db else "SQLite"
        print(f"backend {backend}; {args.threads} client threads; server: 1 uvicorn process")
        print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
        me_id = httpx.get(base + "/api/v1/me", headers=h).json()["user_id"]
        n, t = args.requests, args.threads
        _measure(base, "GET /healthz (no database)", lambda c, i: c.get("/healthz"), t, n)
        _measure(base, "GET /api/v1/me (auth only)", lambda c, i: c.get("/api/v1/me", headers=h), t, n)
        _measure(
            base, "GET /api/v1/users (scoped list)", lambda c, i: c.get("/api/v1/users", headers=h), t, n
        )

        def rename(c: httpx.Client, i: int) -> httpx.Response:
            return c.patch(f"/api/v1/users/{me_id}", json={"name": f"何军{i}"}, headers=h)

        _measure(base, "PATCH /api/v1/users/{id} (audited)", rename, t, max(n // 4, 1))
    finally:
        server.terminate()
        server.wait(10)
        drop(args.db, name)


if __name__ == "__main__":
    main()
