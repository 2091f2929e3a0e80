"""Test harness.

Every test that takes ``db_url`` runs twice: on SQLite and on PostgreSQL. Each run gets a database of
its own, copied from a template that the Alembic migrations built once per session (a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), and dropped afterwards: tests commit for real
and never share state.

PostgreSQL comes from ``AUTOTRADE_TEST_POSTGRES_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``).
Without it the PostgreSQL half is skipped, loudly; under ``CI=true`` a missing or unreachable server fails
the run instead.

The suite runs on pytest-xdist workers (``make test`` passes ``-n auto``; ``-n 0`` runs it in one process).
Each worker builds its own templates; database names carry the worker's id (``gw0``, ``gw1``, ``main``
without xdist) and a random part, so workers — and other test runs on the same server — never share one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from autotrade.core import crypto
from autotrade.core.db import Database
from autotrade.core.settings import Settings

PG_ENV = "AUTOTRADE_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ("sqlite", "postgres")
TEST_FIELD_KEYS = "t1:" + "dGVzdC1maWVsZC1rZXktMzItYnl0ZXMtZm9yLWFlcyE="  # 32 bytes
PG_SKIP_REASON = "PostgreSQL suite skipped"
_pg_skipped: list[str] = []
# "gw0", "gw1", … on a pytest-xdist worker, "main" otherwise: part of every database name.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    )


def _with_db(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _db_name(kind: str) -> str:
    return f"autotrade_{kind}_{WORKER}_{uuid.uuid4().hex[:12]}"


def _admin_engine(url: str) -> Any:
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _migrate(url: str) -> None:
    from autotrade.core.migrate import upgrade

    db = Database(url)
    try:
        upgrade(db)
    finally:
        db.dispose()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    """Argon2 with minimal cost in tests only (production parameters are argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from autotrade.core import security

    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    security._DUMMY_HASH = security._hasher.hash("dummy-password-for-timing")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    admin = pg_admin_url()
    if admin is None:
        msg = f"{PG_SKIP_REASON}: set {PG_ENV}=postgresql://postgres@127.0.0.1:5432/postgres to run it"
        if IN_CI:
            pytest.fail(f"CI=true but {PG_ENV} is not set: the PostgreSQL suite must run in CI")
        pytest.skip(msg)
    name = _db_name("tpl")
    eng = _admin_engine(admin)
    try:
        with eng.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_ENV} is not reachable: {e}")
        pytest.skip(f"{PG_SKIP_REASON}: cannot reach {PG_ENV}: {e}")
    _migrate(_with_db(admin, name))
    yield name
    with eng.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite" and request.node.get_closest_marker("postgres_only"):
        pytest.skip("PostgreSQL-only test (real concurrent transactions)")
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of the test's own."""
    if backend == "sqlite":
        tpl: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(tpl, path)
        yield f"sqlite:///{path}"
        _check_audit(request, f"sqlite:///{path}")
        return
    tpl_name: str = request.getfixturevalue("pg_template")
    admin = pg_admin_url()
    assert admin
    name = _db_name("t")
    eng = _admin_engine(admin)
    with eng.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{tpl_name}"'))
    url = _with_db(admin, name)
    yield url
    try:
        _check_audit(request, url)
    finally:
        with eng.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        eng.dispose()


def _check_audit(request: pytest.FixtureRequest, url: str) -> None:
    """Every write a test made must be in the audit log (see tests/audit_coverage.py)."""
    if request.node.get_closest_marker("no_audit_check"):
        return
    from tests.audit_coverage import missing_audit

    problems = missing_audit(url)
    assert not problems, "writes without audit entries:\n" + "\n".join(problems[:20])
    if not request.node.get_closest_marker("books_unreconciled"):
        from tests.money_coverage import money_problems

        broken = money_problems(url)
        assert not broken, "the books do not reconcile after this test:\n" + "\n".join(broken[:20])


@pytest.fixture
def settings(db_url: str) -> Settings:
    s = Settings(
        env="test",
        database_url=db_url,
        field_keys=TEST_FIELD_KEYS,
        field_key_active="t1",
        blind_index_key="test-blind-index-key-0123456789abcdef",
        secret_key="test-secret-key-0123456789abcdef0123456789",
        log_json=False,
        log_level="WARNING",
    )
    crypto.configure(s)
    return s


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, db: Database) -> Iterator[Any]:
    from autotrade.app import create_app
    from autotrade.jobs import service as jobs

    jobs.configure(jobs.SyncRunner(db))
    yield create_app(settings, db)
    jobs._runner = None


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


# Tests that must run on one pytest-xdist worker, by node-id prefix: the browser tests share the session's
# server, its data and the screenshot directory that the session empties first.
XDIST_GROUPS = {"tests/e2e/": "e2e"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` (pyproject.toml's addopts), with :data:`XDIST_GROUPS` as groups too.

    xdist 3.8 groups ``xdist_group``-marked tests by appending ``@group`` to their node ids, which pytest
    9.2's structured node ids silently ignore (pytest-dev/pytest-xdist#1386); grouping by node-id prefix
    here works with either. Every other test is a unit of its own, handed out as workers free up.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in XDIST_GROUPS.items():
                if nodeid.startswith(prefix):
                    return group
            return str(super()._split_scope(nodeid))

    return Scheduling(config, log)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the tests skipped for want of PostgreSQL. Under xdist the workers' reports reach the
    controller through this hook too, so the summary below is right with and without ``-n``."""
    if report.skipped and PG_SKIP_REASON in str(report.longrepr):
        _pg_skipped.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _pg_skipped:
        terminalreporter.write_sep(
            "!",
            f"PostgreSQL suite skipped ({len(_pg_skipped)} tests): set {PG_ENV}="
            "postgresql://postgres@127.0.0.1:5432/postgres to run it",
            yellow=True,
        )


pytest_plugins = ["tests.factories"]
