"""Disputes (纠纷): either party of a paid order opens one with a reason; the party that opened it may
withdraw it; platform risk staff (``platform.risk:approve``) decide it: ``release`` (the supplier is paid
as agreed), ``refund_partial`` (an amount in fen, more than 0 and less than the order's gross) or
``refund_full`` (the order's gross). The decision is recorded and moves the money held in escrow
(``escrow.service.on_dispute_decided``); while a dispute is open the escrow is frozen. One open dispute
per order at a time.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.db import utcnow, uuid7
from autotrade.core.errors import ValidationFailed
from autotrade.core.tenancy import Principal
from autotrade.escrow import service as escrow
from autotrade.events import service as events
from autotrade.orders.errors import DisputeNotFound, DisputeOpen, IllegalTransition, OrderNotFound, WrongParty
from autotrade.orders.models import Dispute, DisputeDecision, DisputeStatus, Order, Party
from autotrade.orders.parties import actor_for
from autotrade.orders.repository import DisputeRepository, OrderRepository
from autotrade.orders.schemas import DecideIn
from autotrade.orders.states import DISPUTES, Actor, event_row


def _emit(session: Session, d: Dispute, type_: str) -> None:
    events.emit(
        session,
        type_,
        org_ids=(d.org_id, d.supplier_org_id),
        subject_type="dispute",
        subject_id=d.id,
        payload={
            "dispute_id": d.id,
            "order_id": d.order_id,
            "status": d.status,
            "decision": d.decision,
            "amount_fen": d.amount_fen,
        },
    )


def open_dispute(session: Session, principal: Principal, order_id: uuid.UUID, reason: str) -> Dispute:
    repo = OrderRepository(session)
    order = repo.get_for_update(order_id)
    if order is None:
        raise OrderNotFound()
    actor = actor_for(principal, order.org_id, order.supplier_org_id)
    party = Party.buyer if Party.buyer in actor.parties else Party.supplier
    if order.paid_at is None:
        raise IllegalTransition(
            "a dispute needs a paid order; cancel an unpaid one instead",
            allowed_actions=[],
            current_status=order.status.value,
        )
    if repo.open_disputes(order.id):
        raise DisputeOpen()
    d = Dispute(
        id=uuid7(),
        org_id=order.org_id,
        supplier_org_id=order.supplier_org_id,
        order_id=order.id,
        status=DisputeStatus.open,
        opened_by_party=party.value,
        opened_by_id=principal.user_id,
        reason=reason,
        currency=order.currency,
    )
    session.add(d)
    session.add(event_row(order.id, "dispute", d.id, "open", None, d.status.value, party, actor, note=reason))
    _emit(session, d, "dispute.opened")
    session.flush()
    return d


def get_dispute(session: Session, dispute_id: uuid.UUID) -> Dispute:
    d = DisputeRepository(session).get(dispute_id)
    if d is None:
        raise DisputeNotFound()
    return d


def withdraw(session: Session, principal: Principal, dispute_id: uuid.UUID) -> Dispute:
    """The party that opened the dispute takes it back."""
    d = DisputeRepository(session).get_for_update(dispute_id)
    if d is None:
        raise DisputeNotFound()
    actor = actor_for(principal, d.org_id, d.supplier_org_id)
    opener = Actor(actor.parties & {Party(d.opened_by_party)}, actor.label, actor.user_id)
    if not opener.parties:
        raise WrongParty(f"only the {d.opened_by_party} who opened the dispute may withdraw it")
    to, party = DISPUTES.target(d.status, "withdraw", opener.parties)
    session.add(event_row(d.order_id, "dispute", d.id, "withdraw", d.status.value, to.value, party, opener))
    d.status = to
    label(d, "disputes.withdraw")
    _emit(session, d, "dispute.withdrawn")
    session.flush()
    return d


def _amount(order: Order, data: DecideIn) -> int:
    if data.decision == DisputeDecision.release:
        if data.amount_fen not in (None, 0):
            raise ValidationFailed(
                "a release refunds nothing: leave amount_fen out", field="amount_fen", code="invalid_amount"
            )
        return 0
    if data.decision == DisputeDecision.refund_full:
        if data.amount_fen not in (None, order.gross_fen):
            raise ValidationFailed(
                f"a full refund is the order's gross, {order.gross_fen} fen",
                field="amount_fen",
                code="invalid_amount",
            )
        return order.gross_fen
    if data.amount_fen is None or not 0 < data.amount_fen < order.gross_fen:
        raise ValidationFailed(
            f"a partial refund is more than 0 and less than the order's gross ({order.gross_fen} fen)",
            field="amount_fen",
            code="invalid_amount",
        )
    return data.amount_fen


def decide(session: Session, principal: Principal, dispute_id: uuid.UUID, data: DecideIn) -> Dispute:
    """Platform risk staff record the decision (behind ``platform.risk:approve``)."""
    repo = DisputeRepository(session)
    d = repo.get_for_update_any_tenant(dispute_id)
    if d is None:
        raise DisputeNotFound()
    actor = Actor(frozenset({Party.platform}), principal.actor_label, principal.user_id)
    to, party = DISPUTES.target(d.status, "decide", actor.parties)
    order = repo.order_any_tenant(d.order_id)
    if order is None:  # pragma: no cover - a dispute always has its order
        raise OrderNotFound()
    now = utcnow()
    d.amount_fen = _amount(order, data)
    session.add(
        event_row(
            d.order_id,
            "dispute",
            d.id,
            "decide",
            d.status.value,
            to.value,
            party,
            actor,
            note=data.decision_text,
            at=now,
        )
    )
    d.status, d.decision, d.decision_text = to, data.decision, data.decision_text
    d.decided_by_id, d.decided_at = principal.user_id, now
    label(d, "disputes.decide")
    _emit(session, d, "dispute.decided")
    session.flush()
    escrow.on_dispute_decided(session, order, d)  # refund and/or release (docs/escrow.md)
    return d
