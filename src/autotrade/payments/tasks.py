"""payments: background jobs. ``payments.simulator.deliver`` is the gateway simulator's asynchronous
delivery of its callbacks (development and test only; see ``simulator.py``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from autotrade.core.settings import get_settings
from autotrade.jobs import service as jobs
from autotrade.jobs.models import JobRun
from autotrade.payments import simulator

DELIVER_JOB = "payments.simulator.deliver"


@jobs.job(DELIVER_JOB)
def deliver_callbacks(session: Session, run: JobRun) -> dict[str, Any]:
    """Payload: ``events`` (unsigned callback bodies, in order) and ``delay_ms``. Each callback is
    signed when sent and committed on its own; the answers are the job's result."""
    settings = get_settings()
    if settings.env == "production":
        return {"refused": "the gateway simulator does not run in production"}
    payload = run.payload or {}
    answers = simulator.deliver(
        session, settings, list(payload.get("events", [])), delay_ms=int(payload.get("delay_ms", 0))
    )
    return {"answers": answers}
