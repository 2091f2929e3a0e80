"""A user limited to a branch belongs to the branch: sees it (and users in it), not the parent."""

from tests.factories import login
from tests.helpers import assert_problem


def _emails(client, headers):
    return {
        u["email"]
        for u in client.get("/api/v1/users", params={"limit": 200}, headers=headers).json()["items"]
    }


def test_parent_owner_places_a_user_in_a_branch(client, world):
    h = world.h("a_owner")
    r = client.post(
        "/api/v1/users",
        json={
            "email": "clerk@branch.cn",
            "name": "店员",
            "password": "Strong-pass-1",
            "branch_id": str(world.orgs["a_branch"]),
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json()["branch_id"] == str(world.orgs["a_branch"])
    me = client.get("/api/v1/me", headers=login(client, "clerk@branch.cn", "Strong-pass-1")).json()
    assert me["org_id"] == me["branch_id"] == str(world.orgs["a_branch"])
    assert me["company_id"] == str(world.orgs["a"]) and me["visible_org_ids"] == [str(world.orgs["a_branch"])]
    # The parent's owner sees everyone; the branch manager sees the branch's users only.
    assert {"clerk@branch.cn", world.emails["a_store"], world.emails["a_owner"]} <= _emails(client, h)
    assert _emails(client, world.h("a_store")) == {"clerk@branch.cn", world.emails["a_store"]}


def test_branch_manager_cannot_reach_the_parent_or_another_company(client, world):
    store = world.h("a_store")
    assert_problem(
        client.get(f"/api/v1/users/{world.users['a_owner']}", headers=store), 404, "user_not_found"
    )
    r = client.post(
        "/api/v1/users",
        json={"email": "x@y.cn", "name": "X", "password": "Strong-pass-1", "branch_id": str(world.orgs["a"])},
        headers=store,
    )
    assert_problem(r, 404, "branch_not_found", field="branch_id")
    r = client.patch(
        f"/api/v1/users/{world.users['a_viewer']}",
        json={"branch_id": str(world.orgs["b"])},
        headers=world.h("a_owner"),
    )
    assert_problem(r, 404, "branch_not_found", field="branch_id")


def test_moving_a_user_to_a_branch_moves_their_role_links(client, world):
    r = client.patch(
        f"/api/v1/users/{world.users['a_viewer']}",
        json={"branch_id": str(world.orgs["a_branch"])},
        headers=world.h("a_owner"),
    )
    assert r.status_code == 200 and r.json()["branch_id"] == str(world.orgs["a_branch"])
    assert [x["key"] for x in r.json()["roles"]] == ["viewer"]
    # Now in the branch: the branch manager sees the user and their roles.
    users = client.get("/api/v1/users", params={"limit": 200}, headers=world.h("a_store")).json()["items"]
    moved = next(u for u in users if u["id"] == str(world.users["a_viewer"]))
    assert [x["key"] for x in moved["roles"]] == ["viewer"]
    me = client.get("/api/v1/me", headers=login(client, world.emails["a_viewer"])).json()
    assert me["visible_org_ids"] == [str(world.orgs["a_branch"])]
