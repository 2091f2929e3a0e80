"""Escrow resources for the isolation walk (tests/test_isolation.py).

``/orders/{order_id}/escrow`` takes the order of A built by tests/orders/isolation.py (B sees 404);
commission rates are platform master data behind ``platform.finance`` (B gets 403): a seeded default
rate stands for ``rate_id``."""

from __future__ import annotations

from typing import Any

from autotrade.escrow.models import EscrowRefund, EscrowRelease, OrderCommission

SNAPSHOT_MODELS = (EscrowRelease, EscrowRefund, OrderCommission)

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/platform/commission-rates"): {
        "trade_type": "parts",
        "rate_bp": 1,
        "effective_from": "2030-01-01T00:00:00Z",
    },
    ("PATCH", "/api/v1/platform/commission-rates/{rate_id}"): {"rate_bp": 1},
}


def foreign_resources(world: Any) -> dict[str, str]:
    return {"rate_id": "01900000-0000-7000-8000-00000000e004"}  # the default "parts" rate (migration 0011)
