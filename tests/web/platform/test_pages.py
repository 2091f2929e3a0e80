"""Every platform page: renders for each allowed role in both languages, refuses the others, and
answers 404 for an id that is not there."""

from __future__ import annotations

import re
import uuid

from tests.web.areas.platform import GET_PAGES
from tests.web.platform.conftest import assert_page, disputed, login, step

# Who may open which page (others get 403).
ALLOWED = {
    "/platform/dashboard": {"admin", "risk", "auditor", "reviewer", "finance_viewer", "risk_viewer"},
    "/platform/disputes": {"admin", "risk", "risk_viewer"},
    "/platform/disputes/{dispute_id}": {"admin", "risk", "risk_viewer"},
    "/platform/finance": {"admin", "finance_viewer"},
    "/platform/finance/bank-transfers": {"admin", "finance_viewer"},
    "/platform/finance/reconciliation": {"admin", "finance_viewer"},
    "/platform/finance/settlements": {"admin", "finance_viewer"},
    "/platform/finance/settlements/{statement_id}": {"admin", "finance_viewer"},
    "/platform/audit": {"admin", "risk", "auditor"},
}
PEOPLE = ("admin", "risk", "auditor", "reviewer", "finance_viewer", "risk_viewer", "a_owner", "b_owner")


def _ids(pm) -> dict[str, str]:
    _order, dispute_id = disputed(pm, [("toyota_pad", 1)])
    month = step(pm, "admin", "/platform/settlements", {"period": "2026-11"})
    made = pm.client.post(
        "/api/v1/platform/settlements",
        json={"date_from": "2026-01-01", "date_to": "2026-12-31", "supplier_org_id": str(pm.world.orgs["b"])},
        headers=pm.world.h("admin"),
    ).json()
    assert month["period_label"] == "2026-11"
    return {"{dispute_id}": dispute_id, "{statement_id}": made["statements"][0]["id"]}


def test_the_area_lists_its_pages():
    assert sorted(ALLOWED) == GET_PAGES


def test_every_page_renders_for_whom_it_should(pm):
    ids = _ids(pm)
    for who in PEOPLE:
        c = login(pm, who)
        for template in GET_PAGES:
            path = template
            for k, v in ids.items():
                path = path.replace(k, v)
            for lang in ("zh_CN", "en"):
                r = c.get(f"{path}?lang={lang}", follow_redirects=False)
                expected = 200 if who in ALLOWED[template] else 403
                assert r.status_code == expected, (who, path, lang, r.status_code, r.text[-800:])
                if expected == 200:
                    assert_page(r.text)
                    assert ('<html lang="en">' if lang == "en" else '<html lang="zh-CN">') in r.text


def test_unknown_ids_answer_404(pm):
    c = login(pm, "admin")
    for path in ("/platform/disputes/{}", "/platform/finance/settlements/{}"):
        r = c.get(path.format(uuid.uuid4()))
        assert r.status_code == 404, path
    assert c.get("/platform/disputes/not-a-uuid").status_code in (404, 422)


def test_navigation_shows_the_platform_pages_to_the_admin(pm):
    c = login(pm, "admin")
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', c.get("/dashboard?lang=en").text, re.S)
    assert nav
    links = re.findall(r'href="([^"]+)"[^>]*>([^<]+)<', nav.group(1))
    for href, label in (
        ("/platform/dashboard", "Dashboard"),
        ("/platform/disputes", "Disputes"),
        ("/platform/finance", "Finance"),
        ("/platform/audit", "Audit log"),
    ):
        assert (href, label) in links
        assert c.get(href).status_code == 200


def test_finance_pages_have_the_sub_navigation(pm):
    c = login(pm, "admin")
    html = c.get("/platform/finance/reconciliation?lang=en").text
    tabs = re.search(r'<nav class="tabs platform-subtabs"[^>]*>(.*?)</nav>', html, re.S)
    assert tabs
    found = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', tabs.group(1))
    assert found == [
        ("/platform/finance", "Finance overview"),
        ("/platform/finance/bank-transfers", "Bank transfers"),
        ("/platform/finance/reconciliation", "Reconciliation"),
        ("/platform/finance/settlements", "Statements &amp; payouts"),
        ("/platform/commission", "Commission rates"),
    ]
    assert 'aria-current="page">Reconciliation<' in html
