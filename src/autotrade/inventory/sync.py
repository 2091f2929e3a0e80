"""Absolute stock counts from an ERP/WMS or a file: each row sets one level's on hand, and the
difference becomes an adjustment movement.

Per row, not all-or-nothing: an ERP sends its whole stock list and expects the good rows to land and
every bad row to come back with its reason (unknown warehouse, unknown SKU, on hand below what is
reserved, a repeated row). Rows are checked first, then every change of the batch is applied by one
call of ``StockRepository.apply`` (rows locked in key order). Sending the same counts again changes
nothing (the rows come back ``unchanged``), so a retried sync is harmless.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from autotrade.catalog.formats import FileFormatError, file_type, fingerprint, open_source
from autotrade.catalog.import_rows import Row, RowError
from autotrade.core.tenancy import Principal, bind_principal
from autotrade.inventory.models import MovementKind, StockUpload, Warehouse
from autotrade.inventory.repository import Change, Key, StockRepository, WarehouseRepository
from autotrade.inventory.service import actor_of
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun

UPLOAD_COLUMNS = ("warehouse_code", "sku", "part_id", "on_hand")
REQUIRED_COLUMNS = ("warehouse_code", "on_hand")
ERROR_COLUMNS = ("line", "column", "value", "reason")
BATCH_SIZE = 1000
MAX_ON_HAND = 10_000_000
MAX_STORED_ERRORS = 10_000  # beyond this the report says how many more there were


@dataclass
class CountRow:
    """One absolute count: ``line`` is the file line (header = 1) or the index in an API batch."""

    line: int
    warehouse_code: str
    on_hand: int
    sku: str | None = None
    part_id: uuid.UUID | None = None


@dataclass
class CountResult:
    line: int
    status: str  # changed | unchanged | error
    warehouse_code: str
    sku: str | None = None
    part_id: uuid.UUID | None = None
    on_hand: int | None = None
    delta: int | None = None
    code: str | None = None  # a stable error code when status is "error"
    errors: list[RowError] = field(default_factory=list)


def _err(row: CountRow, column: str, value: Any, reason: str, code: str) -> CountResult:
    return CountResult(
        row.line,
        "error",
        row.warehouse_code,
        sku=row.sku,
        part_id=row.part_id,
        on_hand=row.on_hand,
        code=code,
        errors=[RowError(row.line, column, "" if value is None else str(value), reason)],
    )


def _pick_warehouse(candidates: list[Warehouse], own_org: uuid.UUID | None) -> Warehouse | None:
    if len(candidates) == 1:
        return candidates[0]
    mine = [w for w in candidates if w.org_id == own_org]
    return mine[0] if len(mine) == 1 else None


def apply_counts(
    session: Session,
    rows: Sequence[CountRow],
    *,
    reason: str,
    reference: str | None = None,
    own_org: uuid.UUID | None = None,
) -> list[CountResult]:
    """Set on hand for every good row of the batch; report every bad row (see the module docstring).
    Warehouse codes are looked up among the caller's warehouses (tenant scope); when a company and one
    of its branches share a code, ``own_org``'s warehouse is meant."""
    stock = StockRepository(session)
    warehouses = WarehouseRepository(session).by_codes(r.warehouse_code for r in rows)
    by_sku = stock.parts_by_sku(r.sku for r in rows if r.sku)
    known_ids = set(stock.parts_by_id(r.part_id for r in rows if r.part_id))
    results: dict[int, CountResult] = {}
    good: dict[Key, CountRow] = {}
    first_line: dict[Key, int] = {}
    for i, row in enumerate(rows):
        candidates = warehouses.get(row.warehouse_code, [])
        wh = _pick_warehouse(candidates, own_org)
        if wh is None:
            if candidates:
                results[i] = _err(
                    row,
                    "warehouse_code",
                    row.warehouse_code,
                    "warehouse code is ambiguous",
                    "ambiguous_warehouse",
                )
            else:
                results[i] = _err(
                    row, "warehouse_code", row.warehouse_code, "unknown warehouse code", "unknown_warehouse"
                )
            continue
        part_id: uuid.UUID | None = None
        if row.sku:
            part_id = by_sku.get(row.sku)
            if part_id is None:
                results[i] = _err(row, "sku", row.sku, "unknown SKU", "unknown_sku")
                continue
            if row.part_id is not None and row.part_id != part_id:
                results[i] = _err(row, "part_id", row.part_id, "does not match the SKU", "part_mismatch")
                continue
        elif row.part_id is not None:
            if row.part_id not in known_ids:
                results[i] = _err(row, "part_id", row.part_id, "unknown part", "unknown_part")
                continue
            part_id = row.part_id
        else:
            results[i] = _err(row, "sku", "", "sku or part_id is required", "sku_required")
            continue
        key = (wh.id, part_id)
        if key in first_line:
            results[i] = _err(
                row,
                "sku",
                row.sku or row.part_id,
                f"repeats the row at line {first_line[key]}",
                "duplicate_row",
            )
            continue
        first_line[key] = row.line
        row.part_id = part_id
        good[key] = row
        results[i] = CountResult(row.line, "pending", row.warehouse_code, sku=row.sku, part_id=part_id)
    if good:
        stock.ensure_levels(good)
        current = stock.current(list(good), lock=True)
        changes: list[Change] = []
        index = {id(r): i for i, r in enumerate(rows)}
        for key, row in good.items():
            res = results[index[id(row)]]
            _, _, on_hand, reserved = current[key]
            if row.on_hand < reserved:
                results[index[id(row)]] = _err(
                    row,
                    "on_hand",
                    row.on_hand,
                    f"below the {reserved} reserved for open orders",
                    "below_reserved",
                )
                continue
            res.on_hand, res.delta = row.on_hand, row.on_hand - on_hand
            res.status = "changed" if res.delta else "unchanged"
            if res.delta:
                changes.append(Change(key[0], key[1], res.delta, 0, MovementKind.adjustment))
        if changes:
            applied = stock.apply(
                changes,
                actor=actor_of(session),
                reason=reason,
                reference_type="stock_sync",
                reference_id=reference,
            )
            if not applied.ok:  # pragma: no cover - the rows are locked and were checked
                raise RuntimeError("stock changed under the lock")
    return [results[i] for i in range(len(rows))]


# ---- files ---------------------------------------------------------------------------------------------


@dataclass
class UploadReport:
    rows_total: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    rows_failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0
    unreadable: bool = False

    def add(self, results: Iterable[CountResult], bad_rows: Iterable[Row]) -> None:
        for r in results:
            self.rows_total += 1
            if r.status == "changed":
                self.rows_changed += 1
            elif r.status == "unchanged":
                self.rows_unchanged += 1
            else:
                self.rows_failed += 1
                self._keep(r.errors)
        for row in bad_rows:
            self.rows_total += 1
            self.rows_failed += 1
            self._keep(row.errors)

    def _keep(self, errors: list[RowError]) -> None:
        room = MAX_STORED_ERRORS - len(self.errors)
        self.errors.extend(errors[: max(room, 0)])
        self.more_errors += max(len(errors) - max(room, 0), 0)


def _check_header(header: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FileFormatError(f"required column(s) missing from the header: {', '.join(missing)}")
    if "sku" not in header and "part_id" not in header:
        raise FileFormatError("the header needs a sku or a part_id column")
    unknown = [h for h in header if h and h not in UPLOAD_COLUMNS]
    if unknown:
        raise FileFormatError(f"unknown column(s) {', '.join(unknown)}; columns: {', '.join(UPLOAD_COLUMNS)}")
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise FileFormatError(f"column(s) repeated in the header: {', '.join(dupes)}")


def _parse(line: int, data: dict[str, str]) -> tuple[Row, CountRow | None]:
    row = Row(line, data)
    code = row.text("warehouse_code", required=True, max_len=40)
    sku = row.text("sku", max_len=80)
    raw_id = row.text("part_id")
    part_id = None
    if raw_id:
        try:
            part_id = uuid.UUID(raw_id)
        except ValueError:
            row.fail("part_id", raw_id, "not a UUID")
    if not sku and not raw_id:
        row.fail("sku", "", "sku or part_id is required")
    on_hand = row.integer("on_hand", required=True, lo=0, hi=MAX_ON_HAND)
    if not row.ok or code is None or on_hand is None:
        return row, None
    return row, CountRow(line=line, warehouse_code=code, on_hand=on_hand, sku=sku, part_id=part_id)


def process_file(
    session: Session,
    path: Path,
    *,
    org_id: uuid.UUID,
    user_id: uuid.UUID | None = None,
    filename: str | None = None,
    reason: str = "stock upload",
    progress: Callable[[int, int | None], None] | None = None,
) -> StockUpload:
    """Read a CSV/XLSX of absolute counts, apply the good rows, and record the upload with its per-row
    report (a ``stock_uploads`` row of the caller's company). Runs in the caller's transaction."""
    report = UploadReport()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    upload_id = uuid.uuid4()
    try:
        source = open_source(path, file_type(path, filename))
    except FileFormatError as e:
        report.unreadable = True
        report.errors.append(RowError(1, "", "", str(e)))
        source = None
    if source is not None:
        try:
            _check_header(source.header)
            batch: list[tuple[int, dict[str, str]]] = []
            for item in source.rows:
                batch.append(item)
                if len(batch) >= BATCH_SIZE:
                    _run_batch(session, batch, report, reason, str(upload_id), org_id)
                    batch = []
                    if progress is not None:
                        progress(report.rows_total, source.total)
            if batch:
                _run_batch(session, batch, report, reason, str(upload_id), org_id)
            if progress is not None:
                progress(report.rows_total, source.total)
        except FileFormatError as e:
            report.unreadable = True
            report.errors.append(RowError(1, "", "", str(e)))
        finally:
            source.close()
    if report.more_errors:
        report.errors.append(RowError(0, "", "", f"{report.more_errors} more problem(s) not listed"))
    upload = StockUpload(
        id=upload_id,
        org_id=org_id,
        filename=(filename or path.name)[:200],
        sha256=digest,
        status="failed" if report.unreadable else "done",
        rows_total=report.rows_total,
        rows_changed=report.rows_changed,
        rows_unchanged=report.rows_unchanged,
        rows_failed=report.rows_failed,
        errors=[
            {"line": e.line, "column": e.column, "value": e.value, "reason": e.reason} for e in report.errors
        ],
        created_by_id=user_id,
    )
    session.add(upload)
    session.flush()
    return upload


def _run_batch(
    session: Session,
    batch: list[tuple[int, dict[str, str]]],
    report: UploadReport,
    reason: str,
    ref: str,
    org_id: uuid.UUID,
) -> None:
    parsed = [_parse(line, data) for line, data in batch]
    rows = [c for _, c in parsed if c is not None]
    bad = [r for r, c in parsed if c is None]
    results = apply_counts(session, rows, reason=reason, reference=ref, own_org=org_id) if rows else []
    report.add(results, bad)
    # Errors in file order.
    report.errors.sort(key=lambda e: e.line)


def errors_csv(upload: StockUpload) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(ERROR_COLUMNS)
    for e in upload.errors:
        w.writerow([e.get("line"), e.get("column"), e.get("value"), e.get("reason")])
    return buf.getvalue()


# ---- the upload as a background job (the web page shows its progress) ------------------------------------

UPLOAD_JOB = "inventory.stock_upload"


def queue_upload(session: Session, actor: Principal, path: Path, *, filename: str) -> JobRun:
    """Queue a saved stock file for :func:`run_upload_job` (a ``job_runs`` row of the caller's company):
    the same processing as ``POST /api/v1/stock/uploads``, run in the background so that a page can
    poll its progress. The job deletes the file when it is done."""
    return jobs.submit(
        session,
        UPLOAD_JOB,
        {
            "path": str(path),
            "filename": filename,
            "user_id": str(actor.user_id) if actor.user_id else None,
        },
        org_id=actor.org_id,
    )


@jobs.job(UPLOAD_JOB)
def run_upload_job(session: Session, run: JobRun) -> dict[str, Any]:
    """Process a queued stock file as the user who uploaded it (their company's warehouses, their name on
    the movements). Each batch of 1,000 rows is committed with the job's progress, so the good rows of a
    long file land as it goes, as the per-row rules allow; the ``stock_uploads`` row with the report is
    written at the end. Result: ``{"upload_id", "status", counts}``."""
    from autotrade.iam.repository import UserRepository
    from autotrade.iam.service import principal_for_user

    path = Path(str(run.payload["path"]))
    try:
        user_id = run.payload.get("user_id")
        user = UserRepository(session).get_any_tenant(uuid.UUID(user_id)) if user_id else None
        if user is None or run.org_id is None:
            raise RuntimeError("the uploading user no longer exists")
        principal = principal_for_user(session, user)
        bind_principal(session, principal)
        if path.is_file():
            _, lines = fingerprint(path)
            run.total = max(lines - 1, 0) if file_type(path, run.payload.get("filename")) == "csv" else None
        upload = process_file(
            session,
            path,
            org_id=principal.org_id,
            user_id=user.id,
            filename=str(run.payload.get("filename") or path.name),
            progress=lambda done, total: jobs.progress(session, run, done, total),
        )
        return {
            "upload_id": str(upload.id),
            "status": upload.status,
            "rows_total": upload.rows_total,
            "rows_changed": upload.rows_changed,
            "rows_unchanged": upload.rows_unchanged,
            "rows_failed": upload.rows_failed,
        }
    finally:
        path.unlink(missing_ok=True)
