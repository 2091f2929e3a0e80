"""Webhook endpoints over HTTP: register (secret shown once, stored encrypted), filters, update,
rotate, delete, permissions, the SSRF guard, test pings and the delivery log."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text

from autotrade.audit.models import AuditLog
from autotrade.core.db import Database
from autotrade.core.settings import Settings
from autotrade.core.tenancy import bind_system
from autotrade.events.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from autotrade.events.service import MAX_ENDPOINTS_PER_COMPANY
from tests.events.conftest import Receiver
from tests.helpers import assert_problem, count, table_counts

URL = "https://erp.example.com/autotrade/hooks"


def _create(client: Any, h: dict[str, str], **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/webhooks", json={"url": URL, **body}, headers=h)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_register_shows_the_secret_once_and_stores_it_encrypted(client, world, db: Database) -> None:
    h = world.h("a_owner")
    created = _create(client, h, event_types=["order.*", "stock.low", "order.*"], description="ERP")
    assert created["secret"].startswith("whsec_") and len(created["secret"]) == 6 + 43
    assert created["url"] == URL
    assert created["event_types"] == ["order.*", "stock.low"]
    assert (created["active"], created["description"], created["secret_rotated_at"]) == (True, "ERP", None)

    got = client.get(f"/api/v1/webhooks/{created['id']}", headers=h)
    assert got.status_code == 200
    assert "secret" not in got.json()
    assert got.json() == {k: v for k, v in created.items() if k != "secret"}
    listed = client.get("/api/v1/webhooks", headers=h).json()
    assert [w["id"] for w in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]

    with db.engine.connect() as conn:
        raw = conn.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
    assert raw.startswith("v1.t1.") and created["secret"] not in raw
    with db.session() as s:
        bind_system(s, "test")
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "webhook.create")).one()
        assert entry.after is not None and entry.after["secret"] == "[redacted]"
        assert entry.entity_id == created["id"] and entry.org_id == world.orgs["a"]


def test_defaults_to_every_event(client, world) -> None:
    assert _create(client, world.h("a_owner"))["event_types"] == ["*"]


def test_invalid_registrations_change_nothing(client, world, db: Database) -> None:
    h = world.h("a_owner")
    before = table_counts(db)
    for body, code, field in [
        ({"url": "ftp://example.com/x"}, "webhook_url_not_allowed", "url"),
        ({"url": "https:///no-host"}, "webhook_url_not_allowed", "url"),
        ({"url": "http://example.com:99999/"}, "webhook_url_not_allowed", "url"),
        ({"url": URL, "event_types": ["Order.Created"]}, "validation_error", "event_types"),
        ({"url": URL, "event_types": []}, "validation_error", "event_types"),
        ({"url": URL, "secret": "mine"}, "validation_error", "secret"),
        ({}, "validation_error", "url"),
    ]:
        r = client.post("/api/v1/webhooks", json=body, headers=h)
        assert_problem(r, 422, code, field)
    assert table_counts(db) == before


def test_private_addresses_are_refused_when_not_allowed(
    client, world, db: Database, settings: Settings
) -> None:
    settings.webhook_allow_private = False  # production's default
    h = world.h("a_owner")
    before = table_counts(db)
    for url in (
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://api.localhost/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:192.168.0.1]/x",
    ):
        r = client.post("/api/v1/webhooks", json={"url": url}, headers=h)
        assert_problem(r, 422, "webhook_url_not_allowed", "url")
    assert table_counts(db) == before
    assert (
        _create(client, h, url="https://198.51.100.7.nip.example.com/h")["active"] is True
    )  # names: DNS at send


def test_update_and_validation(client, world, db: Database) -> None:
    h = world.h("a_owner")
    w = _create(client, h)
    r = client.patch(
        f"/api/v1/webhooks/{w['id']}",
        json={"event_types": ["transfer.*"], "active": False, "description": None},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["event_types"], r.json()["active"], r.json()["description"]) == (
        ["transfer.*"],
        False,
        None,
    )
    before = table_counts(db)
    assert_problem(
        client.patch(f"/api/v1/webhooks/{w['id']}", json={"url": None}, headers=h), 422, "required", "url"
    )
    assert_problem(
        client.patch(f"/api/v1/webhooks/{w['id']}", json={"url": "gopher://x"}, headers=h),
        422,
        "webhook_url_not_allowed",
        "url",
    )
    assert table_counts(db) == before
    with db.session() as s:
        bind_system(s, "test")
        ep = s.get(WebhookEndpoint, uuid.UUID(w["id"]))
        assert ep is not None and (ep.url, ep.active) == (URL, False)


def test_rotate_secret_returns_a_new_secret_once(client, world, db: Database) -> None:
    h = world.h("a_owner")
    w = _create(client, h)
    r = client.post(f"/api/v1/webhooks/{w['id']}/rotate-secret", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["secret"].startswith("whsec_") and r.json()["secret"] != w["secret"]
    assert r.json()["secret_rotated_at"] is not None
    with db.session() as s:
        bind_system(s, "test")
        ep = s.scalars(select(WebhookEndpoint)).one()
        assert ep.secret == r.json()["secret"]
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity_id == w["id"])).all()
    assert sorted(actions) == ["webhook.create", "webhook.rotate_secret"]


def test_delete_removes_the_endpoint(client, world, db: Database) -> None:
    h = world.h("a_owner")
    w = _create(client, h)
    assert client.delete(f"/api/v1/webhooks/{w['id']}", headers=h).status_code == 204
    assert_problem(client.get(f"/api/v1/webhooks/{w['id']}", headers=h), 404, "webhook_not_found")
    assert_problem(client.delete(f"/api/v1/webhooks/{w['id']}", headers=h), 404, "webhook_not_found")
    assert count(db, WebhookEndpoint) == 0


def test_permissions(client, world, db: Database) -> None:
    owner = world.h("a_owner")
    w = _create(client, owner)
    key = client.post(
        "/api/v1/api-keys", json={"name": "monitor", "scopes": ["api_keys:view"]}, headers=owner
    ).json()["key"]
    viewer_key = {"X-Api-Key": key}
    assert client.get("/api/v1/webhooks", headers=viewer_key).status_code == 200
    assert client.get(f"/api/v1/webhooks/{w['id']}/deliveries", headers=viewer_key).status_code == 200
    callers = (viewer_key, world.h("a_viewer"), world.h("a_purchaser"))  # logged in before counting
    before = table_counts(db)
    for who in callers:
        assert_problem(
            client.post("/api/v1/webhooks", json={"url": URL}, headers=who), 403, "permission_denied"
        )
        assert_problem(
            client.patch(f"/api/v1/webhooks/{w['id']}", json={"active": False}, headers=who),
            403,
            "permission_denied",
        )
        assert_problem(client.post(f"/api/v1/webhooks/{w['id']}/test", headers=who), 403, "permission_denied")
        assert_problem(
            client.post(f"/api/v1/webhooks/{w['id']}/rotate-secret", headers=who), 403, "permission_denied"
        )
        assert_problem(client.delete(f"/api/v1/webhooks/{w['id']}", headers=who), 403, "permission_denied")
    assert_problem(client.get("/api/v1/webhooks", headers=world.h("a_viewer")), 403, "permission_denied")
    assert table_counts(db) == before


def test_at_most_twenty_endpoints_per_company(client, world, db: Database) -> None:
    h = world.h("a_owner")
    for _ in range(MAX_ENDPOINTS_PER_COMPANY):
        _create(client, h)
    before = table_counts(db)
    assert_problem(client.post("/api/v1/webhooks", json={"url": URL}, headers=h), 409, "too_many_webhooks")
    assert table_counts(db) == before
    _create(client, world.h("b_owner"))  # another company's count is its own


def test_ping_is_delivered_and_logged(client, world, db: Database, receiver: Receiver) -> None:
    h = world.h("a_owner")
    w = _create(client, h, url=receiver.url, event_types=["order.created"])
    receiver.secret = w["secret"]
    receiver.fail_next(502)
    r = client.post(f"/api/v1/webhooks/{w['id']}/test", headers=h)
    assert r.status_code == 202, r.text
    sent = r.json()
    # The test client's job runner is synchronous: the dispatcher ran right after the commit.
    [got] = receiver.got
    assert got.signature_ok
    assert (got.headers["X-Autotrade-Event"], got.headers["X-Autotrade-Delivery"]) == (
        "webhook.ping",
        sent["delivery_id"],
    )
    assert got.json["data"] == {"webhook_id": w["id"], "message": "ping from autotrade"}
    assert got.json["id"] == sent["event_id"]

    log = client.get(f"/api/v1/webhooks/{w['id']}/deliveries", headers=h)
    assert log.status_code == 200
    [d] = log.json()["items"]
    assert (d["id"], d["status"], d["attempts"], d["last_status_code"], d["last_error"]) == (
        sent["delivery_id"],
        "pending",
        1,
        502,
        "HTTP 502",
    )
    [a1] = d["attempt_log"]
    assert (a1["attempt"], a1["outcome"], a1["status_code"], a1["error"]) == (1, "retry", 502, "HTTP 502")
    assert a1["next_retry_at"] == d["next_attempt_at"] and a1["duration_ms"] >= 0
    assert log.json()["next_cursor"] is None
    failed = client.get(f"/api/v1/webhooks/{w['id']}/deliveries?status=failed", headers=h).json()
    assert failed["items"] == []


def test_a_failed_delivery_can_be_sent_again(client, world, db: Database, receiver: Receiver) -> None:
    h = world.h("a_owner")
    w = _create(client, h, url=receiver.url)
    receiver.secret = w["secret"]
    r = client.post(f"/api/v1/webhooks/{w['id']}/test", headers=h)
    delivery_id = r.json()["delivery_id"]
    before = table_counts(db)
    assert_problem(
        client.post(f"/api/v1/webhooks/{w['id']}/deliveries/{delivery_id}/retry", headers=h),
        409,
        "webhook_delivery_not_retryable",
    )
    assert table_counts(db) == before
    with db.transaction() as s:
        bind_system(s, "test")
        d = s.scalars(select(WebhookDelivery)).one()
        d.status = DeliveryStatus.failed  # as if every attempt had failed
    r = client.post(f"/api/v1/webhooks/{w['id']}/deliveries/{delivery_id}/retry", headers=h)
    assert r.status_code == 202, r.text
    assert [g.headers["X-Autotrade-Delivery"] for g in receiver.got] == [delivery_id, delivery_id]
    assert [g.headers["X-Autotrade-Attempt"] for g in receiver.got] == ["1", "2"]
    [d] = client.get(f"/api/v1/webhooks/{w['id']}/deliveries", headers=h).json()["items"]
    assert (d["status"], d["attempts"], [a["outcome"] for a in d["attempt_log"]]) == (
        "delivered",
        2,
        ["delivered", "delivered"],
    )
