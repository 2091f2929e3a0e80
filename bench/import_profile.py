"""Importer throughput into a kept 1M catalogue, with the time spent in each step — to compare two
versions of the code on the same catalogue.

A fresh copy of a catalogue kept by ``bench/catalog.py --keep`` (a file copy for SQLite, ``CREATE
DATABASE … TEMPLATE`` on PostgreSQL) is migrated to the code's schema, the benchmark's parts and fitment
files (``importfiles.py``, the same as ``catalog.py`` imports) go through the real importer, and the copy
is removed::

    .venv/bin/python bench/import_profile.py --catalog sqlite:////tmp/autotrade-bench-…/catalog.db
    .venv/bin/python bench/import_profile.py \\
        --catalog postgresql://postgres@127.0.0.1:5432/autotrade_bench_…
    .venv/bin/python bench/import_profile.py --catalog … --src ../old/src   # another checkout's code

Prints rows/s per file and the seconds spent in the importer's main steps (those the code has).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
# (module, attribute) of the steps timed; a step the code does not have is skipped.
STEPS = (
    ("autotrade.catalog.import_repository", "ImportRepository.existing_parts"),
    ("autotrade.catalog.import_repository", "ImportRepository.part_ids"),
    ("autotrade.catalog.import_repository", "ImportRepository.part_groups"),
    ("autotrade.catalog.import_repository", "ImportRepository.upsert_rows"),
    ("autotrade.catalog.indexing", "plan_groups"),
    ("autotrade.catalog.repository", "PartRepository.groups_holding"),
    ("autotrade.catalog.repository", "PartRepository.regroup"),
    ("autotrade.catalog.indexing", "merge_groups"),
    ("autotrade.catalog.indexing", "index_parts"),
    ("autotrade.catalog.repository", "SearchIndex.add"),
    ("autotrade.catalog.documents", "DocBuilder.doc"),
    ("autotrade.catalog.indexing", "add_to_vocabulary"),
    ("sqlalchemy.orm", "Session.commit"),
)


def _timer(fn: Any, key: str, steps: dict[str, float]) -> Any:
    def timed(*a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            steps[key] += time.perf_counter() - t

    return functools.wraps(fn)(timed)


def _timed(steps: dict[str, float]) -> None:
    import importlib

    for module, attr in STEPS:
        owner: Any = importlib.import_module(module)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        if owner is None or not hasattr(owner, name):
            continue
        setattr(owner, name, _timer(getattr(owner, name), attr, steps))
    # The loaders are called through the importer's table of them.
    loaders = getattr(importlib.import_module("autotrade.catalog.importer"), "LOADERS", {})
    for kind, fn in list(loaders.items()):
        loaders[kind] = _timer(fn, f"load {kind}", steps)


def _copy(catalog: str, tmp: Path) -> tuple[str, str | None]:
    """(URL of a fresh copy, PostgreSQL database to drop afterwards)."""
    url = make_url(catalog)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if source.with_name(source.name + "-wal").exists():
            sys.exit(f"{source} has a WAL file: open and close it once so it is checkpointed first")
        target = tmp / "catalog.db"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}", None
    admin = url.set(drivername="postgresql+psycopg")
    name = f"autotrade_import_{uuid.uuid4().hex[:8]}"
    with create_engine(admin, isolation_level="AUTOCOMMIT").connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    return admin.set(database=name).render_as_string(hide_password=False), name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", required=True, help="URL of a catalogue kept by bench/catalog.py --keep")
    ap.add_argument(
        "--rows",
        type=int,
        default=50_000,
        help="parts rows (as many cross-references, twice as many fitment rows)",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--src", default=str(ROOT / "src"), help="the autotrade code to run (its src directory)")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(args.src).resolve()))
    sys.path.insert(1, str(ROOT / "bench"))
    from importfiles import run_import, write_import_files

    import autotrade
    import autotrade.models
    from autotrade.core.db import Database
    from autotrade.core.migrate import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="autotrade-import-"))
    url, dropme = _copy(args.catalog, tmp)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"code: {Path(autotrade.__file__).parent}; catalogue copied from {args.catalog}",
        flush=True,
    )
    db = Database(url)
    results: dict[str, Any] = {}
    try:
        upgrade(db)
        parts_csv, fit_csv, num_csv = write_import_files(db, tmp, args.rows, args.seed)
        files = (
            ("parts", parts_csv, args.rows),
            ("numbers", num_csv, args.rows),
            ("fitment", fit_csv, 2 * args.rows),
        )
        for kind, path, rows in files:
            steps: dict[str, float] = defaultdict(float)
            _timed(steps)
            t = time.perf_counter()
            report = run_import(db, path, kind, tmp)
            sec = time.perf_counter() - t
            assert report.failed == 0, report.first_errors
            shown = {k: round(v, 2) for k, v in steps.items()}
            results[kind] = {"rows": rows, "seconds": round(sec, 2), "rows_per_s": round(rows / sec)} | shown
            print(
                f"  {kind:<8} {rows:>9,} rows in {sec:6.1f} s = {rows / sec:>8,.0f} rows/s; steps (s):", shown
            )
        print("json:", json.dumps(results))
    finally:
        db.dispose()
        if dropme:
            with create_engine(
                make_url(args.catalog).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
            ).connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{dropme}" WITH (FORCE)'))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
