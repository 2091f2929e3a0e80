"""ERP/WMS sync (PUT /stock/levels), stock file uploads, and the `autotrade stock` commands."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import Workbook
from sqlalchemy import text
from typer.testing import CliRunner

from autotrade.core.settings import get_settings
from autotrade.inventory import service
from autotrade.inventory.service import StockLine
from tests.helpers import assert_problem, table_counts
from tests.inventory.conftest import levels, movements, tx
from tests.ops.procs import app_env


def _setup(client, world, db, parts):
    h = world.h("b_owner")
    wh = client.post(
        "/api/v1/warehouses",
        json={"code": "HZ-01", "name": "杭州仓", "province": "浙江省", "city": "杭州市", "address": "x"},
        headers=h,
    ).json()
    w = uuid.UUID(wh["id"])
    client.post(
        "/api/v1/stock/receipts",
        json={"warehouse_id": wh["id"], "part_id": str(parts.ids["disc"]), "quantity": 5},
        headers=h,
    )
    with tx(db) as s:
        service.reserve(s, [StockLine(w, parts.ids["disc"], 3)], reference_type="order", reference_id="o")
    return h, w


def test_sync_lands_good_rows_and_reports_bad_ones(client, world, db, parts):
    h, w = _setup(client, world, db, parts)
    rows = [
        {"warehouse_code": "HZ-01", "sku": parts.skus["pad"], "on_hand": 7},  # new level
        {"warehouse_code": "HZ-01", "part_id": str(parts.ids["disc"]), "on_hand": 2},  # below 3 reserved
        {"warehouse_code": "NOPE", "sku": parts.skus["pad"], "on_hand": 1},
        {"warehouse_code": "HZ-01", "sku": "NO-SUCH-SKU", "on_hand": 1},
        {"warehouse_code": "HZ-01", "sku": parts.skus["pad"], "on_hand": 8},  # repeated
        {"warehouse_code": "HZ-01", "sku": parts.skus["filter"], "on_hand": 0},  # zero: unchanged
    ]
    r = client.put("/api/v1/stock/levels", json={"rows": rows, "reference": "ERP-42"}, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["changed"], out["unchanged"], out["errors"]) == (1, 1, 4)
    got = [(x["index"], x["status"], x["code"], x["field"], x["delta"]) for x in out["rows"]]
    assert got == [
        (0, "changed", None, None, 7),
        (1, "error", "below_reserved", "rows.1.on_hand", None),
        (2, "error", "unknown_warehouse", "rows.2.warehouse_code", None),
        (3, "error", "unknown_sku", "rows.3.sku", None),
        (4, "error", "duplicate_row", "rows.4.sku", None),
        (5, "unchanged", None, None, 0),
    ]
    assert levels(db) == {
        (w, parts.ids["pad"]): (7, 0),
        (w, parts.ids["disc"]): (5, 3),
        (w, parts.ids["filter"]): (0, 0),
    }
    assert [m for m in movements(db) if m[0] == "adjustment"] == [
        ("adjustment", 7, 0, "stock_sync", "ERP-42")
    ]
    # the same counts again change nothing
    before = table_counts(db)
    r = client.put("/api/v1/stock/levels", json={"rows": rows[:1]}, headers=h)
    assert r.json()["rows"][0]["status"] == "unchanged"
    assert table_counts(db) == before
    # another company's warehouse code is unknown to me
    r = client.put("/api/v1/stock/levels", json={"rows": rows[:1]}, headers=world.h("a_owner"))
    assert r.json()["rows"][0]["code"] == "unknown_warehouse"
    assert_problem(client.put("/api/v1/stock/levels", json={"rows": []}, headers=h), 422, "validation_error")


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_upload_csv_reports_every_bad_row_with_line_and_column(client, world, db, parts):
    h, w = _setup(client, world, db, parts)
    data = _csv(
        "warehouse_code,sku,on_hand",
        f"HZ-01,{parts.skus['pad']},4",
        f"HZ-01,{parts.skus['disc']},abc",
        "",
        f"XX,{parts.skus['pad']},1",
        f"HZ-01,{parts.skus['disc']},1",
        "HZ-01,,3",
    )
    r = client.post("/api/v1/stock/uploads", files={"file": ("库存.csv", data, "text/csv")}, headers=h)
    assert r.status_code == 201, r.text
    up = r.json()
    assert (up["status"], up["rows_total"], up["rows_changed"], up["rows_failed"]) == ("done", 5, 1, 4)
    assert up["errors_url"] == f"/api/v1/stock/uploads/{up['id']}/errors.csv"
    r = client.get(up["errors_url"], headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines() == [
        "line,column,value,reason",
        "3,on_hand,abc,not a whole number",
        "5,warehouse_code,XX,unknown warehouse code",
        "6,on_hand,1,below the 3 reserved for open orders",
        "7,sku,,sku or part_id is required",
    ]
    assert client.get(f"/api/v1/stock/uploads/{up['id']}", headers=h).json()["rows_changed"] == 1
    assert levels(db)[(w, parts.ids["pad"])] == (4, 0)
    assert_problem(
        client.get(f"/api/v1/stock/uploads/{up['id']}", headers=world.h("a_owner")), 404, "upload_not_found"
    )


def test_upload_xlsx_and_unreadable_files(client, world, db, parts):
    h, w = _setup(client, world, db, parts)
    wb = Workbook()
    ws = wb.active
    ws.append(["warehouse_code", "part_id", "on_hand"])
    ws.append(["HZ-01", str(parts.ids["filter"]), 6])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/api/v1/stock/uploads", files={"file": ("stock.xlsx", buf.getvalue())}, headers=h)
    assert (r.json()["status"], r.json()["rows_changed"], r.json()["errors_url"]) == ("done", 1, None)
    assert levels(db)[(w, parts.ids["filter"])] == (6, 0)
    r = client.post("/api/v1/stock/uploads", files={"file": ("s.csv", _csv("code,qty", "a,1"))}, headers=h)
    up = r.json()
    assert up["status"] == "failed" and up["rows_total"] == 0
    assert up["errors"][0]["reason"].startswith("required column(s) missing from the header: warehouse_code")
    before = table_counts(db)
    assert_problem(
        client.post("/api/v1/stock/uploads", files={"file": ("s.pdf", b"%PDF")}, headers=h),
        422,
        "unsupported_file",
    )
    assert table_counts(db) == before


@pytest.fixture
def cli(settings, monkeypatch):
    for k, v in app_env(settings).items():
        if k.startswith("AUTOTRADE_"):
            monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    from autotrade.cli import app

    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_stock_verify_and_import_commands(cli, db, parts, supplier, tmp_path):
    w1 = supplier.warehouses["W1"]
    f = tmp_path / "stock.csv"
    f.write_bytes(
        _csv("warehouse_code,sku,on_hand", f"W1,{parts.skus['pad']},5", f"W1,{parts.skus['disc']},x")
    )
    r = cli("stock", "import", str(f), "--company", str(supplier.org_id))
    assert r.exit_code == 1, r.output
    assert "2 rows, 1 changed, 0 unchanged, 1 failed" in r.output
    assert "line 3, column on_hand: not a whole number (x)" in r.output
    assert levels(db) == {(w1, parts.ids["pad"]): (5, 0)}
    r = cli("stock", "verify")
    assert r.exit_code == 0, r.output
    assert "ok: 1 stock levels equal the sums of their movements" in r.output
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE stock_levels SET on_hand = 6"))
    r = cli("stock", "verify")
    assert r.exit_code == 1
    assert f"warehouse={w1} part={parts.ids['pad']} on_hand=6 movements=5 reserved=0 movements=0" in r.output
