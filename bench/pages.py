"""Server time of the web pages on the demo data.

    .venv/bin/python bench/pages.py [--repeat 20] [--db sqlite|postgresql://...]

Builds a fresh database the way ``make run`` does (``autotrade db upgrade`` then ``autotrade demo``),
places a few orders through the API (so the order pages have something to show), then, in process
(FastAPI's test client: no network, no browser — the figure is the server's time to answer), logs in
as a demo buyer, a demo supplier and the platform administrator and opens every page of their
navigation plus the first detail page linked from each list, ``--repeat`` times each. Prints p50,
p99 and max per page and the slowest page. The issue's bar: every page under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BIN = Path(sys.executable).parent

from benchdb import drop, fresh_db  # noqa: E402  (bench/benchdb.py; scripts run from bench/)

USERS = {
    "buyer": "purchaser@repair.demo.autotrade.cn",
    "supplier": "owner@distributor.demo.autotrade.cn",
    "maker": "owner@maker.demo.autotrade.cn",
    "platform": "admin@platform.demo.autotrade.cn",
}
SHIP_TO = {"province": "浙江省", "city": "杭州市", "address": "莫干山路1418号", "contact": "马超"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_NAV = re.compile(r'<nav class="nav"[^>]*>(.*?)</nav>', re.S)
_HREF = re.compile(r'href="(/[^"#?]*)"')
_DETAIL = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "autotrade"), *args], env=env, check=True, capture_output=True)


def _login(client: Any, email: str, password: str) -> None:
    client.cookies.clear()
    page = client.get("/login")
    token = _TOKEN.search(page.text)
    assert token, "no CSRF token on the login page"
    r = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]


def _place_orders(client: Any, email: str, password: str, count: int) -> int:
    """Orders through the API as the demo buyer: the best offer of a few demo parts."""
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    r.raise_for_status()
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    part_ids: list[str] = []
    for words in ("刹车片", "滤清器", "火花塞", "brake", "filter"):
        found = client.get("/api/v1/catalog/search", params={"q": words, "limit": 20}, headers=h).json()
        assert "items" in found, found
        part_ids += [hit["part"]["id"] for hit in found["items"] if hit["part"]["id"] not in part_ids]
    placed = 0
    for part_id in part_ids:
        if placed >= count:
            break
        offers = client.get("/api/v1/compare", params={"part_id": part_id, "quantity": 1}, headers=h)
        usable = [o for o in offers.json().get("items", []) if o["enough_stock"]] if offers.is_success else []
        if not usable:
            continue
        offer = usable[0]
        body = {
            "lines": [{"offer_id": offer["offer_id"], "quantity": 1}],
            "ship_to": {
                "province": "浙江省",
                "city": "杭州市",
                "address": "莫干山路1418号",
                "contact": "马超",
            },
        }
        if client.post("/api/v1/checkout", json=body, headers=h).status_code == 201:
            placed += 1
    return placed


# Searches a buyer makes (a demo VIN, an OE number in dirty formatting, Chinese and English words).
SEARCHES = ["/search?q=LVGE6AB5XLN123456", "/search?q=04465-33471", "/search?q=刹车片", "/search?q=brake+pad"]


def _pages_of(client: Any) -> list[str]:
    """The navigation's pages (and, where there is a search page, a few searches), and the first
    detail page each of them links to."""
    nav = _NAV.search(client.get("/dashboard").text)
    assert nav, "no navigation on the dashboard"
    pages = list(dict.fromkeys(_HREF.findall(nav.group(1))))
    if "/search" in pages:
        pages += SEARCHES
    details = []
    for path in pages:
        prefix = "/parts/" if path.startswith("/search?") else path
        for href in _HREF.findall(client.get(path).text):
            if href.startswith(prefix) and _DETAIL.search(href) and href not in details:
                details.append(href)
                break
    return pages + details


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="sqlite", help="sqlite (a temporary file) or a PostgreSQL admin URL")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--orders", type=int, default=12, help="orders placed before measuring")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    if args.db == "sqlite":
        url, dbname = f"sqlite:///{tmp / 'autotrade.db'}", None
    else:
        url, dbname = fresh_db(args.db, tmp)
    env = {
        **os.environ,
        "AUTOTRADE_DATABASE_URL": url,
        "AUTOTRADE_LOG_LEVEL": "WARNING",
        "AUTOTRADE_LOG_JSON": "false",
        "AUTOTRADE_LOGIN_RATE_LIMIT": "100000",
    }
    os.environ.update(env)
    try:
        t0 = time.perf_counter()
        _cli(env, "db", "upgrade")
        _cli(env, "demo")
        print(f"database {url.split('@')[-1]}: migrated and demo loaded in {time.perf_counter() - t0:.1f} s")

        from fastapi.testclient import TestClient

        from autotrade.app import create_app
        from autotrade.core.db import Database
        from autotrade.core.settings import get_settings
        from autotrade.demo import DEMO_PASSWORD

        settings = get_settings()
        db = Database(settings.database_url)
        results: list[tuple[str, str, float, float, float]] = []
        with TestClient(create_app(settings, db)) as client:
            print(f"orders placed: {_place_orders(client, USERS['buyer'], DEMO_PASSWORD, args.orders)}")
            for who, email in USERS.items():
                _login(client, email, DEMO_PASSWORD)
                for path in _pages_of(client):
                    client.get(path)  # warm-up: template compilation, caches
                    times = []
                    for _ in range(args.repeat):
                        start = time.perf_counter()
                        r = client.get(path)
                        times.append((time.perf_counter() - start) * 1000)
                        assert r.status_code == 200, (who, path, r.status_code)
                    times.sort()
                    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
                    results.append((who, path, statistics.median(times), p99, times[-1]))
        db.dispose()
    finally:
        if dbname:
            drop(args.db, dbname)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'user':<9} {'page':<58} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for who, path, p50, p99, worst in results:
        print(f"{who:<9} {path:<58} {p50:8.1f} {p99:8.1f} {worst:8.1f}")
    slowest = max(results, key=lambda r: r[3])
    print(
        f"pages: {len(results)}; slowest p99: {slowest[1]} ({slowest[0]}) {slowest[3]:.1f} ms; "
        f"over 300 ms at p99: {sum(1 for r in results if r[3] > 300)}"
    )


if __name__ == "__main__":
    main()
