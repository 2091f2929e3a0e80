"""Helpers for driving the web pages like a browser: fetch a page (which sets the CSRF cookie),
then post its forms with the token."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: Any, path: str = "/login") -> str:
    """The CSRF token the browser holds after opening ``path``."""
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    m = _TOKEN.search(r.text)
    assert m, "no CSRF field on the page"
    assert client.cookies.get("csrf") == m.group(1)
    return m.group(1)


def web_login(client: Any, email: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client, "/login")
    r = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text[:1000]
    assert client.cookies.get("autotrade_session")
    return r


def post_form(
    client: Any, path: str, data: dict[str, Any], *, htmx: bool = False, page: str | None = None
) -> Any:
    """Post a form (or an HTMX request) with the CSRF token of ``page`` (default: the same path)."""
    token = client.cookies.get("csrf") or csrf_of(client, page or path)
    headers = {"HX-Request": "true", "X-CSRF-Token": token} if htmx else {}
    body = data if htmx else {**data, "csrf_token": token}
    return client.post(path, data=body, headers=headers, follow_redirects=False)


@pytest.fixture
def as_user(client: Any) -> Any:
    """``as_user(email)`` logs the test client in through the login form."""

    def go(email: str, password: str = PASSWORD) -> Any:
        return web_login(client, email, password)

    return go
