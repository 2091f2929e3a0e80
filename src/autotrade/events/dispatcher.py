"""The webhook dispatcher: the ``events.dispatch`` job (scheduled every 15 s by ``autotrade db upgrade``;
also ``autotrade jobs run events.dispatch``).

This module is a unit-of-work boundary like a route or the job runner: it commits after each step so
no transaction stays open during an HTTP call, and so a crash loses at most the attempts in flight —
their claims expire (``delivery.LEASE``) and the next run sends them again. The rules themselves are
in :mod:`autotrade.events.delivery` (they only flush).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.core.settings import Settings, get_settings
from autotrade.events import delivery
from autotrade.events.models import DeliveryStatus
from autotrade.events.service import DISPATCH_JOB
from autotrade.events.signing import headers
from autotrade.events.transport import post, private_allowed
from autotrade.jobs.models import JobRun
from autotrade.jobs.service import job

SCHEDULE_SECONDS = 15
TIME_BUDGET_SECONDS = 50.0  # one run stops claiming new work after this; the next run continues
CLAIM_BATCH = 10
FANOUT_BATCH = 500


def run(
    session: Session,
    *,
    settings: Settings | None = None,
    now: Callable[[], datetime] = utcnow,
    rand: Callable[[], float] = random.random,
    budget_seconds: float = TIME_BUDGET_SECONDS,
) -> dict[str, int]:
    """Fan out new events, then send due deliveries until none is left or the time budget is spent."""
    settings = settings or get_settings()
    allow_private = private_allowed(settings)
    timeout = settings.webhook_timeout_seconds
    lease = max(delivery.LEASE, timedelta(seconds=2 * CLAIM_BATCH * timeout))
    stats = {"events": 0, "attempts": 0, "delivered": 0, "retrying": 0, "failed": 0, "superseded": 0}
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        fanned = delivery.fan_out(session, now(), limit=FANOUT_BATCH)
        session.commit()
        stats["events"] += fanned
        claimed = delivery.claim(session, now(), limit=CLAIM_BATCH, lease=lease)
        session.commit()
        if not claimed and fanned < FANOUT_BATCH:
            break
        for c in claimed:
            started = now()
            sent = post(
                c.url,
                c.body,
                headers(
                    secret=c.secret,
                    event_type=c.event_type,
                    delivery_id=str(c.delivery_id),
                    attempt=c.attempt,
                    timestamp=int(started.timestamp()),
                    body=c.body,
                ),
                timeout=timeout,
                allow_private=allow_private,
            )
            status = delivery.record(session, c, sent, started_at=started, now=now(), rand=rand)
            session.commit()
            stats["attempts"] += 1
            key = (
                {
                    DeliveryStatus.delivered: "delivered",
                    DeliveryStatus.pending: "retrying",
                    DeliveryStatus.failed: "failed",
                }.get(status, "superseded")
                if status is not None
                else "superseded"
            )
            stats[key] += 1
    return stats


@job(DISPATCH_JOB)
def dispatch_job(session: Session, run_: JobRun) -> dict[str, Any]:
    return dict(run(session))
