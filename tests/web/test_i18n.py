from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from autotrade.core.tenancy import bind_system
from autotrade.iam.models import User
from autotrade.web.i18n import Translator, merged_catalog, normalise_lang, po_files
from tests.web.conftest import web_login

SRC = Path(__file__).resolve().parents[2] / "src" / "autotrade"


def test_chinese_is_the_default(client):
    page = client.get("/login")
    assert '<html lang="zh-CN">' in page.text
    assert "<h1>登录</h1>" in page.text
    assert "<title>登录 · 汽配通 autotrade</title>" in page.text


def test_lang_parameter_switches_and_sticks(client):
    page = client.get("/login?lang=en")
    assert "<h1>Log in</h1>" in page.text
    assert '<a href="/login?lang=zh_CN" hreflang="zh_CN">中文</a>' in page.text
    assert client.cookies.get("lang") == "en"
    assert "<h1>Log in</h1>" in client.get("/login").text  # the cookie remembers
    assert "<h1>登录</h1>" in client.get("/login?lang=zh_CN").text
    assert "<h1>登录</h1>" in client.get("/login").text


def test_unknown_language_falls_back_to_chinese(client):
    assert "<h1>登录</h1>" in client.get("/login?lang=fr").text
    assert client.cookies.get("lang") is None


def test_user_locale_applies_without_a_cookie(world):
    with world.db.transaction() as s:
        bind_system(s)
        s.get(User, world.users["a_owner"]).locale = "en"
    c = world.client
    web_login(c, world.emails["a_owner"])
    page = c.get("/dashboard").text
    assert "Company status: " in page
    assert '<span class="badge badge-approved">Approved</span>' in page
    c.cookies.set("lang", "zh_CN")
    assert "企业状态: " in c.get("/dashboard").text


def test_error_page_is_localised(world):
    c = world.client
    web_login(c, world.emails["a_purchaser"])
    assert "<h1>无权访问</h1>" in c.get("/settings/users").text
    assert "<h1>Permission denied</h1>" in c.get("/settings/users?lang=en").text
    r = c.get("/no/such/page")
    assert r.status_code == 404
    assert "<h1>Page not found</h1>" in r.text
    assert f'<code class="request-id">{r.headers["x-request-id"]}</code>' in r.text


def test_dates_use_the_user_time_zone():
    moment = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert Translator("zh_CN").datetime(moment) == "2026年3月2日 00:30:00"
    assert Translator("en", "Europe/London").datetime(moment) == "Mar 1, 2026, 4:30:00\u202fPM"
    assert Translator("en", "Not/AZone").datetime(moment) == "Mar 2, 2026, 12:30:00\u202fAM"
    assert Translator("zh_CN").datetime(None) == ""


def test_normalise_lang():
    assert [normalise_lang(v) for v in ("zh_CN", "zh-CN", "zh", "en", "en_US", "fr", "", None)] == [
        "zh_CN",
        "zh_CN",
        "zh_CN",
        "en",
        "en",
        None,
        None,
        None,
    ]


def test_every_string_used_has_a_chinese_translation():
    method_map = [("web/**.py", "python"), ("templates/**.html", "jinja2")]
    used = {
        msg[2] if isinstance(msg[2], str) else msg[2][0] for msg in extract_from_dir(str(SRC), method_map)
    }
    assert len(used) > 100
    catalog = merged_catalog("zh_CN")

    def translated(msgid: str) -> bool:
        entry = catalog.get(msgid)
        if entry is None:
            return False
        return all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string)

    missing = sorted(m for m in used if not translated(m))
    assert missing == []
    en = merged_catalog("en")
    assert sorted(m for m in used if en.get(m) is None) == []


def test_a_message_id_in_two_catalog_files_has_one_translation():
    for lang in ("zh_CN", "en"):
        seen: dict[str, tuple[str, object]] = {}
        clashes = []
        for po in po_files(lang):
            with po.open("rb") as f:
                for message in read_po(f, locale=lang):
                    if not message.id:
                        continue
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    if key in seen and seen[key][1] != message.string:
                        clashes.append((lang, key, seen[key][0], po.name))
                    seen.setdefault(key, (po.name, message.string))
        assert clashes == []
