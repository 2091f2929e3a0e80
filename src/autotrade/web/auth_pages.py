"""Log in, log out, company self-registration and the home page."""

from __future__ import annotations

import math
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.deps import WEB_SESSION_COOKIE, authenticated, optional_principal, public
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.iam import service as iam
from autotrade.orgs import service as orgs
from autotrade.orgs.models import OrgType
from autotrade.orgs.repository import OrgRepository
from autotrade.orgs.schemas import RegisterIn
from autotrade.web import csrf
from autotrade.web.forms import app_error_message, clean, field_errors, form_data, undo
from autotrade.web.i18n import N_
from autotrade.web.labels import ORG_TYPES
from autotrade.web.render import redirect, render, safe_next, translator

router = api_router()

_LOGIN_MESSAGES = {
    "invalid_credentials": N_("Email or password is wrong."),
    "account_disabled": N_("This account is disabled. Ask your company's administrator."),
    "rate_limited": N_("Too many attempts. Wait a minute and try again."),
}

# Registration form fields, in order; names are the schema's locations with the one contact
# flattened to ``contact.*``.
REGISTER_FIELDS = (
    "company.name",
    "company.type",
    "company.uscc",
    "company.province",
    "company.city",
    "company.district",
    "company.address",
    "contact.name",
    "contact.phone",
    "owner.name",
    "owner.email",
    "owner.phone",
    "owner.password",
)


@router.get("/", include_in_schema=False, dependencies=[Depends(public())])
def home(request: Request, db: Session = Depends(get_db)) -> Response:
    return redirect(request, "/dashboard" if optional_principal(request, db) else "/login")


@router.get("/login", include_in_schema=False, dependencies=[Depends(public())])
def login_form(request: Request, next: str | None = None, db: Session = Depends(get_db)) -> Response:
    if optional_principal(request, db) is not None:
        return redirect(request, safe_next(next))
    return render(request, "login.html", db, email="", error=None, next=safe_next(next, ""))


@router.post("/login", include_in_schema=False, dependencies=[Depends(public()), Depends(csrf.csrf_protect)])
def login(request: Request, form: FormData = Depends(form_data), db: Session = Depends(get_db)) -> Response:
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    nxt = safe_next(str(form.get("next") or ""), "")
    t = translator(request)
    settings: Settings = request.app.state.settings
    ip = request.client.host if request.client else None
    try:
        if not email or not password:
            return render(
                request,
                "login.html",
                email=email,
                next=nxt,
                status_code=422,
                error=t.gettext("Enter your email and password."),
            )
        user = iam.check_credentials(
            db, settings, request.app.state.rate_limiter, email=email, password=password, client_ip=ip
        )
    except AppError as exc:
        undo(db, exc)  # a failed login's count is kept: it is the write (exc.commit)
        return render(
            request,
            "login.html",
            email=email,
            next=nxt,
            status_code=exc.status,
            error=_login_error(request, exc),
        )
    token = iam.start_web_session(db, settings, user, ip, request.headers.get("user-agent"))
    csrf.rotate(request)
    response = redirect(request, safe_next(nxt))
    response.set_cookie(
        WEB_SESSION_COOKIE,
        token,
        max_age=settings.web_session_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


def _login_error(request: Request, exc: AppError) -> str:
    t = translator(request)
    if exc.code == "account_locked":
        seconds = int(exc.headers.get("Retry-After", "900"))
        minutes = max(1, math.ceil(seconds / 60))
        return t.ngettext(
            "Account locked after repeated failed logins. Try again in %(num)d minute.",
            "Account locked after repeated failed logins. Try again in %(num)d minutes.",
            minutes,
        )
    return t.gettext(_LOGIN_MESSAGES.get(exc.code, _LOGIN_MESSAGES["invalid_credentials"]))


@router.post("/logout", include_in_schema=False, dependencies=[Depends(public()), Depends(csrf.csrf_protect)])
def logout(request: Request, db: Session = Depends(get_db)) -> Response:
    token = request.cookies.get(WEB_SESSION_COOKIE)
    if token:
        iam.revoke_session_token(db, token, "web")
    response = redirect(request, "/login", flash="logged_out")
    response.delete_cookie(WEB_SESSION_COOKIE, path="/")
    return response


@router.get("/dashboard", include_in_schema=False)
def dashboard(
    request: Request, p: Principal = Depends(authenticated()), db: Session = Depends(get_db)
) -> Response:
    repo = OrgRepository(db)
    company = repo.get_any_tenant(p.root_company_id)  # the top-level company, also for a branch user
    branch = repo.get(p.branch_id) if p.branch_id else None
    return render(request, "dashboard.html", db, company=company, branch=branch)


# ---- registration ------------------------------------------------------------------------------------


def _register_input(values: dict[str, Any]) -> dict[str, Any]:
    company = {k.removeprefix("company."): v for k, v in values.items() if k.startswith("company.")}
    contact = {k.removeprefix("contact."): v for k, v in values.items() if k.startswith("contact.")}
    owner = {k.removeprefix("owner."): v for k, v in values.items() if k.startswith("owner.")}
    company["contacts"] = [{**contact, "is_primary": True}]
    return {"company": company, "owner": owner}


def _register_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    return render(
        request,
        "register.html",
        status_code=status,
        values=values,
        errors=errors,
        error=error,
        org_types=[(k, v) for k, v in ORG_TYPES.items() if k != OrgType.platform.value],
    )


@router.get("/register", include_in_schema=False, dependencies=[Depends(public())])
def register_form(request: Request) -> Response:
    return _register_page(request, {}, {})


@router.post(
    "/register", include_in_schema=False, dependencies=[Depends(public()), Depends(csrf.csrf_protect)]
)
def register(
    request: Request, form: FormData = Depends(form_data), db: Session = Depends(get_db)
) -> Response:
    raw = {name: str(form.get(name) or "") for name in REGISTER_FIELDS}
    values = {k: v for k, v in raw.items() if k != "owner.password"}
    t = translator(request)
    try:
        data = RegisterIn.model_validate(_register_input(clean(raw)))
    except ValidationError as exc:
        errors = field_errors(t, exc, {"company.contacts.0": "contact"})
        return _register_page(request, values, errors, status=422)
    try:
        orgs.register(db, data)
    except AppError as exc:
        undo(db, exc)
        message = app_error_message(t, exc)
        field = exc.field if exc.field in REGISTER_FIELDS else None
        return _register_page(
            request,
            values,
            {field: message} if field else {},
            status=exc.status,
            error=None if field else message,
        )
    return redirect(request, "/login", flash="registered")
