"""Alliance queries. Alliance rows span companies, so the tenant filter alone cannot answer "what may a
member see": membership rows are visible to the member (``org_id``) and to the alliance's owner
(``owner_org_id``, a tenant party), transfer requests to the requester and the source warehouse's owner
(``source_org_id``). Reads *beyond* those rows — the alliance itself, its other members, their stock —
are cross-tenant and live only in the methods below marked "members only", which take the caller's
scope and return rows only when the caller's company is an active member."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, select

from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.inventory.models import (
    Alliance,
    AllianceMember,
    MemberStatus,
    StockLevel,
    TransferRequest,
    Warehouse,
)
from autotrade.orgs.models import Org

VISIBLE = (MemberStatus.invited, MemberStatus.active)


class AllianceRepository(Repository[Alliance]):
    model = Alliance
    label = "alliance"
    not_found_code = "alliance_not_found"

    def my_membership(self, alliance_id: uuid.UUID, scope: Collection[uuid.UUID]) -> AllianceMember | None:
        """The caller's own membership row (tenant-filtered; the owner's party view excluded)."""
        row: AllianceMember | None = self.session.scalar(
            select(AllianceMember).where(
                AllianceMember.alliance_id == alliance_id, AllianceMember.org_id.in_(list(scope))
            )
        )
        return row

    def membership_of(self, alliance_id: uuid.UUID, org_id: uuid.UUID) -> AllianceMember | None:
        """A company's membership row, as the alliance's owner sees it (tenant party)."""
        row: AllianceMember | None = self.session.scalar(
            select(AllianceMember).where(
                AllianceMember.alliance_id == alliance_id, AllianceMember.org_id == org_id
            )
        )
        return row

    def for_member(self, alliance_id: uuid.UUID, scope: Collection[uuid.UUID]) -> Alliance | None:
        """Members only: the alliance, when the caller's company is invited to or a member of it."""
        stmt = (
            select(Alliance)
            .join(AllianceMember, AllianceMember.alliance_id == Alliance.id)
            .where(
                Alliance.id == alliance_id,
                AllianceMember.org_id.in_(list(scope)),
                AllianceMember.status.in_(VISIBLE),
            )
            .execution_options(**ALL_TENANTS)
        )
        row: Alliance | None = self.session.scalars(stmt).first()
        return row

    def mine(self, scope: Collection[uuid.UUID]) -> Select[Any]:
        """Members only: the alliances the caller's company is invited to or a member of."""
        member_of = select(AllianceMember.alliance_id).where(
            AllianceMember.org_id.in_(list(scope)), AllianceMember.status.in_(VISIBLE)
        )
        return select(Alliance).where(Alliance.id.in_(member_of)).execution_options(**ALL_TENANTS)

    def members(self, alliance_ids: Collection[uuid.UUID]) -> list[AllianceMember]:
        """Members only (the caller checked its membership): every membership row of these alliances."""
        if not alliance_ids:
            return []
        stmt = (
            select(AllianceMember)
            .where(AllianceMember.alliance_id.in_(list(alliance_ids)))
            .order_by(AllianceMember.id)
            .execution_options(**ALL_TENANTS)
        )
        return list(self.session.scalars(stmt))

    def active_member_orgs(self, alliance_id: uuid.UUID) -> set[uuid.UUID]:
        """Members only: the companies that are active members."""
        stmt = (
            select(AllianceMember.org_id)
            .where(AllianceMember.alliance_id == alliance_id, AllianceMember.status == MemberStatus.active)
            .execution_options(**ALL_TENANTS)
        )
        return set(self.session.scalars(stmt))

    def stock(self, org_ids: Collection[uuid.UUID], part_id: uuid.UUID) -> list[tuple[Any, ...]]:
        """Members only: available quantities of a part in the members' active warehouses, with the
        company's and the warehouse's names — quantities only, never costs or prices."""
        if not org_ids:
            return []
        stmt = (
            select(
                Warehouse.org_id,
                Org.name,
                Warehouse.id,
                Warehouse.name,
                Warehouse.province,
                Warehouse.city,
                StockLevel.part_id,
                (StockLevel.on_hand - StockLevel.reserved).label("available"),
            )
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .join(Org, Org.id == Warehouse.org_id)
            .where(
                StockLevel.part_id == part_id,
                Warehouse.org_id.in_(list(org_ids)),
                Warehouse.active.is_(True),
            )
            .order_by(Org.name, Warehouse.name, Warehouse.id)
            .execution_options(**ALL_TENANTS)
        )
        return [tuple(r) for r in self.session.execute(stmt)]

    def org_exists(self, org_id: uuid.UUID) -> Org | None:
        """An approved top-level company to invite (platform-wide lookup by id; nothing of it is shown)."""
        row: Org | None = self.session.scalar(
            select(Org).where(Org.id == org_id, Org.parent_id.is_(None)).execution_options(**ALL_TENANTS)
        )
        return row


class TransferRepository(Repository[TransferRequest]):
    model = TransferRequest
    label = "transfer request"
    not_found_code = "transfer_not_found"

    def listing(self, *, status: str | None = None) -> Select[Any]:
        """Requests the caller raised or must decide (tenant filter: requester or source party)."""
        stmt = select(TransferRequest)
        if status is not None:
            stmt = stmt.where(TransferRequest.status == status)
        return stmt
