"""After every database test: every row of every audited table has its audit trail.

* each row has at least one audit entry naming it (its creation, by a request, the CLI, a factory or
  the migration);
* each row whose ``updated_at`` moved past ``created_at`` has an entry other than its creation;
* a row last written by a bulk import (``import_run_id``) is covered by that run's ``catalog.import``
  entry (imports write set-wise and audit once per run, with file, counts and error report).

Writes that escape the audit hook (raw SQL, unmarked bulk updates) fail the test that made them.
"""

from __future__ import annotations

from sqlalchemy import select

from autotrade.audit.models import AuditLog
from autotrade.core.db import Audited, Base, Database
from autotrade.core.tenancy import bind_system


def missing_audit(url: str) -> list[str]:
    import autotrade.models  # noqa: F401

    db = Database(url)
    problems: list[str] = []
    try:
        with db.session() as s:
            bind_system(s, "test")
            entries: dict[tuple[str, str], set[str]] = {}
            for etype, eid, action in s.execute(
                select(AuditLog.entity_type, AuditLog.entity_id, AuditLog.action)
            ):
                entries.setdefault((etype, eid or ""), set()).add(action)
            for mapper in Base.registry.mappers:
                cls = mapper.class_
                if not issubclass(cls, Audited):
                    continue
                table = cls.__tablename__
                cols = [cls.id]
                timestamps = "updated_at" in mapper.columns
                if timestamps:
                    cols += [cls.created_at, cls.updated_at]
                bulk = "import_run_id" in mapper.columns
                if bulk:
                    cols.append(cls.import_run_id)
                for row in s.execute(select(*cols)):
                    if bulk and row[-1] is not None:
                        # Loaded by a bulk import: the import run's audit entry stands for the row.
                        if "catalog.import" not in entries.get(("job_runs", str(row[-1])), set()):
                            problems.append(
                                f"{table} {row[0]}: loaded by import {row[-1]} with no catalog.import entry"
                            )
                        continue
                    actions = entries.get((table, str(row[0])))
                    if not actions:
                        problems.append(f"{table} {row[0]}: no audit entry")
                    elif (
                        timestamps
                        and row[2] != row[1]
                        and not any(not a.endswith(".create") for a in actions)
                    ):
                        problems.append(
                            f"{table} {row[0]}: changed but only its creation is audited ({actions})"
                        )
    finally:
        db.dispose()
    return problems
