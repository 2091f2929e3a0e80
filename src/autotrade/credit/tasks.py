"""credit: background jobs. ``credit.mark_overdue`` marks open credit invoices past due ``overdue`` and
tells both parties; on demand: ``autotrade jobs run credit.mark_overdue`` (or ``autotrade credit
mark-overdue``). Payment checks never wait for it: they read ``due_at``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autotrade.credit import service
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun

BATCH = 500
SCHEDULE_SECONDS = 3600


@jobs.job("credit.mark_overdue")
def mark_overdue(session: Session, run: JobRun) -> dict[str, Any]:
    """A batch at a time (each batch commits); safe beside another worker (``SKIP LOCKED``)."""
    done = 0
    while True:
        ids = service.mark_overdue(session, limit=BATCH)
        done += len(ids)
        if len(ids) < BATCH:
            return {"marked_overdue": done}
        jobs.progress(session, run, done)
