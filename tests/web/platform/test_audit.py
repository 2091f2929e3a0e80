"""/platform/audit: search every company's audit log (AuditRepository.filtered, all tenants)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from autotrade.web import platform_audit
from tests.web.platform.conftest import assert_page, login, pay

AUDIT = "/platform/audit"


def _rows(html: str) -> list[str]:
    body = re.search(r'<table class="table" id="audit-entries">.*?<tbody>(.*?)</tbody>', html, re.S)
    return re.findall(r'<tr data-id="[^"]+">(.*?)</tr>', body.group(1), re.S) if body else []


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def test_search_by_company_actor_entity_and_action(pm):
    o = pm.order("a_owner", [("toyota_pad", 1)])
    pay(pm, o["id"])
    c = login(pm, "auditor")
    html = c.get(AUDIT + "?lang=en").text
    assert_page(html, "Audit log")
    assert len(_rows(html)) == 50 and "Next page" in html

    html = c.get(AUDIT, params={"company": "A 汽修连锁", "entity_type": "orders", "lang": "en"}).text
    rows = _rows(html)
    assert rows and all("<td>A 汽修连锁</td>" in r and "<code>orders</code>" in r for r in rows)
    html = c.get(AUDIT, params={"company": str(pm.world.orgs["b"]), "lang": "en"}).text
    rows = _rows(html)
    assert rows and all("<td>B 汽配经销</td>" in r for r in rows)

    html = c.get(AUDIT, params={"actor": pm.world.emails["a_owner"], "action": "orders.", "lang": "en"}).text
    rows = _rows(html)
    assert rows and all(pm.world.emails["a_owner"] in r for r in rows)
    assert all(re.search(r"<code>orders\.[a-z_]+</code>", r) for r in rows)

    html = c.get(AUDIT, params={"entity_type": "orders", "entity_id": o["id"], "lang": "en"}).text
    texts = [_text(r) for r in _rows(html)]
    assert texts and all(o["id"] in t for t in texts)
    assert any("orders.create" in t for t in texts) and any(
        "before: pending_payment → after: paid" in t for t in texts
    )


def test_changes_show_before_and_after(pm):
    o = pm.order("a_owner", [("toyota_pad", 1)])
    pay(pm, o["id"])
    html = (
        login(pm, "admin")
        .get(AUDIT, params={"entity_id": o["id"], "action": "orders.mark_paid", "lang": "en"})
        .text
    )
    rows = _rows(html)
    assert len(rows) == 1
    assert re.search(
        r'<code>status</code>:\s*<span class="platform-sr">before: </span>'
        r'<span class="platform-old">pending_payment</span>\s*→\s*'
        r'<span class="platform-sr">after: </span><span class="platform-new">paid</span>',
        rows[0],
    ), rows[0]


def test_time_range_is_in_the_viewers_days(pm):
    c = login(pm, "admin")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    html = c.get(AUDIT, params={"date_from": today.isoformat(), "date_to": today.isoformat()}).text
    assert _rows(html)
    tomorrow = (today + timedelta(days=1)).isoformat()
    html = c.get(AUDIT, params={"date_from": tomorrow, "lang": "en"}).text
    assert not _rows(html)
    assert (
        "No audit entries match this search." in html
        and 'href="/platform/audit">Show the latest entries' in html
    )


def test_bad_search_fields_are_shown_and_kept(pm):
    c = login(pm, "admin")
    r = c.get(
        AUDIT, params={"company": "没有这家公司", "date_from": "2026/11/01", "date_to": "", "lang": "en"}
    )
    assert r.status_code == 422
    assert re.search(r'id="e-company">No company has this name.<', r.text)
    assert re.search(r'id="e-date_from">Enter a date like 2026-11-30.<', r.text)
    assert 'value="没有这家公司"' in r.text and 'value="2026/11/01"' in r.text
    r = c.get(
        AUDIT, params={"company": "汽", "date_from": "2026-11-02", "date_to": "2026-11-01", "lang": "en"}
    )
    assert r.status_code == 422
    assert re.search(r'id="e-company">Several companies match: ', r.text)
    assert re.search(r'id="e-date_to">The end date is before the start date.<', r.text)


def test_pagination_keeps_the_filters(pm, monkeypatch):
    monkeypatch.setattr(platform_audit, "PAGE_SIZE", 2)
    c = login(pm, "admin")
    first = c.get(AUDIT, params={"entity_type": "users", "lang": "en"}).text
    nxt = re.search(r'<a class="button" href="([^"]+)">Next page</a>', first)
    assert nxt and "entity_type=users" in nxt.group(1) and "cursor=" in nxt.group(1)
    second = c.get(nxt.group(1).replace("&amp;", "&")).text
    assert len(_rows(second)) == 2
    assert set(_rows(first)).isdisjoint(_rows(second))
    export = re.search(r'<a href="(/api/v1/platform/audit/export\.csv\?[^"]*)">', first)
    assert export and "entity_type=users" in export.group(1)


def test_only_auditors_search_the_log(pm):
    for who, status in (
        ("risk", 200),
        ("auditor", 200),
        ("reviewer", 403),
        ("finance_viewer", 403),
        ("a_owner", 403),
    ):
        assert login(pm, who).get(AUDIT).status_code == status, who
