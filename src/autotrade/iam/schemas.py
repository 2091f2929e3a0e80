from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, EmailStr, Field, field_validator
from pydantic_core import PydanticCustomError

from autotrade.core import permissions as perms
from autotrade.core.crypto import mask
from autotrade.core.validators import Password, Phone
from autotrade.iam.models import ApiKey, Role, User, UserStatus
from autotrade.orgs.schemas import Strict


def _check_permissions(v: list[str]) -> list[str]:
    for p in v:
        try:
            perms.parse(p)
        except ValueError as e:
            raise PydanticCustomError("unknown_permission", "unknown permission {p}", {"p": p}) from e
    return sorted(set(v))


class LoginIn(Strict):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=10, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    refresh_token: str


class RoleRef(BaseModel):
    id: uuid.UUID
    key: str | None
    name: str


class UserCreate(Strict):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: Password
    phone: Phone | None = None
    role_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    branch_id: uuid.UUID | None = None
    locale: str = Field(default="zh_CN", pattern=r"^(zh_CN|en)$")


class UserUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: Phone | None = None
    status: UserStatus | None = None
    role_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)
    branch_id: uuid.UUID | None = None
    locale: str | None = Field(default=None, pattern=r"^(zh_CN|en)$")


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: Password


class UserOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    email: str
    name: str
    phone: str | None
    status: UserStatus
    branch_id: uuid.UUID | None = Field(description="the branch the user works in, below the caller's org")
    locked: bool
    roles: list[RoleRef]
    locale: str
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def build(cls, u: User, roles: list[Role], reveal: bool, now: datetime, viewer_org: uuid.UUID) -> UserOut:
        return cls(
            id=u.id,
            org_id=u.org_id,
            email=u.email,
            name=u.name,
            phone=u.phone if reveal else mask(u.phone, "phone"),
            status=u.status,
            branch_id=u.org_id if u.org_id != viewer_org else None,
            locked=bool(u.locked_until and u.locked_until > now),
            roles=[RoleRef(id=r.id, key=r.key, name=r.name) for r in roles],
            locale=u.locale,
            created_at=u.created_at,
            last_login_at=u.last_login_at,
        )


class RoleIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    permissions: list[str] = Field(min_length=1, max_length=200)

    _perm = field_validator("permissions")(_check_permissions)


class RoleUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    permissions: list[str] | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("permissions")
    @classmethod
    def _perms(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _check_permissions(v)


class RoleOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID | None
    key: str | None
    name: str
    name_zh: str | None
    description: str | None
    permissions: list[str]
    builtin: bool
    platform: bool

    @classmethod
    def build(cls, r: Role) -> RoleOut:
        return cls(
            id=r.id,
            org_id=r.org_id,
            key=r.key,
            name=r.name,
            name_zh=r.name_zh,
            description=r.description,
            permissions=list(r.permissions),
            builtin=r.builtin,
            platform=r.platform,
        )


class PermissionOut(BaseModel):
    permission: str
    resource: str
    level: str
    label_en: str
    label_zh: str


class ApiKeyIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)

    _perm = field_validator("scopes")(_check_permissions)


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_by_id: uuid.UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def build(cls, k: ApiKey) -> ApiKeyOut:
        return cls(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            scopes=list(k.scopes),
            created_by_id=k.created_by_id,
            created_at=k.created_at,
            expires_at=k.expires_at,
            revoked_at=k.revoked_at,
            last_used_at=k.last_used_at,
        )


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret. Shown only in this response; store it now.")


class MeOut(BaseModel):
    user_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    email: str | None
    name: str | None
    org_id: uuid.UUID
    org_type: str
    org_status: str
    branch_id: uuid.UUID | None
    company_id: uuid.UUID
    visible_org_ids: list[uuid.UUID]
    permissions: list[str]
