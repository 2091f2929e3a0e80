"""Run Alembic migrations from the installed package (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from autotrade.core.db import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate ignores the full-text structures the migrations create per dialect."""
    return not (type_ == "table" and (name or "").startswith("part_search"))


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate the schema, then write the built-in roles and schedules (idempotent)."""
    from autotrade.core.tenancy import bind_system
    from autotrade.iam.service import sync_builtin_roles
    from autotrade.jobs.service import ensure_schedule

    command.upgrade(alembic_config(db.url), revision)
    with db.transaction() as session:
        bind_system(session, "migrate")
        sync_builtin_roles(session)
        ensure_schedule(session, "purge", "system.purge", 3600)
        ensure_schedule(session, "orders.auto_cancel", "orders.auto_cancel", 60)
        ensure_schedule(session, "events.dispatch", "events.dispatch", 15)  # webhooks (docs/webhooks.md)
        ensure_schedule(session, "escrow.auto_release", "escrow.auto_release", 3600)  # docs/escrow.md
        ensure_schedule(session, "credit.mark_overdue", "credit.mark_overdue", 3600)  # docs/credit.md


def current(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
