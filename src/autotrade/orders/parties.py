"""Who acts on an order, and how each change is recorded: the caller's side of the order, the
transition applied through the state table, its timeline row and its ``order.<status>`` event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.tenancy import Principal
from autotrade.events import service as events
from autotrade.orders.models import Order, OrderEvent, Party
from autotrade.orders.states import Actor, transition


def parties_of(principal: Principal, org_id: uuid.UUID, supplier_org_id: uuid.UUID) -> frozenset[Party]:
    """The sides of an order (or of its return or dispute) the caller stands for."""
    out = set()
    if org_id in principal.scope:
        out.add(Party.buyer)
    if supplier_org_id in principal.scope:
        out.add(Party.supplier)
    return frozenset(out)


def actor_for(principal: Principal, org_id: uuid.UUID, supplier_org_id: uuid.UUID) -> Actor:
    return Actor(parties_of(principal, org_id, supplier_org_id), principal.actor_label, principal.user_id)


def emit_order(session: Session, order: Order, type_: str, **extra: Any) -> None:
    """An outbox event about the order, to both companies."""
    events.emit(
        session,
        type_,
        org_ids=(order.org_id, order.supplier_org_id),
        subject_type="order",
        subject_id=order.id,
        payload={
            "order_id": order.id,
            "number": order.number,
            "status": order.status,
            "buyer_org_id": order.org_id,
            "supplier_org_id": order.supplier_org_id,
            **extra,
        },
    )


def apply(
    session: Session,
    order: Order,
    action: str,
    actor: Actor,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> OrderEvent:
    """Apply a transition of the order table: status and timestamp, audit label, timeline row,
    ``order.<new status>`` event. Raises ``invalid_transition`` / ``wrong_party``."""
    row = transition(order, action, actor, note=note, at=at)
    label(order, f"orders.{action}")
    session.add(row)
    emit_order(session, order, f"order.{order.status.value}", action=action)
    return row
