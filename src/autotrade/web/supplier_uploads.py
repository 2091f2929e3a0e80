"""Supplier pages: bulk uploads of stock counts and of offers (CSV/XLSX).

The file is saved and handed to a background job of the domain (``inventory.sync.queue_upload``, the
same processing as ``POST /api/v1/stock/uploads``; ``pricing.upload.queue_upload`` for offers). The
browser goes to the job's page, which polls the job's status with HTMX (``…/status``, every second
while it runs) and then shows the result: the counts and every bad row with line, column and reason,
plus a link to download the error report as CSV.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from autotrade.core.deps import require
from autotrade.core.errors import NotFound
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.inventory import sync
from autotrade.inventory.models import StockUpload, Warehouse
from autotrade.inventory.repository import UploadRepository, WarehouseRepository
from autotrade.jobs.models import JobRun
from autotrade.jobs.repository import JobRepository
from autotrade.pricing import upload as offer_upload
from autotrade.web import csrf
from autotrade.web.forms import form_data
from autotrade.web.i18n import N_, Translator
from autotrade.web.render import redirect, translator
from autotrade.web.supplier_common import page, seller

router = api_router()
STOCK_VIEW = require("inventory:view")
STOCK_EDIT = require("inventory:edit")
OFFERS_VIEW = require("pricing:view")
OFFERS_EDIT = require("pricing:edit")
SHOWN_ERRORS = 2000  # in the page; the CSV has them all
RECENT = 10
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._\-\u4e00-\u9fff]+")

STOCK_TEMPLATE = "warehouse_code,sku,on_hand\n"
# Kinds of upload: the job, the base path of its pages.
KINDS = {
    "stock": (sync.UPLOAD_JOB, "/supplier/stock/upload"),
    "offers": (offer_upload.UPLOAD_JOB, "/supplier/offers/upload"),
}


# The reasons of the upload reports (English, from the domain) → messages in the user's language.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), m)
    for p, m in (
        (r"^required$", N_("required")),
        (r"^unknown warehouse code$", N_("unknown warehouse code")),
        (r"^warehouse code is ambiguous$", N_("the warehouse code is ambiguous")),
        (r"^unknown SKU$", N_("unknown SKU")),
        (r"^unknown part$", N_("unknown part")),
        (r"^does not match the SKU$", N_("does not match the SKU")),
        (r"^sku or part_id is required$", N_("sku or part_id is required")),
        (r"^not a UUID$", N_("not a valid id")),
        (r"^not a whole number$", N_("not a whole number")),
        (r"^must be between (?P<lo>-?\d+) and (?P<hi>-?\d+)$", N_("must be between %(lo)s and %(hi)s")),
        (r"^repeats the row at line (?P<line>\d+)$", N_("repeats the row at line %(line)s")),
        (r"^below the (?P<n>\d+) reserved for open orders$", N_("below the %(n)s reserved for open orders")),
        (r"^longer than (?P<n>\d+) characters$", N_("longer than %(n)s characters")),
        (r"^more values than header columns$", N_("more values than header columns")),
        (r"^(?P<n>\d+) more problem\(s\) not listed$", N_("%(n)s more problems not listed")),
        (r"^not a price in yuan", N_("not a price in yuan (digits, at most two decimals)")),
        (r"^must be above 0$", N_("must be above 0")),
        (r"^must be one of active, paused$", N_("must be active or paused")),
        (r"write min_quantity:unit_price", N_("write each tier as quantity:price, e.g. 10:280.00")),
        (
            r"^a tier price cannot be above the list price$",
            N_("A tier price cannot be above the list price."),
        ),
        (r"^tier quantities must strictly increase$", N_("Tier quantities must increase from row to row.")),
        (r"^a larger tier cannot have a higher price$", N_("A larger tier cannot have a higher price.")),
    )
]


def reason_text(t: Translator, reason: str) -> str:
    """A report's reason in the user's language (as written when it is not a known one)."""
    for pattern, msgid in _REASONS:
        m = pattern.search(reason or "")
        if m:
            return t.gettext(msgid, **m.groupdict()) if m.groupdict() else t.gettext(msgid)
    return reason


def _csv(text: str, filename: str) -> Response:
    return Response(
        "\ufeff" + text,  # a BOM, so that spreadsheet programs read the UTF-8 correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _upload_page(
    request: Request,
    db: Session,
    p: Principal,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    recent, _ = paginate(db, UploadRepository(db).select(), StockUpload.id, cursor=None, limit=RECENT)
    warehouses, _ = paginate(
        db, WarehouseRepository(db).listing(active=True), Warehouse.id, cursor=None, limit=50
    )
    warehouses.sort(key=lambda w: w.code)
    return page(
        request,
        "supplier/upload.html",
        db,
        status_code=status,
        errors=errors or {},
        recent=recent,
        warehouses=warehouses,
        example_warehouse=warehouses[0].code if warehouses else "NJ-01",
        offer_columns=offer_upload.OFFER_COLUMNS,
        stock_columns=sync.UPLOAD_COLUMNS,
    )


@router.get("/supplier/stock/upload", include_in_schema=False)
def upload_form(
    request: Request, p: Principal = Depends(STOCK_VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _upload_page(request, db, p)


@router.get("/supplier/stock/upload/template.csv", include_in_schema=False)
def stock_template(p: Principal = Depends(STOCK_VIEW)) -> Response:
    seller(p)
    return _csv(STOCK_TEMPLATE, "stock-template.csv")


@router.get("/supplier/offers/upload/template.csv", include_in_schema=False)
def offers_template(p: Principal = Depends(OFFERS_VIEW)) -> Response:
    seller(p)
    return _csv(offer_upload.TEMPLATE, "offers-template.csv")


def _save(request: Request, file: UploadFile, prefix: str) -> Path:
    settings: Settings = request.app.state.settings
    directory = Path(settings.import_dir) / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    name = _SAFE_NAME.sub("_", file.filename or "upload.csv")[-100:]
    saved = (directory / f"{prefix}-{uuid.uuid4().hex}-{name}").resolve()
    with saved.open("wb") as out:
        shutil.copyfileobj(file.file, out, 1 << 20)
    return saved


def _file_error(
    request: Request, db: Session, form: FormData, field: str
) -> tuple[UploadFile | None, str | None]:
    t = translator(request, db)
    file = form.get(field)
    if not isinstance(file, UploadFile) or not file.filename:
        return None, t.gettext("Choose a file to upload.")
    if not file.filename.lower().endswith((".csv", ".xlsx", ".txt")):
        return None, t.gettext("Upload a .csv or .xlsx file.")
    return file, None


@router.post("/supplier/stock/upload", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def upload_stock(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(STOCK_EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    file, error = _file_error(request, db, form, "file")
    if file is None:
        return _upload_page(request, db, p, errors={"file": error or ""}, status=422)
    filename = (file.filename or "stock.csv").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    run = sync.queue_upload(db, p, _save(request, file, "stock"), filename=filename)
    return redirect(request, f"/supplier/stock/upload/{run.id}")


@router.post("/supplier/offers/upload", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def upload_offers(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(OFFERS_EDIT),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    file, error = _file_error(request, db, form, "offers_file")
    if file is None:
        return _upload_page(request, db, p, errors={"offers_file": error or ""}, status=422)
    filename = (file.filename or "offers.csv").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    run = offer_upload.queue_upload(db, p, _save(request, file, "offers"), filename=filename)
    return redirect(request, f"/supplier/offers/upload/{run.id}")


# ---- a job's progress and result ---------------------------------------------------------------------------


def _job(db: Session, kind: str, job_id: uuid.UUID) -> JobRun:
    run = JobRepository(db).get(job_id)  # tenant-scoped: my company's jobs only
    if run is None or run.name != KINDS[kind][0]:
        raise NotFound("no such upload", code="upload_not_found")
    return run


def _result(db: Session, kind: str, run: JobRun) -> dict[str, Any]:
    """What the page shows of a job: its state, and when done the counts and the errors."""
    out: dict[str, Any] = {"run": run, "kind": kind, "base": KINDS[kind][1], "upload": None, "report": None}
    out["running"] = run.status in ("pending", "running")
    if run.status != "done" or not run.result:
        return out
    if kind == "stock":
        upload = UploadRepository(db).get(uuid.UUID(str(run.result.get("upload_id"))))
        if upload is None:  # pragma: no cover - written by the same job
            return out
        out["upload"] = upload
        out["errors"] = list(upload.errors)
        out["file_status"] = upload.status
        out["filename"] = upload.filename
    else:
        out["report"] = run.result
        out["errors"] = list(run.result.get("errors") or [])
        out["file_status"] = run.result.get("status")
        out["filename"] = run.result.get("filename")
    out["shown_errors"] = out["errors"][:SHOWN_ERRORS]
    return out


def _progress_page(request: Request, db: Session, kind: str, job_id: uuid.UUID, fragment: bool) -> Response:
    run = _job(db, kind, job_id)
    template = "supplier/_upload_status.html" if fragment else "supplier/upload_job.html"
    t = translator(request, db)
    return page(request, template, db, reason=lambda text: reason_text(t, text), **_result(db, kind, run))


def _errors(db: Session, kind: str, job_id: uuid.UUID) -> Response:
    info = _result(db, kind, _job(db, kind, job_id))
    if "errors" not in info:
        raise NotFound("this upload has no report yet", code="no_error_report")
    text = sync.errors_csv(info["upload"]) if kind == "stock" else offer_upload.errors_csv(info["errors"])
    return _csv(text, f"{kind}-upload-{job_id}-errors.csv")


@router.get("/supplier/stock/upload/{job_id}", include_in_schema=False)
def stock_job(
    request: Request, job_id: uuid.UUID, p: Principal = Depends(STOCK_VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _progress_page(request, db, "stock", job_id, fragment=False)


@router.get("/supplier/stock/upload/{job_id}/status", include_in_schema=False)
def stock_job_status(
    request: Request, job_id: uuid.UUID, p: Principal = Depends(STOCK_VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _progress_page(request, db, "stock", job_id, fragment=True)


@router.get("/supplier/stock/upload/{job_id}/errors.csv", include_in_schema=False)
def stock_job_errors(
    job_id: uuid.UUID, p: Principal = Depends(STOCK_VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _errors(db, "stock", job_id)


@router.get("/supplier/offers/upload/{job_id}", include_in_schema=False)
def offers_job(
    request: Request, job_id: uuid.UUID, p: Principal = Depends(OFFERS_VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _progress_page(request, db, "offers", job_id, fragment=False)


@router.get("/supplier/offers/upload/{job_id}/status", include_in_schema=False)
def offers_job_status(
    request: Request, job_id: uuid.UUID, p: Principal = Depends(OFFERS_VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _progress_page(request, db, "offers", job_id, fragment=True)


@router.get("/supplier/offers/upload/{job_id}/errors.csv", include_in_schema=False)
def offers_job_errors(
    job_id: uuid.UUID, p: Principal = Depends(OFFERS_VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _errors(db, "offers", job_id)
