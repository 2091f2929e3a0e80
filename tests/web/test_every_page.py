"""Every page of the web router renders for every kind of user: no 500, and the expected status."""

from __future__ import annotations

import importlib
import re

import pytest
from fastapi.params import Depends

from autotrade.web.csrf import csrf_protect
from tests.helpers import api_routes
from tests.web.conftest import web_login

BASE_PAGES = [
    "/",
    "/dashboard",
    "/login",
    "/platform/review",
    "/platform/review/{company_id}",
    "/register",
    "/settings/roles",
    "/settings/roles/{role_id}",
    "/settings/users",
    "/settings/users/{user_id}",
]


def _web_routes(app):
    skip = ("/api/", "/healthz", "/readyz", "/metrics", "/docs", "/openapi.json")
    return [(path, methods, route) for path, methods, route in api_routes(app) if not path.startswith(skip)]


# (who, path) → expected status; anything not listed must answer 200 (or a redirect for / and /login).
EXPECTED_DENIED = {
    "a_owner": {"/platform/review", "/platform/review/{company_id}"},
    "a_purchaser": {
        "/platform/review",
        "/platform/review/{company_id}",
        "/settings/users",
        "/settings/users/{user_id}",
        "/settings/roles",
        "/settings/roles/{role_id}",
    },
    "admin": set(),
}


# Each area lists its own GET pages in tests/web/areas/<area>.py (``GET_PAGES``) and tests them there.
AREAS = ("buyer", "buyer_orders", "supplier", "supplier_orders", "catalog", "platform")
GET_PAGES = BASE_PAGES


def _area_pages() -> dict[str, list[str]]:
    out = {}
    for area in AREAS:
        module = importlib.import_module(f"tests.web.areas.{area}")
        out[area] = list(module.GET_PAGES)
    return out


def test_the_router_has_the_pages_we_test(app):
    listed = set(BASE_PAGES)
    for pages in _area_pages().values():
        assert not listed & set(pages)
        listed |= set(pages)
    assert sorted(path for path, methods, _ in _web_routes(app) if "GET" in methods) == sorted(listed)


def test_every_navigation_link_opens_a_page(world):
    c = world.client
    for who in ("a_owner", "a_purchaser", "admin"):
        web_login(c, world.emails[who])
        links = re.findall(r'<nav class="nav"[^>]*>(.*?)</nav>', c.get("/dashboard").text, re.S)
        assert links, who
        for href in re.findall(r'href="([^"]+)"', links[0]):
            r = c.get(href, follow_redirects=False)
            assert r.status_code == 200, (who, href, r.status_code)


def test_every_state_changing_page_checks_csrf(app):
    posts = [(path, route) for path, methods, route in _web_routes(app) if methods - {"GET", "HEAD"}]
    assert len(posts) >= 10
    for path, route in posts:
        deps = [d.dependency for d in route.dependencies if isinstance(d, Depends)]
        assert csrf_protect in deps, path
        assert route.include_in_schema is False, path


def test_every_page_is_hidden_from_the_api_schema(client):
    assert not [
        p
        for p in client.get("/openapi.json").json()["paths"]
        if not p.startswith(("/api/", "/healthz", "/readyz", "/metrics"))
    ]


@pytest.mark.parametrize("who", sorted(EXPECTED_DENIED))
def test_every_page_renders(world, who):
    c = world.client
    web_login(c, world.emails[who])
    roles_page = c.get("/settings/roles?lang=en").text if who != "a_purchaser" else ""
    role_id = re.search(r'href="/settings/roles/([0-9a-f-]{36})"', roles_page)
    ids = {
        "{company_id}": str(world.orgs["pending"]),
        "{user_id}": str(world.users["a_viewer"] if who != "admin" else world.users["reviewer"]),
        "{role_id}": role_id.group(1) if role_id else "00000000-0000-0000-0000-000000000000",
    }
    for lang in ("zh_CN", "en"):
        for template in BASE_PAGES:
            path = template
            for k, v in ids.items():
                path = path.replace(k, v)
            r = c.get(f"{path}?lang={lang}", follow_redirects=False)
            if template in ("/", "/login"):
                expected = 303
            elif template in EXPECTED_DENIED[who]:
                expected = 403
            else:
                expected = 200
            assert r.status_code == expected, (who, path, r.status_code, r.text[-500:])
            assert r.status_code == 303 or r.headers["content-type"] == "text/html; charset=utf-8"


def test_public_pages_render_for_anonymous_visitors(client):
    for path in ("/login", "/register", "/login?lang=en", "/register?lang=en"):
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/html; charset=utf-8"


def test_static_assets_are_served(client):
    assert client.get("/static/app.css").status_code == 200
    js = client.get("/static/htmx.min.js")
    assert js.status_code == 200
    assert js.text.startswith("var htmx=function()")
