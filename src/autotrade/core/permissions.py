"""The permission catalogue: named permissions per resource at levels view / edit / approve / admin.

A permission is written ``resource:level``. Holding ``admin`` implies every level of that resource;
``edit`` and ``approve`` each imply ``view``. Resources under ``platform.`` are held only by platform
staff; resources marked ``trading`` are usable only by approved companies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LEVELS = ("view", "edit", "approve", "admin")
_IMPLIES = {
    "view": ("view",),
    "edit": ("edit", "view"),
    "approve": ("approve", "view"),
    "admin": ("admin", "approve", "edit", "view"),
}


@dataclass(frozen=True)
class Resource:
    name: str
    label_en: str
    label_zh: str
    trading: bool = False

    @property
    def platform(self) -> bool:
        return self.name.startswith("platform.")


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in [
        Resource("company", "Company profile and branches", "企业资料与分支机构"),
        Resource("users", "Users", "用户"),
        Resource("roles", "Roles", "角色"),
        Resource("api_keys", "API keys", "API 密钥"),
        Resource("audit", "Audit log", "审计日志"),
        Resource("pii", "Personal data in clear", "查看敏感信息明文"),
        Resource("catalog", "Catalogue", "商品目录", trading=False),
        Resource("inventory", "Inventory", "库存", trading=True),
        Resource("pricing", "Prices and offers", "价格与报价", trading=True),
        Resource("orders", "Orders", "订单", trading=True),
        Resource("procurement", "Procurement", "采购", trading=True),
        Resource("payments", "Payments", "支付", trading=True),
        Resource("logistics", "Logistics", "物流", trading=True),
        Resource("reports", "Reports", "报表"),
        Resource("platform.companies", "Company onboarding review", "入驻审核"),
        Resource("platform.users", "All users", "平台用户管理"),
        Resource("platform.catalog", "Platform catalogue master data", "平台主数据"),
        Resource("platform.audit", "Audit log of all companies", "全平台审计日志"),
        Resource("platform.risk", "Risk control", "风控"),
        Resource("platform.finance", "Platform finance", "平台财务"),
    ]
}


def all_permissions() -> list[str]:
    return [f"{r}:{lvl}" for r in RESOURCES for lvl in LEVELS]


def parse(permission: str) -> tuple[Resource, str]:
    resource, _, level = permission.partition(":")
    if resource not in RESOURCES or level not in LEVELS:
        raise ValueError(f"unknown permission {permission!r}")
    return RESOURCES[resource], level


def expand(granted: Iterable[str]) -> frozenset[str]:
    """Every permission implied by the granted ones (``users:admin`` → ``users:edit``, ...)."""
    out: set[str] = set()
    for p in granted:
        resource, level = parse(p)
        out.update(f"{resource.name}:{lvl}" for lvl in _IMPLIES[level])
    return frozenset(out)


def _all(*resources: str, level: str = "admin") -> list[str]:
    return [f"{r}:{level}" for r in resources]


_COMPANY_TRADING = ("inventory", "pricing", "orders", "procurement", "payments", "logistics")

# Built-in roles. Company roles may hold only non-platform permissions; platform roles live in the
# platform company. `autotrade db upgrade` writes these into the roles table.
BUILTIN_ROLES: dict[str, tuple[str, str, bool, list[str]]] = {
    # key: (name_en, name_zh, platform?, permissions)
    "owner": (
        "Owner",
        "企业主",
        False,
        [
            *_all("company", "users", "roles", "api_keys", "pii", *_COMPANY_TRADING, "reports"),
            "audit:view",
            "catalog:view",
        ],
    ),
    "purchaser": (
        "Purchaser",
        "采购员",
        False,
        ["company:view", "catalog:view", "procurement:edit", "orders:edit", "inventory:view", "pricing:view"],
    ),
    "sales": (
        "Sales",
        "销售",
        False,
        ["company:view", "catalog:view", "pricing:edit", "orders:edit", "inventory:view", "reports:view"],
    ),
    "warehouse": (
        "Warehouse",
        "仓管",
        False,
        ["company:view", "catalog:view", "inventory:edit", "logistics:edit", "orders:view"],
    ),
    "finance": (
        "Finance",
        "财务",
        False,
        ["company:view", "payments:edit", "orders:view", "reports:view", "pii:view"],
    ),
    "approver": (
        "Approver",
        "审批人",
        False,
        ["company:view", "procurement:approve", "orders:approve", "payments:approve", "catalog:view"],
    ),
    "viewer": (
        "Viewer",
        "只读",
        False,
        ["company:view", "catalog:view", "orders:view", "inventory:view", "pricing:view", "reports:view"],
    ),
    "platform_admin": (
        "Platform administrator",
        "平台管理员",
        True,
        _all(
            "platform.companies",
            "platform.users",
            "platform.catalog",
            "platform.audit",
            "platform.risk",
            "platform.finance",
        )
        + _all("company", "users", "roles", "api_keys", "pii")
        + ["audit:view", "catalog:view", "reports:view"],
    ),
    "reviewer": (
        "Onboarding reviewer",
        "入驻审核员",
        True,
        ["platform.companies:approve", "company:view", "pii:view", "catalog:view"],
    ),
    "risk_officer": (
        "Risk officer",
        "风控专员",
        True,
        ["platform.risk:admin", "platform.audit:view", "platform.companies:view", "company:view"],
    ),
    "catalog_manager": (
        "Catalogue manager",
        "主数据管理员",
        True,
        ["platform.catalog:admin", "catalog:view", "company:view"],
    ),
    "auditor": (
        "Platform auditor",
        "平台审计员",
        True,
        ["platform.audit:view", "company:view"],
    ),
}
