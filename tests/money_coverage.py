"""After every database test that moved money: the books balance, every cached balance equals its
postings, credit lines match their invoices, and the reconciliation report (orders vs payments vs
ledger) lists no difference. Tests that post synthetic ledger entries (no order or payment behind
them: the ledger's own tests) or break the books on purpose say ``@pytest.mark.books_unreconciled``."""

from __future__ import annotations

from sqlalchemy import func, select

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system


def money_problems(url: str) -> list[str]:
    import autotrade.models  # noqa: F401
    from autotrade.credit import service as credit
    from autotrade.ledger import service as ledger
    from autotrade.ledger.models import JournalEntry
    from autotrade.settlement.reconciliation import reconcile

    db = Database(url)
    try:
        with db.session() as s:
            bind_system(s, "test")
            if not s.scalar(select(func.count()).select_from(JournalEntry)):
                return []  # no money moved: nothing to reconcile
            problems = [f"ledger: {p}" for p in ledger.verify(s)]
            problems += [f"credit: {p}" for p in credit.verify(s)]
            problems += [f"reconciliation: {d.kind}: {d.detail}" for d in reconcile(s).differences]
            s.rollback()
            return problems
    finally:
        db.dispose()
