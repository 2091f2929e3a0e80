"""Payments tests: the orders market (tests/orders/conftest.py), signed gateway callbacks, the books.

Buyer A (``a_owner``) orders from supplier B; platform finance is ``admin`` (``platform_admin``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from autotrade.core.db import Database
from autotrade.core.settings import DEFAULT_GATEWAY_SECRET
from autotrade.core.tenancy import bind_system
from autotrade.ledger import service as ledger
from autotrade.ledger.models import JournalEntry, Purpose
from autotrade.payments.models import Payment, PaymentCallback
from autotrade.payments.simulator import signed
from tests.catalog.conftest import catalog  # noqa: F401  (fixture)
from tests.orders.conftest import Market, market  # noqa: F401  (fixture)

CALLBACK = "/api/v1/payments/callbacks/gateway"


def start(m: Market, order_id: str, provider: str = "gateway", who: str = "a_owner") -> dict[str, Any]:
    r = m.post(who, f"/orders/{order_id}/payments", {"provider": provider})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def event(payment: dict[str, Any], type_: str = "payment.succeeded", **over: Any) -> dict[str, Any]:
    e = {
        "event_id": f"evt_{uuid.uuid4().hex}",
        "type": type_,
        "out_trade_no": payment["reference_code"],
        "trade_no": "SIM" + uuid.UUID(payment["id"]).hex[-20:].upper(),
        "amount_fen": payment["amount_fen"],
        "currency": "CNY",
    }
    e.update(over)
    return e


def send(
    client: Any, e: dict[str, Any], *, secret: str = DEFAULT_GATEWAY_SECRET, timestamp: int | None = None
) -> Any:
    headers, body = signed(e, secret, timestamp=timestamp)
    return client.post(CALLBACK, content=body, headers={**headers, "content-type": "application/json"})


@dataclass(frozen=True)
class Books:
    bank_clearing: int
    gateway_clearing: int
    escrow_of_order: int  # what the order holds in escrow (a liability: -order_balance)
    kinds: list[str]  # the order's journal entries, oldest first
    problems: list[str]


def books(db: Database, order_id: str) -> Books:
    with db.session() as s:
        bind_system(s, "test")
        platform = ledger.platform_org_id(s)
        payment_ids = [
            str(i) for i in s.scalars(select(Payment.id).where(Payment.order_id == uuid.UUID(order_id)))
        ]
        kinds = list(
            s.scalars(
                select(JournalEntry.kind)
                .where(JournalEntry.reference_id.in_(payment_ids))
                .order_by(JournalEntry.created_at, JournalEntry.id)
            )
        )
        return Books(
            bank_clearing=ledger.balance(s, platform, Purpose.bank_clearing),
            gateway_clearing=ledger.balance(s, platform, Purpose.gateway_clearing),
            escrow_of_order=-ledger.order_balance(s, Purpose.escrow, uuid.UUID(order_id)),
            kinds=kinds,
            problems=ledger.verify(s),
        )


def callbacks(db: Database) -> list[tuple[str | None, bool, str]]:
    """(event id, signature ok, outcome) of every callback logged, in order."""
    with db.session() as s:
        bind_system(s, "test")
        rows = s.execute(
            select(PaymentCallback.event_id, PaymentCallback.signature_ok, PaymentCallback.outcome).order_by(
                PaymentCallback.received_at, PaymentCallback.id
            )
        ).all()
        return [(a, b, c) for a, b, c in rows]


def order_status(m: Market, order_id: str) -> str:
    r = m.client.get(f"/api/v1/orders/{order_id}", headers=m.world.h("a_owner"))
    status: str = r.json()["status"]
    return status


def payment(m: Market, payment_id: str) -> dict[str, Any]:
    r = m.client.get(f"/api/v1/payments/{payment_id}", headers=m.world.h("a_owner"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def now() -> int:
    return int(time.time())
