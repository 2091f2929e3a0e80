import copy

from autotrade.iam.models import User
from autotrade.orgs.models import Org
from tests.core.test_problems import VALID
from tests.helpers import assert_problem, count


def test_same_key_same_body_returns_the_first_answer(client, db):
    h = {"Idempotency-Key": "reg-1"}
    first = client.post("/api/v1/companies/register", json=VALID, headers=h)
    again = client.post("/api/v1/companies/register", json=VALID, headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert count(db, Org) == 1 and count(db, User) == 1


def test_same_key_other_body_is_refused(client, db):
    client.post("/api/v1/companies/register", json=VALID, headers={"Idempotency-Key": "reg-2"})
    other = copy.deepcopy(VALID)
    other["company"]["name"] = "另一家公司"
    r = client.post("/api/v1/companies/register", json=other, headers={"Idempotency-Key": "reg-2"})
    assert_problem(r, 409, "idempotency_key_reused", field="header.Idempotency-Key")
    assert count(db, Org) == 1


def test_failed_request_does_not_burn_the_key(client, db):
    bad = copy.deepcopy(VALID)
    bad["company"]["type"] = "platform"
    assert (
        client.post("/api/v1/companies/register", json=bad, headers={"Idempotency-Key": "reg-3"}).status_code
        == 422
    )
    ok = client.post("/api/v1/companies/register", json=VALID, headers={"Idempotency-Key": "reg-3"})
    assert ok.status_code == 201


def test_keys_are_per_caller(client, world, db):
    body = {"email": "idem@x.cn", "name": "I", "password": "Strong-pass-1"}
    r1 = client.post("/api/v1/users", json=body, headers={**world.h("a_owner"), "Idempotency-Key": "k"})
    body2 = {**body, "email": "idem2@x.cn"}
    r2 = client.post("/api/v1/users", json=body2, headers={**world.h("b_owner"), "Idempotency-Key": "k"})
    assert r1.status_code == r2.status_code == 201 and r1.json()["id"] != r2.json()["id"]


def test_cursor_pagination_walks_every_row_once(client, world, db):
    from tests.factories import make_user

    for _ in range(5):
        make_user(db, org=world.orgs["b"], roles=("viewer",))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/users", params=params, headers=world.h("b_owner")).json()
        seen += [u["id"] for u in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 6
    assert seen == sorted(seen, reverse=True)


def test_bad_cursor_and_limit(client, world):
    h = world.h("b_owner")
    assert_problem(
        client.get("/api/v1/users", params={"cursor": "!!!"}, headers=h),
        422,
        "invalid_cursor",
        field="query.cursor",
    )
    assert_problem(
        client.get("/api/v1/users", params={"limit": 0}, headers=h),
        422,
        "validation_error",
        field="query.limit",
    )
