"""Every write is audited (actor, company, action, entity, before/after with redaction, request id);
the log is append-only, scoped by company, and exportable as CSV."""

import csv
import io

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from autotrade.audit.models import AuditLog
from tests.helpers import count


def _audit(client, headers, **params):
    r = client.get("/api/v1/audit", params={"limit": 200, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_user_create_and_update_are_audited_with_redaction(client, world):
    h = world.h("a_owner")
    r = client.post(
        "/api/v1/users",
        json={"email": "audit@a.cn", "name": "审计对象", "password": "Strong-pass-1", "phone": "13600001234"},
        headers={**h, "X-Request-ID": "req-create-1"},
    )
    uid = r.json()["id"]
    created = _audit(client, h, action="users.create", entity_id=uid)
    assert len(created) == 1
    row = created[0]
    assert (
        row["actor_user_id"] == str(world.users["a_owner"]) and row["actor_label"] == world.emails["a_owner"]
    )
    assert row["org_id"] == str(world.orgs["a"]) and row["request_id"] == "req-create-1"
    assert row["before"] is None
    assert row["after"]["email"] == "audit@a.cn" and row["after"]["name"] == "审计对象"
    assert row["after"]["password_hash"] == "[redacted]" and row["after"]["phone"] == "[redacted]"
    assert "13600001234" not in str(row)

    client.patch(f"/api/v1/users/{uid}", json={"name": "新名字", "phone": "13600009999"}, headers=h)
    upd = _audit(client, h, action="users.update", entity_id=uid)
    assert len(upd) == 1
    assert upd[0]["before"] == {"name": "审计对象", "phone": "[redacted]", "phone_hmac": "[redacted]"}
    assert upd[0]["after"] == {"name": "新名字", "phone": "[redacted]", "phone_hmac": "[redacted]"}


def test_every_write_in_a_flow_leaves_audit_rows(client, world, db):
    h = world.h("a_owner")
    before = count(db, AuditLog)
    role = client.post(
        "/api/v1/roles", json={"name": "临时", "permissions": ["orders:view"]}, headers=h
    ).json()
    client.patch(
        f"/api/v1/roles/{role['id']}", json={"permissions": ["orders:view", "inventory:view"]}, headers=h
    )
    key = client.post("/api/v1/api-keys", json={"name": "ERP", "scopes": ["users:view"]}, headers=h).json()
    client.post(f"/api/v1/api-keys/{key['id']}/revoke", headers=h)
    client.patch(f"/api/v1/companies/{world.orgs['a']}", json={"bank_account": "6225880100001111"}, headers=h)
    client.delete(f"/api/v1/roles/{role['id']}", headers=h)
    written = count(db, AuditLog) - before
    actions = [a["action"] for a in reversed(_audit(client, h)[:written])]
    assert actions == [
        "roles.create",
        "roles.update",
        "api_keys.create",
        "api_keys.revoke",
        "orgs.update",
        "roles.delete",
    ]
    bank = _audit(client, h, action="orgs.update")[0]
    assert bank["before"] == {"bank_account": "[redacted]", "bank_account_hmac": "[redacted]"}
    key_row = _audit(client, h, action="api_keys.create")[0]
    assert key_row["after"]["key_hash"] == "[redacted]"


def test_login_events_are_audited(client, world):
    client.post("/api/v1/auth/login", json={"email": world.emails["a_viewer"], "password": "nope-nope-1"})
    world.h("a_viewer")
    rows = _audit(client, world.h("a_owner"), entity_id=str(world.users["a_viewer"]))
    assert [r["action"] for r in rows[:2]] == ["auth.login", "auth.login_failed"]
    assert rows[1]["after"] == {"failed_logins": 1, "locked": False}


def test_company_sees_only_its_own_log_platform_auditor_sees_all(client, world):
    client.post(
        "/api/v1/roles", json={"name": "A 角色", "permissions": ["orders:view"]}, headers=world.h("a_owner")
    )
    client.post(
        "/api/v1/roles", json={"name": "B 角色", "permissions": ["orders:view"]}, headers=world.h("b_owner")
    )
    a_orgs = {r["org_id"] for r in _audit(client, world.h("a_owner"))}
    b_orgs = {r["org_id"] for r in _audit(client, world.h("b_owner"))}
    assert a_orgs <= {str(world.orgs["a"]), str(world.orgs["a_branch"])}
    assert b_orgs == {str(world.orgs["b"])}
    everything = client.get(
        "/api/v1/platform/audit", params={"action": "roles.create", "limit": 200}, headers=world.h("auditor")
    ).json()["items"]
    assert {r["org_id"] for r in everything if r["actor_label"] != "migrate"} == {
        str(world.orgs["a"]),
        str(world.orgs["b"]),
    }
    # Built-in roles were written by the migration, as the platform's own rows.
    assert {(r["org_id"], r["actor_label"]) for r in everything if r["org_id"] is None} == {(None, "migrate")}
    only_b = client.get(
        "/api/v1/platform/audit", params={"org_id": str(world.orgs["b"])}, headers=world.h("auditor")
    ).json()["items"]
    assert {r["org_id"] for r in only_b} == {str(world.orgs["b"])}


def test_filters_prefix_and_time(client, world):
    h = world.h("a_owner")
    client.post("/api/v1/roles", json={"name": "R1", "permissions": ["orders:view"]}, headers=h)
    rows = _audit(client, h, action="roles.")
    assert [r["action"] for r in rows] == ["roles.create"]
    assert _audit(client, h, action="roles.", since="2100-01-01T00:00:00Z") == []


def test_csv_export(client, world):
    h = world.h("a_owner")
    client.post("/api/v1/roles", json={"name": "导出", "permissions": ["orders:view"]}, headers=h)
    r = client.get("/api/v1/audit/export.csv", params={"action": "roles.create"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["action"] for row in rows] == ["roles.create"]
    assert '"name": "导出"' in rows[0]["after"]
    # The export itself is recorded.
    assert _audit(client, h, action="audit.export")[0]["after"] == {"action": "roles.create"}


def test_audit_log_is_append_only_in_the_database(client, world, db):
    assert count(db, AuditLog) > 0
    for stmt in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(stmt))
            conn.commit()


def test_failed_request_leaves_no_audit_row(client, world, db):
    headers = world.h("a_owner")  # log in first: the login is audited
    before = count(db, AuditLog)
    r = client.post(
        "/api/v1/users",
        json={"email": world.emails["b_owner"], "name": "dup", "password": "Strong-pass-1"},
        headers=headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "email_taken"
    assert count(db, AuditLog) == before


def test_insert_rows_writes_the_entries_the_flush_hook_writes(world, db):
    """The hot-path insert (``audit.insert_rows``) and a flush of the same row leave the same entry:
    every column (defaults filled in), the company, the actor, ``<table>.create``."""
    import uuid

    from sqlalchemy import select

    from autotrade.audit.service import insert_rows
    from autotrade.core.tenancy import bind_system
    from autotrade.iam.models import Role

    org = world.orgs["a"]
    by_flush, by_insert = uuid.uuid4(), uuid.uuid4()
    with db.session() as s:
        bind_system(s, "audit-test")
        s.add(Role(id=by_flush, org_id=org, name="经由会话"))
        s.flush()
        row = {"id": by_insert, "org_id": org, "name": "直接插入"}
        insert_rows(s, (Role, [row]))
        assert row["permissions"] == [] and row["platform"] is False  # defaults filled in, as stored
        s.commit()
    with db.session() as s:
        bind_system(s, "audit-test")
        entries = {
            e.entity_id: e
            for e in s.scalars(
                select(AuditLog).where(AuditLog.entity_id.in_([str(by_flush), str(by_insert)]))
            )
        }
        stored = s.get(Role, by_insert)
        assert stored is not None and stored.permissions == [] and stored.platform is False
    flushed, inserted = entries[str(by_flush)], entries[str(by_insert)]
    for e in (flushed, inserted):
        assert (e.action, e.entity_type, e.org_id, e.actor_label, e.before) == (
            "roles.create",
            "roles",
            org,
            "audit-test",
            None,
        )
    assert set(inserted.after) == set(flushed.after)
    differs = {k for k in flushed.after if flushed.after[k] != inserted.after[k]}
    assert differs <= {"id", "name", "created_at"}, differs
