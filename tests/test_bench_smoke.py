"""`bench/orders.py --smoke` runs end to end against PostgreSQL in seconds and its invariants hold, so
the benchmark never rots between the runs recorded in docs/performance.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ENV, pg_admin_url
from tests.ops.procs import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_checkout_bench_smoke_mode_runs_and_its_invariants_hold():
    admin = pg_admin_url()
    if admin is None:
        pytest.skip(f"{PG_ENV} is not set")
    out = subprocess.run(
        [
            sys.executable,
            "orders.py",
            "--smoke",
            "--db",
            admin.replace("+psycopg", ""),
            "--port",
            str(free_port()),
        ],
        cwd=ROOT / "bench",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "oversell 0, lost updates 0" in out.stdout
    assert "stock ≠ Σ movements 0" in out.stdout
