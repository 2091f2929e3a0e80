"""Server-rendered pages (Jinja2 + HTMX): a thin layer over the same services as the API.

Every page route declares its access with ``require(...)``, ``public()`` or ``authenticated()``
and, when it changes state, ``csrf_protect``. The routers of each area live in their own module and
are included here; :func:`web_error` renders every error that escapes a page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from autotrade.core.deps import WEB_SESSION_COOKIE
from autotrade.core.errors import AppError, NotAuthenticated
from autotrade.core.routing import api_router
from autotrade.web import (
    auth_pages,
    buyer_orders_pages,
    buyer_pages,
    catalog_pages,
    platform_pages,
    review_pages,
    roles_pages,
    supplier_orders_pages,
    supplier_pages,
    users_pages,
)
from autotrade.web.i18n import N_
from autotrade.web.render import render

router = api_router(tags=["web"])
for _sub in (
    auth_pages.router,
    review_pages.router,
    users_pages.router,
    roles_pages.router,
    buyer_pages.router,
    buyer_orders_pages.router,
    supplier_pages.router,
    supplier_orders_pages.router,
    catalog_pages.router,
    platform_pages.router,
):
    router.include_router(_sub)

_TITLES: dict[int, str] = {
    400: N_("The request is not valid"),
    403: N_("Permission denied"),
    404: N_("Page not found"),
    405: N_("This action is not allowed here"),
    409: N_("This conflicts with the current state"),
    413: N_("The request is too large"),
    422: N_("The request is not valid"),
    423: N_("Account locked"),
    429: N_("Too many requests"),
}
_CODE_TITLES: dict[str, str] = {
    "csrf_failed": N_("Your form has expired. Reload the page and try again."),
    "company_not_approved": N_("Your company is not approved for trading yet"),
}


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _login_redirect(request: Request) -> Response:
    target = "/login"
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?next=" + quote(here, safe="")
    if _is_htmx(request):
        response: Response = HTMLResponse("", status_code=401, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    if request.cookies.get(WEB_SESSION_COOKIE):
        response.delete_cookie(WEB_SESSION_COOKIE, path="/")
    return response


async def web_error(request: Request, exc: AppError, status: int | None = None) -> Response:
    """Render an error for a page: a login redirect when not logged in, else an error page (or, for
    an HTMX request, an alert fragment swapped into the flash area)."""
    if isinstance(exc, NotAuthenticated):
        return _login_redirect(request)
    status = status or exc.status
    title_msgid = _CODE_TITLES.get(exc.code) or _TITLES.get(status, N_("Something went wrong"))
    extra: dict[str, Any] = {
        "status": status,
        "title_msgid": title_msgid,
        "detail": exc.detail,
        "code": exc.code,
    }
    if _is_htmx(request):
        headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        return render(request, "_error_alert.html", status_code=status, headers=headers, **extra)
    response = render(request, "error.html", status_code=status, **extra)
    response.headers.update({k: v for k, v in exc.headers.items() if k.lower() == "retry-after"})
    return response
