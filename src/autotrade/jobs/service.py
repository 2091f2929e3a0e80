"""Background jobs behind one small interface.

``submit(session, "name", payload)`` writes a ``job_runs`` row in the caller's transaction; after that
transaction commits the configured runner delivers it:

* ``InProcessRunner`` (embedded default): a small thread pool inside the app process;
* ``DramatiqRunner`` (``AUTOTRADE_QUEUE=dramatiq`` + ``AUTOTRADE_BROKER_URL`` redis:// or amqp://):
  a message on a real queue, executed by ``autotrade worker``.

Either way the job runs through :func:`execute`, which claims the row (one conditional UPDATE, so a
duplicated message runs the job once), commits progress and outcome, and records errors. Periodic jobs
come from the ``schedules`` table, claimed by whichever worker sees them due first.
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from autotrade.core.db import Database, utcnow
from autotrade.core.errors import NotFound
from autotrade.core.settings import Settings, get_settings
from autotrade.core.tenancy import bind_system, current_principal
from autotrade.jobs.models import JobRun, Schedule
from autotrade.jobs.repository import JobRepository, ScheduleRepository

log = logging.getLogger("autotrade.jobs")

JobFn = Callable[[Session, JobRun], dict[str, Any] | None]
JOBS: dict[str, JobFn] = {}
_PENDING_KEY = "jobs_to_dispatch"


def job(name: str) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        JOBS[name] = fn
        return fn

    return register


class Runner(Protocol):
    def dispatch(self, job_id: uuid.UUID) -> None: ...

    def shutdown(self) -> None: ...


_runner: Runner | None = None


def configure(runner: Runner) -> None:
    global _runner
    _runner = runner


def runner() -> Runner | None:
    return _runner


def submit(
    session: Session, name: str, payload: dict[str, Any] | None = None, *, org_id: uuid.UUID | None = None
) -> JobRun:
    if name not in JOBS:
        raise NotFound(f"unknown job {name!r}", code="unknown_job")
    p = current_principal(session)
    run = JobRun(
        name=name,
        payload=payload or {},
        org_id=org_id if org_id is not None else (p.org_id if p else None),
        created_by_id=p.user_id if p else None,
    )
    session.add(run)
    session.flush()
    session.info.setdefault(_PENDING_KEY, []).append(run.id)
    return run


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids and _runner is not None:
        for job_id in ids:
            _runner.dispatch(job_id)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


if not event.contains(Session, "after_commit", _after_commit):
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda s, _tx: _after_rollback(s))


def execute(db: Database, job_id: uuid.UUID) -> str:
    """Run one job to its end. Returns its final status. Safe to call twice for the same id."""
    with db.transaction() as session:
        bind_system(session, "worker")
        if not JobRepository(session).claim(job_id, utcnow()):
            return "skipped"
    session = db.session()
    bind_system(session, "worker")
    try:
        run = JobRepository(session).get_or_404(job_id)
        fn = JOBS.get(run.name)
        if fn is None:
            raise LookupError(f"no job named {run.name!r} in this build")
        result = fn(session, run)
        run.status, run.result, run.finished_at = "done", result, utcnow()
        session.commit()
        return "done"
    except Exception:
        session.rollback()
        err = traceback.format_exc(limit=5)
        log.exception("job failed", extra={"job_id": str(job_id)})
        with db.transaction() as s2:
            bind_system(s2, "worker")
            run2 = JobRepository(s2).get_or_404(job_id)
            run2.status, run2.error, run2.finished_at = "failed", err[-4000:], utcnow()
        return "failed"
    finally:
        session.close()


def progress(session: Session, run: JobRun, done: int, total: int | None = None) -> None:
    """Long jobs report progress; it is committed so other nodes and the API can read it."""
    run.progress = done
    if total is not None:
        run.total = total
    session.commit()


# ---- runners -----------------------------------------------------------------------------------------


class InProcessRunner:
    def __init__(self, db: Database, workers: int = 2) -> None:
        self.db = db
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="autotrade-job")

    def dispatch(self, job_id: uuid.UUID) -> None:
        self.pool.submit(execute, self.db, job_id)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)


class SyncRunner:
    """Runs a job at once in the committing thread (CLI commands that wait for their job)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def dispatch(self, job_id: uuid.UUID) -> None:
        execute(self.db, job_id)

    def shutdown(self) -> None:
        pass


ACTOR_NAME = "autotrade_run_job"


def make_broker(url: str) -> Any:
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url, namespace="autotrade")
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    raise ValueError(f"unsupported broker URL {url!r}: use redis:// or amqp://")


class DramatiqRunner:
    """Sends each job to a Dramatiq queue; ``autotrade worker`` consumes it."""

    def __init__(self, db: Database, broker_url: str) -> None:
        import dramatiq

        self.db = db
        self.broker = make_broker(broker_url)
        dramatiq.set_broker(self.broker)
        db_ref = db

        def run_job(job_id: str) -> None:
            execute(db_ref, uuid.UUID(job_id))

        self.actor = dramatiq.actor(  # type: ignore[call-overload]
            run_job, actor_name=ACTOR_NAME, queue_name="autotrade", max_retries=3, broker=self.broker
        )

    def dispatch(self, job_id: uuid.UUID) -> None:
        self.actor.send(str(job_id))

    def shutdown(self) -> None:
        self.broker.close()

    def work(self, threads: int, stop: threading.Event) -> None:
        from dramatiq import Worker

        worker = Worker(self.broker, worker_threads=threads, worker_timeout=500)
        worker.start()
        try:
            while not stop.wait(1.0):
                maintain(self.db, redeliver=self)
        finally:
            worker.stop()


def make_runner(db: Database, queue: str, broker_url: str | None) -> Runner:
    if queue == "dramatiq":
        if not broker_url:
            raise ValueError("AUTOTRADE_QUEUE=dramatiq needs AUTOTRADE_BROKER_URL (redis:// or amqp://)")
        return DramatiqRunner(db, broker_url)
    return InProcessRunner(db)


def run_inprocess_worker(db: Database, stop: threading.Event) -> None:
    """``autotrade worker`` without a queue: poll the database for pending jobs and due schedules."""
    while not stop.is_set():
        ids: list[uuid.UUID] = []
        try:
            maintain(db, redeliver=None)
            with db.transaction() as session:
                bind_system(session, "worker")
                ids = list(JobRepository(session).pending_ids())
            for job_id in ids:
                execute(db, job_id)
        except Exception:  # a database outage must not end the worker: log, wait, try again
            log.exception("worker loop failed; retrying")
            stop.wait(5.0)
        stop.wait(0.5 if ids else 1.0)


def maintain(db: Database, redeliver: Runner | None, settings: Settings | None = None) -> None:
    """One scheduler tick: submit due schedules, recover abandoned jobs, re-send lost messages.
    Errors are logged and the next tick tries again."""
    settings = settings or get_settings()
    try:
        tick_schedules(db)
        now = utcnow()
        with db.transaction() as session:
            bind_system(session, "worker")
            repo = JobRepository(session)
            again = repo.requeue_abandoned(
                now - timedelta(seconds=settings.job_timeout_seconds), settings.job_max_attempts, now
            )
            if redeliver is not None:
                again += repo.claim_undelivered(now - timedelta(seconds=settings.job_redeliver_seconds), now)
        if redeliver is not None:
            for job_id in again:
                redeliver.dispatch(job_id)
    except Exception:
        log.exception("scheduler tick failed; retrying on the next tick")


def tick_schedules(db: Database) -> int:
    with db.transaction() as session:
        bind_system(session, "scheduler")
        claimed = ScheduleRepository(session).claim_due(utcnow())
        for s in claimed:
            submit(session, s.job_name)
    return len(claimed)


def ensure_schedule(session: Session, name: str, job_name: str, interval_seconds: int) -> None:
    existing = session.get(Schedule, name)
    if existing is None:
        session.add(
            Schedule(name=name, job_name=job_name, interval_seconds=interval_seconds, next_run_at=utcnow())
        )
    else:
        existing.job_name, existing.interval_seconds = job_name, interval_seconds


# ---- built-in jobs -----------------------------------------------------------------------------------


@job("system.purge")
def purge(session: Session, run: JobRun) -> dict[str, Any]:
    """Delete expired idempotency records, old rate-limit windows and expired sessions."""
    from autotrade.core.idempotency import purge_expired
    from autotrade.core.models import RateLimitCounter
    from autotrade.iam.models import AuthSession

    now = utcnow()
    ttl = int(run.payload.get("idempotency_ttl_seconds", get_settings().idempotency_ttl_seconds))
    idem = purge_expired(session, ttl)
    rl = session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.window_start < int(now.timestamp()) - 86400),
        execution_options={"synchronize_session": False},
    )
    sess = session.execute(
        delete(AuthSession).where(AuthSession.expires_at < now - timedelta(days=1)),
        execution_options={"synchronize_session": False},
    )
    return {
        "idempotency_records": idem,
        "rate_limit_counters": int(getattr(rl, "rowcount", 0) or 0),
        "auth_sessions": int(getattr(sess, "rowcount", 0) or 0),
    }
