"""escrow: background jobs. ``escrow.auto_release`` runs every hour (schedule written by
``autotrade db upgrade``) and on demand: ``autotrade jobs run escrow.auto_release``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autotrade.escrow import service
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun

BATCH = 200
SCHEDULE_SECONDS = 3600


@jobs.job("escrow.auto_release")
def auto_release(session: Session, run: JobRun) -> dict[str, Any]:
    """Complete and release orders delivered N days ago with no open dispute or return, a batch at a
    time (each batch commits, releasing its row locks); safe beside another worker doing the same."""
    done = 0
    while True:
        ids = service.auto_release(session, limit=BATCH)
        done += len(ids)
        if len(ids) < BATCH:
            return {"released": done}
        jobs.progress(session, run, done)  # commits this batch
