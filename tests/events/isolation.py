"""Company A's webhook endpoint and one of its deliveries, for the isolation walk (tests/test_isolation.py).

The endpoint points at a closed local port: the test ping's single attempt fails at once."""

from __future__ import annotations

from typing import Any

from autotrade.events.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): {"active": False, "url": "https://evil.example.com/x"},
}
SNAPSHOT_MODELS = (WebhookEndpoint, WebhookDelivery, WebhookAttempt, OutboxEvent)


def foreign_resources(world: Any) -> dict[str, str]:
    c, h = world.client, world.h("a_owner")
    hook = c.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/a-private-hook", "description": "A 的 ERP"},
        headers=h,
    )
    assert hook.status_code == 201, hook.text
    ping = c.post(f"/api/v1/webhooks/{hook.json()['id']}/test", headers=h)
    assert ping.status_code == 202, ping.text
    return {"webhook_id": hook.json()["id"], "delivery_id": ping.json()["delivery_id"]}
