"""Supplier pages: settlement (结算) — what the platform owes the supplier now (its ``supplier_payable``
balance in the ledger: escrow released minus commission, not yet paid out), what its orders still
hold in escrow, the escrow release of each order (gross, commission, net), the settlement statements
the platform issued (open one; CSV and PDF through the settlement service) and the payouts received.
"""

from __future__ import annotations

import uuid

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from autotrade.core.deps import require
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.escrow import service as escrow
from autotrade.settlement import documents
from autotrade.settlement import service as settlement
from autotrade.settlement.models import Payout, SettlementStatement
from autotrade.settlement.repository import FinanceReads, PayoutRepository, StatementRepository
from autotrade.web.render import render
from autotrade.web.supplier_orders_common import page_context, seller

router = api_router(tags=["web"])
VIEW = require("payments:view")
RELEASES_PAGE = 20
STATEMENTS_PAGE = 12
PAYOUTS_PAGE = 20


@router.get("/supplier/settlement", include_in_schema=False)
def settlement_overview(
    request: Request,
    releases_cursor: str | None = None,
    statements_cursor: str | None = None,
    payouts_cursor: str | None = None,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    releases, releases_next = escrow.supplier_releases(db, p, cursor=releases_cursor, limit=RELEASES_PAGE)
    statements, statements_next = paginate(
        db,
        StatementRepository(db).listing(),
        SettlementStatement.id,
        cursor=statements_cursor,
        limit=STATEMENTS_PAGE,
    )
    payouts, payouts_next = paginate(
        db, PayoutRepository(db).listing(), Payout.id, cursor=payouts_cursor, limit=PAYOUTS_PAGE
    )
    cursors = {
        "releases_cursor": releases_cursor,
        "statements_cursor": statements_cursor,
        "payouts_cursor": payouts_cursor,
    }
    return render(
        request,
        "supplier_orders/settlement.html",
        db,
        payable_fen=settlement.my_payable(db),
        held_fen=escrow.held_for_supplier(db, p),
        releases=releases,
        statements=statements,
        payouts=payouts,
        nexts={
            "releases_cursor": releases_next,
            "statements_cursor": statements_next,
            "payouts_cursor": payouts_next,
        },
        cursors={k: v for k, v in cursors.items() if v},
        **page_context(p, "/supplier/settlement"),
    )


def _supplier_name(db: Session, st: SettlementStatement) -> str:
    return FinanceReads(db).company_names([st.org_id]).get(st.org_id, str(st.org_id))


@router.get("/supplier/settlement/statements/{statement_id}.csv", include_in_schema=False)
def statement_csv(
    statement_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    st, lines = settlement.get_statement(db, statement_id)
    return Response(
        documents.statement_csv(st, lines, _supplier_name(db, st)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{st.number}.csv"'},
    )


@router.get("/supplier/settlement/statements/{statement_id}.pdf", include_in_schema=False)
def statement_pdf(
    statement_id: uuid.UUID, p: Principal = Depends(VIEW), db: Session = Depends(get_db)
) -> Response:
    seller(p)
    st, lines = settlement.get_statement(db, statement_id)
    return Response(
        documents.statement_pdf(st, lines, _supplier_name(db, st)),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{st.number}.pdf"'},
    )


@router.get("/supplier/settlement/statements/{statement_id}", include_in_schema=False)
def statement(
    request: Request,
    statement_id: uuid.UUID,
    p: Principal = Depends(VIEW),
    db: Session = Depends(get_db),
) -> Response:
    seller(p)
    st, lines = settlement.get_statement(db, statement_id)
    return render(
        request,
        "supplier_orders/statement.html",
        db,
        st=st,
        lines=lines,
        **page_context(p, "/supplier/settlement"),
    )
