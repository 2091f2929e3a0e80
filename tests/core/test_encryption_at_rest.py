"""Sensitive fields are ciphertext in the database, masked in responses unless the caller holds pii:view."""

from pathlib import Path

from sqlalchemy import text

from tests.factories import make_user

PHONE = "13700001234"


def test_no_plaintext_in_database(client, world, db, backend):
    make_user(db, org=world.orgs["a"], phone=PHONE)
    with db.engine.connect() as conn:
        phones = conn.execute(text("SELECT phone, phone_hmac FROM users WHERE phone IS NOT NULL")).all()
        orgs = conn.execute(text("SELECT bank_account, legal_rep_id_number FROM orgs")).all()
        contacts = conn.execute(text("SELECT phone FROM org_contacts")).all()
    assert phones and all(p.startswith("v1.t1.") and PHONE not in p and len(h) == 64 for p, h in phones)
    assert all(b.startswith("v1.t1.") and "6222021001123456789" not in b for b, _ in orgs)
    assert all(i.startswith("v1.t1.") and "1949" not in i for _, i in orgs)
    assert all(c.startswith("v1.t1.") for (c,) in contacts)
    if backend == "sqlite":
        path = Path(db.url.split("///", 1)[1])
        db.dispose()  # flush the WAL into the file
        raw = path.read_bytes() + (
            Path(str(path) + "-wal").read_bytes() if Path(str(path) + "-wal").exists() else b""
        )
        assert PHONE.encode() not in raw
        assert b"6222021001123456789" not in raw


def test_masked_without_pii_view_clear_with_it(client, world, db):
    make_user(db, org=world.orgs["a"], phone=PHONE, roles=("viewer",))
    # a_owner holds pii:view (owner role); a custom role with users:view only does not.
    r = client.post(
        "/api/v1/roles", json={"name": "HR read", "permissions": ["users:view"]}, headers=world.h("a_owner")
    )
    role_id = r.json()["id"]
    uid, email = make_user(db, org=world.orgs["a"], roles=())
    r = client.patch(f"/api/v1/users/{uid}", json={"role_ids": [role_id]}, headers=world.h("a_owner"))
    assert r.status_code == 200, r.text
    from tests.factories import login

    hr = login(client, email)
    masked = {u["phone"] for u in client.get("/api/v1/users?limit=200", headers=hr).json()["items"]}
    clear = {
        u["phone"] for u in client.get("/api/v1/users?limit=200", headers=world.h("a_owner")).json()["items"]
    }
    assert "137****1234" in masked and PHONE not in masked
    assert PHONE in clear


def test_exact_search_by_phone_through_hmac(client, world, db):
    uid, _ = make_user(db, org=world.orgs["a"], phone=PHONE)
    r = client.get("/api/v1/users", params={"phone": "137 0000 1234"}, headers=world.h("a_owner"))
    assert [u["id"] for u in r.json()["items"]] == [str(uid)]
    r = client.get("/api/v1/users", params={"phone": PHONE}, headers=world.h("b_owner"))
    assert r.json()["items"] == []  # same phone, other company: not visible


def test_platform_searches_companies_by_contact_phone(client, world):
    r = client.get(
        "/api/v1/platform/companies",
        params={"status": "pending", "contact_phone": "13800000003"},
        headers=world.h("reviewer"),
    )
    assert [c["id"] for c in r.json()["items"]] == [str(world.orgs["pending"])]
    assert r.json()["items"][0]["contacts"][0]["phone"] == "13800000003"  # reviewer holds pii:view
