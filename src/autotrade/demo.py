"""Demo data for `autotrade demo`: the platform's staff and approved companies of every type.

Idempotent: running it twice changes nothing. Every demo login uses the password printed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from autotrade.core.db import utcnow
from autotrade.core.security import hash_password
from autotrade.core.validators import uscc_with_check
from autotrade.iam import service as iam
from autotrade.iam.models import User, UserRole
from autotrade.iam.repository import UserRepository
from autotrade.orgs.models import Org, OrgContact, OrgStatus, OrgType
from autotrade.orgs.repository import OrgRepository

DEMO_PASSWORD = "Autotrade-2026"  # noqa: S105  (demo data only; refused in production)


@dataclass(frozen=True)
class DemoCompany:
    key: str
    name: str
    type: OrgType
    uscc17: str
    province: str
    city: str
    district: str
    address: str
    lat: float
    lng: float
    users: tuple[tuple[str, str, str], ...]  # (email local part, name, role key)
    parent: str | None = None


COMPANIES: tuple[DemoCompany, ...] = (
    DemoCompany(
        "platform",
        "汽配通平台运营有限公司",
        OrgType.platform,
        "91310115MA1K4AT00",
        "上海市",
        "上海市",
        "浦东新区",
        "张江高科技园区博云路2号",
        31.2035,
        121.5906,
        (
            ("admin", "平台管理员", "platform_admin"),
            ("reviewer", "入驻审核员 王敏", "reviewer"),
            ("risk", "风控专员 李强", "risk_officer"),
            ("auditor", "审计员 陈静", "auditor"),
        ),
    ),
    DemoCompany(
        "maker",
        "华域精工汽车零部件有限公司",
        OrgType.manufacturer,
        "91320500MA1MFR001",
        "江苏省",
        "苏州市",
        "工业园区",
        "星湖街328号",
        31.3153,
        120.7190,
        (("owner", "张伟", "owner"), ("sales", "刘洋", "sales"), ("warehouse", "赵磊", "warehouse")),
    ),
    DemoCompany(
        "distributor",
        "江苏通达汽配供应链有限公司",
        OrgType.distributor,
        "91320100MA1DGT002",
        "江苏省",
        "南京市",
        "江宁区",
        "秣陵街道将军大道88号",
        31.9365,
        118.8101,
        (("owner", "孙丽", "owner"), ("purchaser", "周杰", "purchaser"), ("finance", "吴芳", "finance")),
    ),
    DemoCompany(
        "dealer",
        "杭州之江汽车销售服务有限公司",
        OrgType.dealer,
        "91330100MA2DLR003",
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路478号",
        30.2790,
        120.1300,
        (("owner", "郑浩", "owner"), ("sales", "冯雪", "sales")),
    ),
    DemoCompany(
        "repair",
        "杭州快修连锁汽车服务有限公司",
        OrgType.repair_shop,
        "91330100MA2RPR004",
        "浙江省",
        "杭州市",
        "拱墅区",
        "莫干山路1418号",
        30.3205,
        120.1410,
        (("owner", "何军", "owner"), ("purchaser", "马超", "purchaser"), ("approver", "林娜", "approver")),
    ),
    DemoCompany(
        "repair-binjiang",
        "杭州快修连锁汽车服务有限公司滨江店",
        OrgType.repair_shop,
        "91330100MA2RPR005",
        "浙江省",
        "杭州市",
        "滨江区",
        "江南大道3850号",
        30.2084,
        120.2120,
        (("store", "滨江店长 黄涛", "purchaser"),),
        parent="repair",
    ),
    DemoCompany(
        "fleet",
        "顺达城配物流车队有限公司",
        OrgType.fleet,
        "91440300MA5FLT006",
        "广东省",
        "深圳市",
        "龙岗区",
        "平湖街道华南大道1号",
        22.6866,
        114.1255,
        (("owner", "梁宇", "owner"), ("purchaser", "邓洁", "purchaser")),
    ),
    DemoCompany(
        "logistics",
        "安捷汽配物流有限公司",
        OrgType.logistics,
        "91310000MA1LGW007",
        "上海市",
        "上海市",
        "嘉定区",
        "安亭镇墨玉路185号",
        31.2920,
        121.1560,
        (("owner", "宋涛", "owner"),),
    ),
    DemoCompany(
        "inspector",
        "华测汽车零部件检测技术有限公司",
        OrgType.inspector,
        "91310000MA1JCN008",
        "上海市",
        "上海市",
        "闵行区",
        "紫星路588号",
        31.0220,
        121.4580,
        (("owner", "唐敏", "owner"),),
    ),
    DemoCompany(
        "financier",
        "汇融供应链金融服务有限公司",
        OrgType.financier,
        "91440300MA5FJN009",
        "广东省",
        "深圳市",
        "福田区",
        "深南大道6008号",
        22.5410,
        114.0560,
        (("owner", "韩雪", "owner"),),
    ),
)


def email_for(company: DemoCompany, local: str) -> str:
    return f"{local}@{company.key}.demo.autotrade.cn"


def load(session: Session) -> list[tuple[str, str, str, str]]:
    """Create what is missing; return (company, type, email, role) for every demo login."""
    orgs = OrgRepository(session)
    users = UserRepository(session)
    by_key: dict[str, Org] = {}
    logins: list[tuple[str, str, str, str]] = []
    now = utcnow()
    for i, c in enumerate(COMPANIES):
        uscc = uscc_with_check(c.uscc17)
        org = orgs.by_uscc_any_tenant(uscc)
        if org is None:
            org = Org(
                name=c.name,
                type=c.type,
                uscc=uscc,
                status=OrgStatus.approved,
                parent_id=by_key[c.parent].id if c.parent else None,
                province=c.province,
                city=c.city,
                district=c.district,
                address=c.address,
                latitude=c.lat,
                longitude=c.lng,
                legal_rep_name=c.users[0][1].split()[-1],
                bank_name="中国工商银行",
                bank_account=f"62220210010{i:02d}3456789",
                submitted_at=now,
                reviewed_at=now,
                review_reason=None,
            )
            session.add(org)
            session.flush()
            session.add(
                OrgContact(
                    org_id=org.id,
                    name=c.users[0][1].split()[-1],
                    title="负责人",
                    phone=f"1381234{i:04d}",
                    email=email_for(c, c.users[0][0]),
                    is_primary=True,
                )
            )
        by_key[c.key] = org
        for local, name, role_key in c.users:
            email = email_for(c, local)
            if users.by_email_any_tenant(email) is None:
                user = User(
                    org_id=org.id,
                    email=email,
                    name=name,
                    phone=f"1391234{len(logins):04d}",
                    password_hash=hash_password(DEMO_PASSWORD),
                )
                session.add(user)
                session.flush()
                session.add(
                    UserRole(user_id=user.id, role_id=iam.builtin_role(session, role_key).id, org_id=org.id)
                )
            logins.append((c.name, c.type.value, email, role_key))
    session.flush()
    return logins
