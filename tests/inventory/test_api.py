"""Warehouses, stock levels, receipts, adjustments, movements, alerts over HTTP."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from autotrade.audit.models import AuditLog
from autotrade.core.tenancy import bind_system
from autotrade.inventory.models import StockLevel, Warehouse
from tests.helpers import assert_problem, count, table_counts
from tests.inventory.conftest import levels

WH = {
    "code": "HZ-01",
    "name": "杭州一号仓",
    "province": "浙江省",
    "city": "杭州市",
    "address": "余杭区仓前街道1号",
    "latitude": 30.29,
    "longitude": 120.01,
    "service_radius_km": 80,
}


def _wh(client, h, **kw):
    r = client.post("/api/v1/warehouses", json={**WH, **kw}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


def test_warehouse_crud(client, world, db):
    h = world.h("b_owner")
    wh = _wh(client, h)
    assert {k: wh[k] for k in WH} == WH and wh["active"] is True and wh["org_id"] == str(world.orgs["b"])
    r = client.get("/api/v1/warehouses", headers=h)
    assert [w["id"] for w in r.json()["items"]] == [wh["id"]]
    r = client.patch(f"/api/v1/warehouses/{wh['id']}", json={"name": "杭州主仓", "active": False}, headers=h)
    assert r.status_code == 200 and (r.json()["name"], r.json()["active"]) == ("杭州主仓", False)
    assert client.get("/api/v1/warehouses?active=true", headers=h).json()["items"] == []
    assert client.get(f"/api/v1/warehouses/{wh['id']}", headers=h).json()["name"] == "杭州主仓"
    before = table_counts(db)
    assert_problem(client.post("/api/v1/warehouses", json=WH, headers=h), 409, "warehouse_code_taken", "code")
    assert_problem(
        client.post("/api/v1/warehouses", json={**WH, "code": "X", "latitude": 91}, headers=h),
        422,
        "validation_error",
    )
    assert table_counts(db) == before
    # another company may use the same code
    assert _wh(client, world.h("a_owner"))["code"] == "HZ-01"
    r = client.delete(f"/api/v1/warehouses/{wh['id']}", headers=h)
    assert r.status_code == 204
    assert count(db, Warehouse) == 1
    with db.transaction() as s:
        bind_system(s, "test")
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.entity_id == wh["id"])))
    assert actions == {"warehouses.create", "warehouses.update", "warehouses.delete"}


def test_viewer_reads_but_cannot_write_and_pending_company_cannot_trade(client, world, db):
    assert client.get("/api/v1/warehouses", headers=world.h("a_viewer")).status_code == 200
    world.h("pending_owner")  # logged in before the snapshot
    before = table_counts(db)
    assert_problem(
        client.post("/api/v1/warehouses", json=WH, headers=world.h("a_viewer")), 403, "permission_denied"
    )
    assert_problem(
        client.get("/api/v1/warehouses", headers=world.h("pending_owner")), 403, "company_not_approved"
    )
    assert table_counts(db) == before


def test_receipt_adjustment_movements_and_threshold(client, world, db, parts):
    h = world.h("b_owner")
    wh = _wh(client, h)
    body = {"warehouse_id": wh["id"], "part_id": str(parts.ids["pad"]), "quantity": 12, "reference": "GRN-1"}
    r = client.post("/api/v1/stock/receipts", json=body, headers=h)
    assert r.status_code == 201, r.text
    level = r.json()
    assert (level["on_hand"], level["reserved"], level["available"], level["sku"]) == (
        12,
        0,
        12,
        parts.skus["pad"],
    )
    r = client.post(
        "/api/v1/stock/adjustments",
        json={"warehouse_id": wh["id"], "part_id": str(parts.ids["pad"]), "on_hand": 9, "reason": "盘点"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["on_hand"] == 9
    r = client.get(f"/api/v1/stock/levels/{level['id']}/movements?limit=1", headers=h)
    page = r.json()
    assert [(m["kind"], m["on_hand_delta"], m["reason"]) for m in page["items"]] == [
        ("adjustment", -3, "盘点")
    ]
    r2 = client.get(
        f"/api/v1/stock/levels/{level['id']}/movements?limit=1&cursor={page['next_cursor']}", headers=h
    )
    assert [(m["kind"], m["on_hand_delta"], m["reference_id"]) for m in r2.json()["items"]] == [
        ("receipt", 12, "GRN-1")
    ]
    assert r2.json()["items"][0]["actor_label"] == world.emails["b_owner"]
    # adjustments: a reason is required; exactly one of on_hand / delta
    before = table_counts(db)
    bad = {
        "warehouse_id": wh["id"],
        "part_id": str(parts.ids["pad"]),
        "on_hand": 1,
        "delta": 1,
        "reason": "x",
    }
    assert_problem(client.post("/api/v1/stock/adjustments", json=bad, headers=h), 422, "validation_error")
    unknown = {**body, "part_id": str(uuid.uuid4())}
    assert_problem(
        client.post("/api/v1/stock/receipts", json=unknown, headers=h), 404, "part_not_found", "part_id"
    )
    assert table_counts(db) == before
    # threshold and alerts
    assert client.get("/api/v1/stock/alerts", headers=h).json()["items"] == []
    r = client.patch(f"/api/v1/stock/levels/{level['id']}", json={"low_stock_threshold": 9}, headers=h)
    assert r.status_code == 200 and r.json()["low_stock_threshold"] == 9
    alerts = client.get("/api/v1/stock/alerts", headers=h).json()["items"]
    assert [(a["id"], a["available"], a["low_stock_threshold"]) for a in alerts] == [(level["id"], 9, 9)]
    low = client.get("/api/v1/stock/levels?low_only=true", headers=h).json()["items"]
    assert [a["id"] for a in low] == [level["id"]]
    with db.transaction() as s:
        bind_system(s, "test")
        ev = s.scalars(select(AuditLog).where(AuditLog.action == "inventory.threshold")).one()
        assert (ev.entity_id, ev.after) == (level["id"], {"low_stock_threshold": 9, "previous": None})
    client.patch(f"/api/v1/stock/levels/{level['id']}", json={"low_stock_threshold": None}, headers=h)
    assert client.get("/api/v1/stock/alerts", headers=h).json()["items"] == []
    # filters
    other = _wh(client, h, code="NB-01")
    client.post("/api/v1/stock/receipts", json={**body, "warehouse_id": other["id"]}, headers=h)
    r = client.get(f"/api/v1/stock/levels?warehouse_id={other['id']}", headers=h)
    assert [(x["warehouse_id"], x["on_hand"]) for x in r.json()["items"]] == [(other["id"], 12)]
    r = client.get(f"/api/v1/stock/levels?part_id={parts.ids['pad']}&limit=1", headers=h)
    assert len(r.json()["items"]) == 1 and r.json()["next_cursor"]
    # the warehouse with stock cannot be deleted
    assert_problem(client.delete(f"/api/v1/warehouses/{wh['id']}", headers=h), 409, "warehouse_in_use")


def test_adjustment_below_reserved_is_refused_and_changes_nothing(client, world, db, parts):
    from autotrade.inventory import service
    from autotrade.inventory.service import StockLine

    h = world.h("b_owner")
    wh = _wh(client, h)
    pad = str(parts.ids["pad"])
    client.post(
        "/api/v1/stock/receipts", json={"warehouse_id": wh["id"], "part_id": pad, "quantity": 5}, headers=h
    )
    with db.transaction() as s:
        bind_system(s, "test")
        service.reserve(
            s, [StockLine(uuid.UUID(wh["id"]), parts.ids["pad"], 4)], reference_type="order", reference_id="o"
        )
    before = table_counts(db)
    r = client.post(
        "/api/v1/stock/adjustments",
        json={"warehouse_id": wh["id"], "part_id": pad, "delta": -2, "reason": "破损"},
        headers=h,
    )
    body = assert_problem(r, 409, "below_reserved", "delta")
    assert body["errors"] == [{"part_id": pad, "warehouse_id": wh["id"], "on_hand": 3, "reserved": 4}]
    assert table_counts(db) == before
    assert levels(db) == {(uuid.UUID(wh["id"]), parts.ids["pad"]): (5, 4)}
    assert count(db, StockLevel) == 1
