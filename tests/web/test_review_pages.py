from __future__ import annotations

from autotrade.core.tenancy import bind_system
from autotrade.orgs.models import Org, OrgStatus
from tests.web.conftest import post_form, web_login


def _org(db, org_id):
    with db.transaction() as s:
        bind_system(s)
        o = s.get(Org, org_id)
        return o.status, o.review_reason, o.reviewed_by_id


def test_reviewer_sees_the_pending_queue(world):
    c = world.client
    web_login(c, world.emails["reviewer"])
    page = c.get("/platform/review")
    assert page.status_code == 200
    assert f'<tr id="company-{world.orgs["pending"]}">' in page.text
    assert "待审企业" in page.text
    assert "A 汽修连锁" not in page.text  # approved companies are not in the pending tab
    approved = c.get("/platform/review?status=approved").text
    assert "A 汽修连锁" in approved and "待审企业" not in approved
    assert f'hx-post="/platform/review/{world.orgs["pending"]}/approve"' in page.text


def test_approve_through_htmx_returns_the_updated_row(world):
    c = world.client
    web_login(c, world.emails["reviewer"])
    c.get("/platform/review")
    pid = world.orgs["pending"]
    r = post_form(c, f"/platform/review/{pid}/approve", {}, htmx=True)
    assert r.status_code == 200
    assert r.text.lstrip().startswith(f'<tr id="company-{pid}">')
    assert '<span class="badge badge-approved">已通过</span>' in r.text
    assert "/approve" not in r.text  # no more buttons
    assert _org(world.db, pid) == (OrgStatus.approved, None, world.users["reviewer"])
    # Approving twice is an invalid transition, shown in the row; nothing changes.
    r = post_form(c, f"/platform/review/{pid}/approve", {}, htmx=True)
    assert r.status_code == 409
    assert "cannot approve a company that is approved" in r.text
    assert _org(world.db, pid) == (OrgStatus.approved, None, world.users["reviewer"])


def test_reject_requires_a_reason(world):
    c = world.client
    web_login(c, world.emails["reviewer"])
    c.get("/platform/review")
    pid = world.orgs["pending"]
    r = post_form(c, f"/platform/review/{pid}/reject", {"reason": "  "}, htmx=True)
    assert r.status_code == 422
    assert '<div class="field-error" role="alert">请填写驳回原因。</div>' in r.text
    assert _org(world.db, pid) == (OrgStatus.pending, None, None)


def test_reject_with_reason_is_shown_to_the_company(world):
    c = world.client
    web_login(c, world.emails["reviewer"])
    c.get("/platform/review")
    pid = world.orgs["pending"]
    r = post_form(c, f"/platform/review/{pid}/reject", {"reason": "营业执照照片模糊"}, htmx=True)
    assert r.status_code == 200
    assert '<span class="badge badge-rejected">已驳回</span>' in r.text
    assert "原因: 营业执照照片模糊" in r.text
    assert _org(world.db, pid) == (OrgStatus.rejected, "营业执照照片模糊", world.users["reviewer"])
    c.cookies.clear()
    web_login(c, world.emails["pending_owner"])
    assert "贵企业的入驻申请未通过。 原因: 营业执照照片模糊" in c.get("/dashboard").text


def test_company_detail_page(world):
    c = world.client
    web_login(c, world.emails["reviewer"])
    page = c.get(f"/platform/review/{world.orgs['pending']}")
    assert page.status_code == 200
    assert "<h1>待审企业" in page.text
    assert "13800000003" in page.text  # reviewers hold pii:view
    assert c.get(f"/platform/review/{world.orgs['platform']}").status_code == 404


def test_non_reviewers_cannot_review(world):
    c = world.client
    pid = world.orgs["pending"]
    r = c.get("/platform/review", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=%2Fplatform%2Freview")
    for who in ("a_owner", "auditor"):
        c.cookies.clear()
        web_login(c, world.emails[who])
        page = c.get("/platform/review")
        assert page.status_code == 403
        assert "<h1>无权访问</h1>" in page.text
        assert '<code class="error-code">permission_denied</code>' in page.text
        r = post_form(c, f"/platform/review/{pid}/approve", {}, htmx=True, page="/dashboard")
        assert r.status_code == 403
        r = post_form(
            c, f"/platform/review/{pid}/reject", {"reason": "不行不行"}, htmx=True, page="/dashboard"
        )
        assert r.status_code == 403
    assert _org(world.db, pid) == (OrgStatus.pending, None, None)


def test_htmx_errors_are_swapped_into_the_flash_area(world):
    c = world.client
    web_login(c, world.emails["a_owner"])
    r = post_form(c, f"/platform/review/{world.orgs['pending']}/approve", {}, htmx=True, page="/dashboard")
    assert r.status_code == 403
    assert (r.headers["hx-retarget"], r.headers["hx-reswap"]) == ("#flash", "innerHTML")
    assert r.text.lstrip().startswith(
        '<div class="alert alert-error" role="alert" data-code="permission_denied">'
    )
