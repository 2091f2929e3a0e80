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
