from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autotrade.core.crypto import BlindIndex, EncryptedText
from autotrade.core.db import Audited, Base, IdMixin, TimestampMixin, json_type
from autotrade.core.tenancy import OrgOwned


class UserStatus(StrEnum):
    active = "active"
    disabled = "disabled"


class User(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    __tablename__ = "users"
    __audit_redact__ = ("password_hash", "phone", "phone_hmac")
    __audit_ignore__ = ("updated_at", "last_login_at", "failed_logins", "locked_until")

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(EncryptedText("phone"))
    phone_hmac: Mapped[str | None] = mapped_column(BlindIndex, index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[UserStatus] = mapped_column(
        Enum(UserStatus, name="user_status", native_enum=False, length=16), default=UserStatus.active
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")

    __blind_indexes__: ClassVar[dict[str, tuple[str, str]]] = {"phone": ("phone_hmac", "phone")}


class Role(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A bundle of permissions. Built-in roles have no company (``org_id`` NULL) and are visible to all;
    a company's owner creates custom roles for their own company."""

    __tablename__ = "roles"
    __tenant_shared_null__ = True
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orgs.id"), index=True)  # type: ignore[assignment]
    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    permissions: Mapped[list[Any]] = mapped_column(json_type(), default=list)
    platform: Mapped[bool] = mapped_column(default=False)

    @property
    def builtin(self) -> bool:
        return self.key is not None


class UserRole(IdMixin, Audited, OrgOwned, Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"), index=True)


class ApiKey(IdMixin, TimestampMixin, Audited, OrgOwned, Base):
    """A machine credential (ERP/WMS sync). The secret is shown once; only its SHA-256 is stored."""

    __tablename__ = "api_keys"
    __audit_redact__ = ("key_hash",)
    __audit_ignore__ = ("updated_at", "last_used_at")

    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]] = mapped_column(json_type(), default=list)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class AuthSession(IdMixin, Base):
    """A refresh token or a web session, stored hashed so every app node sees the same sessions."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "refresh" | "web"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
