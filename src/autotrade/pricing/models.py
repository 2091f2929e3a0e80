"""pricing: tables (see the package docstring and docs/pricing.md).

Every table is owned by the supplier company (``org_id``): offers, their volume tiers, the supplier's
customer groups and their members (buyer companies), and the supplier's price policies.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, str_enum
from autotrade.core.tenancy import OrgOwned

DEFAULT_VAT_RATE_BP = 1300  # 13 %


class OfferStatus(StrEnum):
    active = "active"
    paused = "paused"


class Channel(StrEnum):
    web = "web"
    api = "api"


class PolicyScope(StrEnum):
    offer = "offer"  # one offer
    category = "category"  # every offer of the supplier whose part is in this category (or below it)
    all = "all"  # every offer of the supplier


class PolicyEffect(StrEnum):
    fixed_price = "fixed_price"  # unit_price_fen replaces the base price
    discount = "discount"  # discount_bp basis points off the base price


class Offer(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A supplier sells a part (SKU) at a list price, with MOQ, pack size, lead time and volume tiers."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("org_id", "part_id"),
        CheckConstraint("list_price_fen > 0", name="list_price_positive"),
        CheckConstraint("moq >= 1", name="moq_positive"),
        CheckConstraint("pack_size >= 1", name="pack_size_positive"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name="vat_rate_range"),
    )

    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"), index=True)
    list_price_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    moq: Mapped[int] = mapped_column(Integer, default=1)
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    vat_rate_bp: Mapped[int] = mapped_column(Integer, default=DEFAULT_VAT_RATE_BP)
    status: Mapped[OfferStatus] = mapped_column(
        str_enum(OfferStatus, "offer_status"), default=OfferStatus.active
    )

    tiers: Mapped[list[OfferTier]] = relationship(
        lazy="raise",
        order_by="OfferTier.min_quantity",
        cascade="all, delete-orphan",
        back_populates="offer",
    )


class OfferTier(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A volume price: from ``min_quantity`` pieces on, the unit price is ``unit_price_fen``."""

    __tablename__ = "offer_tiers"
    __table_args__ = (
        UniqueConstraint("offer_id", "min_quantity"),
        CheckConstraint("min_quantity >= 1", name="min_quantity_positive"),
        CheckConstraint("unit_price_fen > 0", name="unit_price_positive"),
    )

    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    min_quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)

    offer: Mapped[Offer] = relationship(lazy="raise", back_populates="tiers")


class CustomerGroup(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A supplier's group of buyer companies (VIP, fleet customers, …) that price policies can target."""

    __tablename__ = "customer_groups"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))


class CustomerGroupMember(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A buyer company in a supplier's customer group (``org_id`` is the supplier)."""

    __tablename__ = "customer_group_members"
    __table_args__ = (UniqueConstraint("group_id", "member_org_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customer_groups.id", ondelete="CASCADE"), index=True
    )
    member_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id"), index=True)


class PricePolicy(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A supplier's price rule: conditions (all that are set must hold) and an effect.

    Conditions: customer group, province, city, channel, time window [valid_from, valid_until), scope
    (one offer, one category and below, or all the supplier's offers). Effect: a fixed unit price or a
    discount in basis points off the base price. The highest ``priority`` wins (docs/pricing.md)."""

    __tablename__ = "price_policies"
    __table_args__ = (
        CheckConstraint("unit_price_fen IS NULL OR unit_price_fen > 0", name="unit_price_positive"),
        CheckConstraint(
            "discount_bp IS NULL OR (discount_bp >= 1 AND discount_bp <= 9999)", name="discount_range"
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    customer_group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customer_groups.id"), index=True)
    province: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[Channel | None] = mapped_column(str_enum(Channel, "price_channel"))
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    scope: Mapped[PolicyScope] = mapped_column(str_enum(PolicyScope, "policy_scope"), default=PolicyScope.all)
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offers.id"), index=True)
    category_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("part_categories.id"))
    effect: Mapped[PolicyEffect] = mapped_column(str_enum(PolicyEffect, "policy_effect"))
    unit_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    discount_bp: Mapped[int | None] = mapped_column(Integer)
