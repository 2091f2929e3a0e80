"""Unpaid orders past their payment deadline are cancelled by ``orders.auto_cancel`` and their stock
released; paid orders and orders still in time are left alone; two workers never cancel one order twice."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from autotrade.core.db import utcnow
from autotrade.core.tenancy import bind_system
from autotrade.inventory.models import StockMovement
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun, Schedule
from autotrade.orders import service
from autotrade.orders.models import Order, OrderEvent, OrderStatus
from tests.orders.conftest import pay


def _overdue(db, *order_ids: str) -> None:
    """Move the payment deadline into the past (as if the time had passed)."""
    past = utcnow() - timedelta(minutes=1)
    with db.engine.begin() as conn:
        for oid in order_ids:
            conn.execute(
                text("UPDATE orders SET payment_due_at = :t WHERE id = :id"),
                {"t": past.replace(tzinfo=None) if db.url.startswith("sqlite") else past, "id": _id(db, oid)},
            )


def _id(db, oid: str):
    return uuid.UUID(oid).hex if db.url.startswith("sqlite") else uuid.UUID(oid)


def _status(db, oid: str) -> OrderStatus:
    with db.session() as s:
        bind_system(s, "test")
        return s.scalar(select(Order.status).where(Order.id == uuid.UUID(oid)))


def test_payment_deadline_comes_from_the_setting(market):
    o = market.order("a_owner", [("bosch_pad", 1)])
    from datetime import datetime

    placed, due = datetime.fromisoformat(o["placed_at"]), datetime.fromisoformat(o["payment_due_at"])
    assert due - placed == timedelta(minutes=30)


def test_the_job_cancels_overdue_unpaid_orders_and_releases_their_stock(market, db):
    late = market.order("a_owner", [("toyota_pad", 12)])
    in_time = market.order("a_owner", [("bosch_pad", 2)])
    paid = market.order("a_owner", [("trw_pad", 3)])
    pay(market, paid["id"])
    _overdue(db, late["id"], paid["id"])
    assert market.level("b_nb", "toyota_pad") == (10, 7)

    with db.transaction() as s:
        bind_system(s, "test")
        run = jobs.submit(s, "orders.auto_cancel")  # SyncRunner: runs after this commit
    with db.session() as s:
        bind_system(s, "test")
        done = s.get(JobRun, run.id)
        assert (done.status, done.result) == ("done", {"cancelled": 1})

    assert _status(db, late["id"]) == OrderStatus.cancelled
    assert _status(db, in_time["id"]) == OrderStatus.pending_payment
    assert _status(db, paid["id"]) == OrderStatus.paid
    assert market.level("b_hz", "toyota_pad") == (5, 0)
    assert market.level("b_nb", "toyota_pad") == (10, 0)
    assert market.level("b_hz", "bosch_pad") == (100, 2)
    tl = market.client.get(f"/api/v1/orders/{late['id']}/timeline", headers=market.world.h("a_owner")).json()
    assert [(e["action"], e["to_status"], e["party"], e["actor_label"]) for e in tl][-1] == (
        "expire",
        "cancelled",
        "system",
        "orders.auto_cancel",
    )
    got = market.client.get(f"/api/v1/orders/{late['id']}", headers=market.world.h("a_owner")).json()
    assert got["cancel_reason"] == service.AUTO_CANCEL_REASON and got["cancelled_at"]

    # Running again finds nothing more.
    with db.transaction() as s:
        bind_system(s, "test")
        assert service.auto_cancel(s) == []


def test_the_job_is_scheduled(db):
    with db.session() as s:
        bind_system(s, "test")
        sched = s.get(Schedule, "orders.auto_cancel")
        assert (sched.job_name, sched.interval_seconds) == ("orders.auto_cancel", 60)


def test_the_cli_runs_the_job(market, db, settings, monkeypatch):
    from typer.testing import CliRunner

    from autotrade.cli import app as cli

    late = market.order("a_owner", [("bosch_pad", 4)])
    _overdue(db, late["id"])
    monkeypatch.setenv("AUTOTRADE_DATABASE_URL", db.url)
    monkeypatch.setenv("AUTOTRADE_FIELD_KEYS", settings.field_keys)
    monkeypatch.setenv("AUTOTRADE_FIELD_KEY_ACTIVE", settings.field_key_active)
    monkeypatch.setenv("AUTOTRADE_BLIND_INDEX_KEY", settings.blind_index_key)
    from autotrade.core.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["jobs", "run", "orders.auto_cancel"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "orders.auto_cancel: done {'cancelled': 1}" in result.output
    assert _status(db, late["id"]) == OrderStatus.cancelled
    assert market.level("b_hz", "bosch_pad") == (100, 0)


@pytest.mark.postgres_only
def test_two_workers_at_once_cancel_each_order_once(market, db):
    ids = [market.order("a_owner", [("bosch_pad", 1)])["id"] for _ in range(12)]
    _overdue(db, *ids)
    barrier = threading.Barrier(2)
    results: list[list[uuid.UUID]] = []

    def worker() -> None:
        barrier.wait()
        with db.transaction() as s:
            bind_system(s, "worker")
            results.append(service.auto_cancel(s, limit=500))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    cancelled = [i for r in results for i in r]
    assert sorted(map(str, cancelled)) == sorted(ids)  # each exactly once, whichever worker
    assert market.level("b_hz", "bosch_pad") == (100, 0)
    with db.session() as s:
        bind_system(s, "test")
        releases = s.scalar(
            select(func.count()).select_from(StockMovement).where(StockMovement.reference_type == "order")
        )
        expires = s.scalar(select(func.count()).select_from(OrderEvent).where(OrderEvent.action == "expire"))
    assert (releases, expires) == (12, 12)


def test_a_payment_after_the_cancel_is_refunded(market, db):
    o = market.order("a_owner", [("bosch_pad", 1)])
    _overdue(db, o["id"])
    with db.transaction() as s:
        bind_system(s, "test")
        assert [str(i) for i in service.auto_cancel(s)] == [o["id"]]
    r = pay(market, o["id"])  # the money arrived after all: recorded and refunded at once (payments)
    assert (r.json()["status"], r.json()["pays_order"], r.json()["refunded_fen"]) == (
        "refunded",
        False,
        r.json()["amount_fen"],
    )
    got = market.client.get(f"/api/v1/orders/{o['id']}", headers=market.world.h("a_owner")).json()
    assert got["status"] == "cancelled"
