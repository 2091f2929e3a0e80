"""The demo catalogue of `autotrade demo`: real makes and models sold in China, common parts of real
brands, cross-references, a superseded OE number, a remanufactured and a dismantled part.

The CSV files in ``demo_data/`` are loaded through the real importer, one ``catalog.import`` job run
per file, in dependency order; re-loading updates and never duplicates (the importer is idempotent).
See ``demo_data/README.md`` for which numbers are real and which are illustrative.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autotrade.catalog import importer as _importer  # noqa: F401  (registers the catalog.import job)
from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.jobs import service as jobs
from autotrade.jobs.repository import JobRepository

DATA = Path(__file__).parent / "demo_data"
FILES = (
    ("categories", "1-categories.csv"),
    ("brands", "2-brands.csv"),
    ("vehicles", "3-vehicles.csv"),
    ("parts", "4-parts.csv"),
    ("numbers", "5-numbers.csv"),
    ("fitment", "6-fitment.csv"),
)


def load_demo_catalog(db: Database) -> dict[str, Any]:
    """Import every demo file (each import commits per batch). Returns per kind: read, created, updated,
    unchanged, failed."""
    out: dict[str, Any] = {}
    for kind, name in FILES:
        path = DATA / name
        with db.transaction() as session:
            bind_system(session, "demo")
            run_id = jobs.submit(
                session, "catalog.import", {"path": str(path), "kind": kind, "filename": name}
            ).id
        status = jobs.execute(db, run_id)
        with db.transaction() as session:
            bind_system(session, "demo")
            run = JobRepository(session).get_or_404(run_id)
            result = dict(run.result or {})
        if status != "done" or result.get("failed"):
            raise RuntimeError(f"demo catalogue file {name} did not import cleanly: {status} {result}")
        out[kind] = {k: result.get(k) for k in ("read", "created", "updated", "unchanged", "failed")}
    return out
