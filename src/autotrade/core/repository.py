"""Base of every domain repository: queries for one model, within the session's tenant scope.

The tenant filter itself is applied by the session hook in ``core.tenancy``; repositories only add
``all_tenants`` on methods that are explicitly platform-wide.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from autotrade.core.errors import NotFound

ALL_TENANTS = {"all_tenants": True}


M = TypeVar("M")


class Repository(Generic[M]):
    model: type[M]
    not_found_code = "not_found"
    label = "resource"

    def __init__(self, session: Session) -> None:
        self.session = session

    def select(self) -> Select[Any]:
        return select(self.model)

    def get(self, id_: uuid.UUID, *options: Any) -> M | None:
        stmt = self.select().where(self.model.id == id_)  # type: ignore[attr-defined]
        if options:
            stmt = stmt.options(*options)
        obj: M | None = self.session.scalar(stmt)
        return obj

    def by_ids(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, M]:
        """The rows with these ids (those that exist), by id, in one query."""
        wanted = list(ids)
        if not wanted:
            return {}
        stmt = self.select().where(self.model.id.in_(wanted))  # type: ignore[attr-defined]
        return {obj.id: obj for obj in self.session.scalars(stmt)}

    def get_or_404(self, id_: uuid.UUID, *options: Any) -> M:
        obj = self.get(id_, *options)
        if obj is None:
            raise NotFound(f"{self.label} not found", code=self.not_found_code)
        return obj

    def get_any_tenant(self, id_: uuid.UUID, *options: Any) -> M | None:
        stmt = self.select().where(self.model.id == id_).execution_options(**ALL_TENANTS)  # type: ignore[attr-defined]
        if options:
            stmt = stmt.options(*options)
        obj: M | None = self.session.scalar(stmt)
        return obj

    def add(self, obj: M) -> M:
        self.session.add(obj)
        self.session.flush()
        return obj
