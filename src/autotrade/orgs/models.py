from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from autotrade.core.crypto import BlindIndex, EncryptedText
from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, str_enum
from autotrade.core.tenancy import OrgOwned, TenantScoped


class OrgType(StrEnum):
    manufacturer = "manufacturer"
    distributor = "distributor"
    dealer = "dealer"
    repair_shop = "repair_shop"
    fleet = "fleet"
    logistics = "logistics"
    inspector = "inspector"
    financier = "financier"
    platform = "platform"


class OrgStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    suspended = "suspended"


class Org(IdMixin, TimestampMixin, Audited, TenantScoped, Base):
    """A company (企业) or one of its branches (分支机构: a chain's store, a group's 4S store)."""

    __tablename__ = "orgs"
    __audit_redact__ = ("legal_rep_id_number", "bank_account", "legal_rep_id_hmac", "bank_account_hmac")

    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[OrgType] = mapped_column(str_enum(OrgType, "org_type", length=32))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    status: Mapped[OrgStatus] = mapped_column(
        str_enum(OrgStatus, "org_status", length=32), default=OrgStatus.pending
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    legal_rep_name: Mapped[str | None] = mapped_column(String(100))
    legal_rep_id_number: Mapped[str | None] = mapped_column(EncryptedText("id_number"))
    legal_rep_id_hmac: Mapped[str | None] = mapped_column(BlindIndex, index=True)
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account: Mapped[str | None] = mapped_column(EncryptedText("bank_account"))
    bank_account_hmac: Mapped[str | None] = mapped_column(BlindIndex, index=True)
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[uuid.UUID | None]  # the platform reviewer (a user of the platform company)
    review_reason: Mapped[str | None] = mapped_column(String(500))

    org_id: Mapped[uuid.UUID] = synonym("id")  # a company is its own tenant

    contacts: Mapped[list[OrgContact]] = relationship(
        lazy="raise", order_by="OrgContact.id", cascade="all, delete-orphan", back_populates="org"
    )

    __blind_indexes__: ClassVar[dict[str, tuple[str, str]]] = {
        "legal_rep_id_number": ("legal_rep_id_hmac", "id_number"),
        "bank_account": ("bank_account_hmac", "bank_account"),
    }

    @property
    def can_trade(self) -> bool:
        return self.status == OrgStatus.approved


class OrgContact(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    __tablename__ = "org_contacts"
    __audit_redact__ = ("phone", "phone_hmac")

    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(EncryptedText("phone"))
    phone_hmac: Mapped[str | None] = mapped_column(BlindIndex, index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    is_primary: Mapped[bool] = mapped_column(default=False)

    org: Mapped[Org] = relationship(lazy="raise", back_populates="contacts")

    __blind_indexes__: ClassVar[dict[str, tuple[str, str]]] = {"phone": ("phone_hmac", "phone")}
