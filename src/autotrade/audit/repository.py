from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from autotrade.audit.models import AuditLog
from autotrade.audit.schemas import AuditFilter
from autotrade.core.repository import ALL_TENANTS, Repository


class AuditRepository(Repository[AuditLog]):
    model = AuditLog
    label = "audit entry"

    def filtered(self, f: AuditFilter, *, all_tenants: bool = False) -> Select[Any]:
        stmt = select(AuditLog)
        if all_tenants:
            stmt = stmt.execution_options(**ALL_TENANTS)
        if f.action:
            stmt = (
                stmt.where(AuditLog.action.startswith(f.action))
                if f.action.endswith(".")
                else stmt.where(AuditLog.action == f.action)
            )
        if f.entity_type:
            stmt = stmt.where(AuditLog.entity_type == f.entity_type)
        if f.entity_id:
            stmt = stmt.where(AuditLog.entity_id == f.entity_id)
        if f.actor_user_id:
            stmt = stmt.where(AuditLog.actor_user_id == f.actor_user_id)
        if f.actor_label:
            stmt = stmt.where(AuditLog.actor_label == f.actor_label)
        if f.org_id:
            stmt = stmt.where(AuditLog.org_id == f.org_id)
        if f.since:
            stmt = stmt.where(AuditLog.occurred_at >= f.since)
        if f.until:
            stmt = stmt.where(AuditLog.occurred_at < f.until)
        return stmt
