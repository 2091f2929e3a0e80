"""Every page of the web router renders for every kind of user: no 500, and the expected status."""

from __future__ import annotations

import re

import pytest
from fastapi.params import Depends

from autotrade.web.csrf import csrf_protect
from tests.helpers import api_routes
from tests.web.conftest import web_login

GET_PAGES = [
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


def test_the_router_has_the_pages_we_test(app):
    assert sorted(path for path, methods, _ in _web_routes(app) if "GET" in methods) == GET_PAGES


def test_every_state_changing_page_checks_csrf(app):
    posts = [(path, route) for path, methods, route in _web_routes(app) if methods - {"GET", "HEAD"}]
    assert len(posts) == 10
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
        for template in GET_PAGES:
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
