"""`autotrade settlement run` and `autotrade settlement reconcile`, run as real processes."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from autotrade.core.settings import Settings
from autotrade.orders.models import Order
from autotrade.settlement.models import SettlementStatement
from tests.helpers import count
from tests.ops.procs import app_env, run_cli
from tests.settlement.conftest import Market, paid_order, release, this_month, verify


@pytest.fixture
def cli(settings: Settings, tmp_path: Path) -> Any:
    env = app_env(settings)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(list(args), env, tmp_path)

    return run


@pytest.mark.no_audit_check  # the planted inconsistency bypasses the application on purpose
def test_run_and_reconcile(m: Market, cli: Any) -> None:
    o1 = paid_order(m, [("toyota_pad", 2)])
    o2 = paid_order(m, [("trw_pad", 1)])
    release(m, o1["id"])
    release(m, o2["id"])

    r = cli("settlement", "run", "--period", this_month())
    assert r.returncode == 0, r.stderr
    assert f"ok: 2 statement(s) for {this_month()}" in r.stdout
    assert f"supplier={m.world.orgs['b']} payout_due_fen={22_600 - 678} new provisional" in r.stdout
    assert count(m.db, SettlementStatement) == 2
    r = cli("settlement", "run", "--period", this_month())
    assert r.returncode == 0 and r.stdout.count(" kept provisional") == 2
    assert count(m.db, SettlementStatement) == 2
    r = cli("settlement", "run", "--period", "2026-13")
    assert r.returncode == 2 and "--period" in r.stderr

    r = cli("settlement", "reconcile")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok: 2 orders, 2 payments" in r.stdout

    # an order marked paid behind the application's back: reported, exit 1
    o3 = m.order("a_owner", [("bosch_pad", 1)])
    table = Order.__table__
    with m.db.engine.begin() as conn:
        conn.execute(
            table.update()
            .where(table.c.number == o3["number"])
            .values(status="paid", paid_at=table.c.created_at)
        )
    r = cli("settlement", "reconcile")
    assert r.returncode == 1
    assert f"DIFFERENCE order_paid_without_payment: order {o3['number']}" in r.stdout
    assert f"DIFFERENCE order_paid_without_entry: order {o3['number']}" in r.stdout
    assert "2 difference(s)" in r.stderr
    assert verify(m) == []
