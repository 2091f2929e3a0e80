"""Company settings: users (list, create, roles and status)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core.crypto import mask
from autotrade.core.db import utcnow
from autotrade.core.deps import require
from autotrade.core.errors import AppError
from autotrade.core.http import get_db
from autotrade.core.pagination import paginate
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.iam import service as iam
from autotrade.iam.models import Role, User, UserStatus
from autotrade.iam.repository import RoleRepository, UserRepository
from autotrade.iam.schemas import UserCreate, UserUpdate
from autotrade.orgs.models import Org
from autotrade.orgs.repository import OrgRepository
from autotrade.web import csrf
from autotrade.web.forms import app_error_message, clean, field_errors, form_data, undo
from autotrade.web.render import redirect, render, translator

router = api_router("/settings/users")
PAGE_SIZE = 50
CREATE_FIELDS = ("email", "name", "phone", "password", "branch_id", "locale")


def assignable_roles(db: Session, p: Principal) -> list[Role]:
    """Roles offered in the forms: built-in and the company's own; platform roles to platform staff."""
    return [r for r in RoleRepository(db).visible() if p.is_platform or not r.platform]


def _branches(db: Session, p: Principal) -> list[Org]:
    """The branches below the caller's company that the caller can see (not the company itself)."""
    rows, _ = paginate(db, OrgRepository(db).select(), Org.id, cursor=None, limit=200)
    return sorted((o for o in rows if o.id != p.org_id), key=lambda o: o.name)


def _phone(p: Principal, user: User) -> str | None:
    return user.phone if p.can("pii:view") else mask(user.phone, "phone")


def _list_page(
    request: Request,
    db: Session,
    p: Principal,
    *,
    cursor: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    users, nxt = paginate(db, UserRepository(db).select(), User.id, cursor=cursor, limit=PAGE_SIZE)
    branches = _branches(db, p)
    return render(
        request,
        "settings/users.html",
        db,
        status_code=status,
        users=users,
        roles_of=RoleRepository(db).roles_of_users([u.id for u in users]),
        phone_of={u.id: _phone(p, u) for u in users},
        branch_names={b.id: b.name for b in branches},
        next_cursor=nxt,
        roles=assignable_roles(db, p),
        branches=branches,
        values=values or {"locale": "zh_CN", "role_ids": []},
        errors=errors or {},
        error=error,
        now=utcnow(),
    )


@router.get("", include_in_schema=False)
def list_users(
    request: Request,
    cursor: str | None = None,
    p: Principal = Depends(require("users:view")),
    db: Session = Depends(get_db),
) -> Response:
    return _list_page(request, db, p, cursor=cursor)


@router.post("", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_user(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("users:edit")),
    db: Session = Depends(get_db),
) -> Response:
    raw: dict[str, Any] = {k: str(form.get(k) or "") for k in CREATE_FIELDS}
    role_ids = [str(v) for v in form.getlist("role_ids")]
    values = {k: v for k, v in raw.items() if k != "password"} | {"role_ids": role_ids}
    t = translator(request, db)
    try:
        data = UserCreate.model_validate({**clean(raw), "role_ids": role_ids})
    except ValidationError as exc:
        errors = field_errors(t, exc)
        errors = {k.split(".", 1)[0]: v for k, v in reversed(errors.items())}  # role_ids.0 → role_ids
        return _list_page(request, db, p, values=values, errors=errors, status=422)
    try:
        iam.create_user(db, p, data)
    except AppError as exc:
        undo(db, exc)
        message = app_error_message(t, exc)
        errors = {exc.field: message} if exc.field else {}
        return _list_page(
            request, db, p, values=values, errors=errors, error=None if errors else message, status=exc.status
        )
    return redirect(request, "/settings/users", flash="user_created")


# ---- one user ----------------------------------------------------------------------------------------


def _edit_context(db: Session, p: Principal, user: User) -> dict[str, Any]:
    roles = RoleRepository(db).roles_of_users([user.id])[user.id]
    return {
        "user": user,
        "user_roles": roles,
        "user_role_ids": {str(r.id) for r in roles},
        "phone": _phone(p, user),
        "roles": assignable_roles(db, p),
        "branches": _branches(db, p),
        "statuses": [s.value for s in UserStatus],
        "now": utcnow(),
    }


@router.get("/{user_id}", include_in_schema=False)
def user_detail(
    request: Request,
    user_id: uuid.UUID,
    p: Principal = Depends(require("users:view")),
    db: Session = Depends(get_db),
) -> Response:
    user = UserRepository(db).get_or_404(user_id)
    return render(
        request, "settings/user.html", db, errors={}, error=None, saved=False, **_edit_context(db, p, user)
    )


def _update_input(form: FormData, user: User, viewer_org: uuid.UUID) -> dict[str, Any]:
    out: dict[str, Any] = {"role_ids": [str(v) for v in form.getlist("role_ids")]}
    if form.get("status"):
        out["status"] = str(form.get("status"))
    if "branch_id" in form:
        branch = str(form.get("branch_id") or "") or None
        if branch != (str(user.org_id) if user.org_id != viewer_org else None):
            out["branch_id"] = branch  # only a change; a blank field means "the whole company"
    return out


@router.post("/{user_id}", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def update_user(
    request: Request,
    user_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("users:edit")),
    db: Session = Depends(get_db),
) -> Response:
    user = UserRepository(db).get_or_404(user_id)
    t = translator(request, db)
    errors: dict[str, str] = {}
    error: str | None = None
    status = 200
    try:
        data = UserUpdate.model_validate(_update_input(form, user, p.org_id))
        user = iam.update_user(db, p, user_id, data)
    except ValidationError as exc:
        errors = {k.split(".", 1)[0]: v for k, v in reversed(field_errors(t, exc).items())}
        status = 422
    except AppError as exc:
        if exc.status == 404 and exc.field is None:
            raise
        undo(db, exc)
        user = UserRepository(db).get_or_404(user_id)
        message = app_error_message(t, exc)
        errors, error, status = (
            ({exc.field: message}, None, exc.status) if exc.field else ({}, message, exc.status)
        )
    saved = status == 200
    if request.headers.get("hx-request") != "true" and saved:
        return redirect(request, f"/settings/users/{user_id}")
    template = (
        "settings/_user_form.html" if request.headers.get("hx-request") == "true" else "settings/user.html"
    )
    return render(
        request,
        template,
        db,
        status_code=status,
        errors=errors,
        error=error,
        saved=saved,
        **_edit_context(db, p, user),
    )
