"""orders: background jobs. ``orders.auto_cancel`` runs every minute (schedule written by
``autotrade db upgrade``) and on demand: ``autotrade jobs run orders.auto_cancel``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun
from autotrade.orders import service

BATCH = 500
SCHEDULE_SECONDS = 60


@jobs.job("orders.auto_cancel")
def auto_cancel(session: Session, run: JobRun) -> dict[str, Any]:
    """Cancel unpaid orders past their payment deadline and release their stock, a batch at a time
    (each batch commits, releasing its row locks); safe beside another worker doing the same."""
    done = 0
    while True:
        ids = service.auto_cancel(session, limit=BATCH)
        done += len(ids)
        if len(ids) < BATCH:
            return {"cancelled": done}
        jobs.progress(session, run, done)  # commits this batch
