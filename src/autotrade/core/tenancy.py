"""Tenant isolation, in one place.

Every tenant-scoped model inherits :class:`TenantScoped`. A session-wide ORM hook adds
``org_id IN (<caller's visible companies>)`` to every SELECT, UPDATE and DELETE that touches such a
model, so no repository or route can forget it. The scope lives in ``session.info``:

* a :class:`Principal`'s visible companies (its company, or the branch it is limited to, and the
  branches below) once a route's permission dependency has authenticated the caller;
* ``SYSTEM`` for CLI commands, jobs and migrations (trusted code paths);
* nothing — which means *no rows at all* (fail closed), e.g. on a public route.

Platform staff reading across companies must say so on the query:
``.execution_options(all_tenants=True)`` — only repository methods behind ``platform.*`` permissions
do that.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from sqlalchemy import ColumnElement, ForeignKey, bindparam, event, or_, true
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)

from autotrade.core import permissions as perms


class _System:
    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = _System()
SCOPE_KEY = "tenant_scope"
PRINCIPAL_KEY = "principal"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (through a token or web session) or an API key acting for a company."""

    org_id: uuid.UUID
    org_type: str
    org_status: str
    scope: frozenset[uuid.UUID]
    permissions: frozenset[str]
    user_id: uuid.UUID | None = None
    # Set when the caller's org is a branch: the user is limited to that branch (and those below it).
    branch_id: uuid.UUID | None = None
    # The top-level company the caller's org belongs to (the org itself when it is not a branch).
    company_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    email: str | None = None
    display_name: str | None = None
    locale: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_platform(self) -> bool:
        return self.org_type == "platform"

    @property
    def root_company_id(self) -> uuid.UUID:
        return self.company_id or self.org_id

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def actor_label(self) -> str:
        if self.api_key_id:
            return f"api_key:{self.api_key_id}"
        return self.email or str(self.user_id)


def expand_permissions(granted: Iterable[str], *, platform: bool) -> frozenset[str]:
    """Expand levels and drop platform permissions held outside the platform company."""
    out = perms.expand(granted)
    if not platform:
        out = frozenset(p for p in out if not p.startswith("platform."))
    return out


SCOPE_PARAM = "tenant_scope_ids"


class TenantScoped:
    """Base of every model whose rows belong to a company, through an ``org_id`` attribute (a column,
    or for the company table itself a synonym of ``id``)."""

    __tenant_shared_null__: ClassVar[bool] = False  # True: rows with a NULL owner are visible to all
    # Other columns naming a company that is a party to the row (an order's supplier beside its buyer
    # in ``org_id``): the row is visible to the caller when any of them is in scope.
    __tenant_parties__: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def tenant_criteria(cls) -> ColumnElement[bool]:
        if cls is TenantScoped:  # the ORM analyses the criteria once against the mixin itself
            return true()
        column = cls.org_id  # type: ignore[attr-defined]
        clause = column.in_(bindparam(SCOPE_PARAM, expanding=True))
        if cls.__tenant_parties__:
            others = [
                getattr(cls, c).in_(bindparam(SCOPE_PARAM, expanding=True)) for c in cls.__tenant_parties__
            ]
            clause = or_(clause, *others)
        if cls.__tenant_shared_null__:
            return or_(clause, column.is_(None))
        return clause


class OrgOwned(TenantScoped):
    """Mixin adding the owning company's ``org_id``."""

    @declared_attr
    def org_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805
        return mapped_column(ForeignKey("orgs.id", ondelete="RESTRICT"), index=True)


def bind_principal(session: Session, principal: Principal) -> None:
    session.info[PRINCIPAL_KEY] = principal
    session.info[SCOPE_KEY] = principal.scope


def bind_system(session: Session, actor: str = "system") -> None:
    session.info[SCOPE_KEY] = SYSTEM
    session.info["actor_label"] = actor


def current_principal(session: Session) -> Principal | None:
    p = session.info.get(PRINCIPAL_KEY)
    return p if isinstance(p, Principal) else None


@event.listens_for(Session, "do_orm_execute")
def _apply_tenant_scope(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("all_tenants", False):
        return
    scope = state.session.info.get(SCOPE_KEY)
    if scope is SYSTEM:
        return
    visible = sorted(scope) if isinstance(scope, frozenset) else []
    params = state.parameters
    if isinstance(params, list):
        state.parameters = [{**p, SCOPE_PARAM: visible} for p in params]
    else:
        state.parameters = {**dict(params or {}), SCOPE_PARAM: visible}  # type: ignore[arg-type]
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_criteria(), include_aliases=True)
    )
