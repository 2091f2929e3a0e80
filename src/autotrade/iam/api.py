from __future__ import annotations

import uuid

from fastapi import Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from autotrade.core import permissions as perms
from autotrade.core.crypto import keyring
from autotrade.core.db import utcnow
from autotrade.core.deps import authenticated, get_settings_dep, public, require
from autotrade.core.http import get_db
from autotrade.core.idempotency import Idempotency, idempotency
from autotrade.core.pagination import Page, page_of, paginate
from autotrade.core.routing import api_router
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal
from autotrade.iam import service
from autotrade.iam.models import ApiKey, User
from autotrade.iam.repository import ApiKeyRepository, RoleRepository, UserRepository
from autotrade.iam.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    LoginIn,
    MeOut,
    PasswordChange,
    PermissionOut,
    RefreshIn,
    RoleIn,
    RoleOut,
    RoleUpdate,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)

router = api_router("/api/v1", tags=["auth & users"])


def _client(request: Request) -> tuple[str | None, str | None]:
    return (request.client.host if request.client else None), request.headers.get("user-agent")


def _tokens(t: service.IssuedTokens) -> TokenOut:
    return TokenOut(access_token=t.access_token, expires_in=t.expires_in, refresh_token=t.refresh_token)


@router.post("/auth/login", response_model=TokenOut, dependencies=[Depends(public())])
def login(
    data: LoginIn,
    request: Request,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> TokenOut:
    """Password login → short-lived JWT access token and a rotating refresh token."""
    ip, ua = _client(request)
    user = service.check_credentials(
        db, settings, request.app.state.rate_limiter, email=data.email, password=data.password, client_ip=ip
    )
    return _tokens(service.issue_tokens(db, settings, user, ip, ua))


@router.post("/auth/refresh", response_model=TokenOut, dependencies=[Depends(public())])
def refresh(
    data: RefreshIn,
    request: Request,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings_dep),
) -> TokenOut:
    ip, ua = _client(request)
    return _tokens(service.refresh_tokens(db, settings, data.refresh_token, ip, ua))


@router.post("/auth/logout", status_code=204, dependencies=[Depends(public())])
def logout(data: RefreshIn, db: Session = Depends(get_db)) -> Response:
    """Revoke a refresh token (the access token expires by itself)."""
    service.revoke_session_token(db, data.refresh_token, "refresh")
    return Response(status_code=204)


@router.get("/me", response_model=MeOut)
def me(p: Principal = Depends(authenticated())) -> MeOut:
    return MeOut(
        user_id=p.user_id,
        api_key_id=p.api_key_id,
        email=p.email,
        name=p.display_name,
        org_id=p.org_id,
        org_type=p.org_type,
        org_status=p.org_status,
        branch_id=p.branch_id,
        company_id=p.root_company_id,
        visible_org_ids=sorted(p.scope),
        permissions=sorted(p.permissions),
    )


@router.post("/me/password", status_code=204)
def change_password(
    data: PasswordChange, p: Principal = Depends(authenticated()), db: Session = Depends(get_db)
) -> Response:
    """Change your own password; every other session of yours is logged out."""
    service.change_password(db, p, data.current_password, data.new_password)
    return Response(status_code=204)


# ---- users -------------------------------------------------------------------------------------------


def _users_out(db: Session, p: Principal, users: list[User]) -> list[UserOut]:
    roles = RoleRepository(db).roles_of_users([u.id for u in users])
    now = utcnow()
    return [UserOut.build(u, roles[u.id], p.can("pii:view"), now, p.org_id) for u in users]


@router.get("/users", response_model=Page[UserOut])
def list_users(
    phone: str | None = Query(None, description="exact phone number (matched through a keyed hash)"),
    email: str | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("users:view")),
    db: Session = Depends(get_db),
) -> Page[UserOut]:
    stmt = UserRepository(db).filtered(
        phone_hmac=keyring().blind_index(phone, "phone") if phone else None, email=email
    )
    rows, nxt = paginate(db, stmt, User.id, cursor=cursor, limit=limit)
    return Page(items=_users_out(db, p, rows), next_cursor=nxt)


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(
    data: UserCreate,
    p: Principal = Depends(require("users:edit")),
    db: Session = Depends(get_db),
    idem: Idempotency = Depends(idempotency("users.create")),
) -> JSONResponse:
    return idem.run(lambda: _users_out(db, p, [service.create_user(db, p, data)])[0], status_code=201)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(
    user_id: uuid.UUID, p: Principal = Depends(require("users:view")), db: Session = Depends(get_db)
) -> UserOut:
    return _users_out(db, p, [UserRepository(db).get_or_404(user_id)])[0]


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: uuid.UUID,
    data: UserUpdate,
    p: Principal = Depends(require("users:edit")),
    db: Session = Depends(get_db),
) -> UserOut:
    return _users_out(db, p, [service.update_user(db, p, user_id, data)])[0]


@router.post("/users/{user_id}/unlock", response_model=UserOut)
def unlock_user(
    user_id: uuid.UUID, p: Principal = Depends(require("users:admin")), db: Session = Depends(get_db)
) -> UserOut:
    return _users_out(db, p, [service.unlock_user(db, user_id)])[0]


# ---- roles -------------------------------------------------------------------------------------------


@router.get("/permissions", response_model=list[PermissionOut])
def list_permissions(p: Principal = Depends(require("roles:view"))) -> list[PermissionOut]:
    out = []
    for perm in perms.all_permissions():
        resource, level = perms.parse(perm)
        if resource.platform and not p.is_platform:
            continue
        out.append(
            PermissionOut(
                permission=perm,
                resource=resource.name,
                level=level,
                label_en=resource.label_en,
                label_zh=resource.label_zh,
            )
        )
    return out


@router.get("/roles", response_model=list[RoleOut])
def list_roles(p: Principal = Depends(require("roles:view")), db: Session = Depends(get_db)) -> list[RoleOut]:
    """Built-in roles plus the company's own; platform roles only for platform staff."""
    return [RoleOut.build(r) for r in RoleRepository(db).visible() if p.is_platform or not r.platform]


@router.post("/roles", status_code=201, response_model=RoleOut)
def create_role(
    data: RoleIn, p: Principal = Depends(require("roles:edit")), db: Session = Depends(get_db)
) -> RoleOut:
    return RoleOut.build(service.create_role(db, p, data))


@router.get("/roles/{role_id}", response_model=RoleOut)
def get_role(
    role_id: uuid.UUID, p: Principal = Depends(require("roles:view")), db: Session = Depends(get_db)
) -> RoleOut:
    return RoleOut.build(RoleRepository(db).get_or_404(role_id))


@router.patch("/roles/{role_id}", response_model=RoleOut)
def update_role(
    role_id: uuid.UUID,
    data: RoleUpdate,
    p: Principal = Depends(require("roles:edit")),
    db: Session = Depends(get_db),
) -> RoleOut:
    return RoleOut.build(service.update_role(db, p, role_id, data))


@router.delete("/roles/{role_id}", status_code=204)
def delete_role(
    role_id: uuid.UUID, p: Principal = Depends(require("roles:admin")), db: Session = Depends(get_db)
) -> Response:
    service.delete_role(db, role_id)
    return Response(status_code=204)


# ---- API keys ----------------------------------------------------------------------------------------


@router.get("/api-keys", response_model=Page[ApiKeyOut])
def list_api_keys(
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    p: Principal = Depends(require("api_keys:view")),
    db: Session = Depends(get_db),
) -> Page[ApiKeyOut]:
    return page_of(db, ApiKeyRepository(db).select(), ApiKey.id, ApiKeyOut.build, cursor=cursor, limit=limit)


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_api_key(
    data: ApiKeyIn, p: Principal = Depends(require("api_keys:edit")), db: Session = Depends(get_db)
) -> ApiKeyCreated:
    """Create a machine key with the given scopes. The secret is in this response only."""
    key, raw = service.create_api_key(db, p, data)
    return ApiKeyCreated(**ApiKeyOut.build(key).model_dump(), key=raw)


@router.get("/api-keys/{key_id}", response_model=ApiKeyOut)
def get_api_key(
    key_id: uuid.UUID, p: Principal = Depends(require("api_keys:view")), db: Session = Depends(get_db)
) -> ApiKeyOut:
    return ApiKeyOut.build(ApiKeyRepository(db).get_or_404(key_id))


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyOut)
def revoke_api_key(
    key_id: uuid.UUID, p: Principal = Depends(require("api_keys:edit")), db: Session = Depends(get_db)
) -> ApiKeyOut:
    return ApiKeyOut.build(service.revoke_api_key(db, key_id))
