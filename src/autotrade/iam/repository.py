from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select, update

from autotrade.core.repository import ALL_TENANTS, Repository
from autotrade.iam.models import ApiKey, AuthSession, Role, User, UserRole


class UserRepository(Repository[User]):
    model = User
    label = "user"
    not_found_code = "user_not_found"

    def by_email_any_tenant(self, email: str) -> User | None:
        return self.session.scalar(
            select(User).where(func.lower(User.email) == email.lower()).execution_options(**ALL_TENANTS)
        )

    def email_taken(self, email: str) -> bool:
        return self.by_email_any_tenant(email) is not None

    def register_failure(
        self, user_id: uuid.UUID, *, now: datetime, max_failures: int, lock_until: datetime
    ) -> tuple[int, datetime | None]:
        """Atomically count one failed login; lock the account when the count reaches the limit.
        A lock that has expired starts a fresh count. Safe across app nodes (one UPDATE)."""
        expired = (User.locked_until.is_not(None)) & (User.locked_until <= now)
        new_count = case((expired, 1), else_=User.failed_logins + 1)
        stmt = (
            update(User)
            .where(User.id == user_id)
            .values(
                failed_logins=new_count,
                locked_until=case(
                    (new_count >= max_failures, lock_until),
                    (expired, None),
                    else_=User.locked_until,
                ),
            )
            .returning(User.failed_logins, User.locked_until)
            # audited: the caller records auth.login_failed
            .execution_options(**ALL_TENANTS, synchronize_session=False, audited=True)
        )
        row = self.session.execute(stmt).one()
        return int(row[0]), row[1]

    def reset_failures(self, user_id: uuid.UUID, *, now: datetime) -> None:
        self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(failed_logins=0, locked_until=None, last_login_at=now)
            # audited: the caller records auth.login
            .execution_options(**ALL_TENANTS, synchronize_session=False, audited=True)
        )

    def filtered(self, *, phone_hmac: str | None = None, email: str | None = None) -> Select[Any]:
        stmt = select(User)
        if phone_hmac:
            stmt = stmt.where(User.phone_hmac == phone_hmac)
        if email:
            stmt = stmt.where(func.lower(User.email) == email.lower())
        return stmt


class RoleRepository(Repository[Role]):
    model = Role
    label = "role"
    not_found_code = "role_not_found"

    def by_key_any_tenant(self, key: str) -> Role | None:
        return self.session.scalar(select(Role).where(Role.key == key).execution_options(**ALL_TENANTS))

    def visible(self) -> Sequence[Role]:
        return self.session.scalars(select(Role).order_by(Role.key.is_(None), Role.name)).all()

    def permissions_of_user(self, user_id: uuid.UUID) -> list[str]:
        rows = self.session.execute(
            select(Role.permissions)
            .join(UserRole, UserRole.role_id == Role.id)
            .where(UserRole.user_id == user_id)
            .execution_options(**ALL_TENANTS)
        ).all()
        return [p for (plist,) in rows for p in plist]

    def roles_of_users(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Role]]:
        out: dict[uuid.UUID, list[Role]] = {uid: [] for uid in user_ids}
        if not user_ids:
            return out
        rows = self.session.execute(
            select(UserRole.user_id, Role)
            .join(Role, Role.id == UserRole.role_id)
            .where(UserRole.user_id.in_(user_ids))
        ).all()
        for uid, role in rows:
            out[uid].append(role)
        return out

    def in_use(self, role_id: uuid.UUID) -> bool:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(UserRole)
                .where(UserRole.role_id == role_id)
                .execution_options(**ALL_TENANTS)
            )
            or 0
        ) > 0

    def links_of_user(self, user_id: uuid.UUID) -> Sequence[UserRole]:
        return self.session.scalars(select(UserRole).where(UserRole.user_id == user_id)).all()


class ApiKeyRepository(Repository[ApiKey]):
    model = ApiKey
    label = "API key"
    not_found_code = "api_key_not_found"

    def by_prefix_any_tenant(self, prefix: str) -> ApiKey | None:
        return self.session.scalar(
            select(ApiKey).where(ApiKey.prefix == prefix).execution_options(**ALL_TENANTS)
        )

    def touch(self, key_id: uuid.UUID, now: datetime) -> None:
        self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            # A key's use is not a change to the key: keep updated_at, no audit row per request.
            .values(last_used_at=now, updated_at=ApiKey.updated_at)
            .execution_options(**ALL_TENANTS, synchronize_session=False, audited=True)
        )


class AuthSessionRepository(Repository[AuthSession]):
    model = AuthSession
    label = "session"

    def by_token_hash(self, token_hash: str, kind: str) -> AuthSession | None:
        return self.session.scalar(
            select(AuthSession).where(AuthSession.token_hash == token_hash, AuthSession.kind == kind)
        )

    def revoke_if_active(self, session_id: uuid.UUID, now: datetime) -> bool:
        """Revoke one session; True only for the caller that revoked it (refresh rotation race)."""
        result = self.session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def revoke_all_for_user(self, user_id: uuid.UUID, now: datetime) -> None:
        self.session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
