from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from autotrade.core.crypto import mask
from autotrade.core.validators import USCC, BankAccount, IdNumber, Password, Phone
from autotrade.orgs.models import Org, OrgContact, OrgStatus, OrgType

Str100 = Field(min_length=1, max_length=100)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: Phone | None = None
    email: EmailStr | None = None
    is_primary: bool = False


class CompanyFields(Strict):
    name: str = Field(min_length=2, max_length=200, description="Registered name (企业名称)")
    province: str = Field(min_length=1, max_length=40)
    city: str = Field(min_length=1, max_length=40)
    district: str | None = Field(default=None, max_length=40)
    address: str = Field(min_length=1, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    legal_rep_name: str | None = Field(default=None, max_length=100)
    legal_rep_id_number: IdNumber | None = None
    bank_name: str | None = Field(default=None, max_length=100)
    bank_account: BankAccount | None = None


class CompanyIn(CompanyFields):
    type: OrgType
    uscc: USCC = Field(description="统一社会信用代码 (GB 32100), 18 characters")
    contacts: list[ContactIn] = Field(min_length=1, max_length=10)


class CompanyUpdate(Strict):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    province: str | None = Field(default=None, min_length=1, max_length=40)
    city: str | None = Field(default=None, min_length=1, max_length=40)
    district: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, min_length=1, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    legal_rep_name: str | None = Field(default=None, max_length=100)
    legal_rep_id_number: IdNumber | None = None
    bank_name: str | None = Field(default=None, max_length=100)
    bank_account: BankAccount | None = None
    contacts: list[ContactIn] | None = Field(default=None, min_length=1, max_length=10)


class OwnerIn(Strict):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: Password
    phone: Phone | None = None


class RegisterIn(Strict):
    company: CompanyIn
    owner: OwnerIn


class BranchIn(CompanyFields):
    uscc: USCC
    contacts: list[ContactIn] = Field(min_length=1, max_length=10)


class RejectIn(Strict):
    reason: str = Field(min_length=2, max_length=500)


class ContactOut(BaseModel):
    id: uuid.UUID
    name: str
    title: str | None
    phone: str | None
    email: str | None
    is_primary: bool

    @classmethod
    def build(cls, c: OrgContact, reveal: bool) -> ContactOut:
        return cls(
            id=c.id,
            name=c.name,
            title=c.title,
            phone=c.phone if reveal else mask(c.phone, "phone"),
            email=c.email,
            is_primary=c.is_primary,
        )


class CompanyOut(BaseModel):
    id: uuid.UUID
    name: str
    type: OrgType
    uscc: str
    status: OrgStatus
    can_trade: bool
    parent_id: uuid.UUID | None
    province: str
    city: str
    district: str | None
    address: str
    latitude: float | None
    longitude: float | None
    legal_rep_name: str | None
    legal_rep_id_number: str | None
    bank_name: str | None
    bank_account: str | None
    review_reason: str | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    created_at: datetime
    contacts: list[ContactOut]

    @classmethod
    def build(cls, org: Org, reveal: bool) -> CompanyOut:
        return cls(
            id=org.id,
            name=org.name,
            type=org.type,
            uscc=org.uscc,
            status=org.status,
            can_trade=org.can_trade,
            parent_id=org.parent_id,
            province=org.province,
            city=org.city,
            district=org.district,
            address=org.address,
            latitude=org.latitude,
            longitude=org.longitude,
            legal_rep_name=org.legal_rep_name,
            legal_rep_id_number=org.legal_rep_id_number
            if reveal
            else mask(org.legal_rep_id_number, "id_number"),
            bank_name=org.bank_name,
            bank_account=org.bank_account if reveal else mask(org.bank_account, "bank_account"),
            review_reason=org.review_reason,
            submitted_at=org.submitted_at,
            reviewed_at=org.reviewed_at,
            created_at=org.created_at,
            contacts=[ContactOut.build(c, reveal) for c in org.contacts],
        )


class RegisteredOut(BaseModel):
    company: CompanyOut
    owner_user_id: uuid.UUID
    owner_email: str
