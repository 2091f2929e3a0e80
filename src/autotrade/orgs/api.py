from __future__ import annotations

import uuid

from fastapi import Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from autotrade.core.crypto import keyring
from autotrade.core.deps import public, require
from autotrade.core.http import get_db
from autotrade.core.idempotency import Idempotency, idempotency
from autotrade.core.pagination import Page, paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.orgs import service
from autotrade.orgs.models import Org, OrgStatus
from autotrade.orgs.repository import OrgRepository
from autotrade.orgs.schemas import BranchIn, CompanyOut, CompanyUpdate, RegisteredOut, RegisterIn, RejectIn

router = api_router("/api/v1", tags=["companies"])


def _out(org: Org, p: Principal | None) -> CompanyOut:
    return CompanyOut.build(org, reveal=bool(p and p.can("pii:view")))


@router.post(
    "/companies/register", status_code=201, response_model=RegisteredOut, dependencies=[Depends(public())]
)
def register_company(
    data: RegisterIn, db: Session = Depends(get_db), idem: Idempotency = Depends(idempotency("register"))
) -> JSONResponse:
    """Self-registration of a company and its owner; the company waits for platform review.
    Send an ``Idempotency-Key`` to make a retried registration return the first answer."""

    def run() -> RegisteredOut:
        org, owner = service.register(db, data)
        return RegisteredOut(company=_out(org, None), owner_user_id=owner.id, owner_email=owner.email)

    return idem.run(run, status_code=201)


@router.get("/companies", response_model=Page[CompanyOut])
def list_companies(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("company:view")),
    db: Session = Depends(get_db),
) -> Page[CompanyOut]:
    """The caller's company and its branches."""
    rows, nxt = paginate(db, OrgRepository(db).with_contacts(), Org.id, cursor=cursor, limit=limit)
    return Page(items=[_out(o, p) for o in rows], next_cursor=nxt)


@router.get("/companies/me", response_model=CompanyOut)
def my_company(p: Principal = Depends(require("company:view")), db: Session = Depends(get_db)) -> CompanyOut:
    org = OrgRepository(db).get_full(p.org_id)
    if org is None:
        OrgRepository(db).get_or_404(p.org_id)
    assert org is not None
    return _out(org, p)


@router.get("/companies/{company_id}", response_model=CompanyOut)
def get_company(
    company_id: uuid.UUID, p: Principal = Depends(require("company:view")), db: Session = Depends(get_db)
) -> CompanyOut:
    org = OrgRepository(db).get_full(company_id)
    if org is None:
        OrgRepository(db).get_or_404(company_id)
    assert org is not None
    return _out(org, p)


@router.patch("/companies/{company_id}", response_model=CompanyOut)
def update_company(
    company_id: uuid.UUID,
    data: CompanyUpdate,
    p: Principal = Depends(require("company:edit")),
    db: Session = Depends(get_db),
) -> CompanyOut:
    return _out(service.update(db, p, company_id, data), p)


@router.post("/companies/{company_id}/resubmit", response_model=CompanyOut)
def resubmit_company(
    company_id: uuid.UUID, p: Principal = Depends(require("company:admin")), db: Session = Depends(get_db)
) -> CompanyOut:
    """After a rejection, send the corrected company back to review."""
    service.resubmit(db, p, company_id)
    return _out(OrgRepository(db).get_full(company_id) or OrgRepository(db).get_or_404(company_id), p)


@router.post("/companies/{company_id}/branches", status_code=201, response_model=CompanyOut)
def create_branch(
    company_id: uuid.UUID,
    data: BranchIn,
    p: Principal = Depends(require("company:admin")),
    db: Session = Depends(get_db),
) -> CompanyOut:
    branch = service.create_branch(db, p, company_id, data)
    return _out(OrgRepository(db).get_full(branch.id) or branch, p)


# ---- platform review (入驻审核) -------------------------------------------------------------------------

platform = api_router("/api/v1/platform", tags=["platform"])


@platform.get("/companies", response_model=Page[CompanyOut])
def review_queue(
    status: OrgStatus | None = OrgStatus.pending,
    contact_phone: str | None = Query(None, description="exact match through the keyed hash"),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("platform.companies:view")),
    db: Session = Depends(get_db),
) -> Page[CompanyOut]:
    stmt = OrgRepository(db).review_queue(
        status, contact_phone_hmac=keyring().blind_index(contact_phone, "phone") if contact_phone else None
    )
    rows, nxt = paginate(db, stmt, Org.id, cursor=cursor, limit=limit)
    return Page(items=[_out(o, p) for o in rows], next_cursor=nxt)


@platform.get("/companies/{company_id}", response_model=CompanyOut)
def review_company(
    company_id: uuid.UUID,
    p: Principal = Depends(require("platform.companies:view")),
    db: Session = Depends(get_db),
) -> CompanyOut:
    org = OrgRepository(db).get_full_any_tenant(company_id)
    if org is None:
        OrgRepository(db).get_or_404(company_id)
    assert org is not None
    return _out(org, p)


@platform.post("/companies/{company_id}/approve", response_model=CompanyOut)
def approve_company(
    company_id: uuid.UUID,
    p: Principal = Depends(require("platform.companies:approve")),
    db: Session = Depends(get_db),
) -> CompanyOut:
    return _out(service.review(db, p, company_id, "approve"), p)


@platform.post("/companies/{company_id}/reject", response_model=CompanyOut)
def reject_company(
    company_id: uuid.UUID,
    data: RejectIn,
    p: Principal = Depends(require("platform.companies:approve")),
    db: Session = Depends(get_db),
) -> CompanyOut:
    return _out(service.review(db, p, company_id, "reject", data.reason), p)


@platform.post("/companies/{company_id}/suspend", response_model=CompanyOut)
def suspend_company(
    company_id: uuid.UUID,
    data: RejectIn,
    p: Principal = Depends(require("platform.companies:admin")),
    db: Session = Depends(get_db),
) -> CompanyOut:
    return _out(service.review(db, p, company_id, "suspend", data.reason), p)


@platform.post("/companies/{company_id}/reinstate", response_model=CompanyOut)
def reinstate_company(
    company_id: uuid.UUID,
    p: Principal = Depends(require("platform.companies:admin")),
    db: Session = Depends(get_db),
) -> CompanyOut:
    return _out(service.review(db, p, company_id, "reinstate"), p)
