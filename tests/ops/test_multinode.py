"""Two real app nodes (`autotrade serve` processes) on one PostgreSQL database: the state that must
hold across nodes — login lockout, login rate limits, idempotency keys — lives outside the process."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from autotrade.core.db import Database
from autotrade.core.models import RateLimitCounter
from autotrade.core.settings import Settings
from autotrade.core.tenancy import bind_system
from autotrade.iam.models import User
from autotrade.orgs.models import Org
from tests.factories import PASSWORD, make_company, make_user, new_uscc
from tests.ops.procs import Procs, RedisDb, app_env

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

# A window this long never rolls over during a test, so exact counts cannot flake at a boundary.
LONG_WINDOW = 10**9
LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/companies/register"


def two_nodes(procs: Procs, settings: Settings, **extra: Any) -> tuple[str, str]:
    env = app_env(settings, **extra)
    n1 = procs.serve("node1", env)
    n2 = procs.serve("node2", env)
    assert n1.popen.pid != n2.popen.pid and n1.port != n2.port
    return n1.url, n2.url


def login(base: str, email: str, password: str, ip: str) -> httpx.Response:
    # The nodes trust X-Forwarded-For from 127.0.0.1 (a proxy on the same host), as behind nginx.
    return httpx.post(
        base + LOGIN, json={"email": email, "password": password}, headers={"X-Forwarded-For": ip}, timeout=30
    )


def test_login_lockout_holds_across_nodes(db_url: str, settings: Settings, procs: Procs) -> None:
    db = Database(db_url)
    try:
        org = make_company(db)
        user_id, email = make_user(db, org=org)
        n1, n2 = two_nodes(procs, settings, login_max_failures=5, lockout_seconds=900)
        ip = "198.51.100.10"

        for i in range(4):
            r = login((n1, n2)[i % 2], email, "Wrong-password-9", ip)
            assert r.status_code == 401, r.text
            assert r.json()["code"] == "invalid_credentials"
        r = login(n1, email, "Wrong-password-9", ip)  # 5th failure in all, 3rd on node 1
        assert r.status_code == 423, r.text
        assert r.json()["code"] == "account_locked"
        assert r.headers["Retry-After"] == "900"

        for node in (n2, n1):
            r = login(node, email, PASSWORD, ip)
            assert r.status_code == 423, (node, r.text)
            assert r.json()["code"] == "account_locked"
            assert 1 <= int(r.headers["Retry-After"]) <= 900

        with db.transaction() as s:
            bind_system(s, "test")
            user = s.get(User, user_id)
            assert user is not None
            assert user.failed_logins == 5
            assert user.locked_until is not None

        # Another account is not affected, on either node.
        _, other = make_user(db, org=org)
        for node in (n1, n2):
            r = login(node, other, PASSWORD, ip)
            assert r.status_code == 200, r.text
            assert r.json()["token_type"].lower() == "bearer"
    finally:
        db.dispose()


@pytest.mark.parametrize("limiter", ["database", "redis"])
def test_login_rate_limit_holds_across_nodes(
    limiter: str, db_url: str, settings: Settings, procs: Procs, request: pytest.FixtureRequest
) -> None:
    extra: dict[str, Any] = {"login_rate_limit": 6, "login_rate_window_seconds": LONG_WINDOW}
    redis: RedisDb | None = None
    if limiter == "redis":
        redis = request.getfixturevalue("redis_db")
        extra["redis_url"] = redis.url
    n1, n2 = two_nodes(procs, settings, **extra)
    ip = f"203.0.113.{uuid.uuid4().int % 200 + 20}"
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@test.autotrade.cn"

    for i in range(6):
        r = login((n1, n2)[i % 2], nobody, "Wrong-password-9", ip)
        assert r.status_code == 401, (i, r.text)
        assert r.json()["code"] == "invalid_credentials"
    for node in (n1, n2):  # the 7th and 8th attempts, one on each node
        r = login(node, nobody, "Wrong-password-9", ip)
        assert r.status_code == 429, r.text
        assert r.json()["code"] == "rate_limited"
        assert int(r.headers["Retry-After"]) > 0

    # The limit is per client address: another address still gets an answer on both nodes.
    for node in (n1, n2):
        r = login(node, nobody, "Wrong-password-9", "198.51.100.77")
        assert r.status_code == 401, r.text

    start = int(time.time()) - int(time.time()) % LONG_WINDOW
    if redis is not None:
        assert int(redis.client.get(f"autotrade:rl:login:ip:{ip}:{start}")) == 8
    else:
        db = Database(db_url)
        try:
            with db.transaction() as s:
                count = s.scalar(
                    select(RateLimitCounter.count).where(RateLimitCounter.key == f"login:ip:{ip}")
                )
            assert count == 8
        finally:
            db.dispose()


def _register_body(uscc: str, email: str, name: str = "多节点幂等测试有限公司") -> dict[str, Any]:
    return {
        "company": {
            "type": "dealer",
            "uscc": uscc,
            "name": name,
            "province": "浙江省",
            "city": "杭州市",
            "address": "文三路100号",
            "contacts": [{"name": "王五", "phone": "13800138011", "is_primary": True}],
        },
        "owner": {"email": email, "name": "王五", "password": "Owner-password-1"},
    }


def _count(db: Database, uscc: str, email: str) -> tuple[int, int]:
    with db.transaction() as s:
        bind_system(s, "test")
        orgs = s.scalar(select(func.count()).select_from(Org).where(Org.uscc == uscc))
        users = s.scalar(select(func.count()).select_from(User).where(User.email == email))
    return int(orgs or 0), int(users or 0)


def test_idempotency_holds_across_nodes(db_url: str, settings: Settings, procs: Procs) -> None:
    n1, n2 = two_nodes(procs, settings)
    db = Database(db_url)
    try:
        # Concurrent: the same request with the same key reaches both nodes at once.
        uscc, email = new_uscc(), f"owner-{uuid.uuid4().hex[:8]}@test.autotrade.cn"
        body = _register_body(uscc, email)
        key = f"reg-{uuid.uuid4()}"
        barrier = threading.Barrier(2, timeout=30)
        results: dict[str, httpx.Response] = {}
        errors: list[BaseException] = []

        def send(node: str) -> None:
            try:
                barrier.wait()
                results[node] = httpx.post(
                    node + REGISTER, json=body, headers={"Idempotency-Key": key}, timeout=60
                )
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=send, args=(n,)) for n in (n1, n2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        assert not errors, errors
        assert not any(t.is_alive() for t in threads)
        r1, r2 = results[n1], results[n2]
        assert (r1.status_code, r2.status_code) == (201, 201), (r1.text, r2.text)
        assert r1.json() == r2.json()
        assert r1.json()["company"]["uscc"] == uscc
        assert r1.json()["owner_email"] == email
        assert sorted(r.headers.get("Idempotent-Replayed", "-") for r in (r1, r2)) == ["-", "true"]
        assert _count(db, uscc, email) == (1, 1)

        # Sequential: node 1 first, then the retry lands on node 2.
        uscc2, email2 = new_uscc(), f"owner-{uuid.uuid4().hex[:8]}@test.autotrade.cn"
        body2 = _register_body(uscc2, email2)
        key2 = f"reg-{uuid.uuid4()}"
        first = httpx.post(n1 + REGISTER, json=body2, headers={"Idempotency-Key": key2}, timeout=60)
        assert first.status_code == 201, first.text
        assert "Idempotent-Replayed" not in first.headers
        again = httpx.post(n2 + REGISTER, json=body2, headers={"Idempotency-Key": key2}, timeout=60)
        assert again.status_code == 201, again.text
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert _count(db, uscc2, email2) == (1, 1)

        # The same key with another body is refused on either node, and writes nothing.
        other = _register_body(
            new_uscc(), f"other-{uuid.uuid4().hex[:8]}@test.autotrade.cn", name="另一家公司"
        )
        for node in (n1, n2):
            r = httpx.post(node + REGISTER, json=other, headers={"Idempotency-Key": key2}, timeout=60)
            assert r.status_code == 409, r.text
            assert r.json()["code"] == "idempotency_key_reused"
        assert _count(db, other["company"]["uscc"], other["owner"]["email"]) == (0, 0)
    finally:
        db.dispose()
