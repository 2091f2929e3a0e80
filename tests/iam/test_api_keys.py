from sqlalchemy import text

from tests.helpers import assert_problem, count


def _create(client, headers, scopes, name="ERP sync"):
    return client.post("/api/v1/api-keys", json={"name": name, "scopes": scopes}, headers=headers)


def test_key_shown_once_stored_hashed_and_scoped(client, world, db):
    r = _create(client, world.h("a_owner"), ["users:view"])
    assert r.status_code == 201
    secret = r.json()["key"]
    assert secret.startswith("atk_")
    listed = client.get("/api/v1/api-keys", headers=world.h("a_owner")).json()["items"]
    assert [k["id"] for k in listed] == [r.json()["id"]] and "key" not in listed[0]
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT key_hash, prefix FROM api_keys")).one()
    assert secret not in stored[0] and len(stored[0]) == 64
    key_headers = {"X-API-Key": secret}
    assert client.get("/api/v1/users", headers=key_headers).status_code == 200
    assert client.get("/api/v1/users", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    # Not in scope: refused although the creator (owner) may do it.
    from autotrade.iam.models import User

    before = count(db, User)
    r = client.post(
        "/api/v1/users",
        json={"email": "x@y.cn", "name": "X", "password": "Strong-pass-1"},
        headers=key_headers,
    )
    assert_problem(r, 403, "permission_denied")
    assert count(db, User) == before
    me = client.get("/api/v1/me", headers=key_headers).json()
    assert me["permissions"] == ["users:view"] and me["api_key_id"] == listed[0]["id"]


def test_revoked_and_unknown_keys(client, world):
    r = _create(client, world.h("a_owner"), ["users:view"])
    secret, key_id = r.json()["key"], r.json()["id"]
    assert client.post(f"/api/v1/api-keys/{key_id}/revoke", headers=world.h("a_owner")).json()["revoked_at"]
    assert_problem(client.get("/api/v1/users", headers={"X-API-Key": secret}), 401, "api_key_revoked")
    assert_problem(
        client.get("/api/v1/users", headers={"X-API-Key": secret[:-3] + "abc"}), 401, "invalid_api_key"
    )
    assert_problem(client.get("/api/v1/users", headers={"X-API-Key": "atk_nothing"}), 401, "invalid_api_key")


def test_cannot_scope_beyond_own_permissions(client, world):
    r = _create(client, world.h("a_owner"), ["platform.companies:approve"])
    assert_problem(r, 403, "role_not_assignable", field="scopes")
    p = assert_problem(
        _create(client, world.h("a_owner"), ["nonsense:view"]), 422, "validation_error", field="scopes"
    )
    assert p["errors"][0]["code"] == "unknown_permission"


def test_viewer_cannot_create_keys(client, world):
    assert_problem(_create(client, world.h("a_viewer"), ["users:view"]), 403, "permission_denied")


def test_key_never_exceeds_its_creator(client, world, db):
    from tests.factories import login, make_user

    r = _create(client, world.h("a_owner"), ["users:view", "users:edit"])
    key = {"X-API-Key": r.json()["key"]}
    assert client.get("/api/v1/me", headers=key).json()["permissions"] == ["users:edit", "users:view"]
    # A second owner of company A demotes the key's creator to a viewer: the key loses the permissions too.
    _, email2 = make_user(db, org=world.orgs["a"], roles=("owner",))
    owner2 = login(client, email2)
    viewer = next(x for x in client.get("/api/v1/roles", headers=owner2).json() if x["key"] == "viewer")
    r = client.patch(
        f"/api/v1/users/{world.users['a_owner']}", json={"role_ids": [viewer["id"]]}, headers=owner2
    )
    assert r.status_code == 200 and [x["key"] for x in r.json()["roles"]] == ["viewer"]
    assert client.get("/api/v1/me", headers=key).json()["permissions"] == []
    assert_problem(client.get("/api/v1/users", headers=key), 403, "permission_denied")


def test_owner_cannot_demote_themselves(client, world):
    viewer = next(
        x for x in client.get("/api/v1/roles", headers=world.h("a_owner")).json() if x["key"] == "viewer"
    )
    r = client.patch(
        f"/api/v1/users/{world.users['a_owner']}",
        json={"role_ids": [viewer["id"]]},
        headers=world.h("a_owner"),
    )
    assert_problem(r, 409, "cannot_demote_self", field="role_ids")
