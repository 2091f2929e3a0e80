"""Pay → complete → release (exact supplier payable and commission), never twice, auto-release."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from autotrade.core.settings import get_settings
from autotrade.core.tenancy import bind_system
from autotrade.escrow import service
from autotrade.escrow.models import EscrowRelease, ReleaseTrigger
from autotrade.jobs import service as jobs
from autotrade.ledger.models import JournalEntry
from autotrade.orders.models import Order, OrderLine
from tests.escrow.conftest import books, delivered, escrow, received, step
from tests.helpers import assert_problem

LINES = [("toyota_pad", 2), ("brembo_disc", 2), ("vw_filter", 4)]
# gross per line 22,600 | 67,800 | 15,065 = 105,465; commission 678 (300 bp) + 1,356 (200 bp) + 452
# (300 bp: 451.95 → 452) = 2,486; the supplier is owed 105,465 − 2,486 = 102,979.


def _entries(m, kind: str) -> int:
    with m.db.session() as s:
        bind_system(s, "test")
        return int(
            s.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == kind)) or 0
        )


def test_pay_complete_release_pays_the_supplier_minus_commission(m):
    o = received(m, LINES)
    assert o["gross_fen"] == 105_465
    before = escrow(m, o["id"])
    assert (before["held_fen"], before["released_fen"], before["frozen"]) == (105_465, 0, False)
    assert books(m, o["id"]).held == 105_465

    step(m, "a_owner", f"/orders/{o['id']}/complete")

    b = books(m, o["id"])
    assert (b.held, b.payable, b.commission, b.bank, b.problems) == (0, 102_979, 2_486, 105_465, [])
    e = escrow(m, o["id"])
    assert {
        k: e[k] for k in ("held_fen", "released_fen", "commission_fen", "payable_fen", "refunded_fen")
    } == {
        "held_fen": 0,
        "released_fen": 105_465,
        "commission_fen": 2_486,
        "payable_fen": 102_979,
        "refunded_fen": 0,
    }
    assert (e["frozen"], e["release_trigger"], e["commission_lines"]) == (False, "completion", [])  # buyer
    lines = escrow(m, o["id"], "b_owner")["commission_lines"]
    assert [(x["trade_type"], x["rate_bp"], x["base_fen"], x["commission_fen"]) for x in lines] == [
        ("wear_parts", 300, 22_600, 678),
        ("parts", 200, 67_800, 1_356),
        ("wear_parts", 300, 15_065, 452),
    ]
    assert _entries(m, "escrow_release") == 1


def test_release_never_happens_twice(m):
    o = received(m, [("toyota_pad", 2)])
    step(m, "a_owner", f"/orders/{o['id']}/complete")
    assert_problem(m.post("a_owner", f"/orders/{o['id']}/complete"), 409, "invalid_transition")
    with m.db.transaction() as s:
        bind_system(s, "test")
        order = s.get(Order, uuid.UUID(o["id"]))
        first = s.scalar(select(EscrowRelease).where(EscrowRelease.order_id == order.id))
        again = service.release(s, order, ReleaseTrigger.auto)
        assert again.id == first.id
        assert service.on_complete(s, order).id == first.id
    b = books(m, o["id"])
    assert (b.held, b.payable, b.commission, b.problems) == (0, 21_922, 678, [])
    assert _entries(m, "escrow_release") == 1


def _delivered_at(m, order_id: str):
    with m.db.session() as s:
        bind_system(s, "test")
        return s.get(Order, uuid.UUID(order_id)).delivered_at


def test_auto_release_n_days_after_delivery(m):
    o = delivered(m, [("toyota_pad", 2)])
    disputed = delivered(m, [("bosch_pad", 1)])
    step(m, "a_owner", f"/orders/{disputed['id']}/disputes", {"reason": "货不对板"})
    at = _delivered_at(m, o["id"])
    days = get_settings().escrow_auto_release_days
    assert days == 7
    with m.db.transaction() as s:
        bind_system(s, "test")
        assert service.auto_release(s, now=at + timedelta(days=7) - timedelta(seconds=1)) == []
    with m.db.transaction() as s:
        bind_system(s, "test")
        assert service.auto_release(s, now=at + timedelta(days=7, seconds=1)) == [uuid.UUID(o["id"])]
    with m.db.transaction() as s:
        bind_system(s, "test")
        assert service.auto_release(s, now=at + timedelta(days=8)) == []  # done; the disputed one waits
        order = s.get(Order, uuid.UUID(o["id"]))
        assert order.status.value == "completed"
        lines = s.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
        assert [(x.shipped_quantity, x.received_quantity) for x in lines] == [(2, 2)]  # 默认收货
    e = escrow(m, o["id"], "b_owner")
    assert (e["released_fen"], e["commission_fen"], e["payable_fen"], e["release_trigger"]) == (
        22_600,
        678,
        21_922,
        "auto",
    )
    tl = m.client.get(f"/api/v1/orders/{o['id']}/timeline", headers=m.world.h("a_owner")).json()
    assert (tl[-1]["action"], tl[-1]["party"], tl[-1]["to_status"]) == (
        "auto_complete",
        "system",
        "completed",
    )
    assert escrow(m, disputed["id"])["frozen"] is True
    b = books(m, o["id"])
    assert (b.held, b.payable, b.commission, b.problems) == (0, 21_922, 678, [])
    assert books(m, disputed["id"]).held == 9_040


def test_auto_release_job_runs_and_skips_open_returns(m, monkeypatch):
    o = received(m, [("toyota_pad", 2)])
    ret = received(m, [("bosch_pad", 2)])
    step(
        m,
        "a_owner",
        f"/orders/{ret['id']}/returns",
        {"lines": [{"line_id": _line(m, ret), "quantity": 1}], "reason": "坏"},
    )
    monkeypatch.setattr(get_settings(), "escrow_auto_release_days", 0)
    assert "escrow.auto_release" in jobs.JOBS
    with m.db.transaction() as s:
        bind_system(s, "test")
        run_id = jobs.submit(s, "escrow.auto_release").id
    with m.db.session() as s:
        bind_system(s, "test")
        from autotrade.jobs.models import JobRun

        run = s.get(JobRun, run_id)
        assert (run.status, run.result) == ("done", {"released": 1})
    assert escrow(m, o["id"])["release_trigger"] == "auto"
    assert escrow(m, ret["id"])["released_fen"] == 0
    assert books(m, o["id"]).problems == []


def _line(m, o) -> str:
    r = m.client.get(f"/api/v1/orders/{o['id']}", headers=m.world.h("a_owner"))
    return str(r.json()["lines"][0]["id"])


@pytest.mark.parametrize("who", ["c_owner"])
def test_a_stranger_sees_no_escrow(m, who):
    o = received(m, [("toyota_pad", 1)])
    r = m.client.get(f"/api/v1/orders/{o['id']}/escrow", headers=m.world.h(who))
    assert_problem(r, 404, "order_not_found")


def test_the_cli_runs_the_job(m, db, settings, monkeypatch):
    from typer.testing import CliRunner

    from autotrade.cli import app as cli

    o = delivered(m, [("toyota_pad", 1)])
    monkeypatch.setenv("AUTOTRADE_DATABASE_URL", db.url)
    monkeypatch.setenv("AUTOTRADE_FIELD_KEYS", settings.field_keys)
    monkeypatch.setenv("AUTOTRADE_FIELD_KEY_ACTIVE", settings.field_key_active)
    monkeypatch.setenv("AUTOTRADE_BLIND_INDEX_KEY", settings.blind_index_key)
    monkeypatch.setenv("AUTOTRADE_ESCROW_AUTO_RELEASE_DAYS", "0")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["jobs", "run", "escrow.auto_release"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "escrow.auto_release: done {'released': 1}" in result.output
    b = books(m, o["id"])
    assert (b.held, b.payable, b.commission, b.problems) == (0, 11_300 - 339, 339, [])


@pytest.mark.postgres_only
def test_two_workers_at_once_release_each_order_once(m, db):
    import threading

    ids = [delivered(m, [("bosch_pad", 1)])["id"] for _ in range(6)]
    later = _delivered_at(m, ids[-1]) + timedelta(days=30)
    barrier = threading.Barrier(2)
    results: list[list[uuid.UUID]] = []

    def worker() -> None:
        barrier.wait()
        with db.transaction() as s:
            bind_system(s, "worker")
            results.append(service.auto_release(s, now=later))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(str(i) for r in results for i in r) == sorted(ids)  # each once, whichever worker
    assert _entries(m, "escrow_release") == 6
    # bosch_pad 8,000 net → 9,040 gross, 3 % = 271.2 → 271 each
    b = books(m, ids[0])
    assert (b.held, b.payable, b.commission, b.problems) == (0, 6 * (9_040 - 271), 6 * 271, [])
