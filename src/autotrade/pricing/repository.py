"""pricing: queries.

Supplier-side methods (offers, groups, policies of *my* company) run under the session's tenant
filter. The marketplace methods below read other companies' rows on the buyer's behalf and say
``all_tenants``; they are the only ones that do, and they return only what a marketplace shows
(published offer terms, a supplier's name, the rules that price *this* buyer) — never a supplier's
customer lists or another buyer's memberships.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from autotrade.catalog.models import Category, Part
from autotrade.catalog.repository import among_param, cached_statement
from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.orgs.models import Org, OrgStatus
from autotrade.pricing.models import (
    Channel,
    CustomerGroup,
    CustomerGroupMember,
    Offer,
    OfferStatus,
    OfferTier,
    PricePolicy,
)


class OfferRepository(Repository[Offer]):
    model = Offer
    label = "offer"
    not_found_code = "offer_not_found"

    def select(self) -> Select[Any]:
        return select(Offer).options(selectinload(Offer.tiers))

    def listing(self, *, part_id: uuid.UUID | None, status: OfferStatus | None) -> Select[Any]:
        stmt = self.select()
        if part_id is not None:
            stmt = stmt.where(Offer.part_id == part_id)
        if status is not None:
            stmt = stmt.where(Offer.status == status)
        return stmt

    def by_part(self, part_id: uuid.UUID) -> Offer | None:
        offer: Offer | None = self.session.scalar(select(Offer).where(Offer.part_id == part_id))
        return offer

    def by_parts(self, part_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Offer]:
        """My offers of these parts (with their tiers), by part, in two queries."""
        wanted = list(set(part_ids))
        if not wanted:
            return {}
        return {o.part_id: o for o in self.session.scalars(self.select().where(Offer.part_id.in_(wanted)))}

    def search(self, *, text: str | None, status: OfferStatus | None) -> Select[Any]:
        """My offers (for keyset pagination), optionally those whose part's SKU, brand number or name
        contains ``text`` (case-insensitive)."""
        stmt = self.listing(part_id=None, status=status)
        if text:
            like = f"%{text.replace('%', '').replace('_', '').lower()}%"
            parts = select(Part.id).where(
                or_(
                    func.lower(Part.sku).like(like),
                    func.lower(Part.brand_number).like(like),
                    func.lower(Part.name_zh).like(like),
                    func.lower(Part.name_en).like(like),
                )
            )
            stmt = stmt.where(Offer.part_id.in_(parts))
        return stmt

    def parts_by_sku(self, skus: Iterable[str]) -> dict[str, uuid.UUID]:
        """Catalogue parts by SKU (platform master data), one query."""
        wanted = list(set(skus))
        if not wanted:
            return {}
        return {
            r[0]: r[1] for r in self.session.execute(select(Part.sku, Part.id).where(Part.sku.in_(wanted)))
        }

    def part_labels(self, part_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str, str | None]]:
        """(sku, name_zh, name_en) of catalogue parts, one query."""
        wanted = list(set(part_ids))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(Part.id, Part.sku, Part.name_zh, Part.name_en).where(Part.id.in_(wanted))
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


class CustomerGroupRepository(Repository[CustomerGroup]):
    model = CustomerGroup
    label = "customer group"
    not_found_code = "customer_group_not_found"

    def by_name(self, name: str) -> CustomerGroup | None:
        group: CustomerGroup | None = self.session.scalar(
            select(CustomerGroup).where(CustomerGroup.name == name)
        )
        return group

    def members(self, group_ids: Sequence[uuid.UUID]) -> list[CustomerGroupMember]:
        """Members of these groups (tenant-scoped: only the caller's groups' members), one query."""
        if not group_ids:
            return []
        stmt = (
            select(CustomerGroupMember)
            .where(CustomerGroupMember.group_id.in_(list(group_ids)))
            .order_by(CustomerGroupMember.id)
        )
        return list(self.session.scalars(stmt))

    def company_names(self, org_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Marketplace read: companies' names (public to their trading partners), one query."""
        wanted = list(set(org_ids))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(Org.id, Org.name).where(Org.id.in_(wanted)).execution_options(**ALL_TENANTS)
        ).all()
        return {i: n for i, n in rows}

    def member(self, group_id: uuid.UUID, member_org_id: uuid.UUID) -> CustomerGroupMember | None:
        m: CustomerGroupMember | None = self.session.scalar(
            select(CustomerGroupMember).where(
                CustomerGroupMember.group_id == group_id, CustomerGroupMember.member_org_id == member_org_id
            )
        )
        return m

    def policy_count(self, group_id: uuid.UUID) -> int:
        return len(
            self.session.scalars(
                select(PricePolicy.id).where(PricePolicy.customer_group_id == group_id)
            ).all()
        )

    def marketplace_company(self, org_id: uuid.UUID) -> Any:
        """Marketplace read: a company's id, name, type and status (or None), to add it to a group."""
        return self.session.execute(
            select(Org.id, Org.name, Org.type, Org.status)
            .where(Org.id == org_id)
            .execution_options(**ALL_TENANTS)
        ).first()


class PricePolicyRepository(Repository[PricePolicy]):
    model = PricePolicy
    label = "price policy"
    not_found_code = "price_policy_not_found"

    def listing(self, *, offer_id: uuid.UUID | None, active: bool | None) -> Select[Any]:
        stmt = self.select()
        if offer_id is not None:
            stmt = stmt.where(PricePolicy.offer_id == offer_id)
        if active is not None:
            stmt = stmt.where(PricePolicy.active == active)
        return stmt

    def count_for_offer(self, offer_id: uuid.UUID) -> int:
        return len(self.session.scalars(select(PricePolicy.id).where(PricePolicy.offer_id == offer_id)).all())


class MarketplaceRepository:
    """Reads on the buyer's behalf across suppliers (``all_tenants``): the hot path of quoting and
    comparison. Each method is one statement, built once per dialect and reused."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def offers_with_tiers(self, offer_ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
        """Marketplace read: the offers with these ids (any supplier), one row per tier (or one row with
        NULL tier columns), with the part's category path and the supplier's review status."""
        if not offer_ids:
            return []
        stmt = cached_statement(
            self.session,
            "pricing.offers_with_tiers",
            lambda d: (
                select(
                    Offer.id,
                    Offer.org_id,
                    Offer.part_id,
                    Offer.list_price_fen,
                    Offer.currency,
                    Offer.moq,
                    Offer.pack_size,
                    Offer.lead_time_days,
                    Offer.vat_rate_bp,
                    Offer.status,
                    Category.path,
                    Org.status.label("supplier_status"),
                    OfferTier.min_quantity,
                    OfferTier.unit_price_fen,
                )
                .select_from(Offer)
                .join(Part, Part.id == Offer.part_id)
                .join(Category, Category.id == Part.category_id)
                .join(Org, Org.id == Offer.org_id)
                .outerjoin(OfferTier, OfferTier.offer_id == Offer.id)
                .where(among_param(d, Offer.id, "ids"))
                .execution_options(**ALL_TENANTS)
            ),
        )
        return list(self.session.execute(stmt, {"ids": list(set(offer_ids))}).all())

    def buyer_with_groups(self, buyer_org_id: uuid.UUID, supplier_ids: Iterable[uuid.UUID]) -> list[Row[Any]]:
        """Marketplace read: the buying company's province, city and coordinates, one row per customer
        group of *these suppliers* that it (or its parent company, for a branch) belongs to (one row with
        a NULL group when none). No row: no such company."""
        stmt = cached_statement(
            self.session,
            "pricing.buyer_with_groups",
            lambda d: (
                select(Org.province, Org.city, Org.latitude, Org.longitude, CustomerGroupMember.group_id)
                .select_from(Org)
                .outerjoin(
                    CustomerGroupMember,
                    and_(
                        or_(
                            CustomerGroupMember.member_org_id == Org.id,
                            CustomerGroupMember.member_org_id == Org.parent_id,
                        ),
                        among_param(d, CustomerGroupMember.org_id, "suppliers"),
                    ),
                )
                .where(Org.id == bindparam("buyer"))
                .execution_options(**ALL_TENANTS)
            ),
        )
        params = {"buyer": buyer_org_id, "suppliers": list(set(supplier_ids)) or [uuid.UUID(int=0)]}
        return list(self.session.execute(stmt, params).all())

    def candidate_policies(
        self,
        supplier_ids: Iterable[uuid.UUID],
        *,
        at: datetime,
        channel: Channel,
        province: str | None,
        city: str | None,
        group_ids: Iterable[uuid.UUID],
    ) -> list[Row[Any]]:
        """Marketplace read: the active policies of these suppliers whose buyer-side conditions may hold
        (a superset narrowed in SQL; ``precedence.matches`` decides), with their category's path."""
        suppliers = list(set(supplier_ids))
        if not suppliers:
            return []
        stmt = cached_statement(
            self.session,
            "pricing.candidate_policies",
            lambda d: (
                select(PricePolicy, Category.path)
                .outerjoin(Category, Category.id == PricePolicy.category_id)
                .where(
                    among_param(d, PricePolicy.org_id, "suppliers"),
                    PricePolicy.active.is_(True),
                    or_(PricePolicy.valid_from.is_(None), PricePolicy.valid_from <= bindparam("at")),
                    or_(PricePolicy.valid_until.is_(None), PricePolicy.valid_until > bindparam("at")),
                    or_(PricePolicy.channel.is_(None), PricePolicy.channel == bindparam("channel")),
                    or_(PricePolicy.province.is_(None), PricePolicy.province == bindparam("province")),
                    or_(PricePolicy.city.is_(None), PricePolicy.city == bindparam("city")),
                    or_(
                        PricePolicy.customer_group_id.is_(None),
                        among_param(d, PricePolicy.customer_group_id, "groups"),
                    ),
                )
                .execution_options(**ALL_TENANTS)
            ),
        )
        params = {
            "suppliers": suppliers,
            "at": at,
            "channel": channel,
            "province": province or "",
            "city": city or "",
            "groups": list(set(group_ids)) or [uuid.UUID(int=0)],
        }
        return list(self.session.execute(stmt, params).all())

    def active_offers_for_parts(self, part_ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
        """Marketplace read: the active offers of approved suppliers for these parts, with MOQ, pack size
        and the supplier's name (for comparison)."""
        if not part_ids:
            return []
        stmt = cached_statement(
            self.session,
            "pricing.active_offers_for_parts",
            lambda d: (
                select(
                    Offer.id,
                    Offer.org_id,
                    Offer.part_id,
                    Offer.moq,
                    Offer.pack_size,
                    Org.name.label("supplier_name"),
                )
                .join(Org, Org.id == Offer.org_id)
                .where(
                    among_param(d, Offer.part_id, "parts"),
                    Offer.status == OfferStatus.active,
                    Org.status == OrgStatus.approved,
                )
                .order_by(Offer.id)
                .execution_options(**ALL_TENANTS)
            ),
        )
        return list(self.session.execute(stmt, {"parts": list(set(part_ids))}).all())

    def company_location(self, org_id: uuid.UUID) -> Any:
        """Marketplace read: a company's city and coordinates (the buyer's default location), or None."""
        return self.session.execute(
            select(Org.province, Org.city, Org.latitude, Org.longitude)
            .where(Org.id == org_id)
            .execution_options(**ALL_TENANTS)
        ).first()
