from __future__ import annotations

from sqlalchemy import func, select

from autotrade.core.tenancy import bind_system
from autotrade.iam.models import Role, User, UserRole, UserStatus
from tests.factories import PASSWORD
from tests.web.conftest import post_form, web_login


def _role_id(db, key):
    with db.transaction() as s:
        bind_system(s)
        return s.scalar(select(Role.id).where(Role.key == key))


def _roles_of(db, user_id):
    with db.transaction() as s:
        bind_system(s)
        keys = s.scalars(
            select(Role.key).join(UserRole, UserRole.role_id == Role.id).where(UserRole.user_id == user_id)
        ).all()
        return sorted(k or "" for k in keys)


def _user_count(db):
    with db.transaction() as s:
        bind_system(s)
        return s.scalar(select(func.count()).select_from(User))


def _new_user(**over):
    data = {"name": "李四", "email": "lisi@a-repair.cn", "phone": "13700001111", "password": "Lisi-pass-2024"}
    data.update(over)
    return data


def test_owner_creates_a_user_with_a_role(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    c.get("/settings/users")
    purchaser = _role_id(world.db, "purchaser")
    r = post_form(c, "/settings/users", {**_new_user(), "role_ids": [str(purchaser)]})
    assert (r.status_code, r.headers["location"]) == (303, "/settings/users")
    page = c.get("/settings/users").text
    assert '<div class="alert alert-success">用户已创建。</div>' in page
    assert "lisi@a-repair.cn" in page
    with world.db.transaction() as s:
        bind_system(s)
        u = s.scalar(select(User).where(User.email == "lisi@a-repair.cn"))
        assert (u.org_id, u.name, u.status) == (
            world.orgs["a"],
            "李四",
            UserStatus.active,
        )  # the company, no branch
        uid = u.id
    assert _roles_of(world.db, uid) == ["purchaser"]
    # The new user can log in through the form.
    c.cookies.clear()
    web_login(c, "lisi@a-repair.cn", "Lisi-pass-2024")


def test_user_form_errors_write_nothing(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    c.get("/settings/users")
    before = _user_count(world.db)
    r = post_form(c, "/settings/users", _new_user(email="bad", password="12345"))
    assert r.status_code == 422
    assert '<div class="field-error" id="e-email">邮箱地址无效。</div>' in r.text
    assert (
        '<div class="field-error" id="e-password">密码至少 10 个字符，须包含字母以及数字或符号。</div>'
        in r.text
    )
    r = post_form(c, "/settings/users", _new_user(email=world.emails["b_owner"]))
    assert r.status_code == 409
    assert '<div class="field-error" id="e-email">该邮箱已被注册。</div>' in r.text
    # A platform role cannot be granted by a company.
    r = post_form(c, "/settings/users", {**_new_user(), "role_ids": [str(_role_id(world.db, "reviewer"))]})
    assert r.status_code == 403
    assert "您不能授予自己没有的权限。" in r.text
    assert _user_count(world.db) == before


def test_owner_changes_roles_and_status_through_htmx(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    target = world.users["a_viewer"]
    page = c.get(f"/settings/users/{target}")
    assert page.status_code == 200
    assert f'hx-post="/settings/users/{target}"' in page.text
    data = {
        "role_ids": [str(_role_id(world.db, "sales")), str(_role_id(world.db, "warehouse"))],
        "status": "disabled",
    }
    r = post_form(c, f"/settings/users/{target}", data, htmx=True)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section class="card" id="user-form">')
    assert '<div class="alert alert-success" role="status">已保存。</div>' in r.text
    assert _roles_of(world.db, target) == ["sales", "warehouse"]
    with world.db.transaction() as s:
        bind_system(s)
        assert s.get(User, target).status == UserStatus.disabled


def test_owner_cannot_demote_themself(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    me = world.users["a_owner"]
    c.get(f"/settings/users/{me}")
    r = post_form(c, f"/settings/users/{me}", {"role_ids": [str(_role_id(world.db, "viewer"))]}, htmx=True)
    assert r.status_code == 409
    assert '<div class="field-error">不能移除自己的用户管理权限。</div>' in r.text
    assert _roles_of(world.db, me) == ["owner"]


def test_phones_are_masked_without_pii_view(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    assert "13912345678" in c.get("/settings/users").text  # owners hold pii:view
    # A custom role that may see users but not personal data.
    c.get("/settings/roles")
    r = post_form(c, "/settings/roles", {"name": "HR 只读", "permissions": ["users:view"]})
    assert r.status_code == 303
    with world.db.transaction() as s:
        bind_system(s)
        hr = s.scalar(select(Role.id).where(Role.name == "HR 只读"))
    post_form(c, "/settings/users", {**_new_user(email="hr@a-repair.cn"), "role_ids": [str(hr)]})
    c.cookies.clear()
    web_login(c, "hr@a-repair.cn", "Lisi-pass-2024")
    page = c.get("/settings/users").text
    assert '<td class="phone">139****5678</td>' in page
    assert "13912345678" not in page
    assert "<h2>添加用户</h2>" not in page  # no users:edit
    r = post_form(c, "/settings/users", _new_user(email="x@a-repair.cn"))
    assert r.status_code == 403


def test_company_b_cannot_see_or_edit_company_a_users(world):
    c = world.client
    web_login(c, world.emails["b_owner"])
    listing = c.get("/settings/users").text
    assert world.emails["b_owner"] in listing
    assert world.emails["a_owner"] not in listing and world.emails["a_viewer"] not in listing
    target = world.users["a_viewer"]
    page = c.get(f"/settings/users/{target}")
    assert page.status_code == 404
    assert "<h1>页面不存在</h1>" in page.text
    r = post_form(c, f"/settings/users/{target}", {"role_ids": [], "status": "disabled"}, htmx=True)
    assert r.status_code == 404
    assert _roles_of(world.db, target) == ["viewer"]
    with world.db.transaction() as s:
        bind_system(s)
        assert s.get(User, target).status == UserStatus.active


def test_users_without_permission_get_403(world):
    c = world.client
    web_login(c, world.emails["a_purchaser"])
    assert c.get("/settings/users").status_code == 403
    assert c.get("/settings/roles").status_code == 403
    assert c.get(f"/settings/users/{world.users['a_viewer']}").status_code == 403


def test_roles_page_lists_builtin_and_creates_custom_roles(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    page = c.get("/settings/roles").text
    assert ">企业主</a>" in page and ">采购员</a>" in page
    assert "入驻审核员" not in page  # platform roles are not offered to companies
    assert 'value="platform.companies:view"' not in page
    r = post_form(
        c,
        "/settings/roles",
        {"name": "门店主管", "description": "", "permissions": ["orders:edit", "inventory:view"]},
    )
    assert (r.status_code, r.headers["location"]) == (303, "/settings/roles")
    assert '<div class="alert alert-success">角色已创建。</div>' in c.get("/settings/roles").text
    with world.db.transaction() as s:
        bind_system(s)
        role = s.scalar(select(Role).where(Role.name == "门店主管"))
        assert (role.org_id, sorted(role.permissions), role.description) == (
            world.orgs["a"],
            ["inventory:view", "orders:edit"],
            None,
        )
        rid = role.id
    # edit it, then delete it
    r = post_form(
        c,
        f"/settings/roles/{rid}",
        {"name": "门店经理", "description": "管门店", "permissions": ["orders:view"]},
    )
    assert r.status_code == 303
    with world.db.transaction() as s:
        bind_system(s)
        role = s.get(Role, rid)
        assert (role.name, role.description, role.permissions) == ("门店经理", "管门店", ["orders:view"])
    r = post_form(c, f"/settings/roles/{rid}/delete", {})
    assert (r.status_code, r.headers["location"]) == (303, "/settings/roles")
    with world.db.transaction() as s:
        bind_system(s)
        assert s.get(Role, rid) is None


def test_role_form_errors(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    c.get("/settings/roles")
    with world.db.transaction() as s:
        bind_system(s)
        before = s.scalar(select(func.count()).select_from(Role))
    r = post_form(c, "/settings/roles", {"name": "空角色"})
    assert r.status_code == 422
    assert '<div class="field-error">请至少选择一项。</div>' in r.text
    r = post_form(c, "/settings/roles", {"name": "越权", "permissions": ["platform.companies:approve"]})
    assert r.status_code == 403
    assert '<div class="field-error">您不能授予自己没有的权限。</div>' in r.text
    builtin = _role_id(world.db, "viewer")
    r = post_form(c, f"/settings/roles/{builtin}", {"name": "x", "permissions": ["orders:view"]})
    assert r.status_code == 409
    assert "内置角色不可修改。" in r.text
    with world.db.transaction() as s:
        bind_system(s)
        assert s.scalar(select(func.count()).select_from(Role)) == before


def test_password_is_never_echoed(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    c.get("/settings/users")
    r = post_form(c, "/settings/users", _new_user(email="bad", password=PASSWORD + "x"))
    assert r.status_code == 422
    assert PASSWORD + "x" not in r.text
