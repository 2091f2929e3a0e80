"""Supplier pages: bulk uploads of stock counts and of offers (CSV/XLSX).

The file is saved and handed to a background job of the domain (``inventory.sync.queue_upload``, the
same processing as ``POST /api/v1/stock/uploads``; ``pricing.upload.queue_upload`` for offers). The
browser goes to the job's page, which polls the job's status with HTMX (``…/status``, every second
while it runs) and then shows the result: the counts and every bad row with line, column and reason,
plus a link to download the error report as CSV.

The two kinds differ only in what ``UploadKind`` describes (``STOCK``, ``OFFERS``); ``_register`` adds the
same routes for each under its own paths. The upload form of both is the one page at
``/supplier/stock/upload``.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

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
SHOWN_ERRORS = 2000  # in the page; the CSV has them all
RECENT = 10
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._\-\u4e00-\u9fff]+")


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


# ---- the kinds of upload ----------------------------------------------------------------------------------


class _Queue(Protocol):
    def __call__(self, session: Session, actor: Principal, path: Path, *, filename: str) -> JobRun: ...


@dataclass(frozen=True)
class UploadKind:
    """What differs between the kinds of upload; the routes are the same for each (see ``_register``)."""

    name: str  # "stock", "offers": in the URLs (``/supplier/<name>/upload``) and the files' names
    view: str  # the permission to download the template and to see a job's page and error report
    edit: str  # the permission to upload
    field: str  # the file's field in the upload form
    template: str  # the CSV template
    job: str  # the name of the domain's job that processes the file
    queue: _Queue  # the domain's function that queues that job for a saved file
    # A finished job's result → what the page shows: "errors", "file_status", "filename" and the kind's
    # own report ("upload" or "report"); None when the report is gone.
    report: Callable[[Session, dict[str, Any]], dict[str, Any] | None]
    errors_csv: Callable[[dict[str, Any]], str]  # that → the error report (CSV)

    @property
    def base(self) -> str:
        return f"/supplier/{self.name}/upload"


def _stock_report(db: Session, result: dict[str, Any]) -> dict[str, Any] | None:
    upload = UploadRepository(db).get(uuid.UUID(str(result.get("upload_id"))))
    if upload is None:  # pragma: no cover - written by the same job
        return None
    return {
        "upload": upload,
        "errors": list(upload.errors),
        "file_status": upload.status,
        "filename": upload.filename,
    }


def _offers_report(db: Session, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "report": result,
        "errors": list(result.get("errors") or []),
        "file_status": result.get("status"),
        "filename": result.get("filename"),
    }


STOCK = UploadKind(
    name="stock",
    view="inventory:view",
    edit="inventory:edit",
    field="file",
    template="warehouse_code,sku,on_hand\n",
    job=sync.UPLOAD_JOB,
    queue=sync.queue_upload,
    report=_stock_report,
    errors_csv=lambda info: sync.errors_csv(info["upload"]),
)
OFFERS = UploadKind(
    name="offers",
    view="pricing:view",
    edit="pricing:edit",
    field="offers_file",
    template=offer_upload.TEMPLATE,
    job=offer_upload.UPLOAD_JOB,
    queue=offer_upload.queue_upload,
    report=_offers_report,
    errors_csv=lambda info: offer_upload.errors_csv(info["errors"]),
)
KINDS = (STOCK, OFFERS)


# ---- the upload page (one page, a form for each kind) -----------------------------------------------


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


@router.get(STOCK.base, include_in_schema=False)
def upload_form(
    request: Request, p: Principal = Depends(require(STOCK.view)), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    return _upload_page(request, db, p)


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


# ---- a job's progress and result ---------------------------------------------------------------------------


def _job(db: Session, kind: UploadKind, job_id: uuid.UUID) -> JobRun:
    run = JobRepository(db).get(job_id)  # tenant-scoped: my company's jobs only
    if run is None or run.name != kind.job:
        raise NotFound("no such upload", code="upload_not_found")
    return run


def _result(db: Session, kind: UploadKind, run: JobRun) -> dict[str, Any]:
    """What the page shows of a job: its state, and when done the counts and the errors."""
    out: dict[str, Any] = {"run": run, "kind": kind.name, "base": kind.base, "upload": None, "report": None}
    out["running"] = run.status in ("pending", "running")
    if run.status != "done" or not run.result:
        return out
    report = kind.report(db, run.result)
    if report is None:  # pragma: no cover - written by the same job
        return out
    out.update(report)
    out["shown_errors"] = out["errors"][:SHOWN_ERRORS]
    return out


def _progress_page(
    request: Request, db: Session, kind: UploadKind, job_id: uuid.UUID, fragment: bool
) -> Response:
    run = _job(db, kind, job_id)
    template = "supplier/_upload_status.html" if fragment else "supplier/upload_job.html"
    t = translator(request, db)
    return page(request, template, db, reason=lambda text: reason_text(t, text), **_result(db, kind, run))


def _errors(db: Session, kind: UploadKind, job_id: uuid.UUID) -> Response:
    info = _result(db, kind, _job(db, kind, job_id))
    if "errors" not in info:
        raise NotFound("this upload has no report yet", code="no_error_report")
    return _csv(kind.errors_csv(info), f"{kind.name}-upload-{job_id}-errors.csv")


# ---- the routes of each kind ----------------------------------------------------------------------------


def _register(kind: UploadKind) -> None:
    """Add one kind's routes under ``kind.base``: its CSV template, the upload, and the job's page,
    status fragment (polled) and error report. Each route's name says its kind (``stock_template``,
    ``upload_stock``, ``stock_job``, ``offers_job_errors``, …)."""
    view, edit = require(kind.view), require(kind.edit)

    # Before ``{job_id}``, which would take "template.csv" for an id.
    @router.get(f"{kind.base}/template.csv", include_in_schema=False, name=f"{kind.name}_template")
    def template(p: Principal = Depends(view)) -> Response:
        seller(p)
        return _csv(kind.template, f"{kind.name}-template.csv")

    @router.post(
        kind.base,
        include_in_schema=False,
        dependencies=[Depends(csrf.csrf_protect)],
        name=f"upload_{kind.name}",
    )
    def upload(
        request: Request,
        form: FormData = Depends(form_data),
        p: Principal = Depends(edit),
        db: Session = Depends(get_db),
    ) -> Response:
        seller(p)
        file, error = _file_error(request, db, form, kind.field)
        if file is None:
            return _upload_page(request, db, p, errors={kind.field: error or ""}, status=422)
        filename = (file.filename or f"{kind.name}.csv").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        run = kind.queue(db, p, _save(request, file, kind.name), filename=filename)
        return redirect(request, f"{kind.base}/{run.id}")

    @router.get(f"{kind.base}/{{job_id}}", include_in_schema=False, name=f"{kind.name}_job")
    def job(
        request: Request, job_id: uuid.UUID, p: Principal = Depends(view), db: Session = Depends(get_db)
    ) -> Response:
        seller(p)
        return _progress_page(request, db, kind, job_id, fragment=False)

    @router.get(f"{kind.base}/{{job_id}}/status", include_in_schema=False, name=f"{kind.name}_job_status")
    def job_status(
        request: Request, job_id: uuid.UUID, p: Principal = Depends(view), db: Session = Depends(get_db)
    ) -> Response:
        seller(p)
        return _progress_page(request, db, kind, job_id, fragment=True)

    @router.get(f"{kind.base}/{{job_id}}/errors.csv", include_in_schema=False, name=f"{kind.name}_job_errors")
    def job_errors(
        job_id: uuid.UUID, p: Principal = Depends(view), db: Session = Depends(get_db)
    ) -> Response:
        seller(p)
        return _errors(db, kind, job_id)


for _kind in KINDS:
    _register(_kind)
