"""CSRF protection by double submit: a random token in the ``csrf`` cookie must come back with every
state-changing request, in the ``X-CSRF-Token`` header (HTMX, set once on ``<body hx-headers>``) or
the ``csrf_token`` form field. A cross-site page can make the browser send the cookie, but cannot
read it to put it in the request."""

from __future__ import annotations

import hmac
import re
import secrets

from fastapi import Request

from autotrade.core.errors import PermissionDenied

CSRF_COOKIE = "csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{32,64}$")


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    title = "Security token missing or invalid"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token_for(request: Request) -> str:
    """The token this response carries: the browser's cookie if well-formed, else a fresh one."""
    token = getattr(request.state, "csrf_token", None)
    if isinstance(token, str):
        return token
    cookie = request.cookies.get(CSRF_COOKIE, "")
    token = cookie if _TOKEN.match(cookie) else new_token()
    request.state.csrf_token = token
    return token


def rotate(request: Request) -> None:
    """Issue a fresh token (after login), so a token planted before login is worthless."""
    request.state.csrf_token = new_token()


async def csrf_protect(request: Request) -> None:
    """Dependency for every web route that changes state."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not cookie or not sent or not _TOKEN.match(cookie) or not hmac.compare_digest(cookie, sent):
        raise CsrfFailed(
            "the form's security token is missing or does not match; reload the page and try again"
        )
