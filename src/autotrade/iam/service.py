"""Authentication (passwords, tokens, web sessions, API keys), users, roles.

Rules: login failures count towards a lockout stored on the user row (one atomic UPDATE, shared by all
app nodes); nobody grants a permission they do not hold; platform permissions exist only inside the
platform company.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from autotrade.audit.service import label, record_event
from autotrade.core import permissions as perms
from autotrade.core.db import utcnow
from autotrade.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from autotrade.core.ratelimit import RateLimiter
from autotrade.core.security import (
    decode_access_token,
    hash_password,
    issue_access_token,
    needs_rehash,
    new_secret,
    sha256_hex,
    verify_password,
)
from autotrade.core.settings import Settings
from autotrade.core.tenancy import Principal, expand_permissions
from autotrade.iam import principal_cache
from autotrade.iam.errors import (
    AccountDisabled,
    AccountLocked,
    EmailTaken,
    InvalidCredentials,
    RefreshTokenReused,
    RoleNotAssignable,
)
from autotrade.iam.models import ApiKey, AuthSession, Role, User, UserRole, UserStatus
from autotrade.iam.repository import ApiKeyRepository, AuthSessionRepository, RoleRepository, UserRepository
from autotrade.iam.schemas import ApiKeyIn, RoleIn, RoleUpdate, UserCreate, UserUpdate
from autotrade.orgs.models import OrgType
from autotrade.orgs.repository import OrgRepository

API_KEY_PREFIX = "atk"


@dataclass
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    user: User


# ---- principals --------------------------------------------------------------------------------------


def principal_for_user(
    session: Session, user: User, *, scopes: list[str] | None = None, api_key_id: uuid.UUID | None = None
) -> Principal:
    orgs = OrgRepository(session)
    org = orgs.get_any_tenant(user.org_id)
    if org is None:  # pragma: no cover - FK guarantees it
        raise NotAuthenticated("user has no company")
    platform = org.type == OrgType.platform
    granted = expand_permissions(RoleRepository(session).permissions_of_user(user.id), platform=platform)
    if scopes is not None:
        granted = granted & expand_permissions(scopes, platform=platform)
    company = org
    while company.parent_id is not None:  # a branch: find its top-level company
        parent = orgs.get_any_tenant(company.parent_id)
        if parent is None:  # pragma: no cover - FK guarantees it
            break
        company = parent
    return Principal(
        org_id=org.id,
        org_type=org.type.value,
        org_status=org.status.value,
        scope=orgs.subtree_ids(org.id),
        permissions=granted,
        user_id=user.id,
        branch_id=org.id if org.parent_id is not None else None,
        company_id=company.id,
        api_key_id=api_key_id,
        email=user.email,
        display_name=user.name,
        locale=user.locale,
    )


def authenticate_bearer(session: Session, settings: Settings, token: str) -> Principal:
    if token.startswith(API_KEY_PREFIX + "_"):
        return authenticate_api_key(session, token)
    claims = decode_access_token(settings.secret_key, token)  # signature and expiry, every time
    cached = principal_cache.cache.get(token)
    if cached is not None:
        return cached
    user = UserRepository(session).get_any_tenant(uuid.UUID(claims["sub"]))
    if user is None or user.status != UserStatus.active:
        raise NotAuthenticated("user no longer active", code="invalid_token")
    principal = principal_for_user(session, user)
    principal_cache.cache.put(token, principal, settings.auth_cache_seconds)
    return principal


def authenticate_api_key(session: Session, raw: str) -> Principal:
    try:
        _, prefix, secret = raw.split("_", 2)
    except ValueError as e:
        raise NotAuthenticated("malformed API key", code="invalid_api_key") from e
    repo = ApiKeyRepository(session)
    key = repo.by_prefix_any_tenant(prefix)
    now = utcnow()
    if key is None or not hmac.compare_digest(key.key_hash, sha256_hex(raw)) or not secret:
        raise NotAuthenticated("unknown API key", code="invalid_api_key")
    if key.revoked_at is not None:
        raise NotAuthenticated("API key revoked", code="api_key_revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise NotAuthenticated("API key expired", code="api_key_expired")
    creator = UserRepository(session).get_any_tenant(key.created_by_id)
    if creator is None or creator.status != UserStatus.active:
        raise NotAuthenticated("the user who created this key is no longer active", code="api_key_revoked")
    repo.touch(key.id, now)
    # A key never holds more than its creator holds now.
    return principal_for_user(session, creator, scopes=list(key.scopes), api_key_id=key.id)


def authenticate_web_session(session: Session, token: str) -> Principal:
    auth = AuthSessionRepository(session).by_token_hash(sha256_hex(token), "web")
    if auth is None or auth.revoked_at is not None or auth.expires_at <= utcnow():
        raise NotAuthenticated("session expired", code="session_expired")
    user = UserRepository(session).get_any_tenant(auth.user_id)
    if user is None or user.status != UserStatus.active:
        raise NotAuthenticated("user no longer active", code="session_expired")
    return principal_for_user(session, user)


# ---- login -------------------------------------------------------------------------------------------


def check_credentials(
    session: Session,
    settings: Settings,
    limiter: RateLimiter,
    *,
    email: str,
    password: str,
    client_ip: str | None,
) -> User:
    """Verify a password login; count failures and lock the account after too many."""
    limiter.hit(
        session, f"login:ip:{client_ip or '-'}", settings.login_rate_limit, settings.login_rate_window_seconds
    )
    users = UserRepository(session)
    user = users.by_email_any_tenant(email)
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        retry = int((user.locked_until - now).total_seconds()) + 1
        record_event(
            session,
            "auth.login_locked",
            entity_type="users",
            entity_id=user.id,
            org_id=user.org_id,
            actor_label=email,
        )
        raise AccountLocked(
            f"Too many failed logins; try again in {retry} s.", headers={"Retry-After": str(retry)}
        )
    if not verify_password(user.password_hash if user else None, password) or user is None:
        if user is not None:
            count, locked_until = users.register_failure(
                user.id,
                now=now,
                max_failures=settings.login_max_failures,
                lock_until=now + timedelta(seconds=settings.lockout_seconds),
            )
            record_event(
                session,
                "auth.login_failed",
                entity_type="users",
                entity_id=user.id,
                org_id=user.org_id,
                actor_label=email,
                after={"failed_logins": count, "locked": locked_until is not None and locked_until > now},
            )
            if locked_until is not None and locked_until > now:
                raise AccountLocked(
                    f"Too many failed logins; try again in {settings.lockout_seconds} s.",
                    headers={"Retry-After": str(settings.lockout_seconds)},
                )
        raise InvalidCredentials()
    if user.status != UserStatus.active:
        raise AccountDisabled()
    users.reset_failures(user.id, now=now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_event(
        session,
        "auth.login",
        entity_type="users",
        entity_id=user.id,
        org_id=user.org_id,
        actor_label=email,
        actor_user_id=user.id,
    )
    return user


def _new_auth_session(
    session: Session, user: User, kind: str, ttl: int, ip: str | None, ua: str | None
) -> str:
    token = new_secret()
    now = utcnow()
    session.add(
        AuthSession(
            user_id=user.id,
            kind=kind,
            token_hash=sha256_hex(token),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
            ip=ip,
            user_agent=(ua or "")[:300] or None,
        )
    )
    return token


def issue_tokens(
    session: Session, settings: Settings, user: User, ip: str | None, ua: str | None
) -> IssuedTokens:
    access = issue_access_token(
        settings.secret_key,
        user_id=user.id,
        org_id=user.org_id,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    refresh = _new_auth_session(session, user, "refresh", settings.refresh_token_ttl_seconds, ip, ua)
    session.flush()
    return IssuedTokens(access, settings.access_token_ttl_seconds, refresh, user)


def start_web_session(
    session: Session, settings: Settings, user: User, ip: str | None, ua: str | None
) -> str:
    token = _new_auth_session(session, user, "web", settings.web_session_ttl_seconds, ip, ua)
    session.flush()
    return token


def refresh_tokens(
    session: Session, settings: Settings, refresh_token: str, ip: str | None, ua: str | None
) -> IssuedTokens:
    """Rotate a refresh token. Reusing a rotated token revokes all of the user's sessions (theft)."""
    repo = AuthSessionRepository(session)
    auth = repo.by_token_hash(sha256_hex(refresh_token), "refresh")
    now = utcnow()
    if auth is None or auth.expires_at <= now:
        raise NotAuthenticated("refresh token unknown or expired", code="invalid_refresh_token")
    if auth.revoked_at is not None or not repo.revoke_if_active(auth.id, now):
        repo.revoke_all_for_user(auth.user_id, now)
        record_event(session, "auth.refresh_reuse", entity_type="users", entity_id=auth.user_id)
        raise RefreshTokenReused()
    user = UserRepository(session).get_any_tenant(auth.user_id)
    if user is None or user.status != UserStatus.active:
        raise AccountDisabled()
    return issue_tokens(session, settings, user, ip, ua)


def revoke_session_token(session: Session, token: str, kind: str) -> None:
    repo = AuthSessionRepository(session)
    auth = repo.by_token_hash(sha256_hex(token), kind)
    if auth is not None:
        repo.revoke_if_active(auth.id, utcnow())
        record_event(session, "auth.logout", entity_type="users", entity_id=auth.user_id)


# ---- users -------------------------------------------------------------------------------------------


def _assignable_roles(session: Session, actor: Principal, role_ids: list[uuid.UUID]) -> list[Role]:
    roles = RoleRepository(session)
    out = []
    for rid in dict.fromkeys(role_ids):
        role = roles.get(rid)
        if role is None:
            raise NotFound(f"role {rid} not found", code="role_not_found", field="role_ids")
        if role.platform and not actor.is_platform:
            raise RoleNotAssignable(f"role {role.name!r} is for platform staff only", field="role_ids")
        granted = expand_permissions(role.permissions, platform=actor.is_platform)
        missing = sorted(granted - actor.permissions)
        if missing:
            raise RoleNotAssignable(
                f"role {role.name!r} grants permissions you do not hold: {', '.join(missing)}",
                field="role_ids",
            )
        out.append(role)
    return out


def _target_org(actor: Principal, branch_id: uuid.UUID | None) -> uuid.UUID:
    """The org a managed user belongs to: a branch in the actor's scope, or the actor's own org."""
    if branch_id is None:
        return actor.org_id
    if branch_id not in actor.scope:
        raise NotFound("branch not found in this company", code="branch_not_found", field="branch_id")
    return branch_id


def _set_roles(session: Session, user: User, roles: list[Role]) -> None:
    repo = RoleRepository(session)
    current = {link.role_id: link for link in repo.links_of_user(user.id)}
    wanted = {r.id for r in roles}
    for rid, link in current.items():
        if rid not in wanted:
            session.delete(link)
    for rid in wanted - current.keys():
        session.add(UserRole(user_id=user.id, role_id=rid, org_id=user.org_id))


def create_user(session: Session, actor: Principal, data: UserCreate) -> User:
    users = UserRepository(session)
    if users.email_taken(data.email):
        raise EmailTaken(field="email")
    roles = _assignable_roles(session, actor, data.role_ids)
    user = User(
        org_id=_target_org(actor, data.branch_id),
        email=data.email.lower(),
        name=data.name,
        phone=data.phone,
        password_hash=hash_password(data.password),
        locale=data.locale,
    )
    users.add(user)
    _set_roles(session, user, roles)
    session.flush()
    return user


def update_user(session: Session, actor: Principal, user_id: uuid.UUID, data: UserUpdate) -> User:
    user = UserRepository(session).get_or_404(user_id)
    fields = data.model_dump(exclude_unset=True)
    if user.id == actor.user_id and fields.get("status") == UserStatus.disabled:
        raise Conflict("you cannot disable yourself", code="cannot_disable_self", field="status")
    if "role_ids" in fields:
        roles = _assignable_roles(session, actor, data.role_ids or [])
        if user.id == actor.user_id and not any(
            "users:admin" in expand_permissions(r.permissions, platform=actor.is_platform) for r in roles
        ):
            raise Conflict(
                "you cannot remove your own user administration", code="cannot_demote_self", field="role_ids"
            )
        _set_roles(session, user, roles)
    if "branch_id" in fields:
        user.org_id = _target_org(actor, data.branch_id)
        for link in RoleRepository(session).links_of_user(user.id):
            link.org_id = user.org_id
    for key in ("name", "phone", "status", "locale"):
        if key in fields:
            setattr(user, key, fields[key])
    if fields.get("status") == UserStatus.disabled:
        AuthSessionRepository(session).revoke_all_for_user(user.id, utcnow())
    session.flush()
    return user


def change_password(session: Session, actor: Principal, current: str, new: str) -> None:
    if actor.user_id is None:
        raise PermissionDenied("API keys have no password")
    user = UserRepository(session).get_or_404(actor.user_id)
    if not verify_password(user.password_hash, current):
        raise ValidationFailed(
            "current password is wrong", code="invalid_credentials", field="current_password"
        )
    user.password_hash = hash_password(new)
    label(user, "users.password_change")
    AuthSessionRepository(session).revoke_all_for_user(user.id, utcnow())
    session.flush()


def unlock_user(session: Session, user_id: uuid.UUID) -> User:
    user = UserRepository(session).get_or_404(user_id)
    user.failed_logins = 0
    user.locked_until = None
    record_event(session, "users.unlock", entity_type="users", entity_id=user.id, org_id=user.org_id)
    session.flush()
    return user


# ---- roles -------------------------------------------------------------------------------------------


def _check_role_permissions(actor: Principal, permissions: list[str], field: str = "permissions") -> None:
    for p in permissions:
        resource, _ = perms.parse(p)
        if resource.platform and not actor.is_platform:
            raise RoleNotAssignable(f"{p} is a platform permission", field=field)
    missing = sorted(expand_permissions(permissions, platform=actor.is_platform) - actor.permissions)
    if missing:
        raise RoleNotAssignable(f"you do not hold: {', '.join(missing)}", field=field)


def create_role(session: Session, actor: Principal, data: RoleIn) -> Role:
    _check_role_permissions(actor, data.permissions)
    exists = session.scalar(select(Role).where(Role.org_id == actor.org_id, Role.name == data.name))
    if exists is not None:
        raise Conflict("a role with this name exists", code="role_name_taken", field="name")
    role = Role(
        org_id=actor.org_id,
        name=data.name,
        description=data.description,
        permissions=data.permissions,
        platform=actor.is_platform,
    )
    return RoleRepository(session).add(role)


def _own_custom_role(session: Session, role_id: uuid.UUID) -> Role:
    role = RoleRepository(session).get_or_404(role_id)
    if role.builtin:
        raise Conflict("built-in roles cannot be changed", code="role_builtin_readonly")
    return role


def update_role(session: Session, actor: Principal, role_id: uuid.UUID, data: RoleUpdate) -> Role:
    role = _own_custom_role(session, role_id)
    if data.permissions is not None:
        _check_role_permissions(actor, data.permissions)
        role.permissions = data.permissions
    if data.name is not None:
        role.name = data.name
    if "description" in data.model_fields_set:
        role.description = data.description
    session.flush()
    return role


def delete_role(session: Session, role_id: uuid.UUID) -> None:
    role = _own_custom_role(session, role_id)
    if RoleRepository(session).in_use(role.id):
        raise Conflict("this role is still assigned to users", code="role_in_use")
    session.delete(role)
    session.flush()


def sync_builtin_roles(session: Session) -> int:
    """Write the built-in roles of ``core.permissions.BUILTIN_ROLES`` into the roles table."""
    repo = RoleRepository(session)
    changed = 0
    for key, (name, name_zh, platform, plist) in perms.BUILTIN_ROLES.items():
        role = repo.by_key_any_tenant(key)
        wanted = sorted(set(plist))
        if role is None:
            session.add(
                Role(key=key, name=name, name_zh=name_zh, platform=platform, permissions=wanted, org_id=None)
            )
            changed += 1
        elif (role.name, role.name_zh, role.platform, sorted(role.permissions)) != (
            name,
            name_zh,
            platform,
            wanted,
        ):
            role.name, role.name_zh, role.platform, role.permissions = name, name_zh, platform, wanted
            changed += 1
    session.flush()
    return changed


def builtin_role(session: Session, key: str) -> Role:
    role = RoleRepository(session).by_key_any_tenant(key)
    if role is None:
        raise NotFound(f"built-in role {key!r} missing; run `autotrade db upgrade`", code="role_not_found")
    return role


# ---- API keys ----------------------------------------------------------------------------------------


def create_api_key(session: Session, actor: Principal, data: ApiKeyIn) -> tuple[ApiKey, str]:
    if actor.user_id is None:
        raise PermissionDenied("an API key cannot create API keys", code="api_key_cannot_create_keys")
    _check_role_permissions(actor, data.scopes, field="scopes")
    prefix = secrets.token_hex(6)
    raw = f"{API_KEY_PREFIX}_{prefix}_{new_secret()}"
    key = ApiKey(
        org_id=actor.org_id,
        name=data.name,
        prefix=prefix,
        key_hash=sha256_hex(raw),
        scopes=data.scopes,
        created_by_id=actor.user_id,
        expires_at=utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None,
    )
    ApiKeyRepository(session).add(key)
    return key, raw


def revoke_api_key(session: Session, key_id: uuid.UUID) -> ApiKey:
    key = ApiKeyRepository(session).get_or_404(key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        label(key, "api_keys.revoke")
        session.flush()
    return key
