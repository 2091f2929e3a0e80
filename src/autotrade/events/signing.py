"""Webhook signatures: HMAC-SHA256 over ``"<timestamp>.<body>"`` with the endpoint's secret.

Receivers recompute it (docs/webhooks.md shows how in a few lines) and compare in constant time;
the timestamp lets them refuse old replays.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105  (a marker, not a secret)
EVENT_HEADER = "X-Autotrade-Event"
DELIVERY_HEADER = "X-Autotrade-Delivery"
TIMESTAMP_HEADER = "X-Autotrade-Timestamp"
SIGNATURE_HEADER = "X-Autotrade-Signature"
ATTEMPT_HEADER = "X-Autotrade-Attempt"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh endpoint secret (256 bits), shown to the company once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(now - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


def headers(
    *, secret: str, event_type: str, delivery_id: str, attempt: int, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: delivery_id,
        ATTEMPT_HEADER: str(attempt),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
