"""The order, return and dispute state tables, checked exhaustively (no database)."""

from __future__ import annotations

import itertools
import uuid

import pytest

from autotrade.orders.errors import IllegalTransition, WrongParty
from autotrade.orders.models import DisputeStatus, Order, OrderStatus, Party, ReturnStatus
from autotrade.orders.states import (
    DISPUTES,
    ORDER_TRANSITIONS,
    ORDERS,
    RETURNS,
    Actor,
    Machine,
    transition,
)

ALL_PARTIES = (Party.buyer, Party.supplier, Party.platform, Party.system)
MACHINES = [(ORDERS, OrderStatus), (RETURNS, ReturnStatus), (DISPUTES, DisputeStatus)]


def _cases(legal: bool) -> list[tuple[Machine, object, str, Party]]:  # type: ignore[type-arg]
    out = []
    for machine, statuses in MACHINES:
        for status, action, party in itertools.product(statuses, machine.actions, ALL_PARTIES):
            rule = machine.table.get((status, action))
            ok = rule is not None and party in rule.parties
            owns = any(party in r.parties for (_, a), r in machine.table.items() if a == action)
            if ok == legal and (legal or owns):
                out.append((machine, status, action, party))
    return out


@pytest.mark.parametrize(("machine", "status", "action", "party"), _cases(legal=True))
def test_every_legal_transition(machine, status, action, party):
    to, acting = machine.target(status, action, {party})
    assert to == machine.table[(status, action)].to
    assert acting == party


@pytest.mark.parametrize(("machine", "status", "action", "party"), _cases(legal=False))
def test_every_illegal_transition_names_the_allowed_actions(machine, status, action, party):
    with pytest.raises(IllegalTransition) as e:
        machine.target(status, action, {party})
    assert e.value.code == "invalid_transition" and e.value.status == 409
    allowed = sorted(a for (s, a), r in machine.table.items() if s == status and party in r.parties)
    assert e.value.extra["allowed_actions"] == allowed
    assert e.value.extra["current_status"] == status.value


@pytest.mark.parametrize(
    ("action", "party"),
    [
        ("confirm", Party.buyer),
        ("ship", Party.buyer),
        ("ship_part", Party.buyer),
        ("deliver", Party.buyer),
        ("receive", Party.supplier),
        ("complete", Party.supplier),
        ("mark_paid", Party.supplier),
        ("mark_paid", Party.buyer),  # only the system (payments) marks an order paid
        ("expire", Party.buyer),
    ],
)
def test_an_action_of_the_other_party_is_wrong_party_in_every_state(action, party):
    for status in OrderStatus:
        with pytest.raises(WrongParty) as e:
            ORDERS.target(status, action, {party})
        assert e.value.code == "wrong_party" and e.value.status == 403


def test_return_and_dispute_parties():
    with pytest.raises(WrongParty):
        RETURNS.target(ReturnStatus.requested, "approve", {Party.buyer})
    with pytest.raises(WrongParty):
        RETURNS.target(ReturnStatus.approved, "ship", {Party.supplier})
    with pytest.raises(WrongParty):
        DISPUTES.target(DisputeStatus.open, "decide", {Party.buyer, Party.supplier})
    assert DISPUTES.target(DisputeStatus.open, "decide", {Party.platform}) == (
        DisputeStatus.decided,
        Party.platform,
    )


def test_unknown_action_is_an_invalid_transition():
    with pytest.raises(IllegalTransition) as e:
        ORDERS.target(OrderStatus.paid, "teleport", {Party.buyer})
    assert e.value.extra["allowed_actions"] == ["cancel"]


def test_a_company_on_both_sides_acts_as_the_side_the_action_needs():
    both = {Party.buyer, Party.supplier}
    assert ORDERS.target(OrderStatus.paid, "confirm", both) == (OrderStatus.confirmed, Party.supplier)
    assert ORDERS.target(OrderStatus.delivered, "receive", both) == (OrderStatus.received, Party.buyer)


def test_every_status_but_completed_and_cancelled_has_a_way_forward():
    sources = {s for s, _ in ORDER_TRANSITIONS}
    assert set(OrderStatus) - sources == {OrderStatus.completed, OrderStatus.cancelled}


def test_transition_sets_status_timestamp_and_returns_the_timeline_row():
    order = Order(id=uuid.uuid4(), status=OrderStatus.pending_payment)
    actor = Actor(frozenset({Party.system}), "payments", uuid.uuid4())
    row = transition(order, "mark_paid", actor, note="bank transfer")
    assert order.status == OrderStatus.paid and order.paid_at is not None
    assert (row.order_id, row.subject_type, row.subject_id) == (order.id, "order", order.id)
    assert (row.action, row.from_status, row.to_status) == ("mark_paid", "pending_payment", "paid")
    assert (row.party, row.actor_label, row.actor_user_id, row.note) == (
        "system",
        "payments",
        actor.user_id,
        "bank transfer",
    )
    assert row.at == order.paid_at


def test_a_refused_transition_changes_nothing():
    order = Order(id=uuid.uuid4(), status=OrderStatus.pending_payment)
    with pytest.raises(IllegalTransition):
        transition(order, "deliver", Actor.system())
    assert order.status == OrderStatus.pending_payment and order.delivered_at is None


def test_the_first_shipment_keeps_its_time():
    order = Order(id=uuid.uuid4(), status=OrderStatus.confirmed)
    supplier = Actor(frozenset({Party.supplier}), "s")
    transition(order, "ship_part", supplier)
    first = order.shipped_at
    transition(order, "ship", supplier)
    assert order.status == OrderStatus.shipped and order.shipped_at == first
