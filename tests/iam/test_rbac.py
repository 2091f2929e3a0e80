"""Permission levels (view / edit / approve / admin), roles, and nobody grants what they lack."""

import pytest

from autotrade.core import permissions as perms
from autotrade.core.deps import require
from autotrade.core.errors import PermissionDenied
from autotrade.core.tenancy import Principal
from autotrade.iam.models import Role, User
from tests.factories import login, make_user
from tests.helpers import assert_problem, count


def test_levels_imply_lower_levels():
    assert perms.expand(["users:admin"]) == {"users:admin", "users:approve", "users:edit", "users:view"}
    assert perms.expand(["orders:approve"]) == {"orders:approve", "orders:view"}
    assert perms.expand(["orders:edit"]) == {"orders:edit", "orders:view"}
    with pytest.raises(ValueError, match="unknown permission"):
        perms.expand(["orders:delete"])


def test_every_builtin_role_uses_known_permissions_and_company_roles_hold_no_platform_permission():
    for key, (_, _, platform, plist) in perms.BUILTIN_ROLES.items():
        expanded = perms.expand(plist)
        assert platform or not any(p.startswith("platform.") for p in expanded), key


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        ("a_viewer", "get", "/api/v1/users", 403),  # viewer: no users:view
        ("a_purchaser", "get", "/api/v1/roles", 403),
        ("a_viewer", "get", "/api/v1/companies/me", 200),  # company:view
        ("a_viewer", "patch", "/api/v1/companies/{a}", 403),  # needs company:edit
        ("a_owner", "get", "/api/v1/audit", 200),
        ("a_purchaser", "get", "/api/v1/audit", 403),
        (
            "a_owner",
            "get",
            "/api/v1/platform/companies",
            403,
        ),  # platform permissions only inside the platform
        ("reviewer", "get", "/api/v1/platform/companies", 200),
        ("reviewer", "post", "/api/v1/platform/companies/{pending}/approve", 200),
        ("auditor", "post", "/api/v1/platform/companies/{pending}/approve", 403),  # view-only
        ("reviewer", "get", "/api/v1/platform/audit", 403),
        ("auditor", "get", "/api/v1/platform/audit", 200),
    ],
)
def test_permission_matrix(client, world, who, method, path, status):
    url = path.format(a=world.orgs["a"], pending=world.orgs["pending"])
    kwargs = {"json": {"name": "改名后的公司"}} if method == "patch" else {}
    r = getattr(client, method)(url, headers=world.h(who), **kwargs)
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["code"] == "permission_denied"


def test_viewer_write_denied_and_nothing_written(client, world, db):
    before = count(db, User)
    r = client.post(
        "/api/v1/users",
        json={"email": "new@a.cn", "name": "新人", "password": "Strong-pass-1"},
        headers=world.h("a_viewer"),
    )
    assert_problem(r, 403, "permission_denied")
    assert count(db, User) == before


def test_owner_manages_users_and_custom_roles(client, world):
    h = world.h("a_owner")
    r = client.post(
        "/api/v1/roles",
        json={"name": "仓库主管", "permissions": ["inventory:admin", "orders:view"]},
        headers=h,
    )
    assert r.status_code == 201
    role = r.json()
    assert role["builtin"] is False and role["org_id"] == str(world.orgs["a"])
    r = client.post(
        "/api/v1/users",
        json={"email": "wh@a.cn", "name": "仓库主管", "password": "Strong-pass-1", "role_ids": [role["id"]]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    user = r.json()
    assert [x["name"] for x in user["roles"]] == ["仓库主管"]
    me = client.get("/api/v1/me", headers=login(client, "wh@a.cn", "Strong-pass-1")).json()
    assert me["permissions"] == sorted(
        ["inventory:admin", "inventory:approve", "inventory:edit", "inventory:view", "orders:view"]
    )
    # A role in use cannot be deleted; a built-in role cannot be edited.
    assert_problem(client.delete(f"/api/v1/roles/{role['id']}", headers=h), 409, "role_in_use")
    owner = next(x for x in client.get("/api/v1/roles", headers=h).json() if x["key"] == "owner")
    assert_problem(
        client.patch(f"/api/v1/roles/{owner['id']}", json={"name": "x"}, headers=h),
        409,
        "role_builtin_readonly",
    )


def test_custom_role_cannot_hold_platform_permissions(client, world, db):
    before = count(db, Role)
    r = client.post(
        "/api/v1/roles",
        json={"name": "sneaky", "permissions": ["platform.companies:approve"]},
        headers=world.h("a_owner"),
    )
    assert_problem(r, 403, "role_not_assignable", field="permissions")
    assert count(db, Role) == before


def test_company_roles_list_hides_platform_roles(client, world):
    keys = {r["key"] for r in client.get("/api/v1/roles", headers=world.h("a_owner")).json()}
    assert keys == {"owner", "purchaser", "sales", "warehouse", "finance", "approver", "viewer"}
    platform_keys = {r["key"] for r in client.get("/api/v1/roles", headers=world.h("admin")).json()}
    assert {"platform_admin", "reviewer", "risk_officer", "auditor"} <= platform_keys


def test_cannot_grant_more_than_you_hold(client, world, db):
    # A user administrator without pii:view cannot hand out the finance role (which has pii:view).
    h = world.h("a_owner")
    hr = client.post(
        "/api/v1/roles", json={"name": "HR", "permissions": ["users:edit", "roles:view"]}, headers=h
    ).json()
    uid, email = make_user(db, org=world.orgs["a"], roles=())
    client.patch(f"/api/v1/users/{uid}", json={"role_ids": [hr["id"]]}, headers=h)
    hr_h = login(client, email)
    finance = next(x for x in client.get("/api/v1/roles", headers=hr_h).json() if x["key"] == "finance")
    before = count(db, User)
    r = client.post(
        "/api/v1/users",
        json={"email": "f@a.cn", "name": "财务", "password": "Strong-pass-1", "role_ids": [finance["id"]]},
        headers=hr_h,
    )
    assert_problem(r, 403, "role_not_assignable", field="role_ids")
    assert count(db, User) == before


def test_cannot_assign_a_foreign_custom_role(client, world, db):
    b_role = client.post(
        "/api/v1/roles", json={"name": "B only", "permissions": ["orders:view"]}, headers=world.h("b_owner")
    ).json()
    before = count(db, User)
    r = client.post(
        "/api/v1/users",
        json={"email": "z@a.cn", "name": "Z", "password": "Strong-pass-1", "role_ids": [b_role["id"]]},
        headers=world.h("a_owner"),
    )
    assert_problem(r, 404, "role_not_found", field="role_ids")
    assert count(db, User) == before


def test_trading_permissions_need_an_approved_company():
    dep = require("orders:edit")
    assert dep.trading is True
    pending = Principal(
        org_id=__import__("uuid").uuid4(),
        org_type="repair_shop",
        org_status="pending",
        scope=frozenset(),
        permissions=frozenset({"orders:edit", "orders:view"}),
    )

    class _Req:
        class state:  # noqa: N801
            principal = pending

    with pytest.raises(PermissionDenied) as e:
        dep(_Req(), session=None)  # type: ignore[arg-type]
    assert e.value.code == "company_not_approved"
    approved = Principal(**{**pending.__dict__, "org_status": "approved"})
    _Req.state.principal = approved
    assert dep(_Req(), session=None) is approved  # type: ignore[arg-type]


def test_unknown_permission_in_a_route_declaration_fails_at_import():
    with pytest.raises(ValueError, match="unknown permission"):
        require("orders:destroy")
