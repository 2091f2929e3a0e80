"""The `autotrade` command line, run as real processes against the test's own database."""

from __future__ import annotations

import ast
import base64
import os
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from autotrade.core.crypto import Keyring
from autotrade.core.db import Database
from autotrade.core.settings import InsecureSettingsError, Settings
from autotrade.core.tenancy import bind_system
from autotrade.iam.models import Role, User, UserRole
from autotrade.orgs.models import Org, OrgStatus
from tests.factories import make_company, make_user
from tests.ops.procs import app_env, free_port, port_is_open, run_cli

DEFAULT_SECRETS = (
    "AUTOTRADE_SECRET_KEY",
    "AUTOTRADE_FIELD_KEYS",
    "AUTOTRADE_BLIND_INDEX_KEY",
    "AUTOTRADE_GATEWAY_SECRET",
)


@pytest.fixture
def cli(settings: Settings, tmp_path: Path) -> Any:
    env = app_env(settings)

    def run(*args: str, **extra_env: Any) -> subprocess.CompletedProcess[str]:
        e = dict(env)
        for k, v in extra_env.items():
            e[f"AUTOTRADE_{k.upper()}"] = str(v)
        return run_cli(list(args), e, tmp_path)

    return run


def _users(db: Database) -> list[tuple[str, uuid.UUID]]:
    with db.transaction() as s:
        bind_system(s, "test")
        return [(u.email, u.org_id) for u in s.scalars(select(User).order_by(User.email))]


def _org(db: Database, org_id: uuid.UUID) -> Org:
    with db.transaction() as s:
        bind_system(s, "test")
        org = s.get(Org, org_id)
        assert org is not None
        return org


def test_db_upgrade_is_idempotent(cli: Any) -> None:
    first = cli("db", "upgrade")
    assert first.returncode == 0, first.stderr
    m = re.match(r"database at revision (\S+) \(", first.stdout)
    assert m, first.stdout
    second = cli("db", "upgrade")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    current = cli("db", "current")
    assert current.returncode == 0, current.stderr
    assert current.stdout.strip() == m.group(1)


def test_demo_twice_gives_the_same_users(cli: Any, db: Database) -> None:
    first = cli("demo")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Demo logins (password for all: Autotrade-2026)\n")
    printed = re.findall(r"\S+@\S+", first.stdout)
    users = _users(db)
    assert len(printed) == len(set(printed)) >= 10
    assert sorted(printed) == [e for e, _ in users]
    with db.transaction() as s:
        bind_system(s, "test")
        orgs = int(s.scalar(select(func.count()).select_from(Org)) or 0)

    second = cli("demo")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert _users(db) == users
    with db.transaction() as s:
        bind_system(s, "test")
        assert s.scalar(select(func.count()).select_from(Org)) == orgs

    # Every printed login works with the printed password (checked on the database: hash verifies).
    from autotrade.core.security import verify_password

    with db.transaction() as s:
        bind_system(s, "test")
        u = s.scalars(select(User).where(User.email == printed[0])).one()
        assert verify_password(u.password_hash, "Autotrade-2026")


def test_demo_is_refused_in_production(cli: Any) -> None:
    r = cli("demo", env="production")
    assert r.returncode != 0
    assert "refusing to load demo data in production" in r.stderr


def test_user_create(cli: Any, db: Database) -> None:
    org = make_company(db, name="命令行测试企业")
    uscc = _org(db, org).uscc
    before = _users(db)

    r = cli(
        "user", "create", "--email", "Cli.User@Example.CN", "--name", "命令行用户", "--company", uscc.lower(),
        "--role", "purchaser", "--role", "viewer", "--password", "Cli-password-1",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "created Cli.User@Example.CN in 命令行测试企业 with roles purchaser, viewer"
    with db.transaction() as s:
        bind_system(s, "test")
        user = s.scalars(select(User).where(User.email == "cli.user@example.cn")).one()
        assert (user.org_id, user.name) == (org, "命令行用户")
        roles = s.scalars(
            select(Role.key).join(UserRole, UserRole.role_id == Role.id).where(UserRole.user_id == user.id)
        )
        assert sorted(roles) == ["purchaser", "viewer"]
    after = _users(db)
    assert len(after) == len(before) + 1

    # By company id; default role owner.
    r = cli("user", "create", "--email", "owner2@example.cn", "--name", "二号", "--company", str(org),
            "--password", "Cli-password-2")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "with roles owner" in r.stdout
    after = _users(db)

    # Refusals: each exits non-zero with a clear message and writes nothing.
    pw = ["--password", "Cli-password-1"]
    new = ["--email", "new@example.cn", "--name", "x"]
    cases = [
        (["--email", "not-an-email", "--name", "x", "--company", str(org), *pw], "email"),
        (["--email", "owner2@example.cn", "--name", "x", "--company", str(org), *pw],
         "a user with email owner2@example.cn exists"),
        ([*new, "--company", "nope", *pw], "no company 'nope'"),
        ([*new, "--company", str(org), "--password", "short"], "password"),
        ([*new, "--company", str(org), *pw, "--role", "platform_admin"],
         "platform roles are only for users of the platform company"),
    ]  # fmt: skip
    for args, message in cases:
        r = cli("user", "create", *args)
        assert r.returncode != 0, (args, r.stdout)
        assert message in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr
        assert _users(db) == after, args

    # No stdin and no --password: the prompt cannot be answered; it stops without writing.
    r = cli("user", "create", "--email", "prompt@example.cn", "--name", "x", "--company", str(org))
    assert r.returncode != 0
    assert _users(db) == after


def test_company_approve_and_reject(cli: Any, db: Database) -> None:
    pending = make_company(db, status=OrgStatus.pending)
    other = make_company(db, status=OrgStatus.pending)
    uscc = _org(db, pending).uscc

    r = cli("company", "approve", uscc)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith(f"({uscc}) is now approved")
    org = _org(db, pending)
    assert org.status == OrgStatus.approved
    assert org.reviewed_at is not None

    again = cli("company", "approve", str(pending))
    assert again.returncode != 0
    assert "invalid_review_transition" in again.stderr
    assert "cannot approve a company that is approved" in again.stderr
    assert _org(db, pending).status == OrgStatus.approved

    missing = cli("company", "reject", str(other))  # --reason is required
    assert missing.returncode == 2
    assert "--reason" in missing.stderr
    assert _org(db, other).status == OrgStatus.pending

    r = cli("company", "reject", str(other), "--reason", "营业执照照片不清晰")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("is now rejected")
    org = _org(db, other)
    assert (org.status, org.review_reason) == (OrgStatus.rejected, "营业执照照片不清晰")

    r = cli("company", "approve", str(uuid.uuid4()))
    assert r.returncode != 0
    assert "no company" in r.stderr


def test_jobs_run(cli: Any, db: Database) -> None:
    r = cli("jobs", "run", "system.purge")
    assert r.returncode == 0, r.stderr
    head, _, result = r.stdout.strip().partition(" {")
    assert head == "system.purge: done"
    # (PostgreSQL's JSONB orders keys its own way, so compare the dict, not its text)
    assert ast.literal_eval("{" + result) == {
        "idempotency_records": 0,
        "rate_limit_counters": 0,
        "auth_sessions": 0,
    }
    with db.transaction() as s:
        bind_system(s, "test")
        rows = s.execute(text("SELECT name, status, attempts FROM job_runs")).all()
    assert [tuple(x) for x in rows] == [("system.purge", "done", 1)]

    bad = cli("jobs", "run", "no.such.job")
    assert bad.returncode != 0
    assert "unknown job 'no.such.job'" in bad.stderr


# ---- production refusal ------------------------------------------------------------------------------


def test_serve_refuses_production_with_default_secrets(settings: Settings, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOTRADE_")}
    env.update({"AUTOTRADE_ENV": "production", "AUTOTRADE_DATABASE_URL": settings.database_url})
    port = free_port()
    r = run_cli(["serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path, timeout=60)
    assert r.returncode != 0
    assert "refusing to start in production with default or weak secrets" in r.stderr
    for name in DEFAULT_SECRETS:
        assert name in r.stderr
    assert "autotrade on http" not in r.stdout
    assert not port_is_open(port)

    # Only the weak one is named when the others are fine.
    env.update(
        {
            "AUTOTRADE_SECRET_KEY": "s" * 48,
            "AUTOTRADE_FIELD_KEYS": "prod1:" + base64.b64encode(os.urandom(32)).decode(),
            "AUTOTRADE_FIELD_KEY_ACTIVE": "prod1",
            "AUTOTRADE_BLIND_INDEX_KEY": "short",
            "AUTOTRADE_GATEWAY_SECRET": "g" * 48,
        }
    )
    r = run_cli(["serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path, timeout=60)
    assert r.returncode != 0
    assert r.stderr.strip().endswith("AUTOTRADE_BLIND_INDEX_KEY")
    assert "AUTOTRADE_SECRET_KEY" not in r.stderr and "AUTOTRADE_FIELD_KEYS" not in r.stderr
    assert not port_is_open(port)


def test_create_app_refuses_production_defaults() -> None:
    from autotrade.app import create_app

    with pytest.raises(InsecureSettingsError) as e:
        create_app(Settings(env="production", _env_file=None))  # type: ignore[call-arg]
    for name in DEFAULT_SECRETS:
        assert name in str(e.value)

    good = Settings(
        env="production",
        secret_key="x" * 40,
        field_keys="p1:" + base64.b64encode(os.urandom(32)).decode(),
        field_key_active="p1",
        blind_index_key="y" * 40,
        gateway_secret="z" * 40,
        _env_file=None,  # type: ignore[call-arg]
    )
    good.check_production()  # does not raise


# ---- key rotation ------------------------------------------------------------------------------------


def test_keys_reencrypt_moves_every_value_to_the_new_key(cli: Any, db: Database, settings: Settings) -> None:
    org = make_company(db, phone="13800138123")
    make_user(db, org=org, phone="13912345601")
    make_user(db, org=org, phone=None)
    queries = {
        "users.phone": "SELECT phone, phone_hmac FROM users WHERE phone IS NOT NULL",
        "org_contacts.phone": "SELECT phone, phone_hmac FROM org_contacts",
        "orgs.legal_rep_id_number": "SELECT legal_rep_id_number, legal_rep_id_hmac FROM orgs",
        "orgs.bank_account": "SELECT bank_account, bank_account_hmac FROM orgs",
    }
    purposes = {
        "users.phone": "phone",
        "org_contacts.phone": "phone",
        "orgs.legal_rep_id_number": "id_number",
        "orgs.bank_account": "bank_account",
    }
    expected = {
        "users.phone": ["13912345601"],
        "org_contacts.phone": ["13800138123"],
        "orgs.legal_rep_id_number": ["11010519491231002X"],
        "orgs.bank_account": ["6222021001123456789"],
    }

    def raw() -> dict[str, list[tuple[str, str]]]:
        with db.engine.connect() as conn:
            return {k: [(r[0], r[1]) for r in conn.execute(text(q))] for k, q in queries.items()}

    before = raw()
    for k, rows in before.items():
        assert [c.split(".")[1] for c, _ in rows] == ["t1"] * len(expected[k]), k

    new_key = base64.b64encode(os.urandom(32)).decode()
    r = cli("keys", "reencrypt", field_keys=f"{settings.field_keys},t2:{new_key}", field_key_active="t2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "re-encrypted 4 values with key t2"

    after = raw()
    only_new = Keyring({"t2": base64.b64decode(new_key)}, "t2", settings.blind_index_key.encode())
    for k, rows in after.items():
        assert [c.split(".")[1] for c, _ in rows] == ["t2"] * len(expected[k]), k
        assert [only_new.decrypt(c, purposes[k]) for c, _ in rows] == expected[k], k
        # Same plaintext, new ciphertext; the blind index (keyed separately) is unchanged.
        assert [c for c, _ in rows] != [c for c, _ in before[k]]
        assert [h for _, h in rows] == [h for _, h in before[k]]

    # The old key is no longer needed: the app reads every value with the new key alone.
    again = cli("keys", "reencrypt", field_keys=f"t2:{new_key}", field_key_active="t2")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1] == "re-encrypted 4 values with key t2"
