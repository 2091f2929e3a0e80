"""Catalogue bulk import and export over HTTP (docs/import.md).

``POST /catalog/imports`` saves the upload and queues a ``catalog.import`` job (202); the job's status
is at ``/jobs/{id}`` and its error report at ``/catalog/imports/{id}/errors.csv``. Uploads are bound by
the app-wide body limit ``AUTOTRADE_MAX_BODY_BYTES``; larger files go through ``autotrade catalog import``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from autotrade.catalog import importer  # noqa: F401  (registers the catalog.import job this router queues)
from autotrade.catalog import service as catalog
from autotrade.catalog.exporter import csv_chunks
from autotrade.catalog.formats import KINDS
from autotrade.core.deps import require
from autotrade.core.errors import NotFound, ValidationFailed
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal, bind_principal
from autotrade.jobs.repository import JobRepository

router = api_router("/api/v1", tags=["catalogue import"])


class ImportAccepted(BaseModel):
    job_id: uuid.UUID
    status_url: str
    errors_url: str


@router.post("/catalog/imports", status_code=202, response_model=ImportAccepted)
def upload_import(
    request: Request,
    file: UploadFile = File(..., description="CSV (UTF-8, header row) or XLSX (first sheet)"),
    kind: str | None = Form(None, description=f"one of {', '.join(KINDS)}; default: from the header"),
    p: Principal = Depends(require("platform.catalog:edit")),
    db: Session = Depends(get_db),
) -> ImportAccepted:
    """Upload a catalogue file; it is imported by a background job (poll ``status_url``)."""
    if kind is not None and kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}", field="kind")
    filename = (file.filename or "upload.csv").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not filename.lower().endswith(catalog.UPLOAD_SUFFIXES):
        raise ValidationFailed("upload a .csv or .xlsx file", field="file")
    # The checks above are the API's own (error code validation_error, not the web page's codes); the
    # saving and the job are shared with the web page's upload (catalog.service.submit_import).
    settings: Settings = request.app.state.settings
    run = catalog.save_import(db, Path(settings.import_dir), file.file, filename, kind)
    return ImportAccepted(
        job_id=run.id,
        status_url=f"/api/v1/jobs/{run.id}",
        errors_url=f"/api/v1/catalog/imports/{run.id}/errors.csv",
    )


@router.get("/catalog/imports/{job_id}/errors.csv", response_class=FileResponse)
def import_errors(
    job_id: uuid.UUID,
    p: Principal = Depends(require("platform.catalog:view")),
    db: Session = Depends(get_db),
) -> FileResponse:
    """The import's error report: ``line,column,value,reason`` per problem (404 when there is none)."""
    run = JobRepository(db).get_or_404(job_id)
    path = (run.result or {}).get("errors_path") if run.name == "catalog.import" else None
    if not path or not Path(path).is_file():
        raise NotFound("this import has no error report (yet)", code="no_error_report")
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"import-{job_id}-errors.csv")


@router.get("/catalog/exports/{kind}.csv", response_class=StreamingResponse)
def export_csv(
    kind: str,
    request: Request,
    p: Principal = Depends(require("catalog:view")),
) -> StreamingResponse:
    """One kind of catalogue master data, streamed in its import format."""
    if kind not in KINDS:
        raise NotFound(f"no export {kind!r}; one of {', '.join(KINDS)}", code="unknown_export")

    def stream() -> Iterator[str]:
        # Streams after the request's unit of work has ended: read in a session of its own.
        session = request.app.state.db.session()
        bind_principal(session, p)
        try:
            yield from csv_chunks(session, kind)
        finally:
            session.close()

    return StreamingResponse(
        stream(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
    )
