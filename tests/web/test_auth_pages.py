from __future__ import annotations

from sqlalchemy import func, select

from autotrade.core.tenancy import bind_system
from autotrade.iam.models import AuthSession, User
from autotrade.orgs.models import Org, OrgStatus
from tests.factories import make_company, make_user
from tests.web.conftest import csrf_of, post_form, web_login

LOCKED_ZH = "登录失败次数过多，账号已锁定，请 15 分钟后再试。"


def _user(db, uid):
    with db.transaction() as s:
        bind_system(s)
        u = s.get(User, uid)
        return u.failed_logins, u.locked_until


def test_root_redirects_by_login_state(world):
    c = world.client
    r = c.get("/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    web_login(c, world.emails["a_owner"])
    r = c.get("/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/dashboard")


def test_login_sets_a_secure_session_cookie_and_shows_the_dashboard(world):
    c = world.client
    r = web_login(c, world.emails["a_owner"])
    assert r.headers["location"] == "/dashboard"
    cookies = r.headers.get_list("set-cookie")
    session = next(h for h in cookies if h.startswith("autotrade_session="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session or "SameSite=Lax" in session
    assert "Path=/" in session
    assert "Secure" not in session  # settings.secure_cookies is off in tests
    page = c.get("/dashboard")
    assert page.status_code == 200
    assert "<h2>A 汽修连锁</h2>" in page.text
    assert '<span class="badge badge-approved">已通过</span>' in page.text
    assert 'href="/settings/users"' in page.text
    assert 'href="/platform/review"' not in page.text  # not a platform reviewer


def test_login_rotates_the_csrf_token(world):
    c = world.client
    before = csrf_of(c, "/login")
    web_login(c, world.emails["a_owner"])
    assert c.cookies.get("csrf") not in (None, before)


def test_wrong_password_shows_error_and_counts_the_failure(world):
    c = world.client
    token = csrf_of(c)
    r = c.post(
        "/login", data={"email": world.emails["a_owner"], "password": "wrong-password-1", "csrf_token": token}
    )
    assert r.status_code == 401
    assert '<div class="alert alert-error" role="alert">邮箱或密码错误。</div>' in r.text
    assert f'value="{world.emails["a_owner"]}"' in r.text  # the email is kept in the form
    assert "autotrade_session" not in c.cookies
    assert _user(world.db, world.users["a_owner"]) == (1, None)


def test_unknown_email_reads_like_a_wrong_password(client, db):
    token = csrf_of(client)
    r = client.post(
        "/login", data={"email": "nobody@example.com", "password": "whatever-1", "csrf_token": token}
    )
    assert r.status_code == 401
    assert "邮箱或密码错误。" in r.text


def test_empty_login_form_is_refused(client):
    token = csrf_of(client)
    r = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert r.status_code == 422
    assert "请输入邮箱和密码。" in r.text


def test_lockout_after_five_failures(world):
    c = world.client
    email = world.emails["a_viewer"]
    token = csrf_of(c)
    statuses = []
    for _ in range(5):
        r = c.post("/login", data={"email": email, "password": "wrong-password-1", "csrf_token": token})
        statuses.append(r.status_code)
    assert statuses == [401, 401, 401, 401, 423]
    assert LOCKED_ZH in r.text
    count, locked_until = _user(world.db, world.users["a_viewer"])
    assert count == 5 and locked_until is not None
    # Even the right password is refused while locked, and no session is started.
    r = c.post("/login", data={"email": email, "password": "Test-password-1", "csrf_token": token})
    assert r.status_code == 423
    assert LOCKED_ZH in r.text
    assert "autotrade_session" not in c.cookies


def test_lockout_message_in_english(world):
    c = world.client
    token = csrf_of(c, "/login?lang=en")
    for _ in range(5):
        r = c.post(
            "/login",
            data={"email": world.emails["a_viewer"], "password": "wrong-1-pass", "csrf_token": token},
        )
    assert r.status_code == 423
    assert "Account locked after repeated failed logins. Try again in 15 minutes." in r.text


def test_logout_revokes_the_session(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    r = post_form(c, "/logout", {}, page="/dashboard")
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    assert "autotrade_session" not in c.cookies
    with world.db.transaction() as s:
        bind_system(s)
        rows = s.execute(
            select(AuthSession.kind, AuthSession.revoked_at).where(
                AuthSession.user_id == world.users["a_owner"]
            )
        ).all()
    assert [(kind, revoked is not None) for kind, revoked in rows] == [("web", True)]
    page = c.get("/login")
    assert '<div class="alert alert-info">您已退出登录。</div>' in page.text
    assert "您已退出登录。" not in c.get("/login").text  # a flash is shown once
    r = c.get("/dashboard", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=%2Fdashboard")


def test_a_revoked_session_cookie_no_longer_works(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    stolen = c.cookies.get("autotrade_session")
    post_form(c, "/logout", {}, page="/dashboard")
    c.cookies.set("autotrade_session", stolen)
    r = c.get("/settings/users", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=%2Fsettings%2Fusers")


def test_login_goes_back_to_next_but_never_off_site(world):
    c = world.client
    token = csrf_of(c, "/login?next=/settings/roles")
    data = {"email": world.emails["a_owner"], "password": "Test-password-1", "csrf_token": token}
    r = c.post("/login", data={**data, "next": "/settings/roles"}, follow_redirects=False)
    assert r.headers["location"] == "/settings/roles"
    c.cookies.clear()
    token = csrf_of(c)
    r = c.post(
        "/login", data={**data, "csrf_token": token, "next": "//evil.example/x"}, follow_redirects=False
    )
    assert r.headers["location"] == "/dashboard"


def test_dashboard_shows_pending_and_rejected_status(world, db):
    c = world.client
    web_login(c, world.emails["pending_owner"])
    page = c.get("/dashboard").text
    assert '<span class="badge badge-pending">待审核</span>' in page
    assert "贵企业正在等待平台审核，审核通过后即可开展交易。" in page
    org = make_company(db, name="被驳回企业", status=OrgStatus.rejected)
    with db.transaction() as s:
        bind_system(s)
        s.get(Org, org).review_reason = "营业执照不清晰"
    _, email = make_user(db, org=org)
    c.cookies.clear()
    web_login(c, email)
    page = c.get("/dashboard").text
    assert '<span class="badge badge-rejected">已驳回</span>' in page
    assert "贵企业的入驻申请未通过。 原因: 营业执照不清晰" in page


def test_branch_user_sees_company_and_branch(world):
    c = world.client
    web_login(c, world.emails["a_store"])
    page = c.get("/dashboard").text
    assert "<h2>A 汽修连锁</h2>" in page
    assert "分支机构: A 汽修滨江店" in page


def test_failed_logins_do_not_write_anything_else(world):
    with world.db.transaction() as s:
        bind_system(s)
        before = s.scalar(select(func.count()).select_from(AuthSession))
    c = world.client
    token = csrf_of(c)
    c.post("/login", data={"email": world.emails["a_owner"], "password": "nope-nope-1", "csrf_token": token})
    with world.db.transaction() as s:
        bind_system(s)
        assert s.scalar(select(func.count()).select_from(AuthSession)) == before
