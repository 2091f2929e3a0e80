"""The state machines of orders, returns and disputes, as tables.

Each table maps ``(status, action)`` to the new status and the parties that may take the action.
One function applies a table (:meth:`Machine.target`); everything not in it is refused with a typed
error: :class:`IllegalTransition` (409 ``invalid_transition``, with the actions that *are* allowed)
or :class:`WrongParty` (403 ``wrong_party``: the action belongs to the other side of the order).
:func:`transition` applies the order table to an order and returns its timeline row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, ParamSpec, TypeVar

from autotrade.core.db import utcnow, uuid7
from autotrade.orders.errors import IllegalTransition, WrongParty
from autotrade.orders.models import DisputeStatus, Order, OrderEvent, OrderStatus, Party, ReturnStatus

_P = ParamSpec("_P")

S = TypeVar("S", OrderStatus, ReturnStatus, DisputeStatus)

B, SUP, PLAT, SYS = Party.buyer, Party.supplier, Party.platform, Party.system


@dataclass(frozen=True)
class Rule(Generic[S]):
    to: S
    parties: frozenset[Party]


def _r(to: S, *parties: Party) -> Rule[S]:
    return Rule(to, frozenset(parties))


OS = OrderStatus
ORDER_TRANSITIONS: dict[tuple[OrderStatus, str], Rule[OrderStatus]] = {
    # Only the payments service marks an order paid, as the system, once the money is proven.
    (OS.pending_payment, "mark_paid"): _r(OS.paid, SYS),
    (OS.pending_payment, "cancel"): _r(OS.cancelled, B, SUP),
    (OS.pending_payment, "expire"): _r(OS.cancelled, SYS),  # orders.auto_cancel
    (OS.paid, "confirm"): _r(OS.confirmed, SUP),
    (OS.paid, "cancel"): _r(OS.cancelled, B, SUP),
    (OS.confirmed, "cancel"): _r(OS.cancelled, B, SUP),
    (OS.confirmed, "ship_part"): _r(OS.partially_shipped, SUP),
    (OS.confirmed, "ship"): _r(OS.shipped, SUP),
    (OS.partially_shipped, "ship_part"): _r(OS.partially_shipped, SUP),
    (OS.partially_shipped, "ship"): _r(OS.shipped, SUP),
    (OS.shipped, "deliver"): _r(OS.delivered, SUP, SYS),  # the supplier, or a carrier update
    (OS.delivered, "receive"): _r(OS.received, B),
    (OS.received, "complete"): _r(OS.completed, B, SYS),
    # escrow.auto_release: N days after delivery with no open dispute or return (docs/escrow.md)
    (OS.delivered, "auto_complete"): _r(OS.completed, SYS),
    (OS.received, "auto_complete"): _r(OS.completed, SYS),
}

RS = ReturnStatus
RETURN_TRANSITIONS: dict[tuple[ReturnStatus, str], Rule[ReturnStatus]] = {
    (RS.requested, "approve"): _r(RS.approved, SUP),
    (RS.requested, "reject"): _r(RS.rejected, SUP),
    (RS.requested, "cancel"): _r(RS.cancelled, B),
    (RS.approved, "ship"): _r(RS.shipped_back, B),
    (RS.approved, "cancel"): _r(RS.cancelled, B),
    (RS.shipped_back, "receive"): _r(RS.received, SUP),
    (RS.received, "restock"): _r(RS.restocked, SUP),
    (RS.received, "scrap"): _r(RS.scrapped, SUP),
}

DS = DisputeStatus
DISPUTE_TRANSITIONS: dict[tuple[DisputeStatus, str], Rule[DisputeStatus]] = {
    (DS.open, "withdraw"): _r(DS.withdrawn, B, SUP),  # the party that opened it (service rule)
    (DS.open, "decide"): _r(DS.decided, PLAT),
}


class Machine(Generic[S]):
    def __init__(self, subject: str, table: dict[tuple[S, str], Rule[S]]) -> None:
        self.subject = subject
        self.table: dict[tuple[S, str], Rule[S]] = table
        self.actions = sorted({a for _, a in table})
        self.article = "an" if subject[0] in "aeiou" else "a"

    def allowed(self, status: S, parties: Iterable[Party]) -> list[str]:
        """The actions these parties may take in this state."""
        mine = set(parties)
        return sorted(a for (s, a), rule in self.table.items() if s == status and rule.parties & mine)

    def target(self, status: S, action: str, parties: Iterable[Party]) -> tuple[S, Party]:
        """The new status and the party acting, or the typed error."""
        mine = frozenset(parties)
        if not any(rule.parties & mine for (_, a), rule in self.table.items() if a == action):
            owners = sorted({p.value for (_, a), r in self.table.items() if a == action for p in r.parties})
            if not owners:
                raise IllegalTransition(
                    f"unknown {self.subject} action {action!r}", allowed_actions=self.allowed(status, mine)
                )
            what = f"{action.replace('_', ' ')} {self.article} {self.subject}"
            raise WrongParty(f"only the {' or '.join(owners)} may {what}", allowed_parties=owners)
        rule = self.table.get((status, action))
        if rule is None or not rule.parties & mine:
            allowed = self.allowed(status, mine)
            raise IllegalTransition(
                f"cannot {action.replace('_', ' ')} {self.article} {self.subject} that is {status.value}; "
                f"allowed now: {', '.join(allowed) or 'nothing'}",
                allowed_actions=allowed,
                current_status=status.value,
            )
        party = next(p for p in (B, SUP, PLAT, SYS) if p in rule.parties and p in mine)
        return rule.to, party


ORDERS: Machine[OrderStatus] = Machine("order", ORDER_TRANSITIONS)
RETURNS: Machine[ReturnStatus] = Machine("return", RETURN_TRANSITIONS)
DISPUTES: Machine[DisputeStatus] = Machine("dispute", DISPUTE_TRANSITIONS)


@dataclass(frozen=True)
class Actor:
    """Who acts on an order: the parties they stand for, and how the timeline names them."""

    parties: frozenset[Party]
    label: str
    user_id: uuid.UUID | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(frozenset({Party.system}), label)


_STAMP = {
    OS.paid: "paid_at",
    OS.confirmed: "confirmed_at",
    OS.partially_shipped: "shipped_at",
    OS.shipped: "shipped_at",
    OS.delivered: "delivered_at",
    OS.received: "received_at",
    OS.completed: "completed_at",
    OS.cancelled: "cancelled_at",
}


def event_values(
    order_id: uuid.UUID,
    subject_type: str,
    subject_id: uuid.UUID,
    action: str,
    from_status: str | None,
    to_status: str,
    party: Party,
    actor: Actor,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The column values of one timeline row."""
    return {
        "id": uuid7(),
        "order_id": order_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "party": party.value,
        "actor_label": actor.label[:200],
        "actor_user_id": actor.user_id,
        "note": note,
        "at": at or utcnow(),
    }


def _as_entity(values: Callable[_P, dict[str, Any]]) -> Callable[_P, OrderEvent]:
    def build(*args: _P.args, **kwargs: _P.kwargs) -> OrderEvent:
        return OrderEvent(**values(*args, **kwargs))

    build.__doc__ = "The timeline row (an entity to add) with :func:`event_values`' arguments."
    return build


event_row = _as_entity(event_values)


def transition(
    order: Order, action: str, actor: Actor, *, note: str | None = None, at: datetime | None = None
) -> OrderEvent:
    """Apply ``action`` to ``order`` (status and its timestamp) and return the timeline row to add.
    Raises :class:`IllegalTransition` or :class:`WrongParty`."""
    to, party = ORDERS.target(order.status, action, actor.parties)
    now = at or utcnow()
    row = event_row(
        order.id, "order", order.id, action, order.status.value, to.value, party, actor, note=note, at=now
    )
    stamp = _STAMP.get(to)
    if stamp and getattr(order, stamp) is None:
        setattr(order, stamp, now)
    order.status = to
    return row
