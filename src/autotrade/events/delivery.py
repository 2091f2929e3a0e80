"""events: the delivery rules — fan-out, claims with a lease, retry schedule, results.

Every function here only flushes; :mod:`autotrade.events.dispatcher` is the boundary that commits
between the steps and does the HTTP calls outside any transaction:

1. :func:`fan_out` — undispatched outbox events → one ``webhook_deliveries`` row per matching active
   endpoint of the event's company or a company above it (unique per endpoint + event), and the
   events marked dispatched, in one transaction.
2. :func:`claim` — due deliveries get ``status=delivering``, a fresh ``lease_token``, ``leased_until``
   and ``attempts + 1``. A delivery still ``delivering`` after its lease is a worker that died: its
   attempt is logged as ``lost`` and it is claimed again (or given up if it was the last attempt).
3. :func:`record` — the result is written only if the lease token still matches; 2xx → delivered;
   otherwise the next attempt is scheduled by :func:`retry_delay`, or the delivery fails for good.

At-least-once: a receiver may see a delivery twice (a worker died after the receiver answered, or a
lease expired during a slow request); ``X-Autotrade-Delivery`` is the same every time, for dedupe.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase

from sqlalchemy.orm import Session

from autotrade.events.models import (
    AttemptOutcome,
    DeliveryStatus,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from autotrade.events.repository import DeliveryRepository, OutboxRepository, WebhookRepository
from autotrade.events.transport import Outcome

# Wait after failed attempt n (1-based) before attempt n + 1; after the last, the delivery fails.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1  # 8 attempts over about 43 hours
JITTER = 0.2  # each delay is spread ±20 % so endpoints that failed together do not retry together
LEASE = timedelta(minutes=2)  # a claim older than this is a dead worker's
PING = "webhook.ping"

Rand = Callable[[], float]


def retry_delay(failed_attempt: int, rand: Rand = random.random) -> timedelta | None:
    """Delay before the next attempt after ``failed_attempt`` failed; None: give up."""
    if failed_attempt >= MAX_ATTEMPTS:
        return None
    base = RETRY_DELAYS[failed_attempt - 1]
    return base * (1 - JITTER + 2 * JITTER * rand())


def matches(patterns: list[str], event_type: str) -> bool:
    """``*`` stands for any run of characters: ``order.*`` matches ``order.created``."""
    return any(fnmatchcase(event_type, p) for p in patterns)


def body_of(event: OutboxEvent) -> bytes:
    """The JSON body POSTed for an event: the same bytes on every attempt and for every endpoint."""
    doc = {
        "id": str(event.id),
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "org_id": str(event.org_id),
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "data": event.payload,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def fan_out(session: Session, now: datetime, *, limit: int = 500) -> int:
    """Turn up to ``limit`` undispatched events into deliveries. Returns the number of events."""
    events = OutboxRepository(session).claim_undispatched(limit)
    if not events:
        return 0
    chains = OutboxRepository(session).with_ancestors(e.org_id for e in events)
    orgs = set().union(*chains.values())
    endpoints = WebhookRepository(session).active_of_orgs(orgs)
    done = DeliveryRepository(session).existing_pairs([e.id for e in events])
    rows = []
    for event in events:
        for ep in endpoints:
            if ep.org_id in chains[event.org_id] and matches(ep.event_types, event.type):
                if (ep.id, event.id) in done:
                    continue
                rows.append(
                    WebhookDelivery(
                        org_id=ep.org_id,
                        endpoint_id=ep.id,
                        event_id=event.id,
                        event_type=event.type,
                        status=DeliveryStatus.pending,
                        attempts=0,
                        next_attempt_at=now,
                    )
                )
    session.add_all(rows)
    session.flush()
    OutboxRepository(session).mark_dispatched([e.id for e in events], now)
    return len(events)


@dataclass(frozen=True)
class Claimed:
    """One claimed delivery with everything needed to send it outside the transaction."""

    delivery_id: uuid.UUID
    lease_token: uuid.UUID
    attempt: int
    org_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    url: str
    secret: str
    body: bytes


def _log(
    session: Session,
    d: WebhookDelivery,
    attempt: int,
    outcome: AttemptOutcome,
    started_at: datetime,
    *,
    status_code: int | None = None,
    error: str | None = None,
    duration_ms: int | None = None,
    next_retry_at: datetime | None = None,
) -> None:
    session.add(
        WebhookAttempt(
            org_id=d.org_id,
            delivery_id=d.id,
            endpoint_id=d.endpoint_id,
            event_id=d.event_id,
            event_type=d.event_type,
            attempt=attempt,
            outcome=outcome,
            started_at=started_at,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
            next_retry_at=next_retry_at,
        )
    )


def claim(session: Session, now: datetime, *, limit: int = 10, lease: timedelta = LEASE) -> list[Claimed]:
    """Claim up to ``limit`` due deliveries for this worker (see the module docstring)."""
    deliveries = DeliveryRepository(session).claim_due(now, limit)
    if not deliveries:
        return []
    endpoints = WebhookRepository(session).by_ids({d.endpoint_id for d in deliveries})
    events = OutboxRepository(session).by_ids({d.event_id for d in deliveries})
    out: list[Claimed] = []
    for d in deliveries:
        if d.status == DeliveryStatus.delivering:  # the previous worker's lease expired
            last = d.attempts >= MAX_ATTEMPTS
            error = "the worker stopped before recording a result (lease expired)"
            _log(
                session,
                d,
                d.attempts,
                AttemptOutcome.failed if last else AttemptOutcome.lost,
                d.leased_until - lease if d.leased_until else now,
                error=error,
                next_retry_at=None if last else now,
            )
            d.last_error, d.last_status_code = error, None
            if last:
                d.status, d.lease_token, d.leased_until, d.next_attempt_at = (
                    DeliveryStatus.failed,
                    None,
                    None,
                    None,
                )
                continue
        ep = endpoints.get(d.endpoint_id)
        if ep is None or not ep.active:
            error = "the endpoint is inactive: not sent"
            _log(session, d, d.attempts + 1, AttemptOutcome.failed, now, error=error)
            d.attempts += 1
            d.status, d.last_error, d.lease_token, d.leased_until, d.next_attempt_at = (
                DeliveryStatus.failed,
                error,
                None,
                None,
                None,
            )
            continue
        d.attempts += 1
        d.status = DeliveryStatus.delivering
        d.lease_token = uuid.uuid4()
        d.leased_until = now + lease
        out.append(
            Claimed(
                delivery_id=d.id,
                lease_token=d.lease_token,
                attempt=d.attempts,
                org_id=d.org_id,
                endpoint_id=d.endpoint_id,
                event_id=d.event_id,
                event_type=d.event_type,
                url=ep.url,
                secret=ep.secret,
                body=body_of(events[d.event_id]),
            )
        )
    session.flush()
    return out


def record(
    session: Session,
    c: Claimed,
    outcome: Outcome,
    *,
    started_at: datetime,
    now: datetime,
    rand: Rand = random.random,
) -> DeliveryStatus | None:
    """Write an attempt's result. Returns the delivery's new status, or None when this worker lost its
    claim (lease expired and taken over, or endpoint deleted): then nothing is written."""
    attempt_outcome: AttemptOutcome
    next_at: datetime | None = None
    if outcome.ok:
        status, attempt_outcome = DeliveryStatus.delivered, AttemptOutcome.delivered
    else:
        delay = retry_delay(c.attempt, rand)
        if delay is None:
            status, attempt_outcome = DeliveryStatus.failed, AttemptOutcome.failed
        else:
            status, attempt_outcome, next_at = DeliveryStatus.pending, AttemptOutcome.retry, now + delay
    held = DeliveryRepository(session).finish(
        c.delivery_id,
        c.lease_token,
        status=status,
        next_attempt_at=next_at,
        last_status_code=outcome.status_code,
        last_error=outcome.error,
        delivered_at=now if outcome.ok else None,
        updated_at=now,
    )
    if not held:
        return None
    session.add(
        WebhookAttempt(
            org_id=c.org_id,
            delivery_id=c.delivery_id,
            endpoint_id=c.endpoint_id,
            event_id=c.event_id,
            event_type=c.event_type,
            attempt=c.attempt,
            outcome=attempt_outcome,
            started_at=started_at,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            next_retry_at=next_at,
        )
    )
    session.flush()
    return status


def queue_ping(session: Session, endpoint: WebhookEndpoint, now: datetime) -> WebhookDelivery:
    """A ``webhook.ping`` event for one endpoint (whatever its filters), due at once."""
    event = OutboxEvent(
        org_id=endpoint.org_id,
        type=PING,
        subject_type="webhook",
        subject_id=str(endpoint.id),
        payload={"webhook_id": str(endpoint.id), "message": "ping from autotrade"},
        created_at=now,
        dispatched_at=now,  # fanned out here, to this endpoint only
    )
    session.add(event)
    session.flush()
    delivery = WebhookDelivery(
        org_id=endpoint.org_id,
        endpoint_id=endpoint.id,
        event_id=event.id,
        event_type=PING,
        status=DeliveryStatus.pending,
        attempts=0,
        next_attempt_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def redeliver(session: Session, delivery: WebhookDelivery, now: datetime) -> WebhookDelivery:
    """Send a failed delivery again: a new round of attempts, same delivery id."""
    delivery.status = DeliveryStatus.pending
    delivery.next_attempt_at = now
    session.flush()
    return delivery
