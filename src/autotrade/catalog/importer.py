"""Bulk import of catalogue master data from CSV or XLSX (see docs/import.md): the run.

The file is read as a stream and handled in batches (:data:`BATCH_SIZE` rows). Per batch:

1. every row is checked (``import_rows``) and its references (brand, category, vehicle variant, part by
   brand + number) are resolved with one query per batch; a row with any problem is reported (line,
   column, value, reason) and writes nothing;
2. the good rows are written set-wise by the loader of the kind (``import_masters``, ``import_parts``)
   with ``INSERT … ON CONFLICT (natural key) DO UPDATE … WHERE changed RETURNING id``, so a re-import
   updates and never duplicates; every written row carries ``import_run_id`` (the job run), whose single
   ``catalog.import`` audit entry stands for the rows;
3. interchange groups and full-text documents of the touched parts are brought up to date, and the
   words of the English part names written are counted into the search vocabulary (the parts and
   numbers loaders decide the groups before writing — ``indexing.plan_groups`` — and the parts loader
   builds the documents of new parts from the file's values; parts that existed are re-indexed from
   what is stored);
4. the batch is **committed**: an import is a boundary, like a job — good rows land even when later
   rows are bad. This is the only place in the catalogue where code below a route or command commits.

At the end (brands and categories only) the search vocabulary is rebuilt, the error report is written
to ``<import_dir>/<run_id>-errors.csv`` and one audit event ``catalog.import`` records the file name,
SHA-256, kind and counts.
"""

from __future__ import annotations

import contextvars
import csv
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from autotrade.audit.service import record_event
from autotrade.catalog import indexing
from autotrade.catalog.formats import (
    FORMATS,
    FileFormatError,
    check_header,
    file_type,
    fingerprint,
    infer_kind,
    open_source,
)
from autotrade.catalog.import_batch import Ctx, Memo, Outcome
from autotrade.catalog.import_masters import load_brands, load_categories, load_vehicles
from autotrade.catalog.import_parts import load_fitment, load_numbers, load_parts
from autotrade.catalog.import_repository import ImportRepository
from autotrade.catalog.import_rows import Row, RowError
from autotrade.catalog.repository import SearchIndex
from autotrade.core.db import Database
from autotrade.core.runtime import gc_paused
from autotrade.core.settings import get_settings
from autotrade.core.tenancy import bind_system
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun

__all__ = ["BATCH_SIZE", "ImportReport", "RowError", "errors_path_for", "import_dir", "import_file"]

BATCH_SIZE = 25_000  # rows per batch and commit (docs/performance.md: larger batches write fewer pages)
ERROR_COLUMNS = ("line", "column", "value", "reason")
Progress = Callable[[int, int | None], None]  # (rows read so far, estimated total)
# Kinds whose full rebuild of the search vocabulary runs at the end (brand names and category names
# feed it; parts count the words of the names they write, batch by batch).
REBUILD_VOCABULARY = ("brands", "categories")

# The CLI listens to a job's progress (for its progress bar) while the job runs in the same thread.
progress_listener: contextvars.ContextVar[Progress | None] = contextvars.ContextVar(
    "catalog_import_progress", default=None
)

LOADERS: dict[str, Callable[[Ctx, list[Row]], Outcome]] = {
    "categories": load_categories,
    "brands": load_brands,
    "vehicles": load_vehicles,
    "parts": load_parts,
    "numbers": load_numbers,
    "fitment": load_fitment,
}
assert set(LOADERS) == set(FORMATS)


@dataclass
class ImportReport:
    run_id: str
    kind: str | None
    filename: str
    sha256: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors_path: str | None = None
    seconds: float = 0.0
    rows_per_second: float = 0.0
    first_errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_dir() -> Path:
    return Path(get_settings().import_dir)


def errors_path_for(run_id: uuid.UUID | str, directory: Path | None = None) -> Path:
    return (directory or import_dir()) / f"{run_id}-errors.csv"


# ---- the import ---------------------------------------------------------------------------------------


def _batches(
    rows: Iterator[tuple[int, dict[str, str]]], size: int
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _ErrorFile:
    """The error report, opened on the first error (a clean import leaves no file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._f: Any = None
        self._w: Any = None
        self.count = 0
        self.first: list[dict[str, Any]] = []

    def write(self, errors: list[RowError]) -> None:
        if not errors:
            return
        if self._f is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._f = self.path.open("w", encoding="utf-8", newline="")
            self._w = csv.writer(self._f)
            self._w.writerow(ERROR_COLUMNS)
        for e in errors:
            self._w.writerow((e.line, e.column, e.value, e.reason))
            if len(self.first) < 20:
                self.first.append(asdict(e))
        self.count += len(errors)

    def close(self) -> str | None:
        if self._f is None:
            return None
        self._f.close()
        return str(self.path)


def import_file(
    db: Session | Database,
    path: str | Path,
    *,
    kind: str | None = None,
    run_id: uuid.UUID,
    progress: Progress | None = None,
    filename: str | None = None,
    batch_size: int = BATCH_SIZE,
    errors_dir: Path | None = None,
    actor_user_id: uuid.UUID | None = None,
) -> ImportReport:
    """Import one file. Commits after every batch (see the module docstring); returns the counts.

    ``db`` is a session (a job's) or a :class:`Database` (a session bound to the system is opened)."""
    if isinstance(db, Database):
        session = db.session()
        bind_system(session, "catalog-import")
        try:
            return import_file(
                session,
                path,
                kind=kind,
                run_id=run_id,
                progress=progress,
                filename=filename,
                batch_size=batch_size,
                errors_dir=errors_dir,
                actor_user_id=actor_user_id,
            )
        finally:
            session.close()
    session = db
    path = Path(path)
    filename = filename or path.name
    started = time.perf_counter()
    sha256, lines = fingerprint(path)
    report = ImportReport(run_id=str(run_id), kind=kind, filename=filename, sha256=sha256)
    errors = _ErrorFile(errors_path_for(run_id, errors_dir))
    try:
        try:
            ftype = file_type(path, filename)
            source = open_source(path, ftype, lines)
        except FileFormatError as e:
            errors.write([RowError(1, "", "", str(e))])
            source = None
        if source is not None:
            try:
                header = [h for h in source.header]
                kind = kind or infer_kind(header)
                check_header(kind, header)
                report.kind = kind
                loader = LOADERS[kind]
                repo = ImportRepository(session)
                memo = Memo()
                for raw in _batches(source.rows, batch_size):
                    with gc_paused():  # a batch allocates much and keeps nothing (core.runtime)
                        ctx = Ctx(session, repo, run_id, frozenset(header), memo)
                        rows, outcome = _load_batch(ctx, loader, kind, raw)
                        bad = [r for r in rows if r.errors]
                        # No row fails after writing started: loaders check before they write.
                        errors.write([e for r in bad for e in r.errors])
                        report.read += len(rows)
                        report.failed += len(bad)
                        report.created += outcome.created
                        report.updated += outcome.updated
                        report.unchanged += outcome.unchanged
                        session.commit()  # the import's batch boundary
                    if progress is not None:
                        progress(report.read, source.total)
            except FileFormatError as e:
                session.rollback()
                errors.write([RowError(1, "", "", str(e))])
            finally:
                source.close()
        if kind in REBUILD_VOCABULARY:
            indexing.rebuild_vocabulary(session)
    except BaseException:
        session.rollback()
        report.errors_path = errors.close()
        _finish(
            session, report, started, actor_user_id, failed_with="the import stopped with an unexpected error"
        )
        raise
    report.errors_path = errors.close()
    report.first_errors = errors.first
    _finish(session, report, started, actor_user_id)
    return report


def _load_batch(
    ctx: Ctx, loader: Callable[[Ctx, list[Row]], Outcome], kind: str, raw: list[tuple[int, dict[str, str]]]
) -> tuple[list[Row], Outcome]:
    """Check and write one batch, then bring its derived data (groups, search documents, vocabulary) up
    to date. Commits nothing."""
    session = ctx.session
    rows = [Row(line, data) for line, data in raw]
    outcome = loader(ctx, rows)
    if outcome.regroup_parts:
        indexing.merge_groups(session, sorted(outcome.regroup_parts))
    if outcome.touched_parts:
        indexing.index_parts(session, sorted(outcome.touched_parts))
    if outcome.new_docs:
        SearchIndex(session).add(outcome.new_docs)
    if outcome.names_written:
        indexing.add_to_vocabulary(session, *outcome.names_written)
    if outcome.changed_refs:
        _reindex_dependants(session, ctx.repo, kind, outcome.changed_refs)
    return rows, outcome


def _reindex_dependants(session: Session, repo: ImportRepository, kind: str, changed: set[uuid.UUID]) -> None:
    """A renamed brand or category changes the search documents of its parts (and of the parts below a
    category)."""
    if kind == "brands":
        ids = list(repo.parts_of(brand_ids=sorted(changed)))
    else:
        tree = repo.category_tree()
        paths = [path for cid, _, _, path in tree if cid in changed]
        below = [cid for cid, _, _, path in tree if any(path == p or path.startswith(p + "/") for p in paths)]
        ids = list(repo.parts_of(category_ids=below))
    for start in range(0, len(ids), indexing.BATCH):
        indexing.index_parts(session, ids[start : start + indexing.BATCH])


def _finish(
    session: Session,
    report: ImportReport,
    started: float,
    actor_user_id: uuid.UUID | None,
    failed_with: str | None = None,
) -> None:
    """Record the run's one audit event (it stands for every row the run wrote) and commit."""
    report.seconds = round(time.perf_counter() - started, 3)
    report.rows_per_second = round(report.read / report.seconds, 1) if report.seconds else 0.0
    after = {k: v for k, v in report.as_dict().items() if k not in ("first_errors", "run_id")}
    if failed_with:
        after["error"] = failed_with
    record_event(
        session,
        "catalog.import",
        entity_type="job_runs",
        entity_id=report.run_id,
        after=after,
        actor_user_id=actor_user_id,
    )
    session.commit()


@jobs.job("catalog.import")
def run_import_job(session: Session, run: JobRun) -> dict[str, Any]:
    """Job payload: ``{path, kind, filename}``. Result: the import's counts and the error report path."""
    listener = progress_listener.get()

    def on_progress(done: int, total: int | None) -> None:
        jobs.progress(session, run, done, total)
        if listener is not None:
            listener(done, total)

    payload = run.payload or {}
    report = import_file(
        session,
        payload["path"],
        kind=payload.get("kind"),
        run_id=run.id,
        progress=on_progress,
        filename=payload.get("filename"),
        actor_user_id=run.created_by_id,
    )
    result = report.as_dict()
    result.pop("first_errors", None)
    return result
