"""Alliances: invitations, shared availability (quantities only), transfer requests and decisions."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from autotrade.audit.models import AuditLog
from autotrade.core.tenancy import bind_system
from autotrade.orgs.models import OrgType
from tests.factories import login, make_company, make_user
from tests.helpers import assert_problem, table_counts
from tests.inventory.conftest import levels


def _wh(client, h, code):
    body = {"code": code, "name": f"仓 {code}", "province": "浙江省", "city": "杭州市", "address": "x"}
    r = client.post("/api/v1/warehouses", json=body, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _stock(client, h, wh, part, q):
    r = client.post(
        "/api/v1/stock/receipts", json={"warehouse_id": wh, "part_id": str(part), "quantity": q}, headers=h
    )
    assert r.status_code == 201, r.text


def test_alliance_membership_stock_and_transfers(client, world, db, parts):
    a, b = world.h("a_owner"), world.h("b_owner")
    c_org = make_company(db, name="C 汽配", type=OrgType.distributor)
    _, c_email = make_user(db, org=c_org)
    c = login(client, c_email)
    pad = parts.ids["pad"]
    wa, wb = _wh(client, a, "A1"), _wh(client, b, "B1")
    _stock(client, b, wb, pad, 10)
    _stock(client, a, wa, pad, 1)

    r = client.post("/api/v1/alliances", json={"name": "杭州汽配联盟"}, headers=b)
    assert r.status_code == 201, r.text
    al = r.json()
    assert [(m["org_id"], m["status"]) for m in al["members"]] == [(str(world.orgs["b"]), "active")]
    aid = al["id"]
    # not yet invited: A sees nothing
    assert_problem(client.get(f"/api/v1/alliances/{aid}", headers=a), 404, "alliance_not_found")
    assert client.get("/api/v1/alliances", headers=a).json()["items"] == []
    r = client.post(
        f"/api/v1/alliances/{aid}/invitations", json={"company_id": str(world.orgs["a"])}, headers=b
    )
    assert r.status_code == 201 and r.json()["status"] == "invited"
    assert_problem(
        client.post(
            f"/api/v1/alliances/{aid}/invitations", json={"company_id": str(world.orgs["a"])}, headers=b
        ),
        409,
        "already_member",
    )
    # invited: sees the alliance, not the stock; cannot invite
    assert client.get(f"/api/v1/alliances/{aid}", headers=a).json()["my_status"] == "invited"
    assert_problem(
        client.get(f"/api/v1/alliances/{aid}/stock?part_id={pad}", headers=a), 403, "not_an_active_member"
    )
    r = client.post(f"/api/v1/alliances/{aid}/accept", headers=a)
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert_problem(
        client.post(f"/api/v1/alliances/{aid}/invitations", json={"company_id": str(c_org)}, headers=a),
        403,
        "not_alliance_owner",
    )
    listed = client.get(f"/api/v1/alliances/{aid}", headers=a).json()
    assert sorted(m["org_id"] for m in listed["members"]) == sorted(
        [str(world.orgs["a"]), str(world.orgs["b"])]
    )
    # shared availability: quantities by warehouse, nothing else
    stock = client.get(f"/api/v1/alliances/{aid}/stock?part_id={pad}", headers=a).json()
    assert sorted((s["warehouse_id"], s["available"], s["company_name"]) for s in stock) == sorted(
        [(wa, 1, "A 汽修连锁"), (wb, 10, "B 汽配经销")]
    )
    assert set(stock[0]) == {
        "org_id",
        "company_name",
        "warehouse_id",
        "warehouse_name",
        "province",
        "city",
        "part_id",
        "available",
    }
    # C (not a member) sees nothing
    assert_problem(
        client.get(f"/api/v1/alliances/{aid}/stock?part_id={pad}", headers=c), 404, "alliance_not_found"
    )

    # A asks B for 4 pads into A's warehouse
    body = {
        "from_warehouse_id": wb,
        "to_warehouse_id": wa,
        "part_id": str(pad),
        "quantity": 4,
        "note": "急用",
    }
    r = client.post(f"/api/v1/alliances/{aid}/transfers", json=body, headers=a)
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["status"], t["org_id"], t["source_org_id"]) == (
        "requested",
        str(world.orgs["a"]),
        str(world.orgs["b"]),
    )
    # the destination must be the requester's own warehouse
    bad = {**body, "to_warehouse_id": wb, "from_warehouse_id": wa}
    assert_problem(
        client.post(f"/api/v1/alliances/{aid}/transfers", json=bad, headers=a),
        404,
        "warehouse_not_found",
        "to_warehouse_id",
    )
    # both parties see it; C does not
    assert [x["id"] for x in client.get("/api/v1/transfers", headers=b).json()["items"]] == [t["id"]]
    assert [x["id"] for x in client.get("/api/v1/transfers", headers=a).json()["items"]] == [t["id"]]
    assert_problem(client.get(f"/api/v1/transfers/{t['id']}", headers=c), 404, "transfer_not_found")
    # only the source approves
    assert_problem(client.post(f"/api/v1/transfers/{t['id']}/approve", headers=a), 403, "not_source_owner")
    r = client.post(f"/api/v1/transfers/{t['id']}/approve", json={"reason": "同意"}, headers=b)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert levels(db) == {(uuid.UUID(wb), pad): (6, 0), (uuid.UUID(wa), pad): (5, 0)}
    assert_problem(
        client.post(f"/api/v1/transfers/{t['id']}/cancel", headers=a), 409, "invalid_transfer_transition"
    )

    # a request for more than is available: approval fails and changes nothing
    t2 = client.post(f"/api/v1/alliances/{aid}/transfers", json={**body, "quantity": 7}, headers=a).json()
    before = table_counts(db)
    r = client.post(f"/api/v1/transfers/{t2['id']}/approve", headers=b)
    body409 = assert_problem(r, 409, "insufficient_stock")
    assert body409["errors"] == [{"part_id": str(pad), "warehouse_id": wb, "requested": 7, "available": 6}]
    assert table_counts(db) == before
    assert client.get(f"/api/v1/transfers/{t2['id']}", headers=a).json()["status"] == "requested"
    r = client.post(f"/api/v1/transfers/{t2['id']}/reject", json={"reason": "库存不足"}, headers=b)
    assert (r.json()["status"], r.json()["decision_reason"]) == ("rejected", "库存不足")
    t3 = client.post(f"/api/v1/alliances/{aid}/transfers", json={**body, "quantity": 1}, headers=a).json()
    assert_problem(client.post(f"/api/v1/transfers/{t3['id']}/cancel", headers=b), 403, "not_requester")
    assert client.post(f"/api/v1/transfers/{t3['id']}/cancel", headers=a).json()["status"] == "cancelled"
    with db.transaction() as s:
        bind_system(s, "test")
        actions = sorted(
            s.scalars(select(AuditLog.action).where(AuditLog.entity_type == "transfer_requests"))
        )
    assert actions == [
        "inventory.transfer.approve",
        "inventory.transfer.cancel",
        "inventory.transfer.reject",
        "transfer_requests.create",
        "transfer_requests.create",
        "transfer_requests.create",
    ]


def test_invitee_may_decline_and_cannot_act(client, world, db, parts):
    a, b = world.h("a_owner"), world.h("b_owner")
    aid = client.post("/api/v1/alliances", json={"name": "联盟"}, headers=b).json()["id"]
    client.post(f"/api/v1/alliances/{aid}/invitations", json={"company_id": str(world.orgs["a"])}, headers=b)
    r = client.post(f"/api/v1/alliances/{aid}/decline", headers=a)
    assert r.json()["status"] == "declined"
    assert_problem(client.get(f"/api/v1/alliances/{aid}", headers=a), 404, "alliance_not_found")
    assert_problem(client.post(f"/api/v1/alliances/{aid}/accept", headers=a), 404, "alliance_not_found")
    assert_problem(
        client.post(
            f"/api/v1/alliances/{aid}/invitations", json={"company_id": str(uuid.uuid4())}, headers=b
        ),
        422,
        "company_not_found",
        "company_id",
    )
