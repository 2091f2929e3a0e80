"""Alliances (库存联盟): companies that see each other's stock by warehouse and move stock between them.

* A company creates an alliance and is its first active member; it invites companies by id; an invitee
  accepts or declines. Only active members see the alliance's stock and raise transfers.
* A transfer request goes from a member's warehouse to one of the requester's own warehouses. The
  source warehouse's company approves (stock moves at once: transfer_out + transfer_in in one
  statement, conditional on availability) or rejects; the requester may cancel while it is requested.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from autotrade.audit.service import label
from autotrade.core.db import utcnow
from autotrade.core.errors import Conflict, PermissionDenied, ValidationFailed
from autotrade.core.tenancy import Principal
from autotrade.inventory import service
from autotrade.inventory.alliance_repository import AllianceRepository, TransferRepository
from autotrade.inventory.errors import (
    AllianceNotFound,
    PartNotFound,
    TransferNotAllowed,
    TransferNotFound,
    WarehouseNotFound,
)
from autotrade.inventory.models import (
    Alliance,
    AllianceMember,
    MemberStatus,
    TransferRequest,
    TransferStatus,
)
from autotrade.inventory.repository import StockRepository, WarehouseRepository
from autotrade.inventory.schemas import AllianceIn, TransferIn


@dataclass(frozen=True)
class AllianceView:
    alliance: Alliance
    my_status: MemberStatus | None
    members: list[AllianceMember]


def create(session: Session, p: Principal, data: AllianceIn) -> Alliance:
    alliance = Alliance(org_id=p.org_id, name=data.name, description=data.description)
    session.add(alliance)
    session.flush()
    session.add(
        AllianceMember(
            alliance_id=alliance.id,
            org_id=p.org_id,
            owner_org_id=p.org_id,
            status=MemberStatus.active,
            invited_by_id=p.user_id,
            responded_at=utcnow(),
        )
    )
    session.flush()
    return alliance


def _visible(session: Session, p: Principal, alliance_id: uuid.UUID) -> tuple[Alliance, AllianceMember]:
    repo = AllianceRepository(session)
    alliance = repo.for_member(alliance_id, p.scope)
    me = repo.my_membership(alliance_id, p.scope) if alliance is not None else None
    if alliance is None or me is None:
        raise AllianceNotFound()
    return alliance, me


def _active(session: Session, p: Principal, alliance_id: uuid.UUID) -> tuple[Alliance, AllianceMember]:
    alliance, me = _visible(session, p, alliance_id)
    if me.status != MemberStatus.active:
        raise PermissionDenied("accept the invitation first", code="not_an_active_member")
    return alliance, me


def view(session: Session, p: Principal, alliance_id: uuid.UUID) -> AllianceView:
    alliance, me = _visible(session, p, alliance_id)
    members = AllianceRepository(session).members([alliance.id]) if me.status == MemberStatus.active else [me]
    return AllianceView(alliance, me.status, members)


def invite(session: Session, p: Principal, alliance_id: uuid.UUID, company_id: uuid.UUID) -> AllianceMember:
    alliance, _ = _active(session, p, alliance_id)
    if alliance.org_id not in p.scope:
        raise PermissionDenied("only the alliance's owner invites companies", code="not_alliance_owner")
    repo = AllianceRepository(session)
    org = repo.org_exists(company_id)
    if org is None:
        raise ValidationFailed("no such company", field="company_id", code="company_not_found")
    existing = repo.membership_of(alliance.id, company_id)
    if existing is not None:
        if existing.status != MemberStatus.declined:
            raise Conflict(
                f"the company is already {existing.status.value}", code="already_member", field="company_id"
            )
        existing.status = MemberStatus.invited
        existing.invited_by_id = p.user_id
        existing.responded_at = None
        label(existing, "inventory.alliance.reinvite")
        session.flush()
        return existing
    member = AllianceMember(
        alliance_id=alliance.id,
        org_id=company_id,
        owner_org_id=alliance.org_id,
        status=MemberStatus.invited,
        invited_by_id=p.user_id,
    )
    label(member, "inventory.alliance.invite")
    session.add(member)
    session.flush()
    return member


def respond(session: Session, p: Principal, alliance_id: uuid.UUID, *, accept: bool) -> AllianceMember:
    _, me = _visible(session, p, alliance_id)
    if me.status != MemberStatus.invited:
        raise TransferNotAllowed(f"the membership is {me.status.value}", code="not_invited")
    me.status = MemberStatus.active if accept else MemberStatus.declined
    me.responded_at = utcnow()
    label(me, "inventory.alliance.accept" if accept else "inventory.alliance.decline")
    session.flush()
    return me


def stock(
    session: Session, p: Principal, alliance_id: uuid.UUID, part_id: uuid.UUID | None
) -> list[tuple[object, ...]]:
    _active(session, p, alliance_id)
    if part_id is None:
        raise ValidationFailed("part_id is required", field="query.part_id", code="required")
    repo = AllianceRepository(session)
    return repo.stock(repo.active_member_orgs(alliance_id), part_id)


# ---- transfers -----------------------------------------------------------------------------------------


def request_transfer(
    session: Session, p: Principal, alliance_id: uuid.UUID, data: TransferIn
) -> TransferRequest:
    _active(session, p, alliance_id)
    to_wh = WarehouseRepository(session).get(data.to_warehouse_id)  # one of the caller's own
    if to_wh is None:
        raise WarehouseNotFound("the destination must be one of your warehouses", field="to_warehouse_id")
    members = AllianceRepository(session).active_member_orgs(alliance_id)
    from_wh = (
        WarehouseRepository(session).get_any_tenant_many([data.from_warehouse_id]).get(data.from_warehouse_id)
    )
    if from_wh is None or from_wh.org_id not in members or not from_wh.active:
        raise WarehouseNotFound("no such warehouse among the alliance's members", field="from_warehouse_id")
    if from_wh.id == to_wh.id:
        raise ValidationFailed(
            "source and destination are the same warehouse", field="to_warehouse_id", code="same_warehouse"
        )
    if not StockRepository(session).parts_by_id([data.part_id]):
        raise PartNotFound(field="part_id")
    transfer = TransferRequest(
        alliance_id=alliance_id,
        org_id=to_wh.org_id,
        source_org_id=from_wh.org_id,
        from_warehouse_id=from_wh.id,
        to_warehouse_id=to_wh.id,
        part_id=data.part_id,
        quantity=data.quantity,
        note=data.note,
        requested_by_id=p.user_id,
    )
    session.add(transfer)
    session.flush()
    return transfer


def get_transfer(session: Session, transfer_id: uuid.UUID) -> TransferRequest:
    t = TransferRepository(session).get(transfer_id)
    if t is None:
        raise TransferNotFound()
    return t


def _requested(t: TransferRequest, action: str) -> None:
    if t.status != TransferStatus.requested:
        raise TransferNotAllowed(f"cannot {action} a transfer that is {t.status.value}")


def _decide(session: Session, p: Principal, transfer_id: uuid.UUID, action: str) -> TransferRequest:
    t = get_transfer(session, transfer_id)
    if t.source_org_id not in p.scope:
        raise PermissionDenied(
            "only the source warehouse's company decides on a transfer", code="not_source_owner"
        )
    _requested(t, action)
    return t


def approve(
    session: Session, p: Principal, transfer_id: uuid.UUID, reason: str | None = None
) -> TransferRequest:
    t = _decide(session, p, transfer_id, "approve")
    if t.org_id not in AllianceRepository(session).active_member_orgs(t.alliance_id):
        raise TransferNotAllowed("the requester is no longer an active member", code="requester_not_member")
    service.transfer(
        session,
        from_key=(t.from_warehouse_id, t.part_id),
        to_key=(t.to_warehouse_id, t.part_id),
        quantity=t.quantity,
        reference_type="transfer",
        reference_id=t.id,
    )
    _close(t, p, TransferStatus.approved, reason, "inventory.transfer.approve")
    session.flush()
    return t


def reject(
    session: Session, p: Principal, transfer_id: uuid.UUID, reason: str | None = None
) -> TransferRequest:
    t = _decide(session, p, transfer_id, "reject")
    _close(t, p, TransferStatus.rejected, reason, "inventory.transfer.reject")
    session.flush()
    return t


def cancel(session: Session, p: Principal, transfer_id: uuid.UUID) -> TransferRequest:
    t = get_transfer(session, transfer_id)
    if t.org_id not in p.scope:
        raise PermissionDenied("only the requester cancels a transfer", code="not_requester")
    _requested(t, "cancel")
    _close(t, p, TransferStatus.cancelled, None, "inventory.transfer.cancel")
    session.flush()
    return t


def _close(t: TransferRequest, p: Principal, status: TransferStatus, reason: str | None, action: str) -> None:
    t.status = status
    t.decided_by_id = p.user_id
    t.decided_at = utcnow()
    t.decision_reason = reason
    label(t, action)
