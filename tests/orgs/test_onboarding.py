"""Registration → pending → platform review (approve / reject with reason) → resubmit; branches."""

import copy

from autotrade.core.validators import uscc_with_check
from autotrade.iam.models import User
from autotrade.orgs.models import Org
from tests.factories import new_uscc
from tests.helpers import assert_problem, count, table_counts

BODY = {
    "company": {
        "name": "杭州新锐汽修有限公司",
        "type": "repair_shop",
        "uscc": uscc_with_check("91330100MA2XRX001"),
        "province": "浙江省",
        "city": "杭州市",
        "district": "余杭区",
        "address": "文一西路100号",
        "latitude": 30.29,
        "longitude": 120.02,
        "legal_rep_name": "王五",
        "legal_rep_id_number": "11010519491231002X",
        "bank_name": "招商银行",
        "bank_account": "6225880112345678",
        "contacts": [{"name": "王五", "title": "店长", "phone": "13800001111", "email": "w@xr.cn"}],
    },
    "owner": {
        "email": "owner@xinrui.cn",
        "name": "王五",
        "password": "Strong-pass-1",
        "phone": "13800001111",
    },
}


def _register(client, body=BODY, **headers):
    return client.post("/api/v1/companies/register", json=body, headers=headers)


def test_register_creates_pending_company_and_owner(client, world):
    r = _register(client)
    assert r.status_code == 201, r.text
    company = r.json()["company"]
    assert company["status"] == "pending" and company["can_trade"] is False
    # Sensitive fields are masked for the public answer.
    assert company["bank_account"] == "************5678"
    assert company["legal_rep_id_number"] == "110105********002X"
    assert company["contacts"][0]["phone"] == "138****1111" and company["contacts"][0]["is_primary"] is True
    from tests.factories import login

    h = login(client, "owner@xinrui.cn", "Strong-pass-1")
    me = client.get("/api/v1/me", headers=h).json()
    assert me["org_status"] == "pending" and "users:admin" in me["permissions"]
    mine = client.get("/api/v1/companies/me", headers=h).json()
    assert mine["bank_account"] == "6225880112345678"  # the owner holds pii:view


def test_duplicate_registration_is_409_and_writes_nothing(client, world, db):
    assert _register(client).status_code == 201
    before = table_counts(db)
    body = copy.deepcopy(BODY)
    body["owner"]["email"] = "other@xinrui.cn"
    assert_problem(_register(client, body), 409, "company_already_registered", field="company.uscc")
    body = copy.deepcopy(BODY)
    body["company"]["uscc"] = new_uscc()
    assert_problem(_register(client, body), 409, "email_taken", field="owner.email")
    assert table_counts(db) == before


def test_platform_type_cannot_register(client, db):
    body = copy.deepcopy(BODY)
    body["company"]["type"] = "platform"
    assert_problem(_register(client, body), 422, "invalid_org_type", field="company.type")
    assert count(db, Org) == 0


def test_reviewer_approves(client, world):
    company_id = _register(client).json()["company"]["id"]
    queue = client.get("/api/v1/platform/companies", headers=world.h("reviewer")).json()["items"]
    assert company_id in [c["id"] for c in queue]
    assert all(c["status"] == "pending" for c in queue)
    r = client.post(f"/api/v1/platform/companies/{company_id}/approve", headers=world.h("reviewer"))
    assert r.status_code == 200
    assert r.json()["status"] == "approved" and r.json()["can_trade"] is True and r.json()["reviewed_at"]
    assert_problem(
        client.post(f"/api/v1/platform/companies/{company_id}/approve", headers=world.h("reviewer")),
        409,
        "invalid_review_transition",
    )
    audit = client.get(
        "/api/v1/platform/audit", params={"action": "orgs.approve"}, headers=world.h("auditor")
    ).json()["items"]
    assert [(a["entity_id"], a["before"]["status"], a["after"]["status"]) for a in audit] == [
        (company_id, "pending", "approved")
    ]


def test_reject_needs_reason_then_resubmit(client, world):
    company_id = _register(client).json()["company"]["id"]
    url = f"/api/v1/platform/companies/{company_id}/reject"
    assert_problem(
        client.post(url, json={}, headers=world.h("reviewer")), 422, "validation_error", field="reason"
    )
    r = client.post(url, json={"reason": "营业执照照片不清晰"}, headers=world.h("reviewer"))
    assert r.json()["status"] == "rejected" and r.json()["review_reason"] == "营业执照照片不清晰"
    from tests.factories import login

    h = login(client, "owner@xinrui.cn", "Strong-pass-1")
    assert client.get("/api/v1/companies/me", headers=h).json()["review_reason"] == "营业执照照片不清晰"
    r = client.patch(f"/api/v1/companies/{company_id}", json={"address": "文一西路102号"}, headers=h)
    assert r.status_code == 200 and r.json()["address"] == "文一西路102号"
    r = client.post(f"/api/v1/companies/{company_id}/resubmit", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "pending"
    assert_problem(
        client.post(f"/api/v1/companies/{company_id}/resubmit", headers=h), 409, "invalid_review_transition"
    )


def test_non_reviewer_cannot_review(client, world, db):
    r = client.post(f"/api/v1/platform/companies/{world.orgs['pending']}/approve", headers=world.h("a_owner"))
    assert_problem(r, 403, "permission_denied")
    assert count(db, Org, Org.id == world.orgs["pending"], Org.status == "pending") == 1


def test_branches_follow_parent_and_parent_owner_sees_them(client, world):
    h = world.h("a_owner")
    body = {
        "name": "A 汽修萧山店",
        "uscc": new_uscc(),
        "province": "浙江省",
        "city": "杭州市",
        "district": "萧山区",
        "address": "市心北路1号",
        "contacts": [{"name": "店长", "phone": "13900002222"}],
    }
    r = client.post(f"/api/v1/companies/{world.orgs['a']}/branches", json=body, headers=h)
    assert r.status_code == 201, r.text
    branch = r.json()
    assert branch["parent_id"] == str(world.orgs["a"]) and branch["status"] == "approved"
    assert branch["type"] == "repair_shop"
    ids = {c["id"] for c in client.get("/api/v1/companies", headers=h).json()["items"]}
    assert ids == {str(world.orgs["a"]), str(world.orgs["a_branch"]), branch["id"]}
    # The branch-limited store manager sees only its own branch.
    store_ids = {c["id"] for c in client.get("/api/v1/companies", headers=world.h("a_store")).json()["items"]}
    assert store_ids == {str(world.orgs["a_branch"])}
    # Suspending the parent suspends its branches.
    r = client.post(
        f"/api/v1/platform/companies/{world.orgs['a']}/suspend",
        json={"reason": "投诉调查"},
        headers=world.h("admin"),
    )
    assert r.json()["status"] == "suspended"
    statuses = {c["status"] for c in client.get("/api/v1/companies", headers=h).json()["items"]}
    assert statuses == {"suspended"}
    assert_problem(
        client.post(f"/api/v1/platform/companies/{branch['id']}/approve", headers=world.h("admin")),
        409,
        "branch_not_reviewable",
    )


def test_user_count_unchanged_by_failed_registration(client, db):
    body = copy.deepcopy(BODY)
    body["owner"]["password"] = "12345678901"
    assert_problem(_register(client, body), 422, "validation_error", field="owner.password")
    assert count(db, User) == 0
