"""Offers from a file: a supplier's price list as CSV (UTF-8, header row) or XLSX (first sheet).

Columns: ``sku`` and ``list_price`` (required), ``moq``, ``pack_size``, ``lead_time_days``,
``vat_rate_bp``, ``status`` (``active`` | ``paused``) and ``tiers``. Prices are in yuan with at most two
decimals (``298.00``); ``tiers`` lists ``min_quantity:unit_price`` pairs separated by ``;``
(``10:280.00;50:265.00``).

Each row creates my offer of that SKU, or updates it when I already have one. A blank optional cell
means the default on a new offer and "unchanged" on an existing one; when the header has a ``tiers``
column its cell *replaces* the offer's tiers (blank: no tiers), as ``tiers`` does in the API.

The same per-row rules as the stock upload (``inventory.sync``): the good rows land, every bad row is
reported with line (header = 1), column, value and reason, and a file that cannot be read at all
(not CSV/XLSX, missing or unknown columns) gives ``status = "failed"`` with a line-1 error. The rules
of an offer are those of ``pricing.supplier`` (create_offer / update_offer), called row by row.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from autotrade.catalog.formats import LIST_SEP, FileFormatError, file_type, fingerprint, open_source
from autotrade.catalog.import_rows import Row, RowError
from autotrade.core.errors import AppError
from autotrade.core.tenancy import Principal, bind_principal
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun
from autotrade.pricing import supplier
from autotrade.pricing.repository import OfferRepository
from autotrade.pricing.schemas import MAX_FEN, OfferIn, OfferUpdate, TierIn

OFFER_COLUMNS = ("sku", "list_price", "moq", "pack_size", "lead_time_days", "vat_rate_bp", "status", "tiers")
REQUIRED_COLUMNS = ("sku", "list_price")
ERROR_COLUMNS = ("line", "column", "value", "reason")
BATCH_SIZE = 500
MAX_STORED_ERRORS = 10_000
UPLOAD_JOB = "pricing.offer_upload"
TEMPLATE = "sku,list_price,moq,pack_size,lead_time_days,status,tiers\n"

_YUAN = re.compile(r"^(\d{1,11})(?:\.(\d{1,2}))?$")
# Schema / service field → file column.
_COLUMN_OF = {
    "part_id": "sku",
    "list_price_fen": "list_price",
    "moq": "moq",
    "pack_size": "pack_size",
    "lead_time_days": "lead_time_days",
    "vat_rate_bp": "vat_rate_bp",
    "status": "status",
}


def yuan_to_fen(text: str) -> int | None:
    """``"298"`` / ``"298.5"`` / ``"298.50"`` → 29850 (integers only, no floats); None if not a price."""
    m = _YUAN.match(text.strip().replace(",", ""))
    if m is None:
        return None
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))


@dataclass
class OfferRow:
    line: int
    sku: str
    values: dict[str, Any]  # OfferIn / OfferUpdate fields given in the row (list_price_fen always)
    tiers: list[TierIn] | None  # None: the file has no tiers column


@dataclass
class OfferUploadReport:
    status: str = "done"  # done | failed (the file could not be read at all)
    filename: str = ""
    rows_total: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0

    def fail(self, errors: list[RowError]) -> None:
        self.rows_failed += 1
        room = max(MAX_STORED_ERRORS - len(self.errors), 0)
        self.errors.extend(errors[:room])
        self.more_errors += max(len(errors) - room, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "filename": self.filename,
            "rows_total": self.rows_total,
            "rows_created": self.rows_created,
            "rows_updated": self.rows_updated,
            "rows_failed": self.rows_failed,
            "errors": [
                {"line": e.line, "column": e.column, "value": e.value, "reason": e.reason}
                for e in self.errors
            ],
        }


def check_header(header: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FileFormatError(f"required column(s) missing from the header: {', '.join(missing)}")
    unknown = [h for h in header if h and h not in OFFER_COLUMNS]
    if unknown:
        raise FileFormatError(f"unknown column(s) {', '.join(unknown)}; columns: {', '.join(OFFER_COLUMNS)}")
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise FileFormatError(f"column(s) repeated in the header: {', '.join(dupes)}")


def _price(row: Row, col: str, text: str) -> int | None:
    fen = yuan_to_fen(text)
    if fen is None:
        row.fail(col, text, "not a price in yuan (digits, at most two decimals)")
        return None
    if not 0 < fen <= MAX_FEN:
        row.fail(col, text, "must be above 0")
        return None
    return fen


def _tiers(row: Row, text: str) -> list[TierIn] | None:
    out: list[TierIn] = []
    for item in (p.strip() for p in text.split(LIST_SEP)):
        if not item:
            continue
        qty, sep, price = item.partition(":")
        fen = yuan_to_fen(price) if sep else None
        if not qty.strip().isdigit() or fen is None or fen <= 0 or int(qty) < 1:
            row.fail("tiers", text, f"{item!r}: write min_quantity:unit_price, e.g. 10:280.00")
            return None
        out.append(TierIn(min_quantity=int(qty), unit_price_fen=fen))
    return out


def parse_row(line: int, data: dict[str, str], header: list[str]) -> tuple[Row, OfferRow | None]:
    row = Row(line, data)
    sku = row.text("sku", required=True, max_len=80)
    raw_price = row.text("list_price", required=True)
    price = _price(row, "list_price", raw_price) if raw_price else None
    values: dict[str, Any] = {"list_price_fen": price}
    for col, lo, hi in (
        ("moq", 1, 10_000_000),
        ("pack_size", 1, 100_000),
        ("lead_time_days", 0, 365),
        ("vat_rate_bp", 0, 10_000),
    ):
        n = row.integer(col, lo=lo, hi=hi)
        if n is not None:
            values[col] = n
    status = row.choice("status", ("active", "paused"))
    if status is not None:
        values["status"] = status
    tiers: list[TierIn] | None = None
    if "tiers" in header:
        tiers = _tiers(row, data.get("tiers", ""))
    if not row.ok or sku is None or price is None:
        return row, None
    return row, OfferRow(line, sku, values, tiers)


def _error_of(line: int, exc: AppError | ValidationError, data: dict[str, str]) -> RowError:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        name = str(err.get("loc", ("",))[0])
        reason = str(err.get("msg", "not valid"))
    else:
        name, reason = exc.field or "", exc.detail
    column = "tiers" if name.startswith("tiers") else _COLUMN_OF.get(name, name)
    return RowError(line, column, data.get(column, ""), reason)


def _apply_batch(
    session: Session,
    actor: Principal,
    batch: list[tuple[int, dict[str, str]]],
    header: list[str],
    report: OfferUploadReport,
    first_line: dict[str, int],
) -> None:
    parsed = [(data, *parse_row(line, data, header)) for line, data in batch]
    repo = OfferRepository(session)
    parts = repo.parts_by_sku(o.sku for _, _, o in parsed if o is not None)
    existing = repo.by_parts(parts.values())
    for data, row, offer_row in parsed:
        report.rows_total += 1
        if offer_row is None:
            report.fail(row.errors)
            continue
        part_id = parts.get(offer_row.sku)
        if part_id is None:
            report.fail([RowError(row.line, "sku", offer_row.sku, "unknown SKU")])
            continue
        if offer_row.sku in first_line:
            report.fail(
                [
                    RowError(
                        row.line, "sku", offer_row.sku, f"repeats the row at line {first_line[offer_row.sku]}"
                    )
                ]
            )
            continue
        first_line[offer_row.sku] = row.line
        tiers = {} if offer_row.tiers is None else {"tiers": offer_row.tiers}
        try:
            offer = existing.get(part_id)
            if offer is None:
                supplier.create_offer(
                    session, actor, OfferIn.model_validate({"part_id": part_id, **offer_row.values, **tiers})
                )
                report.rows_created += 1
            else:
                supplier.update_offer(
                    session, offer.id, OfferUpdate.model_validate({**offer_row.values, **tiers})
                )
                report.rows_updated += 1
        except (AppError, ValidationError) as exc:  # checked before anything is written
            report.fail([_error_of(row.line, exc, data)])


def process_file(
    session: Session,
    actor: Principal,
    path: Path,
    *,
    filename: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> OfferUploadReport:
    """Create or update my offers from a CSV/XLSX (module docstring); runs in the caller's transaction
    and tenant scope (``progress`` may commit between batches, as the background job does)."""
    report = OfferUploadReport(filename=(filename or path.name)[:200])
    try:
        source = open_source(path, file_type(path, filename))
    except FileFormatError as e:
        report.status = "failed"
        report.errors.append(RowError(1, "", "", str(e)))
        return report
    first_line: dict[str, int] = {}
    try:
        check_header(source.header)
        batch: list[tuple[int, dict[str, str]]] = []
        for item in source.rows:
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                _apply_batch(session, actor, batch, source.header, report, first_line)
                batch = []
                if progress is not None:
                    progress(report.rows_total, source.total)
        if batch:
            _apply_batch(session, actor, batch, source.header, report, first_line)
        if progress is not None:
            progress(report.rows_total, source.total)
    except FileFormatError as e:
        report.status = "failed"
        report.errors.append(RowError(1, "", "", str(e)))
    finally:
        source.close()
    report.errors.sort(key=lambda e: e.line)
    if report.more_errors:
        report.errors.append(RowError(0, "", "", f"{report.more_errors} more problem(s) not listed"))
    return report


def errors_csv(errors: list[dict[str, Any]]) -> str:
    """The report as ``line,column,value,reason`` (header only when clean)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(ERROR_COLUMNS)
    for e in errors:
        w.writerow([e.get("line"), e.get("column"), e.get("value"), e.get("reason")])
    return buf.getvalue()


# ---- as a background job (the web page shows its progress) ---------------------------------------------


def queue_upload(session: Session, actor: Principal, path: Path, *, filename: str) -> JobRun:
    """Queue a saved offers file for :func:`run_upload_job` (a job of the caller's company); the job
    deletes the file when it is done and keeps the report in its result."""
    return jobs.submit(
        session,
        UPLOAD_JOB,
        {"path": str(path), "filename": filename, "user_id": str(actor.user_id) if actor.user_id else None},
        org_id=actor.org_id,
    )


@jobs.job(UPLOAD_JOB)
def run_upload_job(session: Session, run: JobRun) -> dict[str, Any]:
    """Process a queued offers file as the user who uploaded it; each batch is committed with the job's
    progress. Result: the report (:meth:`OfferUploadReport.as_dict`)."""
    from autotrade.iam.repository import UserRepository
    from autotrade.iam.service import principal_for_user

    path = Path(str(run.payload["path"]))
    try:
        user_id = run.payload.get("user_id")
        user = UserRepository(session).get_any_tenant(uuid.UUID(user_id)) if user_id else None
        if user is None:
            raise RuntimeError("the uploading user no longer exists")
        principal = principal_for_user(session, user)
        bind_principal(session, principal)
        filename = str(run.payload.get("filename") or path.name)
        if path.is_file() and file_type(path, filename) == "csv":
            run.total = max(fingerprint(path)[1] - 1, 0)
        report = process_file(
            session,
            principal,
            path,
            filename=filename,
            progress=lambda done, total: jobs.progress(session, run, done, total),
        )
        return report.as_dict()
    finally:
        path.unlink(missing_ok=True)
