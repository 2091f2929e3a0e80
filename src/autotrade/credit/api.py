"""credit: HTTP routes (thin: parse, call the service, shape the answer). See docs/credit.md.

Company routes (``payments:*``): a supplier grants, adjusts and suspends its own lines and sees its
buyers' suggested limits (``payments:approve``); a buyer pays orders on credit (``payments:edit``);
both parties read lines and invoices (``payments:view``). Platform finance (``platform.finance:*``)
grants the platform's lines, manages any line, lists every invoice and confirms every repayment.
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.credit import service, suggestions
from autotrade.credit import tasks as _tasks  # noqa: F401  (registers the credit.* jobs)
from autotrade.credit.models import CreditInvoice, CreditInvoiceStatus, CreditLine, CreditLineStatus
from autotrade.credit.repository import CreditInvoiceRepository, CreditLineRepository
from autotrade.credit.schemas import (
    CreditPaymentOut,
    InvoiceDetail,
    InvoiceOut,
    LineAdjustIn,
    LineIn,
    LineOut,
    PayOnCreditIn,
    RepaymentIn,
    RepaymentOut,
    RepaymentResult,
    SuggestionOut,
    SuspendIn,
)

router = api_router("/api/v1", tags=["credit"])

Role = Literal["creditor", "debtor"]


# ---- company routes ------------------------------------------------------------------------------------


@router.post("/credit/lines", status_code=201, response_model=LineOut)
def grant_line(
    data: LineIn, p: Principal = Depends(require("payments:approve")), db: Session = Depends(get_db)
) -> LineOut:
    """A supplier grants one of its buyers (a company that has ordered from it) a limit and terms."""
    return LineOut.build(service.grant(db, p, data, platform=False))


@router.get("/credit/lines", response_model=Page[LineOut])
def list_lines(
    role: Role | None = None,
    status: CreditLineStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("payments:view")),
    db: Session = Depends(get_db),
) -> Page[LineOut]:
    """Lines you grant (``role=creditor``), lines granted to you (``role=debtor``), or both."""
    stmt = CreditLineRepository(db).listing(
        creditor_scope=p.scope if role == "creditor" else None,
        debtor_scope=p.scope if role == "debtor" else None,
        status=status,
    )
    return page_of(db, stmt, CreditLine.id, LineOut.build, cursor=cursor, limit=limit)


@router.get("/credit/lines/{line_id}", response_model=LineOut)
def get_line(
    line_id: uuid.UUID, p: Principal = Depends(require("payments:view")), db: Session = Depends(get_db)
) -> LineOut:
    return LineOut.build(service.get_line(db, line_id))


@router.patch("/credit/lines/{line_id}", response_model=LineOut)
def adjust_line(
    line_id: uuid.UUID,
    data: LineAdjustIn,
    p: Principal = Depends(require("payments:approve")),
    db: Session = Depends(get_db),
) -> LineOut:
    """The creditor changes the limit or the terms (new credit payments only)."""
    return LineOut.build(service.adjust(db, p, line_id, data, platform=False))


@router.post("/credit/lines/{line_id}/suspend", response_model=LineOut)
def suspend_line(
    line_id: uuid.UUID,
    data: SuspendIn,
    p: Principal = Depends(require("payments:approve")),
    db: Session = Depends(get_db),
) -> LineOut:
    return LineOut.build(service.suspend(db, p, line_id, data.reason, platform=False))


@router.post("/credit/lines/{line_id}/resume", response_model=LineOut)
def resume_line(
    line_id: uuid.UUID, p: Principal = Depends(require("payments:approve")), db: Session = Depends(get_db)
) -> LineOut:
    return LineOut.build(service.resume(db, p, line_id, platform=False))


@router.get("/credit/invoices", response_model=Page[InvoiceOut])
def list_invoices(
    role: Role | None = None,
    status: CreditInvoiceStatus | None = None,
    line_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("payments:view")),
    db: Session = Depends(get_db),
) -> Page[InvoiceOut]:
    """Credit invoices you issued or owe, newest first; ``status`` as of now (``overdue`` = unpaid past
    due, whether or not the job has marked it yet)."""
    now = utcnow()
    stmt = CreditInvoiceRepository(db).listing(
        now=now,
        creditor_scope=p.scope if role == "creditor" else None,
        debtor_scope=p.scope if role == "debtor" else None,
        status=status,
        line_id=line_id,
    )
    return page_of(
        db, stmt, CreditInvoice.id, lambda x: InvoiceOut.build(x, now=now), cursor=cursor, limit=limit
    )


def _detail(db: Session, invoice: CreditInvoice, *, platform: bool) -> InvoiceDetail:
    out = InvoiceOut.build(invoice, now=utcnow())
    reps = service.repayments(db, invoice, platform=platform)
    return InvoiceDetail(**out.model_dump(), repayments=[RepaymentOut.build(r) for r in reps])


@router.get("/credit/invoices/{invoice_id}", response_model=InvoiceDetail)
def get_invoice(
    invoice_id: uuid.UUID, p: Principal = Depends(require("payments:view")), db: Session = Depends(get_db)
) -> InvoiceDetail:
    return _detail(db, service.get_invoice(db, invoice_id), platform=False)


@router.get("/credit/suggestions/{buyer_org_id}", response_model=SuggestionOut)
def suggestion(
    buyer_org_id: uuid.UUID,
    p: Principal = Depends(require("payments:approve")),
    db: Session = Depends(get_db),
) -> SuggestionOut:
    """A suggested limit for one of your buyers, from its history with you, factor by factor."""
    return suggestions.suggest(db, p, buyer_org_id, platform=False)


@router.post("/orders/{order_id}/pay-on-credit", response_model=CreditPaymentOut)
def pay_on_credit(
    order_id: uuid.UUID,
    data: PayOnCreditIn | None = None,
    p: Principal = Depends(require("payments:edit")),
    db: Session = Depends(get_db),
) -> CreditPaymentOut:
    """The buyer pays a pending order on credit: the limit is consumed, the order is paid, a credit
    invoice is due after the line's terms."""
    paid = service.pay_on_credit(db, p, order_id, data or PayOnCreditIn())
    return CreditPaymentOut(
        order_id=paid.order_id,
        order_status=paid.order_status,
        invoice=InvoiceOut.build(paid.invoice, now=utcnow()),
        line=LineOut.build(paid.line),
    )


# ---- platform finance ------------------------------------------------------------------------------------


@router.post("/credit/invoices/{invoice_id}/repayments", status_code=201, response_model=RepaymentResult)
def confirm_repayment(
    invoice_id: uuid.UUID,
    data: RepaymentIn,
    p: Principal = Depends(require("platform.finance:edit")),
    db: Session = Depends(get_db),
) -> RepaymentResult:
    """Platform finance confirms a bank transfer received against a credit invoice."""
    done = service.repay(db, p, invoice_id, data)
    return RepaymentResult(
        repayment=RepaymentOut.build(done.repayment),
        invoice=InvoiceOut.build(done.invoice, now=utcnow()),
        line=LineOut.build(done.line),
    )


@router.post("/platform/credit/lines", status_code=201, response_model=LineOut)
def platform_grant_line(
    data: LineIn, p: Principal = Depends(require("platform.finance:edit")), db: Session = Depends(get_db)
) -> LineOut:
    """The platform grants any approved company a line (the platform is the creditor)."""
    return LineOut.build(service.grant(db, p, data, platform=True))


@router.get("/platform/credit/lines", response_model=Page[LineOut])
def platform_list_lines(
    creditor_org_id: uuid.UUID | None = None,
    debtor_org_id: uuid.UUID | None = None,
    status: CreditLineStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("platform.finance:view")),
    db: Session = Depends(get_db),
) -> Page[LineOut]:
    stmt = CreditLineRepository(db).platform_listing(
        creditor_org_id=creditor_org_id, debtor_org_id=debtor_org_id, status=status
    )
    return page_of(db, stmt, CreditLine.id, LineOut.build, cursor=cursor, limit=limit)


@router.patch("/platform/credit/lines/{line_id}", response_model=LineOut)
def platform_adjust_line(
    line_id: uuid.UUID,
    data: LineAdjustIn,
    p: Principal = Depends(require("platform.finance:edit")),
    db: Session = Depends(get_db),
) -> LineOut:
    return LineOut.build(service.adjust(db, p, line_id, data, platform=True))


@router.post("/platform/credit/lines/{line_id}/suspend", response_model=LineOut)
def platform_suspend_line(
    line_id: uuid.UUID,
    data: SuspendIn,
    p: Principal = Depends(require("platform.finance:edit")),
    db: Session = Depends(get_db),
) -> LineOut:
    return LineOut.build(service.suspend(db, p, line_id, data.reason, platform=True))


@router.post("/platform/credit/lines/{line_id}/resume", response_model=LineOut)
def platform_resume_line(
    line_id: uuid.UUID,
    p: Principal = Depends(require("platform.finance:edit")),
    db: Session = Depends(get_db),
) -> LineOut:
    return LineOut.build(service.resume(db, p, line_id, platform=True))


@router.get("/platform/credit/invoices", response_model=Page[InvoiceOut])
def platform_list_invoices(
    status: CreditInvoiceStatus | None = None,
    debtor_org_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("platform.finance:view")),
    db: Session = Depends(get_db),
) -> Page[InvoiceOut]:
    now = utcnow()
    stmt = CreditInvoiceRepository(db).platform_listing(now=now, status=status, debtor_org_id=debtor_org_id)
    return page_of(
        db, stmt, CreditInvoice.id, lambda x: InvoiceOut.build(x, now=now), cursor=cursor, limit=limit
    )


@router.get("/platform/credit/invoices/{invoice_id}", response_model=InvoiceDetail)
def platform_get_invoice(
    invoice_id: uuid.UUID,
    p: Principal = Depends(require("platform.finance:view")),
    db: Session = Depends(get_db),
) -> InvoiceDetail:
    return _detail(db, service.get_invoice(db, invoice_id, platform=True), platform=True)


@router.get("/platform/credit/suggestions/{buyer_org_id}", response_model=SuggestionOut)
def platform_suggestion(
    buyer_org_id: uuid.UUID,
    p: Principal = Depends(require("platform.finance:view")),
    db: Session = Depends(get_db),
) -> SuggestionOut:
    """A suggested platform limit from the buyer's whole history on the platform."""
    return suggestions.suggest(db, p, buyer_org_id, platform=True)
