"""Rendering pages: the Jinja environment, the per-request context (language, caller, CSRF token,
flash message) and the cookies that go with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from autotrade import __version__
from autotrade.core.context import request_id_var
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.iam.repository import UserRepository
from autotrade.web.csrf import CSRF_COOKIE, csrf_token_for
from autotrade.web.i18n import (
    DEFAULT_LANG,
    DEFAULT_TIMEZONE,
    LANG_COOKIE,
    LANGUAGES,
    N_,
    Translator,
    normalise_lang,
)
from autotrade.web.labels import LEVELS, ORG_STATUSES, ORG_TYPES, PART_POSITIONS, USER_STATUSES

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# app.css, then each area's own stylesheet (static/css/<area>.css), in name order.
STYLESHEETS = ["/static/app.css"] + [f"/static/css/{p.name}" for p in sorted(STATIC_DIR.glob("css/*.css"))]
FLASH_COOKIE = "flash"
ONE_YEAR = 365 * 24 * 3600

env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# Flash messages travel in a cookie as a key of this table, never as free text.
FLASHES: dict[str, tuple[str, str]] = {
    "logged_out": ("info", N_("You have been logged out.")),
    "registered": (
        "success",
        N_("Your company has been submitted and is waiting for review. You can log in now."),
    ),
    "user_created": ("success", N_("User created.")),
    "role_created": ("success", N_("Role created.")),
    "role_updated": ("success", N_("Role saved.")),
    "role_deleted": ("success", N_("Role deleted.")),
}

SELLER_TYPES = frozenset({"manufacturer", "distributor", "dealer"})
BUYER_TYPES = frozenset({"distributor", "dealer", "repair_shop", "fleet"})


def register_flashes(flashes: dict[str, tuple[str, str]]) -> None:
    """An area adds its own flash messages (keys must be new)."""
    clash = set(flashes) & set(FLASHES)
    assert not clash, clash
    FLASHES.update(flashes)


# Navigation: (path, label msgid, permission or None for any logged-in user, company kinds or None).
# The kinds are "buyer" (BUYER_TYPES), "seller" (SELLER_TYPES) and "platform".
NAV: list[tuple[str, str, str | None, str | None]] = [
    ("/dashboard", N_("Home"), None, None),
    ("/search", N_("Find parts"), "procurement:view", "buyer"),
    ("/cart", N_("Cart"), "procurement:edit", "buyer"),
    ("/buyer/orders", N_("Purchases"), "procurement:view", "buyer"),
    # Finance staff see no purchases (procurement:view) but handle the invoices and credit behind them.
    ("/buyer/invoices", N_("Invoices"), "payments:view", "buyer"),
    ("/supplier/orders", N_("Sales orders"), "orders:view", "seller"),
    ("/supplier/offers", N_("Offers"), "pricing:view", "seller"),
    ("/supplier/stock", N_("Stock"), "inventory:view", "seller"),
    ("/supplier/settlement", N_("Settlement"), "payments:view", "seller"),
    ("/platform/dashboard", N_("Dashboard"), "platform.finance:view", "platform"),
    ("/platform/review", N_("Company review"), "platform.companies:view", "platform"),
    ("/platform/catalog", N_("Catalogue"), "platform.catalog:view", "platform"),
    ("/platform/disputes", N_("Disputes"), "platform.risk:view", "platform"),
    ("/platform/finance", N_("Finance"), "platform.finance:view", "platform"),
    ("/platform/audit", N_("Audit log"), "platform.audit:view", "platform"),
    ("/settings/users", N_("Users"), "users:view", None),
    ("/settings/roles", N_("Roles"), "roles:view", None),
]


def _kind_ok(p: Principal, kind: str | None) -> bool:
    if kind is None:
        return True
    if kind == "platform":
        return p.is_platform
    return p.org_type in (SELLER_TYPES if kind == "seller" else BUYER_TYPES)


def nav_for(p: Principal | None) -> list[tuple[str, str]]:
    """The (path, label msgid) entries ``p`` may see."""
    if p is None:
        return []
    return [
        (path, label)
        for path, label, perm, kind in NAV
        if (perm is None or p.can(perm)) and _kind_ok(p, kind)
    ]


def principal_of(request: Request) -> Principal | None:
    p = getattr(request.state, "principal", None)
    return p if isinstance(p, Principal) else None


def request_lang(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then the user's own locale, then zh_CN."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        lang = normalise_lang(candidate)
        if lang:
            return lang
    p = principal_of(request)
    return normalise_lang(p.locale if p else None) or DEFAULT_LANG


def translator(request: Request, db: Session | None = None) -> Translator:
    """The request's translator; the time zone is the logged-in user's (looked up once)."""
    cached = getattr(request.state, "translator", None)
    if isinstance(cached, Translator):
        return cached
    tz = DEFAULT_TIMEZONE
    p = principal_of(request)
    if db is not None and p is not None and p.user_id is not None:
        user = UserRepository(db).get_any_tenant(p.user_id)
        if user is not None and user.timezone:
            tz = user.timezone
    t = Translator(request_lang(request), tz)
    request.state.translator = t
    return t


def _switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params)


def context(request: Request, db: Session | None = None, **extra: Any) -> dict[str, Any]:
    t = translator(request, db)
    p = principal_of(request)
    flash_key = request.cookies.get(FLASH_COOKIE)
    flash = FLASHES.get(flash_key or "")
    return {
        "request": request,
        "_": t.gettext,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "t": t,
        "lang": t.lang,
        "languages": [(code, label, _switch_url(request, code)) for code, label in LANGUAGES.items()],
        "principal": p,
        "nav": [(path, t.gettext(label)) for path, label in nav_for(p)],
        "csrf_token": csrf_token_for(request),
        "flash": (flash[0], t.gettext(flash[1])) if flash else None,
        "request_id": request_id_var.get() or "",
        "version": __version__,
        "stylesheets": STYLESHEETS,
        "path": request.url.path,
        "labels": {
            "org_types": ORG_TYPES,
            "org_statuses": ORG_STATUSES,
            "user_statuses": USER_STATUSES,
            "levels": LEVELS,
            "part_positions": PART_POSITIONS,
        },
        **extra,
    }


def _finish(request: Request, response: Response) -> Response:
    """Persist the language choice, the CSRF cookie, and drop a shown flash message."""
    settings: Settings = request.app.state.settings
    lang = normalise_lang(request.query_params.get("lang"))
    if lang and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="lax", secure=settings.secure_cookies
        )
    token = csrf_token_for(request)
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
        )
    if request.cookies.get(FLASH_COOKIE) and getattr(request.state, "flash_shown", False):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def render(
    request: Request,
    template: str,
    db: Session | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    ctx = context(request, db, **extra)
    if ctx["flash"] is not None:
        request.state.flash_shown = True
    html = env.get_template(template).render(ctx)
    return _finish(request, HTMLResponse(html, status_code=status_code, headers=headers))


def redirect(request: Request, url: str, *, flash: str | None = None) -> Response:
    """A 303 See Other (after a POST), optionally carrying a flash message to the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash is not None:
        assert flash in FLASHES, flash
        response.set_cookie(FLASH_COOKIE, flash, max_age=120, httponly=True, samesite="lax", path="/")
    return _finish(request, response)


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths may be a post-login destination (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value
