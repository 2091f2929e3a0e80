"""The one permission dependency every route declares.

``Depends(require("users:edit"))`` authenticates the caller (bearer JWT, API key, or web session
cookie), checks the permission, binds the caller's tenant scope to the request's session and returns
the :class:`Principal`. ``Depends(public())`` declares a route that needs no login. A test walks every
route and fails on any that declares neither.
"""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from autotrade.core import permissions as perms
from autotrade.core.errors import NotAuthenticated, PermissionDenied
from autotrade.core.http import get_db
from autotrade.core.settings import Settings
from autotrade.core.tenancy import SCOPE_KEY, Principal, bind_principal

WEB_SESSION_COOKIE = "autotrade_session"


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _credentials(request: Request) -> tuple[str, str] | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return "bearer", auth[7:].strip()
    api_key = request.headers.get("x-api-key")
    if api_key:
        return "bearer", api_key.strip()
    cookie = request.cookies.get(WEB_SESSION_COOKIE)
    if cookie:
        return "web", cookie
    return None


def authenticate(request: Request, session: Session) -> Principal:
    from autotrade.iam import service as iam

    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    creds = _credentials(request)
    if creds is None:
        raise NotAuthenticated("log in or send a bearer token or API key")
    kind, token = creds
    settings: Settings = request.app.state.settings
    principal = (
        iam.authenticate_web_session(session, token)
        if kind == "web"
        else iam.authenticate_bearer(session, settings, token)
    )
    request.state.principal = principal
    bind_principal(session, principal)
    return principal


class Requires:
    """Dependency object: authenticate, then require every listed permission."""

    def __init__(self, permissions: tuple[str, ...], *, any_of: bool = False) -> None:
        for p in permissions:
            perms.parse(p)  # fail at import time on a typo
        self.permissions = permissions
        self.any_of = any_of
        self.trading = any(perms.parse(p)[0].trading for p in permissions)

    def __call__(self, request: Request, session: Session = Depends(get_db)) -> Principal:
        principal = authenticate(request, session)
        held = [p for p in self.permissions if principal.can(p)]
        if not (held if self.any_of else len(held) == len(self.permissions)):
            missing = [p for p in self.permissions if not principal.can(p)]
            raise PermissionDenied(f"requires {' or '.join(missing) if self.any_of else ', '.join(missing)}")
        if self.trading and principal.org_status != "approved":
            raise PermissionDenied(
                "your company is not approved for trading yet", code="company_not_approved"
            )
        return principal

    def __repr__(self) -> str:
        return f"require{self.permissions!r}"


class Public:
    """Dependency object: a route that needs no login. The session sees no tenant rows."""

    def __call__(self, request: Request, session: Session = Depends(get_db)) -> None:
        session.info.setdefault(SCOPE_KEY, frozenset())


class Authenticated:
    """Any logged-in caller, whatever their permissions (their own profile, logout)."""

    def __call__(self, request: Request, session: Session = Depends(get_db)) -> Principal:
        return authenticate(request, session)


def require(*permissions: str, any_of: bool = False) -> Requires:
    return Requires(permissions, any_of=any_of)


def public() -> Public:
    return Public()


def authenticated() -> Authenticated:
    return Authenticated()


def optional_principal(request: Request, session: Session) -> Principal | None:
    try:
        return authenticate(request, session)
    except NotAuthenticated:
        return None
