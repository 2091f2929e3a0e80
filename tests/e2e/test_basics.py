"""Browser checks that need no trading: language, form errors that keep the input, keyboard use."""

from __future__ import annotations

import re

from autotrade.demo import COMPANIES, email_for

DEMO = {c.key: c for c in COMPANIES}


def demo_email(company: str, local: str) -> str:
    return email_for(DEMO[company], local)


def test_chinese_by_default_and_the_english_switch(open_browser):
    b = open_browser()
    b.goto("/login")
    assert b.page.locator("html").get_attribute("lang") == "zh-CN"
    assert b.page.get_by_role("heading", level=1).inner_text() == "登录"
    b.shot("login-zh")
    b.page.get_by_role("link", name="English").click()
    b.page.wait_for_url(re.compile(r"lang=en"))
    assert b.page.locator("html").get_attribute("lang") == "en"
    assert b.page.get_by_role("heading", level=1).inner_text() == "Log in"
    b.goto("/register")  # the choice sticks (cookie)
    assert b.page.get_by_role("heading", level=1).inner_text() == "Register your company"
    b.page.get_by_role("link", name="中文").click()
    b.page.wait_for_url(re.compile(r"lang=zh_CN"))
    assert b.page.get_by_role("heading", level=1).inner_text() == "企业入驻申请"


def test_a_form_error_keeps_what_was_typed(open_browser):
    b = open_browser("en")
    b.goto("/register")
    page = b.page
    page.get_by_label("Registered company name").fill("杭州测试汽配有限公司")
    page.get_by_label("Unified social credit code").fill("91330100NOTVALID0")
    page.get_by_label("Province").fill("浙江省")
    page.get_by_label("City").fill("杭州市")
    page.get_by_label("Street address").fill("文一西路 1 号")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    # The errors stand next to their fields; everything typed is still there.
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("Registered company name").input_value() == "杭州测试汽配有限公司"
    assert page.get_by_label("Unified social credit code").input_value() == "91330100NOTVALID0"
    assert page.get_by_label("Street address").input_value() == "文一西路 1 号"
    uscc_error = page.locator(".field.has-error", has=page.get_by_label("Unified social credit code"))
    assert "unified social credit code" in uscc_error.inner_text().lower()
    b.shot("register-errors-en")


def test_login_with_the_keyboard_only(open_browser):
    b = open_browser("en")
    b.goto("/login")
    page = b.page
    page.get_by_label("Email").focus()
    page.keyboard.type(demo_email("repair", "purchaser"))
    page.keyboard.press("Tab")
    page.keyboard.type("Autotrade-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)
    # Every link of the navigation can be reached with Tab.
    nav = page.get_by_role("navigation", name="Main").get_by_role("link")
    wanted = set(nav.evaluate_all("links => links.map(a => a.href)"))
    assert wanted
    reached: set[str] = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("() => document.activeElement && document.activeElement.href")
        if href:
            reached.add(href)
    assert wanted <= reached, wanted - reached


def test_the_pages_fit_a_phone(open_browser):
    b = open_browser("zh_CN", phone=True)
    b.login(demo_email("repair", "purchaser"))
    b.goto("/dashboard")
    overflow = b.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the phone"
    b.shot("dashboard-phone-zh")
