"""Platform onboarding review (入驻审核): the queue, a company's detail, approve and reject."""

from __future__ import annotations

import uuid

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.deps import require
from autotrade.core.errors import AppError, NotFound
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.orgs import service as orgs
from autotrade.orgs.models import Org, OrgStatus, OrgType
from autotrade.orgs.repository import OrgRepository
from autotrade.orgs.schemas import CompanyOut, RejectIn
from autotrade.web import csrf
from autotrade.web.forms import app_error_message, field_errors, form_data, undo
from autotrade.web.render import render, translator

router = api_router("/platform/review")
PAGE_SIZE = 50


def _status(value: str | None) -> OrgStatus | None:
    """``?status=`` filter: a status, ``all``, or (default) pending."""
    if value == "all":
        return None
    try:
        return OrgStatus(value or "pending")
    except ValueError:
        return OrgStatus.pending


@router.get("", include_in_schema=False)
def queue(
    request: Request,
    status: str | None = None,
    cursor: str | None = None,
    p: Principal = Depends(require("platform.companies:view")),
    db: Session = Depends(get_db),
) -> Response:
    wanted = _status(status)
    rows, nxt = paginate(db, OrgRepository(db).review_queue(wanted), Org.id, cursor=cursor, limit=PAGE_SIZE)
    return render(
        request,
        "review/queue.html",
        db,
        companies=rows,
        status=wanted.value if wanted else "all",
        next_cursor=nxt,
        statuses=["pending", "approved", "rejected", "suspended", "all"],
        error=None,
        reason="",
    )


def _company(db: Session, company_id: uuid.UUID, p: Principal) -> CompanyOut:
    org = OrgRepository(db).get_full_any_tenant(company_id)
    if org is None or org.type == OrgType.platform:
        raise NotFound("company not found", code="company_not_found")
    return CompanyOut.build(org, reveal=p.can("pii:view"))


@router.get("/{company_id}", include_in_schema=False)
def detail(
    request: Request,
    company_id: uuid.UUID,
    p: Principal = Depends(require("platform.companies:view")),
    db: Session = Depends(get_db),
) -> Response:
    return render(request, "review/detail.html", db, company=_company(db, company_id, p))


def _row(
    request: Request,
    db: Session,
    company: Org,
    *,
    status: int = 200,
    error: str | None = None,
    reason: str = "",
) -> Response:
    return render(request, "review/_row.html", db, status_code=status, c=company, error=error, reason=reason)


@router.post("/{company_id}/approve", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def approve(
    request: Request,
    company_id: uuid.UUID,
    p: Principal = Depends(require("platform.companies:approve")),
    db: Session = Depends(get_db),
) -> Response:
    return _review(request, db, p, company_id, "approve", None)


@router.post("/{company_id}/reject", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def reject(
    request: Request,
    company_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("platform.companies:approve")),
    db: Session = Depends(get_db),
) -> Response:
    reason = str(form.get("reason") or "").strip()
    try:
        data = RejectIn(reason=reason)
    except ValidationError as exc:
        org = OrgRepository(db).get_any_tenant(company_id)
        if org is None or org.type == OrgType.platform:
            raise NotFound("company not found", code="company_not_found") from exc
        message = field_errors(translator(request), exc).get("reason", "")
        if not reason:
            message = translator(request).gettext("Give a reason for the rejection.")
        return _row(request, db, org, status=422, error=message, reason=reason)
    return _review(request, db, p, company_id, "reject", data.reason)


def _review(
    request: Request, db: Session, p: Principal, company_id: uuid.UUID, action: str, reason: str | None
) -> Response:
    try:
        org = orgs.review(db, p, company_id, action, reason)
    except AppError as exc:
        if exc.status == 404:
            raise
        undo(db, exc)
        current = OrgRepository(db).get_any_tenant(company_id)
        if current is None:  # pragma: no cover - it existed a moment ago
            raise
        return _row(
            request, db, current, status=exc.status, error=app_error_message(translator(request), exc)
        )
    return _row(request, db, org)
