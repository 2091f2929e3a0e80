def test_login_and_me(world):
    r = world.client.get("/api/v1/me", headers=world.h("a_owner"))
    assert r.status_code == 200
    body = r.json()
    assert body["org_id"] == str(world.orgs["a"])
    assert sorted(body["visible_org_ids"]) == sorted([str(world.orgs["a"]), str(world.orgs["a_branch"])])
