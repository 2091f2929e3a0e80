"""Keyword-only factories and ready-made actors for tests.

``world`` builds, through the real services, two approved companies (A: a repair chain with a branch,
B: a distributor) with users of several roles, a pending company, and the platform's staff, and logs
each of them in. Use ``world.h("a_owner")`` for auth headers.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from autotrade.core.db import Database
from autotrade.core.security import hash_password
from autotrade.core.tenancy import bind_system
from autotrade.core.validators import uscc_with_check
from autotrade.iam import service as iam
from autotrade.iam.models import User, UserRole
from autotrade.orgs.models import Org, OrgContact, OrgStatus, OrgType

PASSWORD = "Test-password-1"
_seq = itertools.count(1)
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def new_uscc() -> str:
    n = next(_seq) + uuid.uuid4().int % 10_000_000
    body = "".join(_ALPHABET[(n // 31**i) % 31] for i in range(9))
    return uscc_with_check("91330100" + body)


def make_company(
    db: Database,
    *,
    name: str | None = None,
    type: OrgType = OrgType.repair_shop,
    status: OrgStatus = OrgStatus.approved,
    parent: uuid.UUID | None = None,
    phone: str = "13800138000",
) -> uuid.UUID:
    with db.transaction() as s:
        bind_system(s, "test")
        org = Org(
            name=name or f"测试企业{next(_seq)}",
            type=type,
            uscc=new_uscc(),
            status=status,
            parent_id=parent,
            province="浙江省",
            city="杭州市",
            district="西湖区",
            address="文三路1号",
            latitude=30.28,
            longitude=120.13,
            legal_rep_id_number="11010519491231002X",
            bank_account="6222021001123456789",
        )
        s.add(org)
        s.flush()
        s.add(OrgContact(org_id=org.id, name="联系人", phone=phone, is_primary=True))
        return org.id


def make_user(
    db: Database,
    *,
    org: uuid.UUID,
    roles: tuple[str, ...] = ("owner",),
    email: str | None = None,
    password: str = PASSWORD,
    branch: uuid.UUID | None = None,
    phone: str | None = "13912345678",
) -> tuple[uuid.UUID, str]:
    email = email or f"user{next(_seq)}-{uuid.uuid4().hex[:6]}@test.autotrade.cn"
    home = branch or org  # a user limited to a branch belongs to the branch
    with db.transaction() as s:
        bind_system(s, "test")
        user = User(
            org_id=home,
            email=email,
            name="测试用户",
            password_hash=hash_password(password),
            phone=phone,
        )
        s.add(user)
        s.flush()
        for key in roles:
            s.add(UserRole(user_id=user.id, role_id=iam.builtin_role(s, key).id, org_id=home))
        return user.id, email


def login(client: Any, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@dataclass
class World:
    client: Any
    db: Database
    orgs: dict[str, uuid.UUID] = field(default_factory=dict)
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def h(self, who: str) -> dict[str, str]:
        if who not in self._headers:
            self._headers[who] = login(self.client, self.emails[who])
        return self._headers[who]

    def add_user(self, who: str, org: str, roles: tuple[str, ...], branch: str | None = None) -> None:
        uid, email = make_user(
            self.db, org=self.orgs[org], roles=roles, branch=self.orgs[branch] if branch else None
        )
        self.users[who], self.emails[who] = uid, email


@pytest.fixture
def world(client: Any, db: Database) -> World:
    w = World(client=client, db=db)
    w.orgs["platform"] = make_company(db, name="平台", type=OrgType.platform)
    w.orgs["a"] = make_company(db, name="A 汽修连锁", type=OrgType.repair_shop, phone="13800000001")
    w.orgs["a_branch"] = make_company(db, name="A 汽修滨江店", type=OrgType.repair_shop, parent=w.orgs["a"])
    w.orgs["b"] = make_company(db, name="B 汽配经销", type=OrgType.distributor, phone="13800000002")
    w.orgs["pending"] = make_company(db, name="待审企业", status=OrgStatus.pending, phone="13800000003")
    w.add_user("a_owner", "a", ("owner",))
    w.add_user("a_viewer", "a", ("viewer",))
    w.add_user("a_purchaser", "a", ("purchaser",))
    w.add_user("a_store", "a", ("owner",), branch="a_branch")
    w.add_user("b_owner", "b", ("owner",))
    w.add_user("pending_owner", "pending", ("owner",))
    w.add_user("admin", "platform", ("platform_admin",))
    w.add_user("reviewer", "platform", ("reviewer",))
    w.add_user("auditor", "platform", ("auditor",))
    return w
