"""Credit tests reuse the order market (tests/orders/conftest.py): buyer A, suppliers B and C, the
platform's staff (``admin`` holds ``platform.finance:admin``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.credit.models import CreditInvoice, CreditLine
from autotrade.ledger import service as ledger
from tests.orders.conftest import Market, catalog, market  # noqa: F401  (fixtures, reused)

A_PAYER = "a_finance"  # payments:edit


@pytest.fixture
def cm(market: Market) -> Market:  # noqa: F811
    """The market, with the credit actors logged in already (so table counts see no login rows)."""
    for who in ("a_finance", "admin", "a_viewer", "b_owner", "a_owner"):
        market.world.h(who)
    return market


def grant(m: Market, who: str, debtor: str, limit_fen: int, term_days: int = 30) -> dict[str, Any]:
    path = "/platform/credit/lines" if who == "admin" else "/credit/lines"
    r = m.post(
        who,
        path,
        {"debtor_org_id": str(m.world.orgs[debtor]), "limit_fen": limit_fen, "term_days": term_days},
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def pay(m: Market, order_id: str, who: str = A_PAYER, **body: Any) -> Any:
    return m.post(who, f"/orders/{order_id}/pay-on-credit", body or None)


def repay(m: Market, invoice_id: str, amount_fen: int, ref: str, **extra: Any) -> Any:
    return m.post(
        "admin",
        f"/credit/invoices/{invoice_id}/repayments",
        {"amount_fen": amount_fen, "bank_reference": ref, **extra},
    )


def line_row(db: Database, line_id: str) -> CreditLine:
    with db.session() as s:
        bind_system(s, "test")
        row = s.get(CreditLine, uuid.UUID(line_id))
        assert row is not None
        return row


def set_due(db: Database, invoice_id: str, due: datetime) -> None:
    """Move an invoice's due date (an audited ORM change): time travel without mocking the clock."""
    with db.transaction() as s:
        bind_system(s, "test")
        inv = s.scalar(select(CreditInvoice).where(CreditInvoice.id == uuid.UUID(invoice_id)))
        assert inv is not None
        inv.due_at = due


def books_ok(db: Database) -> None:
    from autotrade.credit import service

    with db.session() as s:
        bind_system(s, "test")
        assert ledger.verify(s) == []
        assert service.verify(s) == []
