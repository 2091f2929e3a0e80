"""The books as a whole: checked in SQL, by verify(), and by `autotrade ledger verify`."""

from __future__ import annotations

import random
import uuid

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from autotrade.core.settings import get_settings
from autotrade.ledger import service as ledger
from autotrade.ledger.errors import Unbalanced
from autotrade.ledger.service import Leg, Purpose
from tests.ops.procs import app_env

# Synthetic entries (no orders or payments behind them): the suite's reconciliation check does not apply.
pytestmark = pytest.mark.books_unreconciled


def _mix(books, n: int = 40, seed: int = 7) -> None:
    """A mix of standard postings (docs/money.md) with random amounts, some refused as unbalanced."""
    rnd = random.Random(seed)
    p, buyer, supplier = books.platform, books.buyer, books.supplier
    with books.tx() as s:
        for i in range(n):
            o, g = uuid.uuid4(), rnd.randint(1, 5_000_000)
            c = g * rnd.randint(0, 300) // 10_000
            ledger.post(
                s,
                kind="payment",
                legs=[Leg(p, Purpose.gateway_clearing, g), Leg(p, Purpose.escrow, -g, order_id=o)],
                reference_type="order",
                reference_id=o,
            )
            refund = rnd.randint(1, g)
            ledger.post(
                s,
                kind="refund",
                legs=[Leg(p, Purpose.escrow, refund, order_id=o), Leg(p, Purpose.gateway_clearing, -refund)],
                reference_type="order",
                reference_id=o,
            )
            rest = g - refund
            if rest > c:
                legs = [
                    Leg(p, Purpose.escrow, rest, order_id=o),
                    Leg(supplier, Purpose.supplier_payable, c - rest),
                ]
                if c:
                    legs.append(Leg(p, Purpose.commission_revenue, -c))
                ledger.post(s, kind="escrow_release", legs=legs, reference_type="order", reference_id=o)
            with pytest.raises(Unbalanced):
                ledger.post(
                    s,
                    kind="payment",
                    legs=[Leg(p, Purpose.gateway_clearing, g), Leg(p, Purpose.escrow, 1 - g)],
                    reference_type="order",
                    reference_id=o,
                )
            if i % 5 == 0:
                ledger.post(
                    s,
                    kind="credit_payment",
                    legs=[Leg(buyer, Purpose.credit_receivable, g), Leg(p, Purpose.escrow, -g, order_id=o)],
                    reference_type="order",
                    reference_id=o,
                )


def test_in_sql_every_entry_sums_to_zero_and_every_balance_to_its_postings(books):
    _mix(books)
    with books.db.engine.connect() as conn:
        unbalanced = conn.execute(
            text(
                "SELECT entry_id, SUM(amount_fen) FROM ledger_postings "
                "GROUP BY entry_id HAVING SUM(amount_fen) <> 0"
            )
        ).all()
        assert unbalanced == []
        lonely = conn.execute(
            text(
                "SELECT e.id FROM journal_entries e LEFT JOIN ledger_postings p ON p.entry_id = e.id "
                "GROUP BY e.id HAVING COUNT(p.id) < 2"
            )
        ).all()
        assert lonely == []
        stale = conn.execute(
            text(
                "SELECT a.id FROM ledger_accounts a LEFT JOIN ledger_postings p ON p.account_id = a.id "
                "GROUP BY a.id, a.balance_fen HAVING a.balance_fen <> COALESCE(SUM(p.amount_fen), 0)"
            )
        ).all()
        assert stale == []
        assert (
            conn.execute(text("SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_postings")).scalar_one() == 0
        )
        assert (
            conn.execute(text("SELECT COUNT(*) FROM ledger_postings WHERE amount_fen = 0")).scalar_one() == 0
        )
        assert (
            conn.execute(text("SELECT COALESCE(SUM(balance_fen), 0) FROM ledger_accounts")).scalar_one() == 0
        )
        assert conn.execute(text("SELECT COUNT(*) FROM journal_entries")).scalar_one() >= 80
    with books.tx() as s:
        assert ledger.verify(s) == []


def test_verify_finds_a_corrupted_balance(books):
    _mix(books, n=3)
    with books.tx() as s:
        account = ledger.balance(s, books.platform, Purpose.commission_revenue)
    with books.db.engine.begin() as conn:  # the triggers guard postings and entries, not balances
        conn.execute(
            text(
                "UPDATE ledger_accounts SET balance_fen = balance_fen + 1 "
                "WHERE purpose = 'commission_revenue'"
            )
        )
        account_id = conn.execute(
            text("SELECT id FROM ledger_accounts WHERE purpose = 'commission_revenue'")
        ).scalar_one()
    with books.tx() as s:
        problems = ledger.verify(s)
    assert problems == [
        f"account {uuid.UUID(str(account_id))}: cached balance {account + 1} fen, "
        f"postings sum to {account} fen"
    ]


@pytest.fixture
def cli(settings, monkeypatch):
    for k, v in app_env(settings).items():
        if k.startswith("AUTOTRADE_"):
            monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    from autotrade.cli import app

    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_the_verify_command_exits_1_on_a_corrupted_balance(cli, books):
    _mix(books, n=2)
    r = cli("ledger", "verify")
    assert r.exit_code == 0, r.output
    with books.tx() as s:
        entries, accounts = ledger.counts(s)
    assert (
        r.output.strip()
        == f"ok: {entries} journal entries balance, {accounts} account balances equal their postings"
    )
    with books.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger_accounts SET balance_fen = balance_fen - 5 WHERE purpose = 'escrow'")
        )
    r = cli("ledger", "verify")
    assert r.exit_code == 1
    assert "PROBLEM account " in r.output and "cached balance" in r.output
    assert "1 problem(s) in the ledger" in r.output
