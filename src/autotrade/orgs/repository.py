from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.orgs.models import Org, OrgContact, OrgStatus, OrgType


class OrgRepository(Repository[Org]):
    model = Org
    label = "company"
    not_found_code = "company_not_found"

    def __init__(self, session: Session) -> None:
        super().__init__(session)

    def with_contacts(self) -> Select[Any]:
        return select(Org).options(selectinload(Org.contacts))

    def get_full(self, org_id: uuid.UUID) -> Org | None:
        org: Org | None = self.session.scalar(self.with_contacts().where(Org.id == org_id))
        return org

    def get_full_any_tenant(self, org_id: uuid.UUID) -> Org | None:
        org: Org | None = self.session.scalar(
            self.with_contacts().where(Org.id == org_id).execution_options(**ALL_TENANTS)
        )
        return org

    def by_uscc_any_tenant(self, uscc: str) -> Org | None:
        return self.session.scalar(select(Org).where(Org.uscc == uscc).execution_options(**ALL_TENANTS))

    def subtree_ids(self, root_id: uuid.UUID) -> frozenset[uuid.UUID]:
        """The company and every branch below it (one recursive query)."""
        tree = select(Org.id).where(Org.id == root_id).cte("tree", recursive=True)
        tree = tree.union_all(select(Org.id).where(Org.parent_id == tree.c.id))
        ids = self.session.scalars(select(tree.c.id).execution_options(**ALL_TENANTS)).all()
        return frozenset(ids)

    def review_queue(self, status: OrgStatus | None, *, contact_phone_hmac: str | None = None) -> Select[Any]:
        """Top-level companies (not branches, not the platform) for onboarding review, all tenants."""
        stmt = (
            self.with_contacts()
            .where(Org.parent_id.is_(None), Org.type != OrgType.platform)
            .execution_options(**ALL_TENANTS)
        )
        if status is not None:
            stmt = stmt.where(Org.status == status)
        if contact_phone_hmac:
            stmt = stmt.where(
                Org.id.in_(select(OrgContact.org_id).where(OrgContact.phone_hmac == contact_phone_hmac))
            )
        return stmt

    def names_any_tenant(self, org_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Companies' names by id, any tenant (a buyer's pages name the suppliers of its offers,
        cart lines and orders: a name is what the marketplace shows anyway). One query."""
        wanted = list(set(org_ids))
        if not wanted:
            return {}
        stmt = select(Org.id, Org.name).where(Org.id.in_(wanted)).execution_options(**ALL_TENANTS)
        return {i: n for i, n in self.session.execute(stmt).all()}
