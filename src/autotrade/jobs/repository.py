from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update

from autotrade.core.repository import Repository
from autotrade.jobs.models import JobRun, Schedule


class JobRepository(Repository[JobRun]):
    model = JobRun
    label = "job"
    not_found_code = "job_not_found"

    def claim(self, job_id: uuid.UUID, now: datetime) -> bool:
        """Move a pending job to running; only one runner wins."""
        result = self.session.execute(
            update(JobRun)
            .where(JobRun.id == job_id, JobRun.status == "pending")
            .values(status="running", started_at=now, attempts=JobRun.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def requeue_abandoned(self, cutoff: datetime, max_attempts: int, now: datetime) -> list[uuid.UUID]:
        """Jobs still 'running' since before ``cutoff`` lost their process: back to pending, if they
        have attempts left, else failed."""
        stale = (JobRun.status == "running") & (JobRun.started_at < cutoff)
        self.session.execute(
            update(JobRun)
            .where(stale, JobRun.attempts >= max_attempts)
            .values(status="failed", finished_at=now, error="abandoned: its process stopped while running it")
            .execution_options(synchronize_session=False)
        )
        rows = self.session.execute(
            update(JobRun)
            .where(stale, JobRun.attempts < max_attempts)
            .values(status="pending", dispatched_at=now)
            .returning(JobRun.id)
            .execution_options(synchronize_session=False)
        ).all()
        return [r[0] for r in rows]

    def claim_undelivered(self, cutoff: datetime, now: datetime, limit: int = 100) -> list[uuid.UUID]:
        """Pending jobs last handed to the queue before ``cutoff`` (message lost): mark them sent now."""
        ids = self.session.scalars(
            select(JobRun.id)
            .where(JobRun.status == "pending", JobRun.dispatched_at < cutoff)
            .order_by(JobRun.id)
            .limit(limit)
        ).all()
        if not ids:
            return []
        rows = self.session.execute(
            update(JobRun)
            .where(JobRun.id.in_(ids), JobRun.status == "pending", JobRun.dispatched_at < cutoff)
            .values(dispatched_at=now)
            .returning(JobRun.id)
            .execution_options(synchronize_session=False)
        ).all()
        return [r[0] for r in rows]

    def pending_ids(self, limit: int = 20) -> Sequence[uuid.UUID]:
        return self.session.scalars(
            select(JobRun.id).where(JobRun.status == "pending").order_by(JobRun.id).limit(limit)
        ).all()


class ScheduleRepository(Repository[Schedule]):
    model = Schedule

    def claim_due(self, now: datetime) -> list[Schedule]:
        due = self.session.scalars(select(Schedule).where(Schedule.next_run_at <= now)).all()
        claimed = []
        for s in due:
            result = self.session.execute(
                update(Schedule)
                .where(Schedule.name == s.name, Schedule.next_run_at == s.next_run_at)
                .values(next_run_at=now + timedelta(seconds=s.interval_seconds), last_run_at=now)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0):
                claimed.append(s)
        return claimed
