"""Real concurrent transactions on PostgreSQL: a dedupe key posts once, accounts are created once, and
entries touching the same accounts in different orders never deadlock."""

from __future__ import annotations

import random
import threading
import uuid

import pytest
from sqlalchemy import text

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.ledger import service as ledger
from autotrade.ledger.errors import DuplicateEntry
from autotrade.ledger.service import Leg, Purpose

# Synthetic entries (no orders or payments behind them): the suite's reconciliation check does not apply.
pytestmark = pytest.mark.books_unreconciled

THREADS = 20


def _run(db_url: str, work) -> list[str]:
    workers = Database(db_url, pool_size=THREADS, max_overflow=5)
    start = threading.Barrier(THREADS, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def thread(n: int) -> None:
        start.wait()
        try:
            with workers.transaction() as s:
                bind_system(s, f"worker-{n}")
                work(s, n)
            result = "ok"
        except DuplicateEntry:
            result = "duplicate"
        except Exception as e:
            result = f"error: {e!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=thread, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    workers.dispose()
    return outcomes


@pytest.mark.postgres_only
def test_twenty_concurrent_posts_of_one_dedupe_key_write_exactly_one_entry(db_url, books):
    order = uuid.uuid4()

    def pay(s, n):
        ledger.post(
            s,
            kind="payment",
            legs=[
                Leg(books.platform, Purpose.gateway_clearing, 9_900),
                Leg(books.platform, Purpose.escrow, -9_900, order_id=order),
            ],
            reference_type="order",
            reference_id=order,
            dedupe_key=f"order-paid:{order}",
        )

    outcomes = _run(db_url, pay)
    assert sorted(outcomes) == ["duplicate"] * (THREADS - 1) + ["ok"]
    with books.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM journal_entries")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM ledger_postings")).scalar_one() == 2
        assert conn.execute(text("SELECT count(*) FROM ledger_accounts")).scalar_one() == 2
    with books.tx() as s:
        assert ledger.order_balance(s, Purpose.escrow, order) == -9_900
        assert ledger.balance(s, books.platform, Purpose.gateway_clearing) == 9_900
        assert ledger.verify(s) == []


@pytest.mark.postgres_only
def test_concurrent_entries_on_shared_new_accounts_never_deadlock_and_balances_add_up(db_url, books):
    """Every thread posts legs over the same (yet unused) accounts in its own random order."""
    parties = [
        (books.platform, Purpose.bank_clearing),
        (books.platform, Purpose.commission_revenue),
        (books.supplier, Purpose.supplier_payable),
        (books.buyer, Purpose.refunds_payable),
        (books.buyer, Purpose.credit_receivable),
    ]
    expected: dict[tuple, int] = {p: 0 for p in parties}
    plans = []
    for n in range(THREADS):
        rnd = random.Random(n)
        amounts = [rnd.randint(1, 10_000) * rnd.choice((1, -1)) for _ in parties[:-1]]
        amounts.append(-sum(amounts) or 1)
        if amounts[-1] == 1 and sum(amounts) != 0:  # the others summed to 0: balance with the first
            amounts[0] -= 1
        legs = [Leg(o, p, a) for (o, p), a in zip(parties, amounts, strict=True) if a != 0]
        rnd.shuffle(legs)
        plans.append(legs)
        for leg in legs:
            expected[(leg.org_id, leg.purpose)] += leg.amount_fen

    def work(s, n):
        for i in range(3):
            ledger.post(s, kind="adjustment", legs=plans[n], reference_type="test", reference_id=f"{n}-{i}")

    outcomes = _run(db_url, work)
    assert outcomes == ["ok"] * THREADS
    with books.tx() as s:
        for (org, purpose), total in expected.items():
            assert ledger.balance(s, org, purpose) == 3 * total
        assert ledger.verify(s) == []
    with books.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM journal_entries")).scalar_one() == 3 * THREADS
        assert conn.execute(text("SELECT count(*) FROM ledger_accounts")).scalar_one() == len(parties)
