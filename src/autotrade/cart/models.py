"""cart: tables (see docs/cart.md).

* ``carts``: one per buyer user (``owner = "user:<user id>"``, ``user_id`` set) and one shared by all
  the API keys of a company (``owner = "api"``, ``user_id`` NULL): an ERP integration that uses several
  keys fills one cart. ``org_id`` is the caller's own org (their company, or the branch they belong to).
* ``cart_lines``: one line per part per cart (adding the part again adds to its quantity). ``offer_id``
  is the chosen supplier offer; NULL once the offer is gone (the line is then resolved again at
  checkout). ``source`` says how the line came in and ``raw_input`` what the buyer typed.
* ``requisition_lists`` / ``requisition_lines``: named saved lists of a company (name unique per org)
  that a shop reorders from; a line may name a preferred offer, tried first when reordering.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin
from autotrade.core.tenancy import OrgOwned

API_OWNER = "api"  # the cart shared by a company's API keys


def user_owner(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


class LineSource(StrEnum):
    sku = "sku"  # added by part id or SKU
    number = "number"  # added by a part number (OE / brand / trade …)
    paste = "paste"  # quick order: pasted text
    upload = "upload"  # quick order: CSV / XLSX file
    requisition = "requisition"  # reordered from a requisition list


class Cart(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    __tablename__ = "carts"
    __table_args__ = (UniqueConstraint("org_id", "owner"),)

    owner: Mapped[str] = mapped_column(String(60))  # "user:<uuid>" | "api"
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)


class CartLine(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "part_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    cart_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order of adding (lines are listed by it)
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"), index=True)
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    quantity: Mapped[int] = mapped_column(Integer)
    source: Mapped[LineSource] = mapped_column(
        Enum(LineSource, name="cart_line_source", native_enum=False, validate_strings=True, length=20)
    )
    raw_input: Mapped[str | None] = mapped_column(String(200))


class RequisitionList(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    __tablename__ = "requisition_lists"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class RequisitionLine(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    __tablename__ = "requisition_lines"
    __table_args__ = (
        UniqueConstraint("list_id", "part_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("requisition_lists.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # order of adding (lines are listed by it)
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"), index=True)
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    quantity: Mapped[int] = mapped_column(Integer)
