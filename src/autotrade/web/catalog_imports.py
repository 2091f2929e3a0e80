"""Catalogue import pages: upload a CSV/XLSX (the ``catalog.import`` job the API queues), follow a
run's progress (HTMX polls its status every second) and read its per-row error report."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from autotrade.catalog import service as catalog
from autotrade.catalog.formats import KINDS
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.jobs.models import JobRun
from autotrade.web import csrf
from autotrade.web.catalog_common import EDIT, VIEW, error_of
from autotrade.web.forms import form_data, undo
from autotrade.web.i18n import N_
from autotrade.web.render import redirect, render, translator

router = api_router("/platform/catalog/imports")
PAGE_SIZE = 20
ERRORS_SHOWN = 500

IMPORT_KINDS: dict[str, str] = {
    "categories": N_("Categories"),
    "brands": N_("Brands"),
    "vehicles": N_("Vehicles (make, model, generation, variant)"),
    "parts": N_("Parts"),
    "numbers": N_("Cross-references (numbers)"),
    "fitment": N_("Fitment (part to vehicle)"),
}
assert set(IMPORT_KINDS) == set(KINDS)
JOB_STATUSES: dict[str, str] = {
    "pending": N_("Waiting"),
    "running": N_("Running"),
    "done": N_("Finished"),
    "failed": N_("Failed"),
}


def _list(
    request: Request,
    db: Session,
    cursor: str | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    runs, next_cursor = catalog.import_runs(db, cursor, PAGE_SIZE)
    return render(
        request,
        "catalog/imports.html",
        db,
        status_code=status,
        tab="imports",
        runs=runs,
        next_cursor=next_cursor,
        import_kinds=IMPORT_KINDS,
        import_statuses=JOB_STATUSES,
        values=values or {"kind": ""},
        errors=errors or {},
        error=error,
    )


@router.get("", include_in_schema=False)
def imports(
    request: Request, cursor: str | None = None, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    return _list(request, db, cursor)


@router.post("", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def upload(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    kind = str(form.get("kind") or "").strip() or None
    values = {"kind": kind or ""}
    file = form.get("file")
    t = translator(request, db)
    if not isinstance(file, UploadFile) or not file.filename:
        errors = {"file": t.gettext("Choose a CSV or XLSX file.")}
        return _list(request, db, None, values=values, errors=errors, status=422)
    settings: Settings = request.app.state.settings
    try:
        run = catalog.submit_import(db, Path(settings.import_dir), file.file, file.filename, kind)
    except AppError as exc:
        undo(db, exc)
        errors, error = error_of(t, exc)
        return _list(request, db, None, values=values, errors=errors, error=error, status=exc.status)
    return redirect(request, f"/platform/catalog/imports/{run.id}", flash="catalog_import_queued")


def _status_context(run: JobRun, errors_from: int) -> dict[str, Any]:
    result = run.result or {}
    payload = run.payload or {}
    finished = run.status in ("done", "failed")
    rows, total_errors = catalog.import_errors(run, errors_from, ERRORS_SHOWN) if finished else ([], 0)
    total = run.total
    percent = min(100, run.progress * 100 // total) if total else None
    return {
        "run": run,
        "result": result,
        "filename": result.get("filename") or payload.get("filename") or "",
        "kind": result.get("kind") or payload.get("kind"),
        "finished": finished,
        "percent": percent,
        "error_rows": rows,
        "error_total": total_errors,
        "errors_from": errors_from,
        "errors_next": errors_from + ERRORS_SHOWN if errors_from + ERRORS_SHOWN < total_errors else None,
        "import_kinds": IMPORT_KINDS,
        "import_statuses": JOB_STATUSES,
    }


@router.get("/{job_id}", include_in_schema=False)
def import_detail(
    request: Request,
    job_id: uuid.UUID,
    errors_from: int = 0,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    run = catalog.import_run(db, job_id)
    return render(
        request, "catalog/import.html", db, tab="imports", **_status_context(run, max(errors_from, 0))
    )


@router.get("/{job_id}/status", include_in_schema=False)
def import_status(
    request: Request,
    job_id: uuid.UUID,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    """The status section alone: HTMX polls it every second while the import runs."""
    run = catalog.import_run(db, job_id)
    return render(request, "catalog/_import_status.html", db, **_status_context(run, 0))
