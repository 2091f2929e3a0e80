"""settlement: HTTP routes (thin: parse, call the service, shape the answer).

Platform finance (``platform.finance:*``): generate statements, record payouts, the reconciliation
report. Suppliers (``payments:view``): their own statements (JSON, CSV, PDF) and payouts. Buyers and
issuers (``payments:*``): tax profiles and VAT invoices. See docs/settlement.md.
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Depends, Query, Response
from sqlalchemy.orm import Session

from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import Page, page_of, paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.settlement import documents, invoices, periods, reconciliation, service
from autotrade.settlement.models import Invoice, InvoiceStatus, Payout, SettlementStatement, TaxProfile
from autotrade.settlement.repository import (
    FinanceReads,
    InvoiceRepository,
    PayoutRepository,
    StatementRepository,
    TaxProfileRepository,
)
from autotrade.settlement.schemas import (
    DifferenceOut,
    GenerateIn,
    GenerateOut,
    InvoiceOut,
    InvoiceRequestIn,
    IssuedNumberOut,
    IssueIn,
    PayoutIn,
    PayoutOut,
    ReconciliationOut,
    RejectIn,
    StatementOut,
    TaxProfileIn,
    TaxProfileOut,
    TaxProfileUpdate,
)

router = api_router("/api/v1", tags=["settlement"])

FINANCE_VIEW = require("platform.finance:view")
FINANCE_EDIT = require("platform.finance:edit")
VIEW = require("payments:view")
EDIT = require("payments:edit")


# ---- platform finance ---------------------------------------------------------------------------------


@router.post("/platform/settlements", response_model=GenerateOut)
def generate_statements(
    data: GenerateIn, p: Principal = Depends(FINANCE_EDIT), db: Session = Depends(get_db)
) -> GenerateOut:
    """Generate the statements of a period (a month or from/to dates, China time) for one supplier or
    every supplier. Idempotent: an ended period's statement is returned as it was generated."""
    period = periods.parse(data.period, data.date_from, data.date_to)
    if data.supplier_org_id is not None:
        made = [service.generate(db, data.supplier_org_id, period)]
    else:
        made = service.generate_all(db, period)
    return GenerateOut(period_label=period.label, statements=[StatementOut.build(st) for st, _ in made])


@router.get("/platform/settlements", response_model=Page[StatementOut])
def platform_statements(
    supplier_org_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(FINANCE_VIEW),
    db: Session = Depends(get_db),
) -> Page[StatementOut]:
    stmt = StatementRepository(db).platform_listing(supplier_org_id=supplier_org_id)
    return page_of(db, stmt, SettlementStatement.id, StatementOut.build, cursor=cursor, limit=limit)


@router.get("/platform/settlements/{statement_id}", response_model=StatementOut)
def platform_statement(
    statement_id: uuid.UUID, p: Principal = Depends(FINANCE_VIEW), db: Session = Depends(get_db)
) -> StatementOut:
    st, lines = service.platform_statement(db, statement_id)
    return StatementOut.build(st, lines)


@router.post("/platform/payouts", status_code=201, response_model=PayoutOut)
def record_payout(
    data: PayoutIn, p: Principal = Depends(FINANCE_EDIT), db: Session = Depends(get_db)
) -> PayoutOut:
    """Record a transfer to a supplier (bank reference, amount ≤ what the platform owes it)."""
    payout, after = service.record_payout(
        db,
        p,
        supplier_org_id=data.supplier_org_id,
        amount_fen=data.amount_fen,
        bank_reference=data.bank_reference,
        note=data.note,
    )
    return PayoutOut.build(payout, after)


@router.get("/platform/payouts", response_model=Page[PayoutOut])
def platform_payouts(
    supplier_org_id: uuid.UUID | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(FINANCE_VIEW),
    db: Session = Depends(get_db),
) -> Page[PayoutOut]:
    stmt = PayoutRepository(db).platform_listing(supplier_org_id=supplier_org_id)
    return page_of(db, stmt, Payout.id, PayoutOut.build, cursor=cursor, limit=limit)


@router.get("/platform/reconciliation", response_model=ReconciliationOut)
def reconciliation_report(
    p: Principal = Depends(FINANCE_VIEW), db: Session = Depends(get_db)
) -> ReconciliationOut:
    """Orders vs payments vs the ledger: every difference, with its kind and the ids involved."""
    r = reconciliation.reconcile(db)
    return ReconciliationOut(
        checked_at=r.checked_at,
        orders_checked=r.orders_checked,
        payments_checked=r.payments_checked,
        entries_checked=r.entries_checked,
        clean=r.clean,
        differences=[DifferenceOut(**vars(d)) for d in r.differences],
    )


# ---- the supplier's statements and payouts -----------------------------------------------------------


@router.get("/settlements", response_model=Page[StatementOut])
def my_statements(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Page[StatementOut]:
    """My company's settlement statements (newest first)."""
    listing = StatementRepository(db).listing()
    return page_of(db, listing, SettlementStatement.id, StatementOut.build, cursor=cursor, limit=limit)


def _supplier_name(db: Session, st: SettlementStatement) -> str:
    return FinanceReads(db).company_names([st.org_id]).get(st.org_id, str(st.org_id))


@router.get("/settlements/{statement_id}.csv")
def statement_csv(
    statement_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    st, lines = service.get_statement(db, statement_id)
    return Response(
        documents.statement_csv(st, lines, _supplier_name(db, st)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{st.number}.csv"'},
    )


@router.get("/settlements/{statement_id}.pdf")
def statement_pdf(
    statement_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    st, lines = service.get_statement(db, statement_id)
    return Response(
        documents.statement_pdf(st, lines, _supplier_name(db, st)),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{st.number}.pdf"'},
    )


@router.get("/settlements/{statement_id}", response_model=StatementOut)
def my_statement(
    statement_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> StatementOut:
    st, lines = service.get_statement(db, statement_id)
    return StatementOut.build(st, lines)


@router.get("/payouts", response_model=Page[PayoutOut])
def my_payouts(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Page[PayoutOut]:
    """Payouts the platform made to my company."""
    return page_of(db, PayoutRepository(db).listing(), Payout.id, PayoutOut.build, cursor=cursor, limit=limit)


# ---- tax profiles -------------------------------------------------------------------------------------


@router.get("/tax-profiles", response_model=Page[TaxProfileOut])
def list_tax_profiles(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Page[TaxProfileOut]:
    reveal = p.can("pii:view")
    return page_of(
        db,
        TaxProfileRepository(db).listing(),
        TaxProfile.id,
        lambda x: TaxProfileOut.build(x, reveal=reveal),
        cursor=cursor,
        limit=limit,
    )


@router.post("/tax-profiles", status_code=201, response_model=TaxProfileOut)
def create_tax_profile(
    data: TaxProfileIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> TaxProfileOut:
    return TaxProfileOut.build(invoices.create_profile(db, p, data), reveal=p.can("pii:view"))


@router.get("/tax-profiles/{tax_profile_id}", response_model=TaxProfileOut)
def get_tax_profile(
    tax_profile_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> TaxProfileOut:
    return TaxProfileOut.build(invoices.get_profile(db, tax_profile_id), reveal=p.can("pii:view"))


@router.patch("/tax-profiles/{tax_profile_id}", response_model=TaxProfileOut)
def update_tax_profile(
    tax_profile_id: uuid.UUID,
    data: TaxProfileUpdate,
    p: Principal = Depends(EDIT),
    db: Session = Depends(get_db),
) -> TaxProfileOut:
    return TaxProfileOut.build(invoices.update_profile(db, tax_profile_id, data), reveal=p.can("pii:view"))


@router.delete("/tax-profiles/{tax_profile_id}", status_code=204)
def delete_tax_profile(
    tax_profile_id: uuid.UUID, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> Response:
    invoices.delete_profile(db, tax_profile_id)
    return Response(status_code=204)


# ---- invoices -----------------------------------------------------------------------------------------


@router.get("/invoices", response_model=Page[InvoiceOut])
def list_invoices(
    role: Literal["buyer", "issuer"] | None = None,
    status: InvoiceStatus | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Page[InvoiceOut]:
    """Invoices my company requested (``role=buyer``) or is asked to issue (``role=issuer``); both when
    omitted."""
    stmt = InvoiceRepository(db).listing(
        buyer_scope=p.scope if role == "buyer" else None,
        issuer_scope=p.scope if role == "issuer" else None,
        status=status,
    )
    reveal = p.can("pii:view")
    return page_of(
        db, stmt, Invoice.id, lambda x: InvoiceOut.build(x, reveal=reveal), cursor=cursor, limit=limit
    )


@router.post("/invoices", status_code=201, response_model=InvoiceOut)
def request_invoice(
    data: InvoiceRequestIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> InvoiceOut:
    """Ask the supplier for a VAT invoice: for one paid order, or for a period's orders."""
    return InvoiceOut.build(invoices.request(db, p, data), reveal=p.can("pii:view"))


@router.get("/invoices/issued-numbers", response_model=Page[IssuedNumberOut])
def issued_numbers(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Page[IssuedNumberOut]:
    """The register of invoice numbers my company issued."""
    stmt = InvoiceRepository(db).issued_numbers(p.root_company_id)
    rows, nxt = paginate(db, stmt, Invoice.id, cursor=cursor, limit=limit)
    return Page(
        items=[
            IssuedNumberOut(
                invoice_number=x.invoice_number or "",
                invoice_date=x.invoice_date,
                kind=x.kind,
                amount_fen=x.issued_amount_fen or 0,
                invoice_id=x.id,
                buyer_org_id=x.org_id,
            )
            for x in rows
        ],
        next_cursor=nxt,
    )


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
def get_invoice(
    invoice_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> InvoiceOut:
    return InvoiceOut.build(invoices.get_invoice(db, invoice_id), reveal=p.can("pii:view"))


@router.post("/invoices/{invoice_id}/issue", response_model=InvoiceOut)
def issue_invoice(
    invoice_id: uuid.UUID, data: IssueIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> InvoiceOut:
    """The supplier records the invoice it issued: number, date, amount."""
    return InvoiceOut.build(invoices.issue(db, p, invoice_id, data), reveal=p.can("pii:view"))


@router.post("/invoices/{invoice_id}/reject", response_model=InvoiceOut)
def reject_invoice(
    invoice_id: uuid.UUID, data: RejectIn, p: Principal = Depends(EDIT), db: Session = Depends(get_db)
) -> InvoiceOut:
    return InvoiceOut.build(invoices.reject(db, p, invoice_id, data.reason), reveal=p.can("pii:view"))
