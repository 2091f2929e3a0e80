"""Background jobs for real: `autotrade worker` consuming a Dramatiq queue on Redis, the database-
polling worker, the in-process runner, at-most-once execution, failures and schedule claiming."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from autotrade.core.db import Database, utcnow
from autotrade.core.models import IdempotencyRecord, RateLimitCounter
from autotrade.core.settings import Settings
from autotrade.core.tenancy import bind_system
from autotrade.iam.models import AuthSession
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun, Schedule
from autotrade.jobs.repository import ScheduleRepository
from tests.factories import make_company, make_user
from tests.ops.procs import AUTOTRADE, Procs, RedisDb, app_env, wait_until

FAR_FUTURE = timedelta(days=3650)


@pytest.fixture(autouse=True)
def no_runner() -> Iterator[None]:
    """Tests here choose their runner; none leaks in or out (the `app` fixture sets one globally)."""
    saved = jobs._runner
    jobs._runner = None
    try:
        yield
    finally:
        current = jobs._runner
        jobs._runner = saved if saved is not current else None


@pytest.fixture
def test_jobs() -> Iterator[dict[str, list[Any]]]:
    """Jobs that exist only in this test process (for the in-process runner)."""
    calls: dict[str, list[Any]] = {"echo": [], "fail": []}

    def echo(session: Any, run: JobRun) -> dict[str, Any]:
        calls["echo"].append(run.id)
        return {"echo": run.payload.get("x")}

    def fail(session: Any, run: JobRun) -> dict[str, Any]:
        calls["fail"].append(run.id)
        raise ValueError(f"boom {run.payload.get('n')}")

    jobs.job("test.echo")(echo)
    jobs.job("test.fail")(fail)
    try:
        yield calls
    finally:
        jobs.JOBS.pop("test.echo", None)
        jobs.JOBS.pop("test.fail", None)


@contextmanager
def system_tx(db: Database) -> Iterator[Session]:
    """A committed unit of work that sees every tenant (reads of job_runs are tenant-scoped)."""
    with db.transaction() as s:
        bind_system(s, "test")
        yield s


def _submit(db: Database, name: str, payload: dict[str, Any] | None = None) -> uuid.UUID:
    with system_tx(db) as s:
        return jobs.submit(s, name, payload).id


def _job(db: Database, job_id: uuid.UUID) -> JobRun | None:
    with system_tx(db) as s:
        return s.get(JobRun, job_id)


def _status(db: Database, job_id: uuid.UUID, *wanted: str) -> JobRun | None:
    run = _job(db, job_id)
    return run if run is not None and run.status in wanted else None


def _park_schedules(db: Database) -> None:
    """The migrations create a due `purge` schedule; move it away so a worker runs only our jobs."""
    with system_tx(db) as s:
        s.execute(update(Schedule).values(next_run_at=utcnow() + FAR_FUTURE))


def _seed_purgeable(db: Database) -> dict[str, Any]:
    """Two expired and one fresh row of each kind `system.purge` cleans."""
    now = utcnow()
    old, fresh = now - timedelta(days=2), now - timedelta(hours=1)
    org = make_company(db)
    user_id, _ = make_user(db, org=org)
    with system_tx(db) as s:
        for i, created in enumerate((old, old, fresh)):
            s.add(
                IdempotencyRecord(
                    scope="register:anonymous",
                    key=f"k{i}-{uuid.uuid4().hex[:6]}",
                    method="POST",
                    path="/api/v1/companies/register",
                    request_hash="0" * 64,
                    status_code=201,
                    response_body="{}",
                    created_at=created,
                )
            )
        for i, start in enumerate((old, old - timedelta(days=1), fresh)):
            s.add(RateLimitCounter(key=f"login:ip:192.0.2.{i}", window_start=int(start.timestamp()), count=3))
        for i, expires in enumerate((old, now + timedelta(days=1))):
            s.add(
                AuthSession(
                    user_id=user_id,
                    kind="refresh",
                    token_hash=f"{i}{uuid.uuid4().hex}"[:64],
                    created_at=old - timedelta(days=30),
                    expires_at=expires,
                )
            )
    return {"idempotency_records": 2, "rate_limit_counters": 2, "auth_sessions": 1}


def _remaining(db: Database) -> tuple[int, int, int]:
    with system_tx(db) as s:
        return (
            int(s.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0),
            int(s.scalar(select(func.count()).select_from(RateLimitCounter)) or 0),
            int(s.scalar(select(func.count()).select_from(AuthSession)) or 0),
        )


# ---- the real queue ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_job_runs_through_dramatiq_on_redis(
    db_url: str, settings: Settings, db: Database, procs: Procs, redis_db: RedisDb
) -> None:
    _park_schedules(db)
    expected = _seed_purgeable(db)
    assert _remaining(db) == (3, 3, 2)

    worker = procs.start(
        "worker-dramatiq",
        [*AUTOTRADE, "worker", "--threads", "2"],
        app_env(settings, queue="dramatiq", broker_url=redis_db.url),
    )
    runner = jobs.DramatiqRunner(db, redis_db.url)
    jobs.configure(runner)
    try:
        job_id = _submit(db, "system.purge")
        run = wait_until(
            lambda: _status(db, job_id, "done", "failed"), 60, what=f"job {job_id} via Redis", proc=worker
        )
        assert run.status == "done", (run.error, worker.log())
        assert run.result == expected
        assert run.attempts == 1
        assert run.started_at is not None and run.finished_at is not None
        assert _remaining(db) == (1, 1, 1)

        # A duplicated message (redelivery) reaches the worker and is skipped: the job ran once.
        runner.dispatch(job_id)
        runner.dispatch(job_id)

        def queue_drained() -> bool:
            return (
                redis_db.client.llen("autotrade:autotrade") == 0
                and redis_db.client.hlen("autotrade:autotrade.msgs") == 0
            )

        time.sleep(0.5)
        wait_until(queue_drained, 30, what="the duplicate messages to be consumed", proc=worker)
        again = _job(db, job_id)
        assert again is not None
        assert (again.status, again.attempts, again.result) == ("done", 1, expected)

        # The scheduler inside the queue worker submits a due schedule through the queue too.
        with system_tx(db) as s:
            s.execute(update(Schedule).where(Schedule.name == "purge").values(next_run_at=utcnow()))

        def scheduled_done() -> list[JobRun] | None:
            with system_tx(db) as s:
                rows = s.scalars(select(JobRun).where(JobRun.id != job_id)).all()
            return list(rows) if rows and all(r.status == "done" for r in rows) else None

        rows = wait_until(scheduled_done, 60, what="the scheduled purge via Redis", proc=worker)
        assert len(rows) == 1
        assert rows[0].name == "system.purge"
        assert rows[0].result == {"idempotency_records": 0, "rate_limit_counters": 0, "auth_sessions": 0}
    finally:
        runner.shutdown()
        code = worker.stop()
    assert code == 0, worker.log()


@pytest.mark.slow
def test_polling_worker_runs_pending_job_and_due_schedule(
    db_url: str, settings: Settings, db: Database, procs: Procs
) -> None:
    _park_schedules(db)
    expected = _seed_purgeable(db)
    job_id = _submit(db, "system.purge")  # no runner configured: it waits in the table
    assert _job(db, job_id).status == "pending"  # type: ignore[union-attr]

    worker = procs.start("worker-poll", [*AUTOTRADE, "worker"], app_env(settings))
    run = wait_until(
        lambda: _status(db, job_id, "done", "failed"), 30, what="the polling worker", proc=worker
    )
    assert run.status == "done", (run.error, worker.log())
    assert run.result == expected
    assert _remaining(db) == (1, 1, 1)

    before = utcnow()
    with system_tx(db) as s:
        s.execute(update(Schedule).where(Schedule.name == "purge").values(next_run_at=before))

    def scheduled() -> JobRun | None:
        with system_tx(db) as s:
            r = s.scalars(select(JobRun).where(JobRun.id != job_id)).all()
        return r[0] if len(r) == 1 and r[0].status == "done" else None

    sched_run = wait_until(scheduled, 30, what="the scheduled purge", proc=worker)
    assert sched_run.name == "system.purge"
    with system_tx(db) as s:
        purge = s.get(Schedule, "purge")
        assert purge is not None and purge.last_run_at is not None
        assert purge.next_run_at - purge.last_run_at == timedelta(seconds=3600)
    assert worker.stop() == 0, worker.log()
    assert "worker: polling the database for jobs" in worker.log()


# ---- execution semantics -----------------------------------------------------------------------------


def test_duplicate_delivery_runs_the_job_once(db: Database, test_jobs: dict[str, list[Any]]) -> None:
    job_id = _submit(db, "test.echo", {"x": 7})
    assert jobs.execute(db, job_id) == "done"
    assert jobs.execute(db, job_id) == "skipped"
    run = _job(db, job_id)
    assert run is not None
    assert (run.status, run.attempts, run.result) == ("done", 1, {"echo": 7})
    assert test_jobs["echo"] == [job_id]

    # Two deliveries at the same moment, in two threads: one runs it, one skips.
    job2 = _submit(db, "test.echo", {"x": 8})
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def deliver() -> None:
        barrier.wait()
        outcomes.append(jobs.execute(db, job2))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["done", "skipped"]
    assert test_jobs["echo"] == [job_id, job2]
    assert _job(db, job2).attempts == 1  # type: ignore[union-attr]


def test_failing_job_is_recorded_as_failed(db: Database, test_jobs: dict[str, list[Any]]) -> None:
    job_id = _submit(db, "test.fail", {"n": 42})
    assert jobs.execute(db, job_id) == "failed"
    run = _job(db, job_id)
    assert run is not None
    assert run.status == "failed"
    assert run.result is None
    assert run.error is not None and "ValueError: boom 42" in run.error
    assert run.finished_at is not None
    assert run.attempts == 1
    assert jobs.execute(db, job_id) == "skipped"  # a failed job is not retried by a duplicate message


def test_unknown_job_name_is_refused(db: Database) -> None:
    from autotrade.core.errors import NotFound

    with pytest.raises(NotFound) as e, db.transaction() as s:
        bind_system(s, "test")
        jobs.submit(s, "no.such.job")
    assert e.value.code == "unknown_job"


class RecordingRunner(jobs.InProcessRunner):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.dispatched: list[uuid.UUID] = []

    def dispatch(self, job_id: uuid.UUID) -> None:
        self.dispatched.append(job_id)
        super().dispatch(job_id)


def test_inprocess_runner_runs_after_commit_not_after_rollback(
    db: Database, test_jobs: dict[str, list[Any]]
) -> None:
    runner = RecordingRunner(db)
    jobs.configure(runner)
    try:
        session = db.session()
        try:
            bind_system(session, "test")
            job_id = jobs.submit(session, "test.echo", {"x": "committed"}).id
            assert runner.dispatched == []  # nothing leaves before the commit
            session.commit()
            assert runner.dispatched == [job_id]

            rolled_back = jobs.submit(session, "test.echo", {"x": "rolled back"}).id
            session.rollback()
            kept = jobs.submit(session, "test.echo", {"x": "later"}).id
            session.commit()  # dispatches only what this transaction submitted
        finally:
            session.close()
        runner.shutdown()  # waits for the pool
        assert runner.dispatched == [job_id, kept]
        assert (_job(db, job_id).status, _job(db, job_id).result) == ("done", {"echo": "committed"})  # type: ignore[union-attr]
        assert _job(db, kept).result == {"echo": "later"}  # type: ignore[union-attr]
        assert _job(db, rolled_back) is None
        assert sorted(test_jobs["echo"]) == sorted([job_id, kept])

        # A transaction that fails after submitting sends nothing either.
        runner2 = RecordingRunner(db)
        jobs.configure(runner2)
        with pytest.raises(RuntimeError), db.transaction() as s:
            bind_system(s, "test")
            jobs.submit(s, "test.echo", {"x": "error"})
            raise RuntimeError("abort")
        runner2.shutdown()
        assert runner2.dispatched == []
        with system_tx(db) as s:
            assert s.scalar(select(func.count()).select_from(JobRun)) == 2
    finally:
        runner.shutdown()


# ---- schedules ---------------------------------------------------------------------------------------


def _purge_jobs(db: Database) -> int:
    with system_tx(db) as s:
        return int(
            s.scalar(select(func.count()).select_from(JobRun).where(JobRun.name == "system.purge")) or 0
        )


def _make_due(db: Database) -> None:
    with system_tx(db) as s:
        s.execute(update(Schedule).values(next_run_at=utcnow() - timedelta(seconds=1)))


def _only_purge_schedule(db: Database) -> None:
    """Other domains schedule their own jobs (webhook dispatch, auto-cancel); these tests count one."""
    with system_tx(db) as s:
        s.execute(delete(Schedule).where(Schedule.name != "purge"))


@pytest.mark.postgres_only
def test_concurrent_ticks_submit_one_job_per_due_schedule(db: Database) -> None:
    _only_purge_schedule(db)
    with system_tx(db) as s:
        assert [x.name for x in s.scalars(select(Schedule)).all()] == ["purge"]

    # Deterministic interleaving: A has claimed the schedule but not committed; B reads the old
    # row, blocks on A's row lock, and after A commits finds the row already moved on.
    _make_due(db)
    a = db.session()
    result: dict[str, Any] = {}
    try:
        bind_system(a, "tick-a")
        claimed = ScheduleRepository(a).claim_due(utcnow())
        assert [c.name for c in claimed] == ["purge"]
        for c in claimed:
            jobs.submit(a, c.job_name)

        def tick_b() -> None:
            try:
                result["b"] = jobs.tick_schedules(db)
            except BaseException as e:
                result["b_error"] = e

        b = threading.Thread(target=tick_b)
        b.start()

        def b_waits_on_lock() -> bool:
            with db.engine.connect() as conn:
                n = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
            return bool(n)

        wait_until(b_waits_on_lock, 15, interval=0.05, what="tick B to wait on A's row lock")
        a.commit()
        b.join(30)
        assert not b.is_alive()
    finally:
        a.close()
    assert "b_error" not in result, result.get("b_error")
    assert result["b"] == 0
    assert _purge_jobs(db) == 1

    # Free-for-all: eight ticks at once, three rounds; each round submits exactly one job.
    for round_no in range(1, 4):
        _make_due(db)
        barrier = threading.Barrier(8, timeout=30)
        counts: list[int] = []

        def tick(barrier: threading.Barrier, counts: list[int]) -> None:
            barrier.wait()
            counts.append(jobs.tick_schedules(db))

        threads = [threading.Thread(target=tick, args=(barrier, counts)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(counts) == 8
        assert sum(counts) == 1, counts
        assert _purge_jobs(db) == 1 + round_no

    # Not due: nothing happens.
    assert jobs.tick_schedules(db) == 0
    assert _purge_jobs(db) == 4


def test_tick_submits_due_schedule_once_and_moves_it_on(db: Database) -> None:
    _only_purge_schedule(db)
    _make_due(db)
    assert jobs.tick_schedules(db) == 1
    assert jobs.tick_schedules(db) == 0
    assert _purge_jobs(db) == 1
    with system_tx(db) as s:
        purge = s.get(Schedule, "purge")
        assert purge is not None and purge.last_run_at is not None
        assert purge.next_run_at - purge.last_run_at == timedelta(seconds=3600)
        run = s.scalars(select(JobRun)).one()
        assert (run.name, run.status) == ("system.purge", "pending")
