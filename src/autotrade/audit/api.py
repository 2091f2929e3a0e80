from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from autotrade.audit import service
from autotrade.audit.models import AuditLog
from autotrade.audit.repository import AuditRepository
from autotrade.audit.schemas import AuditFilter, AuditOut
from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal, bind_principal

router = api_router("/api/v1", tags=["audit"])


def _page(db: Session, f: AuditFilter, cursor: str | None, limit: int, all_tenants: bool) -> Page[AuditOut]:
    stmt = AuditRepository(db).filtered(f, all_tenants=all_tenants)
    return page_of(db, stmt, AuditLog.id, AuditOut.model_validate, cursor=cursor, limit=limit)


def _csv(request: Request, db: Session, p: Principal, f: AuditFilter, all_tenants: bool) -> StreamingResponse:
    service.record_event(
        db, "audit.export", entity_type="audit_log", org_id=p.org_id, after=f.model_dump(exclude_none=True)
    )

    def stream() -> Iterator[str]:
        # The response streams after the request's unit of work has committed: read in a session of its own.
        session = request.app.state.db.session()
        bind_principal(session, p)
        try:
            yield from service.csv_rows(
                session, AuditRepository(session).filtered(f, all_tenants=all_tenants)
            )
        finally:
            session.close()

    return StreamingResponse(
        stream(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get("/audit", response_model=Page[AuditOut])
def list_audit(
    f: AuditFilter = Depends(),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("audit:view")),
    db: Session = Depends(get_db),
) -> Page[AuditOut]:
    """The audit log of your company and its branches, newest first."""
    return _page(db, f, cursor, limit, all_tenants=False)


@router.get("/audit/export.csv", response_class=StreamingResponse)
def export_audit(
    request: Request,
    f: AuditFilter = Depends(),
    p: Principal = Depends(require("audit:view")),
    db: Session = Depends(get_db),
) -> StreamingResponse:
    return _csv(request, db, p, f, all_tenants=False)


@router.get("/platform/audit", response_model=Page[AuditOut], tags=["platform"])
def platform_audit(
    f: AuditFilter = Depends(),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("platform.audit:view")),
    db: Session = Depends(get_db),
) -> Page[AuditOut]:
    """Platform auditors read every company's log."""
    return _page(db, f, cursor, limit, all_tenants=True)


@router.get("/platform/audit/export.csv", response_class=StreamingResponse, tags=["platform"])
def platform_export_audit(
    request: Request,
    f: AuditFilter = Depends(),
    p: Principal = Depends(require("platform.audit:view")),
    db: Session = Depends(get_db),
) -> StreamingResponse:
    return _csv(request, db, p, f, all_tenants=True)
