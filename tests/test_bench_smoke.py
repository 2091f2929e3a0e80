"""`bench/orders.py --smoke` runs end to end against PostgreSQL in seconds and its invariants hold, so
the benchmark never rots between the runs recorded in docs/performance.md."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ENV, pg_admin_url
from tests.ops.procs import free_port

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    """A script of bench/ run as a user runs it (from bench/), expected to exit 0."""
    out = subprocess.run(
        [sys.executable, *args], cwd=ROOT / "bench", capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return out


def test_checkout_bench_smoke_mode_runs_and_its_invariants_hold():
    admin = pg_admin_url()
    if admin is None:
        pytest.skip(f"{PG_ENV} is not set")
    out = bench("orders.py", "--smoke", "--db", admin.replace("+psycopg", ""), "--port", str(free_port()))
    assert "oversell 0, lost updates 0" in out.stdout
    assert "stock ≠ Σ movements 0" in out.stdout


def test_catalogue_bench_and_import_profile_run_on_a_small_catalogue(tmp_path: Path) -> None:
    """`bench/catalog.py` (generator, queries, importer) and `bench/import_profile.py` (importer steps on
    a copy of the kept catalogue) run end to end on SQLite at a small scale."""
    out = bench("catalog.py", "--skus", "2000", "--queries", "20", "--import-rows", "300", "--keep")
    assert "known-item recall (target in top 10) for dirty OE queries: 20/20" in out.stdout
    assert re.search(r"importer parts +300 rows in", out.stdout)
    assert re.search(r"importer numbers +300 rows in", out.stdout)
    assert re.search(r"importer fitment +600 rows in", out.stdout)
    kept = re.search(r"database kept at (sqlite:///(\S+))\)", out.stdout)
    assert kept, out.stdout[-500:]
    try:
        profile = bench("import_profile.py", "--catalog", kept.group(1), "--rows", "200", "--seed", "2")
        assert re.search(r"parts +200 rows in .* rows/s; steps \(s\): \{.*plan_groups", profile.stdout)
        assert re.search(r"numbers +200 rows in .* rows/s; steps \(s\): \{.*plan_groups", profile.stdout)
        assert re.search(r"fitment +400 rows in .* rows/s; steps \(s\): \{.*load fitment", profile.stdout)
    finally:
        shutil.rmtree(Path(kept.group(2)).parent, ignore_errors=True)
