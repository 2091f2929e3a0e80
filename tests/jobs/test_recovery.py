"""Jobs survive lost messages and dead processes: the scheduler tick re-queues and re-sends them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from autotrade.core.db import Database, utcnow
from autotrade.core.settings import Settings
from autotrade.core.tenancy import bind_system
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun, Schedule


class RecordingRunner:
    """A runner that only records what it was asked to deliver (the queue is not under test here)."""

    def __init__(self) -> None:
        self.sent: list[uuid.UUID] = []

    def dispatch(self, job_id: uuid.UUID) -> None:
        self.sent.append(job_id)

    def shutdown(self) -> None:
        pass


def _job(db: Database, **values: Any) -> uuid.UUID:
    saved, jobs._runner = jobs._runner, None
    try:
        with db.transaction() as s:
            bind_system(s, "test")
            s.execute(update(Schedule).values(next_run_at=utcnow() + timedelta(days=1)))
            run = jobs.submit(s, "system.purge")
            for k, v in values.items():
                setattr(run, k, v)
            return run.id
    finally:
        jobs._runner = saved


def _get(db: Database, job_id: uuid.UUID) -> JobRun:
    with db.transaction() as s:
        bind_system(s, "test")
        run = s.get(JobRun, job_id)
        assert run is not None
        return run


def test_abandoned_running_job_goes_back_to_pending_then_fails_after_max_attempts(db, settings: Settings):
    long_ago = utcnow() - timedelta(seconds=settings.job_timeout_seconds + 60)
    retry = _job(db, status="running", started_at=long_ago, attempts=1)
    spent = _job(db, status="running", started_at=long_ago, attempts=settings.job_max_attempts)
    fresh = _job(db, status="running", started_at=utcnow(), attempts=1)
    runner = RecordingRunner()
    jobs.maintain(db, redeliver=runner, settings=settings)
    assert _get(db, retry).status == "pending"
    assert (_get(db, spent).status, _get(db, spent).error) == (
        "failed",
        "abandoned: its process stopped while running it",
    )
    assert _get(db, fresh).status == "running"
    assert runner.sent == [retry]
    # The re-queued job then runs normally, once.
    assert jobs.execute(db, retry) == "done"
    assert (_get(db, retry).status, _get(db, retry).attempts) == ("done", 2)


def test_lost_message_is_sent_again_once_per_interval(db, settings: Settings):
    old = utcnow() - timedelta(seconds=settings.job_redeliver_seconds + 5)
    lost = _job(db, dispatched_at=old)
    recent = _job(db)
    runner = RecordingRunner()
    jobs.maintain(db, redeliver=runner, settings=settings)
    assert runner.sent == [lost]
    jobs.maintain(db, redeliver=runner, settings=settings)  # just re-sent: not again this interval
    assert runner.sent == [lost]
    assert _get(db, recent).status == "pending"


def test_a_failing_tick_does_not_raise(db, settings: Settings):
    broken = Database("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    jobs.maintain(broken, redeliver=None, settings=settings)  # logs and returns
    broken.dispose()
