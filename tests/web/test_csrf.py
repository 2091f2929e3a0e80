from __future__ import annotations

from sqlalchemy import func, select

from autotrade.core.tenancy import bind_system
from autotrade.iam.models import User
from autotrade.orgs.models import Org, OrgStatus
from tests.web.conftest import csrf_of, web_login


def _failed_logins(db, uid):
    with db.transaction() as s:
        bind_system(s)
        return s.get(User, uid).failed_logins


def test_login_without_token_is_refused(world):
    c = world.client
    csrf_of(c)
    r = c.post("/login", data={"email": world.emails["a_owner"], "password": "wrong-password-1"})
    assert r.status_code == 403
    assert '<code class="error-code">csrf_failed</code>' in r.text
    assert "<h1>页面已过期，请刷新后重试。</h1>" in r.text
    assert _failed_logins(world.db, world.users["a_owner"]) == 0


def test_form_with_a_foreign_token_is_refused(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    c.get("/settings/users")
    with world.db.transaction() as s:
        bind_system(s)
        before = s.scalar(select(func.count()).select_from(User))
    data = {"name": "x", "email": "x@a.cn", "password": "Abcdefgh-123", "csrf_token": "A" * 43}
    r = c.post("/settings/users", data=data, follow_redirects=False)
    assert r.status_code == 403
    assert '<code class="error-code">csrf_failed</code>' in r.text
    with world.db.transaction() as s:
        bind_system(s)
        assert s.scalar(select(func.count()).select_from(User)) == before


def test_htmx_request_needs_the_header(world):
    c = world.client
    web_login(c, world.emails["reviewer"])
    c.get("/platform/review")
    pid = world.orgs["pending"]
    for headers in ({"HX-Request": "true"}, {"HX-Request": "true", "X-CSRF-Token": "B" * 43}):
        r = c.post(f"/platform/review/{pid}/approve", headers=headers)
        assert r.status_code == 403
        assert 'data-code="csrf_failed"' in r.text
    # No cookie at all (a cross-site request without the browser's cookie jar contents).
    token = c.cookies.get("csrf")
    c.cookies.delete("csrf")
    r = c.post(f"/platform/review/{pid}/approve", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert r.status_code == 403
    with world.db.transaction() as s:
        bind_system(s)
        assert s.get(Org, pid).status == OrgStatus.pending


def test_logout_needs_the_token(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    r = c.post("/logout", follow_redirects=False)
    assert r.status_code == 403
    assert c.get("/dashboard").status_code == 200  # still logged in


def test_page_embeds_the_token_for_htmx(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    page = c.get("/dashboard").text
    assert f"""<body hx-headers='{{"X-CSRF-Token": "{c.cookies.get("csrf")}"}}'>""" in page
