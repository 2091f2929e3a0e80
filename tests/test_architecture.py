"""Let tools enforce the architecture (style.md, habit 14)."""

from __future__ import annotations

import ast
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from autotrade.core.db import Audited, Base
from autotrade.core.deps import Authenticated, Public, Requires
from autotrade.core.migrate import include_object
from autotrade.core.tenancy import TenantScoped
from tests.helpers import api_routes

SRC = Path(__file__).resolve().parent.parent / "src" / "autotrade"
DECLARATIONS = (Requires, Public, Authenticated)


def _declares_access(dependant) -> bool:
    stack = list(dependant.dependencies)
    while stack:
        d = stack.pop()
        if isinstance(d.call, DECLARATIONS):
            return True
        stack.extend(d.dependencies)
    return False


def test_every_route_declares_its_permission(app):
    undeclared = [f"{sorted(m)} {p}" for p, m, r in api_routes(app) if not _declares_access(r.dependant)]
    assert not undeclared, f"routes without require()/public()/authenticated(): {undeclared}"
    assert len(api_routes(app)) >= 50


def test_services_and_repositories_never_commit():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name not in ("service.py", "repository.py") and "services" not in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "commit":
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    # jobs/service.py is the job boundary: it commits a job's progress and outcome, once each.
    offenders = [o for o in offenders if not o.startswith("jobs/service.py")]
    assert not offenders, f"commit() outside a boundary: {offenders}"


def test_no_queries_in_routes_or_pages():
    offenders = []
    for path in list(SRC.rglob("api.py")) + list((SRC / "web").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("select", "text")
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute", "scalars", "scalar", "query")
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not offenders, f"queries belong in repositories: {offenders}"


def test_models_are_audited_and_tenant_scoped():
    infrastructure = {
        "search_terms",  # derived from parts, rebuilt by the catalogue service
        "audit_log",
        "rate_limit_counters",
        "idempotency_records",
        "auth_sessions",
        "job_runs",
        "schedules",
    }
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        table = cls.__tablename__
        # A model may say why it is not audited (an append-only history that is its own record).
        if table in infrastructure or getattr(cls, "__audit_exempt__", None):
            continue
        assert issubclass(cls, Audited), f"{table}: every write must be audited"
        if "org_id" in mapper.columns or table == "orgs":
            assert issubclass(cls, TenantScoped), f"{table} has org_id but is not TenantScoped"


def test_relationships_raise_on_lazy_load():
    for mapper in Base.registry.mappers:
        for rel in mapper.relationships:
            assert rel.lazy == "raise", f"{mapper.class_.__name__}.{rel.key} must be lazy='raise'"


def test_migrations_match_the_models(db):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"
