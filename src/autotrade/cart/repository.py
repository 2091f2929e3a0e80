"""cart: queries.

Carts, cart lines and requisition lists are the buyer's own rows: ordinary tenant-scoped queries.
Two reads leave the buyer's scope, documented below: the catalogue (platform master data, not
tenant-scoped) and :meth:`MarketOffers.for_parts` / :meth:`MarketOffers.by_ids`, marketplace reads of
suppliers' published offer terms (``all_tenants``) — no costs, no customer lists, only what a buyer is
shown anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from autotrade.cart.models import Cart, CartLine, RequisitionLine, RequisitionList
from autotrade.catalog.models import Brand, Part
from autotrade.catalog.repository import among_param, cached_statement
from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.orgs.models import Org, OrgStatus
from autotrade.pricing.models import Offer, OfferStatus


class CartRepository(Repository[Cart]):
    model = Cart
    label = "cart"
    not_found_code = "cart_not_found"

    def of_owner(self, org_id: uuid.UUID, owner: str) -> Cart | None:
        cart: Cart | None = self.session.scalar(
            select(Cart).where(Cart.org_id == org_id, Cart.owner == owner)
        )
        return cart

    def lines(self, cart_id: uuid.UUID) -> list[CartLine]:
        return list(
            self.session.scalars(
                select(CartLine).where(CartLine.cart_id == cart_id).order_by(CartLine.position, CartLine.id)
            )
        )

    def line_count(self, cart_id: uuid.UUID) -> int:
        return int(
            self.session.scalar(select(func.count()).select_from(CartLine).where(CartLine.cart_id == cart_id))
            or 0
        )

    def line(self, cart_id: uuid.UUID, line_id: uuid.UUID) -> CartLine | None:
        line: CartLine | None = self.session.scalar(
            select(CartLine).where(CartLine.id == line_id, CartLine.cart_id == cart_id)
        )
        return line


class RequisitionRepository(Repository[RequisitionList]):
    model = RequisitionList
    label = "requisition list"
    not_found_code = "requisition_list_not_found"

    def listing(self) -> Select[Any]:
        return select(RequisitionList)

    def by_name(self, org_id: uuid.UUID, name: str) -> RequisitionList | None:
        found: RequisitionList | None = self.session.scalar(
            select(RequisitionList).where(RequisitionList.org_id == org_id, RequisitionList.name == name)
        )
        return found

    def lines(self, list_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[RequisitionLine]]:
        out: dict[uuid.UUID, list[RequisitionLine]] = {i: [] for i in list_ids}
        if list_ids:
            stmt = (
                select(RequisitionLine)
                .where(RequisitionLine.list_id.in_(list(list_ids)))
                .order_by(RequisitionLine.list_id, RequisitionLine.position, RequisitionLine.id)
            )
            for line in self.session.scalars(stmt):
                out[line.list_id].append(line)
        return out

    def line_counts(self, list_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not list_ids:
            return {}
        stmt = (
            select(RequisitionLine.list_id, func.count())
            .where(RequisitionLine.list_id.in_(list(list_ids)))
            .group_by(RequisitionLine.list_id)
        )
        return {lid: int(n) for lid, n in self.session.execute(stmt).all()}

    def line(self, list_id: uuid.UUID, line_id: uuid.UUID) -> RequisitionLine | None:
        found: RequisitionLine | None = self.session.scalar(
            select(RequisitionLine).where(RequisitionLine.id == line_id, RequisitionLine.list_id == list_id)
        )
        return found


class PartRow(NamedTuple):
    id: uuid.UUID
    sku: str
    name_zh: str
    name_en: str | None
    brand: str


class CatalogLookups:
    """Reads of the platform catalogue (master data, not tenant-scoped) for resolving input lines."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def parts_by_sku(self, skus: Iterable[str]) -> dict[str, uuid.UUID]:
        wanted = sorted({s for s in skus if s})
        if not wanted:
            return {}
        stmt = cached_statement(
            self.session,
            "cart.parts_by_sku",
            lambda d: select(Part.sku, Part.id).where(among_param(d, Part.sku, "skus")),
        )
        return {sku: pid for sku, pid in self.session.execute(stmt, {"skus": wanted}).all()}

    def parts(self, part_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PartRow]:
        """Each part's SKU, names and brand name, one query."""
        wanted = list(set(part_ids))
        if not wanted:
            return {}
        stmt = cached_statement(
            self.session,
            "cart.parts",
            lambda d: (
                select(Part.id, Part.sku, Part.name_zh, Part.name_en, Brand.name)
                .join(Brand, Brand.id == Part.brand_id)
                .where(among_param(d, Part.id, "ids"))
            ),
        )
        return {r[0]: PartRow(*r) for r in self.session.execute(stmt, {"ids": wanted}).all()}


class OfferTerms(NamedTuple):
    id: uuid.UUID
    org_id: uuid.UUID  # the supplier
    part_id: uuid.UUID
    moq: int
    pack_size: int
    list_price_fen: int
    currency: str
    on_sale: bool  # active offer of an approved supplier


def _terms_select() -> Any:
    return (
        select(
            Offer.id,
            Offer.org_id,
            Offer.part_id,
            Offer.moq,
            Offer.pack_size,
            Offer.list_price_fen,
            Offer.currency,
            Offer.status,
            Org.status,
        )
        .join(Org, Org.id == Offer.org_id)
        .execution_options(**ALL_TENANTS)
    )


def _terms(row: Any) -> OfferTerms:
    oid, org, part, moq, pack, price, cur, status, org_status = row
    return OfferTerms(
        oid,
        org,
        part,
        moq,
        pack,
        price,
        cur,
        status == OfferStatus.active and org_status == OrgStatus.approved,
    )


class MarketOffers:
    """Marketplace reads on the buyer's behalf (``all_tenants``): suppliers' published offer terms."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_parts(self, part_ids: Iterable[uuid.UUID]) -> list[OfferTerms]:
        """Marketplace read: the offers on sale (active, approved supplier) for these parts, one query."""
        wanted = list(set(part_ids))
        if not wanted:
            return []
        stmt = cached_statement(
            self.session,
            "cart.offers_for_parts",
            lambda d: (
                _terms_select()
                .where(
                    among_param(d, Offer.part_id, "parts"),
                    Offer.status == OfferStatus.active,
                    Org.status == OrgStatus.approved,
                )
                .order_by(Offer.id)
            ),
        )
        return [_terms(r) for r in self.session.execute(stmt, {"parts": wanted}).all()]

    def by_ids(self, offer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, OfferTerms]:
        """Marketplace read: these offers' terms, on sale or not, one query."""
        wanted = list(set(offer_ids))
        if not wanted:
            return {}
        stmt = cached_statement(
            self.session,
            "cart.offers_by_ids",
            lambda d: _terms_select().where(among_param(d, Offer.id, "ids")),
        )
        return {t.id: t for t in map(_terms, self.session.execute(stmt, {"ids": wanted}).all())}
