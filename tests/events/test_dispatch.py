"""The dispatcher against a real HTTP receiver: signatures, filters, retries with backoff, give-up,
crash safety (an expired claim is taken over), at-least-once with a stable delivery id."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from autotrade.core.db import Database
from autotrade.core.settings import Settings
from autotrade.core.tenancy import bind_system
from autotrade.events import delivery, dispatcher
from autotrade.events.models import (
    AttemptOutcome,
    DeliveryStatus,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
)
from autotrade.events.service import emit
from autotrade.events.signing import verify
from autotrade.events.transport import Outcome
from tests.events.conftest import T0, Receiver, make_endpoint
from tests.factories import make_company
from tests.helpers import count


def _emit(db: Database, type_: str, org_ids: list[uuid.UUID], **payload: object) -> uuid.UUID:
    subject = uuid.uuid4()
    with db.transaction() as s:
        bind_system(s, "test")
        emit(s, type_, org_ids=org_ids, subject_type=type_.split(".")[0], subject_id=subject, payload=payload)
    return subject


def _run(db: Database, settings: Settings, at: datetime) -> dict[str, int]:
    with db.session() as s:
        bind_system(s, "worker")
        return dispatcher.run(s, settings=settings, now=lambda: at, rand=lambda: 0.5)


def _deliveries(db: Database) -> list[WebhookDelivery]:
    with db.session() as s:
        bind_system(s, "test")
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


def _attempts(db: Database, delivery_id: uuid.UUID) -> list[WebhookAttempt]:
    with db.session() as s:
        bind_system(s, "test")
        stmt = select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
        return list(s.scalars(stmt.order_by(WebhookAttempt.attempt)))


def test_delivers_a_signed_event_with_the_documented_headers_and_body(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    a = make_company(db)
    ep_id, receiver.secret = make_endpoint(db, a, receiver.url, ("order.*",))
    order_id = _emit(db, "order.created", [a], total_fen=12300, currency="CNY")

    stats = _run(db, settings, T0)

    assert stats == {"events": 1, "attempts": 1, "delivered": 1, "retrying": 0, "failed": 0, "superseded": 0}
    [got] = receiver.got
    [d] = _deliveries(db)
    with db.session() as s:
        bind_system(s, "test")
        event = s.scalars(select(OutboxEvent)).one()
    assert got.path == "/hooks"
    assert got.signature_ok
    assert verify(
        receiver.secret,
        got.headers["X-Autotrade-Timestamp"],
        got.body,
        got.headers["X-Autotrade-Signature"],
        now=T0.timestamp(),
    )
    assert not verify(
        "whsec_other",
        got.headers["X-Autotrade-Timestamp"],
        got.body,
        got.headers["X-Autotrade-Signature"],
        now=T0.timestamp(),
    )
    assert not verify(
        receiver.secret,
        got.headers["X-Autotrade-Timestamp"],
        got.body,
        got.headers["X-Autotrade-Signature"],
        now=T0.timestamp() + 301,
    )
    assert got.headers["X-Autotrade-Event"] == "order.created"
    assert got.headers["X-Autotrade-Delivery"] == str(d.id)
    assert got.headers["X-Autotrade-Attempt"] == "1"
    assert got.headers["X-Autotrade-Timestamp"] == str(int(T0.timestamp()))
    assert got.headers["Content-Type"] == "application/json"
    assert got.json == {
        "id": str(event.id),
        "type": "order.created",
        "created_at": event.created_at.isoformat(),
        "org_id": str(a),
        "subject": {"type": "order", "id": str(order_id)},
        "data": {"total_fen": 12300, "currency": "CNY"},
    }
    assert (d.endpoint_id, d.event_id, d.status, d.attempts) == (ep_id, event.id, DeliveryStatus.delivered, 1)
    assert (d.delivered_at, d.last_status_code, d.last_error, d.lease_token) == (T0, 200, None, None)
    assert event.dispatched_at == T0
    [attempt] = _attempts(db, d.id)
    assert (attempt.attempt, attempt.outcome, attempt.status_code, attempt.error, attempt.next_retry_at) == (
        1,
        AttemptOutcome.delivered,
        200,
        None,
        None,
    )
    assert attempt.started_at == T0 and attempt.duration_ms is not None and attempt.duration_ms >= 0
    # A second run finds nothing to do: the event is dispatched, the delivery done.
    assert _run(db, settings, T0 + timedelta(hours=1))["attempts"] == 0
    assert len(receiver.got) == 1


def test_endpoint_filters_companies_branches_and_inactive_endpoints(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    a, b = make_company(db), make_company(db)
    branch = make_company(db, parent=a)
    orders, _ = make_endpoint(db, a, receiver.url + "/orders", ("order.*",))
    stock, _ = make_endpoint(db, a, receiver.url + "/stock", ("stock.low", "transfer.approved"))
    everything, _ = make_endpoint(db, a, receiver.url + "/all", ("*",))
    make_endpoint(db, a, receiver.url + "/off", ("*",), active=False)
    at_branch, _ = make_endpoint(db, branch, receiver.url + "/branch", ("*",))
    of_b, _ = make_endpoint(db, b, receiver.url + "/b", ("*",))

    _emit(db, "order.created", [a, b])
    _emit(db, "stock.low", [a])
    _emit(db, "transfer.rejected", [a])
    _emit(db, "order.shipped", [branch])  # a branch's event also reaches the company's endpoints

    stats = _run(db, settings, T0)

    assert stats["events"] == 5 and stats["delivered"] == stats["attempts"]
    pairs = sorted((d.endpoint_id, d.event_type) for d in _deliveries(db))
    assert pairs == sorted(
        [
            (orders, "order.created"),
            (everything, "order.created"),
            (of_b, "order.created"),
            (stock, "stock.low"),
            (everything, "stock.low"),
            (everything, "transfer.rejected"),
            (orders, "order.shipped"),
            (everything, "order.shipped"),
            (at_branch, "order.shipped"),
        ]
    )
    assert sorted((r.path, r.headers["X-Autotrade-Event"]) for r in receiver.got) == sorted(
        [
            ("/hooks/orders", "order.created"),
            ("/hooks/all", "order.created"),
            ("/hooks/b", "order.created"),
            ("/hooks/stock", "stock.low"),
            ("/hooks/all", "stock.low"),
            ("/hooks/all", "transfer.rejected"),
            ("/hooks/orders", "order.shipped"),
            ("/hooks/all", "order.shipped"),
            ("/hooks/branch", "order.shipped"),
        ]
    )
    # B's endpoint got B's copy of the event (its own org_id), never A's.
    [to_b] = [r for r in receiver.got if r.path == "/hooks/b"]
    assert to_b.json["org_id"] == str(b)


def test_failures_are_retried_with_backoff_and_the_same_delivery_id(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    a = make_company(db)
    _, receiver.secret = make_endpoint(db, a, receiver.url)
    _emit(db, "order.confirmed", [a])
    receiver.fail_next(500, 503)

    s1 = _run(db, settings, T0)
    [d] = _deliveries(db)
    assert (s1["retrying"], d.status, d.attempts, d.last_status_code) == (1, DeliveryStatus.pending, 1, 500)
    assert d.next_attempt_at == T0 + timedelta(seconds=30)  # rand 0.5: no jitter
    assert d.last_error == "HTTP 500"

    assert _run(db, settings, T0 + timedelta(seconds=29))["attempts"] == 0  # not due yet
    t2 = T0 + timedelta(seconds=30)
    assert _run(db, settings, t2)["retrying"] == 1
    [d] = _deliveries(db)
    assert d.next_attempt_at == t2 + timedelta(minutes=2)
    t3 = t2 + timedelta(minutes=2)
    assert _run(db, settings, t3)["delivered"] == 1

    assert [r.headers["X-Autotrade-Delivery"] for r in receiver.got] == [str(d.id)] * 3
    assert [r.headers["X-Autotrade-Attempt"] for r in receiver.got] == ["1", "2", "3"]
    assert len({r.body for r in receiver.got}) == 1  # the same body every time
    assert all(r.signature_ok for r in receiver.got)
    log = [
        (x.attempt, x.outcome, x.status_code, x.error, x.started_at, x.next_retry_at)
        for x in _attempts(db, d.id)
    ]
    assert log == [
        (1, AttemptOutcome.retry, 500, "HTTP 500", T0, t2),
        (2, AttemptOutcome.retry, 503, "HTTP 503", t2, t3),
        (3, AttemptOutcome.delivered, 200, None, t3, None),
    ]
    [d] = _deliveries(db)
    assert (d.status, d.attempts, d.delivered_at, d.last_status_code) == (
        DeliveryStatus.delivered,
        3,
        t3,
        200,
    )


def test_retry_schedule_and_jitter() -> None:
    assert [delivery.retry_delay(n, lambda: 0.5) for n in range(1, 8)] == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(hours=1),
        timedelta(hours=6),
        timedelta(hours=12),
        timedelta(hours=24),
    ]
    assert delivery.retry_delay(1, lambda: 0.0) == timedelta(seconds=24)
    assert delivery.retry_delay(1, lambda: 1.0) == timedelta(seconds=36)
    assert delivery.MAX_ATTEMPTS == 8
    assert delivery.retry_delay(8, lambda: 0.5) is None


def test_gives_up_after_the_last_attempt(db: Database, settings: Settings, receiver: Receiver) -> None:
    a = make_company(db)
    make_endpoint(db, a, receiver.url)
    _emit(db, "order.cancelled", [a])
    receiver.fail_next(*[500] * delivery.MAX_ATTEMPTS)

    at = T0
    for n in range(1, delivery.MAX_ATTEMPTS + 1):
        assert _run(db, settings, at)["attempts"] == 1, n
        [d] = _deliveries(db)
        if n < delivery.MAX_ATTEMPTS:
            assert d.status == DeliveryStatus.pending
            at = d.next_attempt_at
    [d] = _deliveries(db)
    assert (d.status, d.attempts, d.next_attempt_at) == (DeliveryStatus.failed, 8, None)
    log = _attempts(db, d.id)
    assert [x.outcome for x in log] == [AttemptOutcome.retry] * 7 + [AttemptOutcome.failed]
    assert log[-1].next_retry_at is None
    assert log[-1].started_at - T0 == timedelta(hours=43, minutes=12, seconds=30)
    assert _run(db, settings, at + timedelta(days=30))["attempts"] == 0
    assert len(receiver.got) == 8


def test_a_crashed_workers_claim_expires_and_the_delivery_is_sent_again(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    """ "No event lost if the process dies mid-way": the claim is committed before the HTTP call; a
    worker that dies there leaves a lease that expires, and the next run sends the same delivery."""
    a = make_company(db)
    _, receiver.secret = make_endpoint(db, a, receiver.url)
    _emit(db, "order.paid", [a])
    with db.session() as s:  # a worker fans out and claims, then dies before sending anything
        bind_system(s, "worker")
        delivery.fan_out(s, T0)
        s.commit()
        [stale] = delivery.claim(s, T0)
        s.commit()
    [d] = _deliveries(db)
    assert (d.status, d.attempts, d.leased_until) == (DeliveryStatus.delivering, 1, T0 + delivery.LEASE)

    assert _run(db, settings, T0 + delivery.LEASE - timedelta(seconds=1))["attempts"] == 0  # still leased
    assert receiver.got == []
    t = T0 + delivery.LEASE
    assert _run(db, settings, t)["delivered"] == 1

    [got] = receiver.got
    assert got.signature_ok and got.headers["X-Autotrade-Delivery"] == str(d.id)
    assert got.headers["X-Autotrade-Attempt"] == "2"
    log = [(x.attempt, x.outcome, x.status_code, x.started_at, x.next_retry_at) for x in _attempts(db, d.id)]
    assert log == [(1, AttemptOutcome.lost, None, T0, t), (2, AttemptOutcome.delivered, 200, t, None)]
    assert _attempts(db, d.id)[0].error == "the worker stopped before recording a result (lease expired)"

    # The stale worker comes back to life with its result: its lease is gone, nothing is written.
    with db.session() as s:
        bind_system(s, "worker")
        late = delivery.record(s, stale, Outcome(500, "HTTP 500", 5), started_at=T0, now=t)
        s.commit()
    assert late is None
    [d] = _deliveries(db)
    assert (d.status, d.attempts, d.last_status_code) == (DeliveryStatus.delivered, 2, 200)
    assert len(_attempts(db, d.id)) == 2


def test_fan_out_is_atomic_and_runs_once_per_event(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    a = make_company(db)
    make_endpoint(db, a, receiver.url)
    _emit(db, "order.created", [a])
    with db.session() as s:  # a worker fans out but dies before committing: nothing happened
        bind_system(s, "worker")
        assert delivery.fan_out(s, T0) == 1
        s.rollback()
    assert count(db, WebhookDelivery) == 0
    assert count(db, OutboxEvent, OutboxEvent.dispatched_at.is_(None)) == 1
    _run(db, settings, T0)
    _run(db, settings, T0 + timedelta(minutes=1))
    assert count(db, WebhookDelivery) == 1
    assert len(receiver.got) == 1


def test_an_unreachable_endpoint_is_a_failed_attempt(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    a = make_company(db)
    make_endpoint(db, a, "http://127.0.0.1:9/nothing-listens-here")
    _emit(db, "order.created", [a])
    assert _run(db, settings, T0)["retrying"] == 1
    [d] = _deliveries(db)
    [attempt] = _attempts(db, d.id)
    assert attempt.status_code is None
    assert attempt.error is not None and attempt.error.startswith("connection failed")
    assert d.next_attempt_at == T0 + timedelta(seconds=30)


def test_private_addresses_are_refused_at_send_time_in_production_mode(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    a = make_company(db)
    make_endpoint(db, a, receiver.url)  # registered while private addresses were allowed
    _emit(db, "order.created", [a])
    strict = settings.model_copy(update={"webhook_allow_private": False})
    assert _run(db, strict, T0)["retrying"] == 1
    assert receiver.got == []
    [d] = _deliveries(db)
    assert d.last_error == "blocked: webhooks may not point at private, loopback or link-local addresses"


def test_an_endpoint_deactivated_after_fan_out_is_not_called(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    a = make_company(db)
    ep, _ = make_endpoint(db, a, receiver.url)
    _emit(db, "order.created", [a])
    with db.session() as s:
        bind_system(s, "worker")
        delivery.fan_out(s, T0)
        s.commit()
    from autotrade.events.models import WebhookEndpoint

    with db.transaction() as s:
        bind_system(s, "test")
        endpoint = s.get(WebhookEndpoint, ep)
        assert endpoint is not None
        endpoint.active = False
    assert _run(db, settings, T0)["attempts"] == 0
    [d] = _deliveries(db)
    assert (d.status, d.last_error) == (DeliveryStatus.failed, "the endpoint is inactive: not sent")
    assert receiver.got == []


def test_the_job_runs_through_the_job_runner(db: Database, settings: Settings, receiver: Receiver) -> None:
    from autotrade.jobs import service as jobs
    from autotrade.jobs.models import JobRun

    a = make_company(db)
    make_endpoint(db, a, receiver.url)
    _emit(db, "order.created", [a])
    jobs.configure(jobs.SyncRunner(db))
    try:
        with db.transaction() as s:
            bind_system(s, "test")
            run = jobs.submit(s, "events.dispatch")
    finally:
        jobs._runner = None
    with db.session() as s:
        bind_system(s, "test")
        done = s.get(JobRun, run.id)
        assert done is not None
        assert (done.status, done.result) == (
            "done",
            {"events": 1, "attempts": 1, "delivered": 1, "retrying": 0, "failed": 0, "superseded": 0},
        )
    assert len(receiver.got) == 1
    assert json.loads(receiver.got[0].body)["type"] == "order.created"


@pytest.mark.postgres_only
def test_concurrent_workers_claim_disjoint_deliveries(
    db: Database, settings: Settings, receiver: Receiver
) -> None:
    a = make_company(db)
    make_endpoint(db, a, receiver.url)
    for _ in range(4):
        _emit(db, "order.created", [a])
    with db.session() as s:
        bind_system(s, "worker")
        delivery.fan_out(s, T0)
        s.commit()
    with db.session() as s1, db.session() as s2:
        bind_system(s1, "worker")
        bind_system(s2, "worker")
        first = delivery.claim(s1, T0, limit=3)  # s1's transaction is open: its rows stay locked
        second = delivery.claim(s2, T0, limit=3)
        s1.commit()
        s2.commit()
    assert (len(first), len(second)) == (3, 1)
    assert not {c.delivery_id for c in first} & {c.delivery_id for c in second}
