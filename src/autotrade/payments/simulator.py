"""The gateway simulator (development and test only, never in production).

It behaves like a real online gateway towards us: when the buyer "pays" a gateway payment on its page
(``POST /api/v1/payments/simulator/payments/{payment_id}/pay`` with a ``scenario``), it answers at once
and delivers signed callbacks **asynchronously**, through the jobs mechanism (job
``payments.simulator.deliver``), after ``delay_ms``:

| scenario | callbacks, in this order |
| --- | --- |
| ``normal`` | ``payment.succeeded`` |
| ``duplicate`` | the same ``payment.succeeded`` event twice (same event id) |
| ``out_of_order`` | ``payment.closed``, ``payment.succeeded``, a second success (another event id) |
| ``late`` | ``payment.succeeded`` after the delay (cancel the order meanwhile: it is paid, then refunded) |
| ``amount_mismatch`` | ``payment.succeeded`` for 1 fen more than the payment |
| ``closed`` | ``payment.closed`` (the buyer gave up) |

Each callback is signed when it is sent (timestamp = now). Delivery: with
``AUTOTRADE_GATEWAY_SIMULATOR_CALLBACK_BASE_URL`` set, an HTTP POST to
``<base>/api/v1/payments/callbacks/gateway``, exactly as the real gateway does; unset (the default), in
process: the job calls :func:`autotrade.payments.service.receive_gateway_callback` with the same
headers and body — the same verification path — and commits each callback on its own, as the HTTP
boundary would.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from sqlalchemy.orm import Session

from autotrade.core.errors import AppError
from autotrade.core.settings import Settings
from autotrade.events import transport
from autotrade.payments.models import Payment
from autotrade.payments.providers import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

SCENARIOS = ("normal", "duplicate", "out_of_order", "late", "amount_mismatch", "closed")
CALLBACK_PATH = "/api/v1/payments/callbacks/gateway"


def trade_no(payment: Payment) -> str:
    """The simulated gateway's own number for a payment."""
    return "SIM" + payment.id.hex[-20:].upper()


def _event(payment: Payment, type_: str, *, amount_fen: int | None = None) -> dict[str, Any]:
    return {
        "event_id": f"evt_{uuid.uuid4().hex}",
        "type": type_,
        "out_trade_no": payment.reference_code,
        "trade_no": trade_no(payment),
        "amount_fen": payment.amount_fen if amount_fen is None else amount_fen,
        "currency": payment.currency,
    }


def events_for(payment: Payment, scenario: str) -> list[dict[str, Any]]:
    """The callbacks the simulator sends for a scenario (see the module docstring)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}")
    success = _event(payment, "payment.succeeded")
    if scenario == "duplicate":
        return [success, dict(success)]
    if scenario == "out_of_order":
        return [_event(payment, "payment.closed"), success, _event(payment, "payment.succeeded")]
    if scenario == "amount_mismatch":
        return [_event(payment, "payment.succeeded", amount_fen=payment.amount_fen + 1)]
    if scenario == "closed":
        return [_event(payment, "payment.closed")]
    return [success]  # normal, late


def signed(
    event: dict[str, Any], secret: str, *, timestamp: int | None = None
) -> tuple[dict[str, str], bytes]:
    """Headers and body of one callback, signed as the gateway signs them."""
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(secret, ts, body)}, body


def deliver_inprocess(
    session: Session, settings: Settings, headers: dict[str, str], body: bytes
) -> tuple[int, str]:
    """Hand one callback to our handler as the HTTP route would (its own commit or rollback)."""
    from autotrade.payments import service

    try:
        result = service.receive_gateway_callback(session, settings, headers, body)
    except AppError as e:
        session.commit() if e.commit else session.rollback()
        return e.status, e.code
    session.commit()
    return 200, result.outcome


def deliver(
    session: Session, settings: Settings, events: list[dict[str, Any]], *, delay_ms: int = 0
) -> list[str]:
    """Send the callbacks, one after the other, after ``delay_ms`` (a job: see ``tasks.py``)."""
    session.commit()  # hold no lock (SQLite: the writer lock) while waiting
    if delay_ms:
        time.sleep(delay_ms / 1000)
    base = settings.gateway_simulator_callback_base_url
    answers: list[str] = []
    for event in events:
        headers, body = signed(event, settings.gateway_secret)
        if base:
            # The webhook sender's plain-HTTP POST (standard library: httpx is only a test dependency);
            # the simulator runs outside production, where loopback targets are the point.
            sent = transport.post(
                base.rstrip("/") + CALLBACK_PATH,
                body,
                {**headers, "Content-Type": "application/json"},
                timeout=30,
                allow_private=True,
            )
            answers.append(f"{sent.status_code} {sent.error or ''}".strip())
        else:
            status, outcome = deliver_inprocess(session, settings, headers, body)
            answers.append(f"{status} {outcome}")
    return answers
