"""Company settings: roles (built-in and custom) and their permissions."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from autotrade.core import permissions as perms
from autotrade.core.deps import require
from autotrade.core.errors import AppError, NotFound
from autotrade.core.http import get_db
from autotrade.core.routing import api_router
from autotrade.core.tenancy import Principal
from autotrade.iam import service as iam
from autotrade.iam.models import Role
from autotrade.iam.repository import RoleRepository
from autotrade.iam.schemas import RoleIn, RoleUpdate
from autotrade.web import csrf
from autotrade.web.forms import app_error_message, clean, field_errors, form_data, undo
from autotrade.web.render import redirect, render, translator
from autotrade.web.users_pages import assignable_roles

router = api_router("/settings/roles")


def permission_grid(p: Principal) -> list[perms.Resource]:
    """The resources whose permissions the caller may put in a role (no platform ones outside it)."""
    return [r for r in perms.RESOURCES.values() if p.is_platform or not r.platform]


def _form_values(form: FormData) -> dict[str, Any]:
    return {
        "name": str(form.get("name") or ""),
        "description": str(form.get("description") or ""),
        "permissions": [str(v) for v in form.getlist("permissions")],
    }


def _errors(request: Request, exc: ValidationError) -> dict[str, str]:
    return {k.split(".", 1)[0]: v for k, v in reversed(field_errors(translator(request), exc).items())}


def _list_page(
    request: Request,
    db: Session,
    p: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "settings/roles.html",
        db,
        status_code=status,
        roles=assignable_roles(db, p),
        resources=permission_grid(p),
        levels=perms.LEVELS,
        values=values or {"name": "", "description": "", "permissions": []},
        errors=errors or {},
        error=error,
    )


@router.get("", include_in_schema=False)
def list_roles(
    request: Request, p: Principal = Depends(require("roles:view")), db: Session = Depends(get_db)
) -> Response:
    return _list_page(request, db, p)


@router.post("", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def create_role(
    request: Request,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("roles:edit")),
    db: Session = Depends(get_db),
) -> Response:
    values = _form_values(form)
    try:
        data = RoleIn.model_validate(clean(values))
        iam.create_role(db, p, data)
    except ValidationError as exc:
        return _list_page(request, db, p, values=values, errors=_errors(request, exc), status=422)
    except AppError as exc:
        undo(db, exc)
        message = app_error_message(translator(request), exc)
        errors = {exc.field: message} if exc.field else {}
        return _list_page(
            request, db, p, values=values, errors=errors, error=None if errors else message, status=exc.status
        )
    return redirect(request, "/settings/roles", flash="role_created")


def _role_page(
    request: Request,
    db: Session,
    p: Principal,
    role: Role,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "settings/role.html",
        db,
        status_code=status,
        role=role,
        resources=permission_grid(p),
        levels=perms.LEVELS,
        values=values
        or {"name": role.name, "description": role.description or "", "permissions": list(role.permissions)},
        errors=errors or {},
        error=error,
    )


def _visible_role(db: Session, p: Principal, role_id: uuid.UUID) -> Role:
    role = RoleRepository(db).get_or_404(role_id)
    if role.platform and not p.is_platform:
        raise NotFound("role not found", code="role_not_found")  # the same 404 as an unknown role
    return role


@router.get("/{role_id}", include_in_schema=False)
def role_detail(
    request: Request,
    role_id: uuid.UUID,
    p: Principal = Depends(require("roles:view")),
    db: Session = Depends(get_db),
) -> Response:
    return _role_page(request, db, p, _visible_role(db, p, role_id))


@router.post("/{role_id}", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def update_role(
    request: Request,
    role_id: uuid.UUID,
    form: FormData = Depends(form_data),
    p: Principal = Depends(require("roles:edit")),
    db: Session = Depends(get_db),
) -> Response:
    role = _visible_role(db, p, role_id)
    values = _form_values(form)
    try:
        data = RoleUpdate.model_validate(
            clean(values) | {"description": values["description"].strip() or None}
        )
        iam.update_role(db, p, role_id, data)
    except ValidationError as exc:
        return _role_page(request, db, p, role, values=values, errors=_errors(request, exc), status=422)
    except AppError as exc:
        undo(db, exc)
        role = _visible_role(db, p, role_id)
        message = app_error_message(translator(request), exc)
        errors = {exc.field: message} if exc.field else {}
        return _role_page(
            request,
            db,
            p,
            role,
            values=values,
            errors=errors,
            error=None if errors else message,
            status=exc.status,
        )
    return redirect(request, f"/settings/roles/{role_id}", flash="role_updated")


@router.post("/{role_id}/delete", include_in_schema=False, dependencies=[Depends(csrf.csrf_protect)])
def delete_role(
    request: Request,
    role_id: uuid.UUID,
    p: Principal = Depends(require("roles:admin")),
    db: Session = Depends(get_db),
) -> Response:
    role = _visible_role(db, p, role_id)
    try:
        iam.delete_role(db, role.id)
    except AppError as exc:
        undo(db, exc)
        role = _visible_role(db, p, role_id)
        return _role_page(
            request, db, p, role, error=app_error_message(translator(request), exc), status=exc.status
        )
    return redirect(request, "/settings/roles", flash="role_deleted")
