"""Supplier API (offers, customer groups, price policies) and the buyer's quotes, over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.pricing.models import CustomerGroup, CustomerGroupMember, Offer, OfferTier, PricePolicy
from tests.helpers import assert_problem, count, table_counts


def offer_body(part_id: uuid.UUID, **kw: Any) -> dict[str, Any]:
    return {
        "part_id": str(part_id),
        "list_price_fen": 10_000,
        "moq": 2,
        "pack_size": 2,
        "lead_time_days": 1,
        "tiers": [
            {"min_quantity": 10, "unit_price_fen": 9_000},
            {"min_quantity": 50, "unit_price_fen": 8_000},
        ],
        **kw,
    }


def test_offer_crud_is_my_company_only(client, world, db, catalog):
    b = world.h("b_owner")
    r = client.post("/api/v1/offers", json=offer_body(catalog.parts["toyota_pad"]), headers=b)
    assert r.status_code == 201, r.text
    offer = r.json()
    assert {
        k: offer[k]
        for k in (
            "supplier_org_id",
            "list_price_fen",
            "currency",
            "moq",
            "pack_size",
            "vat_rate_bp",
            "status",
        )
    } == {
        "supplier_org_id": str(world.orgs["b"]),
        "list_price_fen": 10_000,
        "currency": "CNY",
        "moq": 2,
        "pack_size": 2,
        "vat_rate_bp": 1300,
        "status": "active",
    }
    assert offer["tiers"] == [
        {"min_quantity": 10, "unit_price_fen": 9_000},
        {"min_quantity": 50, "unit_price_fen": 8_000},
    ]
    oid = offer["id"]

    r = client.patch(
        f"/api/v1/offers/{oid}",
        json={"list_price_fen": 9_500, "tiers": [{"min_quantity": 10, "unit_price_fen": 8_800}]},
        headers=b,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["list_price_fen"], r.json()["tiers"]) == (
        9_500,
        [{"min_quantity": 10, "unit_price_fen": 8_800}],
    )
    assert count(db, OfferTier) == 1
    r = client.patch(f"/api/v1/offers/{oid}", json={"status": "paused"}, headers=b)
    assert r.json()["status"] == "paused" and r.json()["tiers"] == [
        {"min_quantity": 10, "unit_price_fen": 8_800}
    ]

    assert [o["id"] for o in client.get("/api/v1/offers", headers=b).json()["items"]] == [oid]
    assert client.get("/api/v1/offers", headers=world.h("a_owner")).json()["items"] == []
    assert_problem(client.get(f"/api/v1/offers/{oid}", headers=world.h("a_owner")), 404, "offer_not_found")
    assert client.get(f"/api/v1/offers?part_id={catalog.parts['bosch_pad']}", headers=b).json()["items"] == []

    assert client.delete(f"/api/v1/offers/{oid}", headers=b).status_code == 204
    assert count(db, Offer) == 0 and count(db, OfferTier) == 0


def test_offer_validation_changes_nothing(client, world, db, catalog):
    b = world.h("b_owner")
    part = catalog.parts["toyota_pad"]
    assert client.post("/api/v1/offers", json=offer_body(part), headers=b).status_code == 201
    before = table_counts(db)
    cases = [
        (offer_body(part), 409, "offer_exists", "part_id"),
        (offer_body(catalog.parts["trw_pad"], list_price_fen=0), 422, "validation_error", "list_price_fen"),
        (offer_body(catalog.parts["trw_pad"], moq=0), 422, "validation_error", "moq"),
        (offer_body(catalog.parts["trw_pad"], pack_size=0), 422, "validation_error", "pack_size"),
        (offer_body(catalog.parts["trw_pad"], currency="USD"), 422, "validation_error", "currency"),
        (offer_body(uuid.uuid4()), 422, "part_not_found", "part_id"),
        (
            offer_body(
                catalog.parts["trw_pad"],
                tiers=[
                    {"min_quantity": 10, "unit_price_fen": 9_000},
                    {"min_quantity": 10, "unit_price_fen": 8_000},
                ],
            ),
            422,
            "tiers_not_increasing",
            "tiers[1].min_quantity",
        ),
        (
            offer_body(
                catalog.parts["trw_pad"],
                tiers=[
                    {"min_quantity": 10, "unit_price_fen": 8_000},
                    {"min_quantity": 20, "unit_price_fen": 9_000},
                ],
            ),
            422,
            "tier_price_increases",
            "tiers[1].unit_price_fen",
        ),
        (
            offer_body(catalog.parts["trw_pad"], tiers=[{"min_quantity": 10, "unit_price_fen": 10_001}]),
            422,
            "tier_above_list_price",
            "tiers[0].unit_price_fen",
        ),
    ]
    for body, status, code, field in cases:
        assert_problem(client.post("/api/v1/offers", json=body, headers=b), status, code, field)
    oid = client.get("/api/v1/offers", headers=b).json()["items"][0]["id"]
    assert_problem(
        client.patch(f"/api/v1/offers/{oid}", json={"list_price_fen": 8_500}, headers=b),
        422,
        "tier_above_list_price",
        "tiers[0].unit_price_fen",
    )
    assert_problem(
        client.patch(f"/api/v1/offers/{oid}", json={"moq": None}, headers=b), 422, "required", "moq"
    )
    assert table_counts(db) == before


def test_permissions(client, world, db, catalog):
    body = offer_body(catalog.parts["toyota_pad"])
    for who in ("a_viewer", "a_purchaser", "pending_owner"):
        world.h(who)  # log in first: a login writes a session row
    before = table_counts(db)
    assert_problem(
        client.post("/api/v1/offers", json=body, headers=world.h("a_viewer")), 403, "permission_denied"
    )
    assert_problem(
        client.post("/api/v1/offers", json=body, headers=world.h("a_purchaser")), 403, "permission_denied"
    )
    assert_problem(
        client.get("/api/v1/offers", headers=world.h("pending_owner")), 403, "company_not_approved"
    )
    assert table_counts(db) == before
    assert client.get("/api/v1/offers", headers=world.h("a_viewer")).status_code == 200


def test_customer_groups_and_members(client, world, db, catalog):
    b = world.h("b_owner")
    r = client.post("/api/v1/customer-groups", json={"name": "VIP 华东", "description": "大客户"}, headers=b)
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    assert_problem(
        client.post("/api/v1/customer-groups", json={"name": "VIP 华东"}, headers=b),
        409,
        "group_name_taken",
        "name",
    )
    r = client.post(
        f"/api/v1/customer-groups/{gid}/members", json={"org_id": str(world.orgs["a"])}, headers=b
    )
    assert r.status_code == 201, r.text
    assert [(m["org_id"], m["name"]) for m in r.json()["members"]] == [(str(world.orgs["a"]), "A 汽修连锁")]
    before = table_counts(db)
    assert_problem(
        client.post(
            f"/api/v1/customer-groups/{gid}/members", json={"org_id": str(world.orgs["a"])}, headers=b
        ),
        409,
        "already_member",
        "org_id",
    )
    assert_problem(
        client.post(f"/api/v1/customer-groups/{gid}/members", json={"org_id": str(uuid.uuid4())}, headers=b),
        422,
        "company_not_found",
        "org_id",
    )
    assert_problem(
        client.post(
            f"/api/v1/customer-groups/{gid}/members", json={"org_id": str(world.orgs["platform"])}, headers=b
        ),
        422,
        "company_not_found",
        "org_id",
    )
    assert table_counts(db) == before
    listed = client.get("/api/v1/customer-groups", headers=b).json()["items"]
    assert [(g["name"], len(g["members"])) for g in listed] == [("VIP 华东", 1)]
    assert client.get("/api/v1/customer-groups", headers=world.h("a_owner")).json()["items"] == []

    r = client.post(
        "/api/v1/price-policies",
        json={"name": "VIP", "effect": "discount", "discount_bp": 800, "customer_group_id": gid},
        headers=b,
    )
    assert r.status_code == 201, r.text
    assert_problem(
        client.delete(f"/api/v1/customer-groups/{gid}", headers=b), 409, "in_use", "customer_group_id"
    )
    assert client.delete(f"/api/v1/price-policies/{r.json()['id']}", headers=b).status_code == 204
    assert (
        client.patch(f"/api/v1/customer-groups/{gid}", json={"name": "VIP"}, headers=b).json()["name"]
        == "VIP"
    )
    assert (
        client.delete(f"/api/v1/customer-groups/{gid}/members/{world.orgs['a']}", headers=b).status_code
        == 204
    )
    assert_problem(
        client.delete(f"/api/v1/customer-groups/{gid}/members/{world.orgs['a']}", headers=b),
        404,
        "member_not_found",
    )
    assert client.delete(f"/api/v1/customer-groups/{gid}", headers=b).status_code == 204
    assert count(db, CustomerGroup) == 0 and count(db, CustomerGroupMember) == 0


def test_price_policy_validation(client, world, db, catalog):
    b, a = world.h("b_owner"), world.h("a_owner")
    offer = client.post("/api/v1/offers", json=offer_body(catalog.parts["toyota_pad"]), headers=b).json()
    a_group = client.post("/api/v1/customer-groups", json={"name": "A 的组"}, headers=a).json()
    ok = {
        "name": "双十一",
        "effect": "discount",
        "discount_bp": 1_100,
        "scope": "offer",
        "offer_id": offer["id"],
    }
    r = client.post(
        "/api/v1/price-policies",
        json={
            **ok,
            "priority": 5,
            "valid_from": "2026-11-11T00:00:00+08:00",
            "valid_until": "2026-11-12T00:00:00+08:00",
            "channel": "web",
            "province": "浙江省",
        },
        headers=b,
    )
    assert r.status_code == 201, r.text
    pol = r.json()
    assert (pol["valid_from"], pol["priority"], pol["scope"], pol["currency"]) == (
        "2026-11-10T16:00:00Z",
        5,
        "offer",
        "CNY",
    )
    before = table_counts(db)
    cases = [
        (
            {**ok, "valid_from": "2026-11-12T00:00:00Z", "valid_until": "2026-11-11T00:00:00Z"},
            "invalid_window",
            "valid_until",
        ),
        ({**ok, "valid_from": "2026-11-12T00:00:00"}, "validation_error", "valid_from"),
        ({**ok, "offer_id": None}, "required", "offer_id"),
        ({**ok, "offer_id": str(uuid.uuid4())}, "offer_not_found", "offer_id"),
        ({**ok, "scope": "all"}, "not_allowed", "offer_id"),
        ({**ok, "scope": "category", "offer_id": None}, "required", "category_id"),
        (
            {**ok, "scope": "category", "offer_id": None, "category_id": str(uuid.uuid4())},
            "category_not_found",
            "category_id",
        ),
        ({**ok, "discount_bp": None}, "required", "discount_bp"),
        ({**ok, "discount_bp": 10_000}, "validation_error", "discount_bp"),
        ({**ok, "unit_price_fen": 100}, "not_allowed", "unit_price_fen"),
        ({**ok, "effect": "fixed_price", "discount_bp": None}, "required", "unit_price_fen"),
        (
            {**ok, "effect": "fixed_price", "unit_price_fen": 0, "discount_bp": None},
            "validation_error",
            "unit_price_fen",
        ),
        ({**ok, "customer_group_id": a_group["id"]}, "customer_group_not_found", "customer_group_id"),
        ({**ok, "channel": "fax"}, "validation_error", "channel"),
    ]
    for body, code, field in cases:
        assert_problem(client.post("/api/v1/price-policies", json=body, headers=b), 422, code, field)
    assert_problem(
        client.patch(
            f"/api/v1/price-policies/{pol['id']}", json={"valid_until": "2026-11-01T00:00:00Z"}, headers=b
        ),
        422,
        "invalid_window",
        "valid_until",
    )
    assert_problem(
        client.patch(f"/api/v1/price-policies/{pol['id']}", json={"effect": "fixed_price"}, headers=b),
        422,
        "required",
        "unit_price_fen",
    )
    assert_problem(client.delete(f"/api/v1/offers/{offer['id']}", headers=b), 409, "in_use", "offer_id")
    assert table_counts(db) == before
    r = client.patch(
        f"/api/v1/price-policies/{pol['id']}",
        json={"effect": "fixed_price", "discount_bp": None, "unit_price_fen": 7_777, "active": False},
        headers=b,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["effect"], r.json()["unit_price_fen"], r.json()["discount_bp"], r.json()["active"]) == (
        "fixed_price",
        7_777,
        None,
        False,
    )
    assert [
        p["id"] for p in client.get("/api/v1/price-policies?active=false", headers=b).json()["items"]
    ] == [pol["id"]]
    assert client.get("/api/v1/price-policies?active=true", headers=b).json()["items"] == []
    assert client.get("/api/v1/price-policies", headers=a).json()["items"] == []
    assert_problem(
        client.get(f"/api/v1/price-policies/{pol['id']}", headers=a), 404, "price_policy_not_found"
    )
    assert count(db, PricePolicy) == 1


def test_quotes_explain_the_price_for_my_company(client, world, db, catalog):
    b = world.h("b_owner")
    offer = client.post("/api/v1/offers", json=offer_body(catalog.parts["toyota_pad"]), headers=b).json()
    gid = client.post("/api/v1/customer-groups", json={"name": "VIP 华东"}, headers=b).json()["id"]
    client.post(f"/api/v1/customer-groups/{gid}/members", json={"org_id": str(world.orgs["a"])}, headers=b)
    client.post(
        "/api/v1/price-policies",
        json={
            "name": "VIP 华东",
            "priority": 10,
            "effect": "discount",
            "discount_bp": 800,
            "customer_group_id": gid,
        },
        headers=b,
    )
    before = table_counts(db)
    r = client.post(
        "/api/v1/quotes",
        json={"lines": [{"offer_id": offer["id"], "quantity": 2}, {"offer_id": offer["id"], "quantity": 50}]},
        headers=world.h("a_purchaser"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [
        (q["unit_price_fen"], q["net_fen"], q["vat_fen"], q["gross_fen"], q["rule"]) for q in body["items"]
    ] == [
        (9_200, 18_400, 2_392, 20_792, "policy 'VIP 华东' −8% (priority 10)"),
        (7_360, 368_000, 47_840, 415_840, "policy 'VIP 华东' −8% (priority 10)"),
    ]
    assert (body["channel"], body["net_fen"], body["vat_fen"], body["gross_fen"]) == (
        "web",
        386_400,
        50_232,
        436_632,
    )
    # another buyer, not in the group: the volume tier
    other = client.post(
        "/api/v1/quotes", json={"lines": [{"offer_id": offer["id"], "quantity": 50}]}, headers=b
    ).json()
    assert [(q["unit_price_fen"], q["rule"], q["rule_id"]) for q in other["items"]] == [
        (8_000, "tier ≥ 50", None)
    ]

    a = world.h("a_purchaser")
    missing = str(uuid.uuid4())
    body = assert_problem(
        client.post(
            "/api/v1/quotes",
            json={"lines": [{"offer_id": offer["id"], "quantity": 2}, {"offer_id": missing, "quantity": 1}]},
            headers=a,
        ),
        404,
        "offer_not_found",
        "lines[1].offer_id",
    )
    assert body["errors"] == [
        {"index": 1, "offer_id": missing, "code": "offer_not_found", "field": "lines[1].offer_id"}
    ]
    assert_problem(
        client.post("/api/v1/quotes", json={"lines": [{"offer_id": offer["id"], "quantity": 1}]}, headers=a),
        422,
        "below_moq",
        "lines[0].quantity",
    )
    assert_problem(
        client.post("/api/v1/quotes", json={"lines": [{"offer_id": offer["id"], "quantity": 3}]}, headers=a),
        422,
        "not_pack_multiple",
        "lines[0].quantity",
    )
    assert_problem(
        client.post("/api/v1/quotes", json={"lines": []}, headers=a), 422, "validation_error", "lines"
    )
    client.patch(f"/api/v1/offers/{offer['id']}", json={"status": "paused"}, headers=b)
    before = table_counts(db)
    assert_problem(
        client.post("/api/v1/quotes", json={"lines": [{"offer_id": offer["id"], "quantity": 2}]}, headers=a),
        422,
        "offer_inactive",
        "lines[0].offer_id",
    )
    assert table_counts(db) == before
