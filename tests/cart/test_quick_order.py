"""Quick order: pasted text and CSV / XLSX uploads resolved line by line (docs/cart.md)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from autotrade.cart.models import CartLine
from tests.cart.conftest import Market
from tests.helpers import assert_problem, count, table_counts

PASTE = "\n".join(
    [
        "零件号,数量",  # 1: header, skipped
        "04465-33471, 1",  # 2: OE number of three pads
        "0446533471\t1",  # 3: the same number, other spelling → merged into 2
        "04465 33471 1",  # 4: spaces inside the number, quantity after the last space → merged into 2
        "gdb3426 x 8",  # 5: lower case, "x" separator → TRW pad (MOQ 4)
        "HU 6020 z，2",  # 6: Chinese comma → Mann filter
        "09.A913.11 × 3",  # 7: Brembo disc sold in pairs
        "04E 115 561 H  1",  # 8: VW's own number and the Mann filter's OE number → Mann filter, merged into 6
        "UNKNOWN-123, 2",  # 9
        "04465-33450, 1",  # 10: the superseded Toyota pad: nobody offers it
        "TOYOTA-0446533471, 20",  # 11: a SKU; only 10 in stock
        "0 986 494 614, abc",  # 12
        ",,,",  # 13
        "a,b,c",  # 14
        "",  # blank: ignored
        "04465-33471, 0",  # 16
    ]
)


def _report(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            x["line"],
            x["status"],
            x["code"],
            x["sku"],
            x["quantity"],
            x["total_quantity"],
            x["unit_price_fen"],
            x["merged_into"],
        )
        for x in body["lines"]
    ]


EXPECTED = [
    (2, "resolved", "resolved", "BOSCH-0986494614", 1, 3, 15_000, None),
    (3, "merged", "duplicate_merged", "BOSCH-0986494614", 1, None, None, 2),
    (4, "merged", "duplicate_merged", "BOSCH-0986494614", 1, None, None, 2),
    (5, "resolved", "resolved", "TRW-GDB3426", 8, 8, 12_000, None),
    (6, "resolved", "resolved", "MANNFILTER-HU6020Z", 2, 3, 3_000, None),
    (7, "unresolved", "not_pack_multiple", "BREMBO-09A91311", 3, 3, None, None),
    (8, "merged", "duplicate_merged", "MANNFILTER-HU6020Z", 1, None, None, 6),
    (9, "unresolved", "unknown_number", None, 2, None, None, None),
    (10, "unresolved", "no_offer", "TOYOTA-0446533450", 1, 1, None, None),
    (11, "unresolved", "insufficient_stock", "TOYOTA-0446533471", 20, 20, None, None),
    (12, "unresolved", "invalid_quantity", None, None, None, None, None),
    (13, "unresolved", "bad_line", None, None, None, None, None),
    (14, "unresolved", "bad_line", None, None, None, None, None),
    (16, "unresolved", "invalid_quantity", None, None, None, None, None),
]


def test_paste_reports_every_line_and_adds_the_resolved_ones(client, world, market: Market, db):
    h = world.h("a_purchaser")
    r = client.post("/api/v1/cart/quick-order", json={"text": PASTE}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert _report(body) == EXPECTED
    assert body["summary"] == {
        "lines": 14,
        "resolved": 3,
        "merged": 3,
        "unresolved": 8,
        "by_code": {
            "bad_line": 2,
            "duplicate_merged": 3,
            "insufficient_stock": 1,
            "invalid_quantity": 2,
            "no_offer": 1,
            "not_pack_multiple": 1,
            "resolved": 3,
            "unknown_number": 1,
        },
    }
    assert body["added"] == 3 and body["dry_run"] is False
    lines = {x["line"]: x for x in body["lines"]}

    pad = lines[2]  # three pads carry 04465-33471: Bosch from S1 is cheapest with enough stock for 3
    assert pad["candidates"] == ["BOSCH-0986494614", "TOYOTA-0446533471", "TRW-GDB3426"]
    assert pad["offer_id"] == str(market.offers[("s1", "bosch_pad")])
    assert pad["supplier_org_id"] == str(market.suppliers["s1"])
    assert (pad["net_fen"], pad["vat_rate_bp"], pad["vat_fen"], pad["gross_fen"]) == (
        45_000,
        1300,
        5_850,
        50_850,
    )
    assert (pad["available"], pad["merged_lines"], pad["currency"]) == (5, [3, 4], "CNY")
    assert "chose BOSCH-0986494614: the lowest unit price with enough stock" in pad["detail"]
    assert "quantities of line(s) 3, 4 added" in pad["detail"]
    assert pad["cart_line_id"] is not None

    trw = lines[5]
    assert (trw["offer_id"], trw["net_fen"], trw["moq"]) == (str(market.offers[("s2", "trw_pad")]), 96_000, 4)
    assert lines[6]["merged_lines"] == [8] and lines[6]["net_fen"] == 9_000 and lines[6]["available"] == 3
    assert lines[8]["number"] == "04E 115 561 H"
    assert lines[6]["candidates"] == []  # the Mann filter's own number: one part

    disc = lines[7]
    assert (disc["pack_size"], disc["suggested_quantity"], disc["detail"]) == (2, 4, "sold in packs of 2")
    assert lines[9]["detail"] == "line 9: no part carries the number 'UNKNOWN-123'"
    assert lines[10]["detail"] == "no supplier offers this part"
    stock = lines[11]
    assert (stock["available"], stock["offer_id"]) == (10, str(market.offers[("s1", "toyota_pad")]))
    assert stock["detail"] == "10 available at most from one supplier, 20 asked"
    assert lines[12]["detail"] == "line 12: the quantity 'abc' is not a whole number"
    assert lines[13]["detail"] == "line 13: no part number found"
    assert lines[14]["detail"] == "line 14: expected number,quantity"
    assert lines[16]["detail"] == "line 16: the quantity must be at least 1"

    cart = client.get("/api/v1/cart", headers=h).json()
    got = sorted(
        (x["sku"], x["quantity"], x["source"], x["code"], x["unit_price_fen"]) for x in cart["lines"]
    )
    assert got == [
        ("BOSCH-0986494614", 3, "paste", "resolved", 15_000),
        ("MANNFILTER-HU6020Z", 3, "paste", "resolved", 3_000),
        ("TRW-GDB3426", 8, "paste", "resolved", 12_000),
    ]
    assert cart["ready"] is True
    assert cart["totals"] == {
        "lines": 3,
        "ready_lines": 3,
        "suppliers": 2,
        "net_fen": 45_000 + 96_000 + 9_000,
        "vat_fen": 5_850 + 12_480 + 1_170,
        "gross_fen": 150_000 + 5_850 + 12_480 + 1_170,
        "currency": "CNY",
    }
    by_line = {x["id"]: x for x in cart["lines"]}
    assert by_line[pad["cart_line_id"]]["raw_input"] == "04465-33471, 1"


def test_dry_run_reports_and_changes_nothing(client, world, market: Market, db):
    h = world.h("a_purchaser")
    before = table_counts(db)
    r = client.post("/api/v1/cart/quick-order", json={"text": PASTE, "dry_run": True}, headers=h)
    assert r.status_code == 200, r.text
    assert _report(r.json()) == EXPECTED
    assert r.json()["added"] == 0 and all(x["cart_line_id"] is None for x in r.json()["lines"])
    assert table_counts(db) == before


def test_pasting_again_adds_to_the_cart_lines(client, world, market: Market, db):
    h = world.h("a_purchaser")
    for _ in range(2):
        r = client.post("/api/v1/cart/quick-order", json={"text": "gdb3426,4"}, headers=h)
        assert r.json()["lines"][0]["code"] == "resolved"
    cart = client.get("/api/v1/cart", headers=h).json()
    assert [(x["sku"], x["quantity"]) for x in cart["lines"]] == [("TRW-GDB3426", 8)]
    assert count(db, CartLine) == 1


def test_too_many_lines_is_refused_whole(client, world, market: Market, db):
    h = world.h("a_purchaser")
    before = table_counts(db)
    text = "\n".join(f"GDB3426,{i + 1}" for i in range(501))
    r = client.post("/api/v1/cart/quick-order", json={"text": text}, headers=h)
    body = assert_problem(r, 422, "too_many_lines", "text")
    assert body["limit"] == 500 and body["lines"] == 501
    assert table_counts(db) == before


def test_bad_bodies(client, world, market: Market, db):
    h = world.h("a_purchaser")
    before = table_counts(db)
    assert_problem(
        client.post("/api/v1/cart/quick-order", json={"text": ""}, headers=h), 422, "validation_error", "text"
    )
    assert_problem(
        client.post("/api/v1/cart/quick-order", json={"txt": "x"}, headers=h), 422, "validation_error"
    )
    assert_problem(
        client.post("/api/v1/cart/quick-order", json={"text": "number,quantity\n"}, headers=h),
        422,
        "empty_input",
        "text",
    )
    r = client.post("/api/v1/cart/quick-order", files={"other": ("a.csv", b"x")}, headers=h)
    assert_problem(r, 422, "required", "file")
    r = client.post("/api/v1/cart/quick-order", files={"file": ("a.xlsx", b"not a workbook")}, headers=h)
    assert_problem(r, 422, "unreadable_file", "file")
    assert table_counts(db) == before


def test_csv_upload_with_and_without_header(client, world, market: Market, db):
    h = world.h("a_purchaser")
    csv_with = '数量,零件号\n2,gdb3426\n1,"04465 33471"\n'.encode()
    r = client.post(
        "/api/v1/cart/quick-order", files={"file": ("order.csv", csv_with, "text/csv")}, headers=h
    )
    assert r.status_code == 200, r.text
    got = [(x["line"], x["code"], x["sku"], x["total_quantity"]) for x in r.json()["lines"]]
    assert got == [(2, "below_moq", "TRW-GDB3426", 2), (3, "resolved", "BOSCH-0986494614", 1)]
    assert r.json()["lines"][0]["moq"] == 4 and r.json()["lines"][0]["suggested_quantity"] == 4

    csv_without = "\ufeffGDB3426,4\nHU6020Z,1\n\nNOPE,1\n".encode()
    r = client.post(
        "/api/v1/cart/quick-order",
        files={"file": ("order.csv", csv_without, "text/csv")},
        data={"dry_run": "true"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["dry_run"] is True
    got = [(x["line"], x["code"], x["sku"], x["total_quantity"]) for x in r.json()["lines"]]
    assert got == [
        (1, "resolved", "TRW-GDB3426", 4),
        (2, "resolved", "MANNFILTER-HU6020Z", 1),
        (4, "unknown_number", None, None),
    ]
    cart = client.get("/api/v1/cart", headers=h).json()
    assert [(x["sku"], x["quantity"], x["source"]) for x in cart["lines"]] == [
        ("BOSCH-0986494614", 1, "upload")
    ]


def test_xlsx_upload(client, world, market: Market, db):
    wb = Workbook()
    ws = wb.active
    ws.append(["Part number", "Qty"])
    ws.append(["04465-33471", 2])
    ws.append(["09.A913.11", 4.0])
    ws.append(["HU 6020 z", 2.5])
    buf = io.BytesIO()
    wb.save(buf)
    h = world.h("a_purchaser")
    r = client.post("/api/v1/cart/quick-order", files={"file": ("order.xlsx", buf.getvalue())}, headers=h)
    assert r.status_code == 200, r.text
    got = [(x["line"], x["code"], x["sku"], x["total_quantity"], x["net_fen"]) for x in r.json()["lines"]]
    assert got == [
        (2, "resolved", "BOSCH-0986494614", 2, 28_000),
        (3, "resolved", "BREMBO-09A91311", 4, 120_000),
        (4, "invalid_quantity", None, None, None),
    ]
    cart = client.get("/api/v1/cart", headers=h).json()
    assert sorted((x["sku"], x["quantity"], x["source"]) for x in cart["lines"]) == [
        ("BOSCH-0986494614", 2, "upload"),
        ("BREMBO-09A91311", 4, "upload"),
    ]


def test_choice_among_interchangeable_parts_follows_stock(client, world, market: Market, db):
    """For 6 pads, the Bosch offers lack stock: Toyota (200.00) loses to TRW (120.00, MOQ 4)."""
    h = world.h("a_purchaser")
    r = client.post("/api/v1/cart/quick-order", json={"text": "04465-33471,6", "dry_run": True}, headers=h)
    line = r.json()["lines"][0]
    assert (line["code"], line["sku"], line["unit_price_fen"]) == ("resolved", "TRW-GDB3426", 12_000)
    # 200 pads: nobody has them; the part closest to it is reported (quantity rules before stock)
    r = client.post("/api/v1/cart/quick-order", json={"text": "04465-33471,200", "dry_run": True}, headers=h)
    line = r.json()["lines"][0]
    assert (line["code"], line["sku"], line["available"]) == ("insufficient_stock", "BOSCH-0986494614", 5)
    assert "none can be ordered as asked" in line["detail"]


def test_own_offers_are_not_chosen(client, world, market: Market, db):
    from tests.cart.conftest import add_offer, set_stock

    market.suppliers["a"] = world.orgs["a"]
    from autotrade.core.tenancy import bind_system
    from autotrade.inventory import service as inventory
    from tests.cart.conftest import _warehouse

    with db.transaction() as s:
        bind_system(s, "test")
        market.warehouses["a"] = inventory.create_warehouse(
            s, world.orgs["a"], _warehouse("A1", "杭州市", 30.2, 120.1)
        ).id
    add_offer(db, market, "a", "trw_pad", 100, moq=1)
    set_stock(db, market, "a", "trw_pad", 50)
    r = client.post(
        "/api/v1/cart/quick-order",
        json={"text": "GDB3426,4", "dry_run": True},
        headers=world.h("a_purchaser"),
    )
    line = r.json()["lines"][0]
    assert (line["code"], line["supplier_org_id"], line["unit_price_fen"]) == (
        "resolved",
        str(market.suppliers["s2"]),
        12_000,
    )


def test_permissions(client, world, market: Market, db):
    for who in ("a_viewer", "pending_owner"):
        world.h(who)
    before = table_counts(db)
    r = client.post("/api/v1/cart/quick-order", json={"text": "GDB3426,4"}, headers=world.h("a_viewer"))
    assert_problem(r, 403, "permission_denied")
    assert_problem(client.get("/api/v1/cart", headers=world.h("a_viewer")), 403, "permission_denied")
    r = client.post("/api/v1/cart/quick-order", json={"text": "GDB3426,4"}, headers=world.h("pending_owner"))
    assert_problem(r, 403, "company_not_approved")
    assert table_counts(db) == before


def test_resolution_is_set_based(client, world, market: Market, db):
    """The number of SQL statements does not grow with the number of lines (one catalogue number query,
    one SKU query, one offer query, one availability query, one part query, one ``quote_many``; a second
    ``quote_many`` only when different numbers turn out to name the same part)."""
    from sqlalchemy import event

    h = world.h("a_purchaser")
    client.get("/api/v1/cart", headers=h)  # warm up: the caller's principal is cached after a first request
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    numbers = ["GDB3426", "04E115561H", "09.A913.11", "NOPE", "TOYOTA-0446533471"]
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        counts = []
        for n in (3, 60):
            statements.clear()
            text = "\n".join(
                f"{numbers[i % len(numbers)]}{'-' * (i // len(numbers))},{i % 5 + 1}" for i in range(n)
            )
            r = client.post("/api/v1/cart/quick-order", json={"text": text, "dry_run": True}, headers=h)
            assert r.status_code == 200 and len(r.json()["lines"]) == n
            counts.append(len(statements))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert counts[0] == counts[1], counts
