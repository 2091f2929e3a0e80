from datetime import timedelta

import pytest
from sqlalchemy import text, update

from autotrade.core.db import utcnow
from autotrade.core.security import issue_access_token
from autotrade.core.tenancy import bind_system
from autotrade.iam.models import User
from tests.factories import PASSWORD, login, make_user
from tests.helpers import assert_problem


def _login(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_login_issues_short_lived_access_and_refresh(client, world, settings):
    r = _login(client, world.emails["a_owner"])
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == settings.access_token_ttl_seconds == 900
    assert len(body["refresh_token"]) >= 40
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == world.emails["a_owner"]


def test_wrong_password_and_unknown_email_look_the_same(client, world):
    a = assert_problem(_login(client, world.emails["a_owner"], "Wrong-pass-99"), 401, "invalid_credentials")
    b = assert_problem(_login(client, "nobody@nowhere.cn", "Wrong-pass-99"), 401, "invalid_credentials")
    assert a["detail"] == b["detail"]


def test_lockout_after_repeated_failures(client, world, db, settings):
    email = world.emails["a_viewer"]
    for i in range(settings.login_max_failures - 1):
        assert_problem(_login(client, email, f"Wrong-pass-{i}"), 401, "invalid_credentials")
    r = _login(client, email, "Wrong-pass-last")
    p = assert_problem(r, 423, "account_locked")
    assert int(r.headers["retry-after"]) == settings.lockout_seconds
    assert p["detail"] == f"Too many failed logins; try again in {settings.lockout_seconds} s."
    # Even the right password is refused while locked.
    r = _login(client, email)
    assert_problem(r, 423, "account_locked")
    assert 0 < int(r.headers["retry-after"]) <= settings.lockout_seconds
    with db.engine.connect() as conn:
        failures = conn.execute(
            text("SELECT failed_logins FROM users WHERE email = :e"), {"e": email}
        ).scalar_one()
        events = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND entity_id = :u"),
            {"u": str(world.users["a_viewer"])},
        ).scalar_one()
    assert failures == settings.login_max_failures
    assert events == settings.login_max_failures


@pytest.mark.no_audit_check  # the test moves the lock into the past with a raw update
def test_lock_expires_and_counting_starts_again(client, world, db, settings):
    email = world.emails["a_viewer"]
    for i in range(settings.login_max_failures):
        _login(client, email, f"Wrong-pass-{i}")
    with db.transaction() as s:
        bind_system(s, "test")
        s.execute(
            update(User).where(User.email == email).values(locked_until=utcnow() - timedelta(seconds=1)),
            execution_options={"audited": True},
        )
    assert_problem(
        _login(client, email, "Wrong-again-1"), 401, "invalid_credentials"
    )  # fresh count: 1, not locked
    assert _login(client, email).status_code == 200
    with db.engine.connect() as conn:
        row = conn.execute(
            text("SELECT failed_logins, locked_until FROM users WHERE email = :e"), {"e": email}
        ).one()
    assert row == (0, None)


def test_owner_can_unlock(client, world, settings):
    for i in range(settings.login_max_failures):
        _login(client, world.emails["a_viewer"], f"Wrong-pass-{i}")
    r = client.post(f"/api/v1/users/{world.users['a_viewer']}/unlock", headers=world.h("a_owner"))
    assert r.status_code == 200 and r.json()["locked"] is False
    assert _login(client, world.emails["a_viewer"]).status_code == 200


def test_login_rate_limit_per_client(client, world, settings):
    settings.login_rate_limit = 3
    for _ in range(3):
        assert _login(client, world.emails["a_owner"], "Wrong-pass-1").status_code in (401, 423)
    r = _login(client, world.emails["b_owner"])  # another account, same client address
    assert_problem(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) >= 1


def test_refresh_rotates_and_reuse_revokes_everything(client, world):
    first = _login(client, world.emails["a_owner"]).json()
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    # The old token is spent: reusing it is treated as theft and revokes the new one too.
    assert_problem(
        client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}),
        401,
        "refresh_token_reused",
    )
    assert_problem(
        client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}),
        401,
        "refresh_token_reused",
    )


def test_logout_revokes_refresh_token(client, world):
    tokens = _login(client, world.emails["a_owner"]).json()
    assert (
        client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    )
    assert_problem(
        client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        401,
        "refresh_token_reused",
    )


def test_tampered_and_expired_tokens(client, world, settings):
    good = login(client, world.emails["a_owner"])["Authorization"]
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": good[:-2] + "xx"}), 401, "invalid_token"
    )
    expired = issue_access_token(
        settings.secret_key, user_id=world.users["a_owner"], org_id=world.orgs["a"], ttl_seconds=-1
    )
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}), 401, "token_expired"
    )
    forged = issue_access_token(
        "another-secret" * 3, user_id=world.users["a_owner"], org_id=world.orgs["a"], ttl_seconds=60
    )
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401, "invalid_token"
    )


def test_disabled_user_cannot_log_in_and_tokens_stop_working(client, world):
    headers = world.h("a_viewer")
    r = client.patch(
        f"/api/v1/users/{world.users['a_viewer']}", json={"status": "disabled"}, headers=world.h("a_owner")
    )
    assert r.status_code == 200 and r.json()["status"] == "disabled"
    assert_problem(client.get("/api/v1/me", headers=headers), 401, "invalid_token")
    assert_problem(_login(client, world.emails["a_viewer"]), 401, "account_disabled")


def test_change_password(client, world, db):
    _, email = make_user(db, org=world.orgs["a"], roles=("viewer",))
    h = login(client, email)
    r = client.post(
        "/api/v1/me/password", json={"current_password": "nope", "new_password": "New-password-2"}, headers=h
    )
    assert_problem(r, 422, "invalid_credentials", field="current_password")
    r = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "New-password-2"},
        headers=h,
    )
    assert r.status_code == 204
    assert_problem(_login(client, email), 401, "invalid_credentials")
    assert _login(client, email, "New-password-2").status_code == 200
