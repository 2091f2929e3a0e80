"""Settlement statements and payouts, computed from ledger postings."""

from __future__ import annotations

import uuid
from datetime import timedelta

from autotrade.core.db import utcnow
from autotrade.core.tenancy import bind_system
from autotrade.settlement import periods, service
from autotrade.settlement.models import Payout, SettlementStatement
from tests.helpers import assert_problem, count, table_counts
from tests.settlement.conftest import (
    Market,
    generate,
    paid_order,
    payout,
    refund,
    release,
    this_month,
    verify,
)


def _scenario(m: Market) -> dict[str, dict]:
    """B: order 1 (2 × toyota_pad = 22,600) released; order 2 (1 × bosch_pad = 9,040) refunded 1,040 then
    released; order 3 (1 × toyota_pad = 11,300) paid, still in escrow. C: one trw_pad order released."""
    o1 = paid_order(m, [("toyota_pad", 2)])
    o2 = paid_order(m, [("bosch_pad", 1)])
    o3 = paid_order(m, [("toyota_pad", 1)])
    o4 = paid_order(m, [("trw_pad", 1)])
    release(m, o1["id"])
    refund(m, o2["id"], 1_040)
    release(m, o2["id"])
    release(m, o4["id"])
    return {"o1": o1, "o2": o2, "o3": o3, "o4": o4}


def test_statement_lists_releases_refunds_and_payouts(m: Market) -> None:
    orders = _scenario(m)
    # commission 300 bp, half up: 22,600 → 678; order 2: 9,040 → 271 (escrow's base is the line's gross:
    # a refund made outside escrow's own refund records does not lower it), 8,000 left in escrow
    r = payout(m, "b", 20_000, "BANK-0001")
    assert r.status_code == 201, r.text
    assert r.json()["payable_after_fen"] == (22_600 - 678) + (8_000 - 271) - 20_000

    r = generate(m, {"period": this_month()})
    assert r.status_code == 200, r.text
    by_supplier = {s["supplier_org_id"]: s for s in r.json()["statements"]}
    assert set(by_supplier) == {str(m.world.orgs["b"]), str(m.world.orgs["c"])}
    st = by_supplier[str(m.world.orgs["b"])]
    assert st["period_label"] == this_month()
    assert st["final"] is False
    assert (
        st["opening_payable_fen"],
        st["released_gross_fen"],
        st["commission_fen"],
        st["released_net_fen"],
        st["refunds_fen"],
        st["payouts_fen"],
        st["adjustments_fen"],
        st["closing_payable_fen"],
        st["payout_due_fen"],
    ) == (0, 30_600, 949, 29_651, 1_040, 20_000, 0, 9_651, 9_651)

    # the supplier reads its own statement with its lines
    r = m.client.get(f"/api/v1/settlements/{st['id']}", headers=m.world.h("b_owner"))
    assert r.status_code == 200, r.text
    lines = r.json()["lines"]
    got = [
        (x["kind"], x["order_number"], x["gross_fen"], x["commission_fen"], x["payable_fen"]) for x in lines
    ]
    assert got == [
        ("release", orders["o1"]["number"], 22_600, 678, 21_922),
        ("refund", orders["o2"]["number"], 1_040, 0, 0),
        ("release", orders["o2"]["number"], 8_000, 271, 7_729),
        ("payout", None, 20_000, 0, -20_000),
    ]
    assert lines[3]["reference"] == "BANK-0001"
    listing = m.client.get("/api/v1/settlements", headers=m.world.h("b_owner")).json()["items"]
    assert [x["id"] for x in listing] == [st["id"]]
    # the buyer has no statement, and another company's statement is not found
    assert m.client.get("/api/v1/settlements", headers=m.world.h("a_owner")).json()["items"] == []
    c_id = by_supplier[str(m.world.orgs["c"])]["id"]
    assert_problem(
        m.client.get(f"/api/v1/settlements/{c_id}", headers=m.world.h("b_owner")), 404, "statement_not_found"
    )
    c_st = by_supplier[str(m.world.orgs["c"])]
    assert (c_st["released_gross_fen"], c_st["commission_fen"], c_st["payout_due_fen"]) == (6_780, 203, 6_577)
    assert verify(m) == []


def test_generate_is_idempotent_and_an_ended_period_is_a_snapshot(m: Market) -> None:
    o1 = paid_order(m, [("toyota_pad", 1)])
    release(m, o1["id"])
    first = generate(m, {"period": this_month(), "supplier_org_id": str(m.world.orgs["b"])}).json()
    again = generate(m, {"period": this_month(), "supplier_org_id": str(m.world.orgs["b"])}).json()
    assert [s["id"] for s in again["statements"]] == [s["id"] for s in first["statements"]]
    assert again["statements"][0]["number"] == first["statements"][0]["number"]
    assert count(m.db, SettlementStatement) == 1

    # a provisional statement follows the books; once the period ended it is kept as generated
    assert payout(m, "b", 1_000, "BANK-A").status_code == 201
    again = generate(m, {"period": this_month(), "supplier_org_id": str(m.world.orgs["b"])}).json()
    assert again["statements"][0]["payouts_fen"] == 1_000
    later = utcnow() + timedelta(days=40)
    with m.db.transaction() as s:
        bind_system(s, "test")
        st, created = service.generate(s, m.world.orgs["b"], periods.month(this_month()), now=later)
        assert (created, st.final, st.payouts_fen) == (False, True, 1_000)
    assert payout(m, "b", 500, "BANK-B").status_code == 201
    with m.db.transaction() as s:
        bind_system(s, "test")
        st, created = service.generate(s, m.world.orgs["b"], periods.month(this_month()), now=later)
        assert (created, st.final, st.payouts_fen, st.closing_payable_fen) == (
            False,
            True,
            1_000,
            10_961 - 1_000,
        )
    assert verify(m) == []


def test_custom_dates_and_period_errors(m: Market) -> None:
    o1 = paid_order(m, [("toyota_pad", 1)])
    release(m, o1["id"])
    today = periods.china_date(utcnow())
    r = generate(m, {"date_from": str(today - timedelta(days=1)), "date_to": str(today)})
    assert r.status_code == 200, r.text
    st = r.json()["statements"][0]
    assert st["period_label"] == f"{today - timedelta(days=1)}~{today}"
    assert st["released_net_fen"] == 11_300 - 339
    # yesterday only: nothing happened, the opening is 0 and so is the closing
    r = generate(m, {"date_from": str(today - timedelta(days=2)), "date_to": str(today - timedelta(days=1))})
    assert r.json()["statements"][0]["closing_payable_fen"] == 0

    before = table_counts(m.db)
    assert_problem(generate(m, {"period": "2026-13"}), 422, "invalid_period", "period")
    assert_problem(
        generate(m, {"period": "2026-11", "date_from": "2026-11-01"}), 422, "invalid_period", "period"
    )
    assert_problem(
        generate(m, {"date_from": "2026-11-02", "date_to": "2026-11-01"}), 422, "invalid_period", "date_to"
    )
    assert_problem(generate(m, {"date_from": "2026-11-02"}), 422, "invalid_period", "date_to")
    assert_problem(
        generate(m, {"period": "2026-11", "supplier_org_id": str(uuid.uuid4())}), 404, "supplier_not_found"
    )
    assert_problem(
        m.client.post(
            "/api/v1/platform/settlements", json={"period": "2026-11"}, headers=m.world.h("b_owner")
        ),
        403,
        "permission_denied",
    )
    assert table_counts(m.db) == before


def test_month_boundaries_are_china_time() -> None:
    p = periods.month("2026-11")
    assert p.start.isoformat() == "2026-10-31T16:00:00+00:00"
    assert p.end.isoformat() == "2026-11-30T16:00:00+00:00"
    assert periods.month("2026-12").end.isoformat() == "2026-12-31T16:00:00+00:00"


def test_payout_errors_change_nothing(m: Market) -> None:
    o1 = paid_order(m, [("toyota_pad", 1)])
    release(m, o1["id"])  # B is owed 11,300 − 339 = 10,961
    before = table_counts(m.db)
    body = assert_problem(payout(m, "b", 10_962, "BANK-X"), 409, "payout_exceeds_payable", "amount_fen")
    assert body["payable_fen"] == 10_961
    assert_problem(payout(m, "b", 0, "BANK-X"), 422, "invalid_amount", "amount_fen")
    assert_problem(payout(m, "b", -5, "BANK-X"), 422, "invalid_amount", "amount_fen")
    assert_problem(payout(m, "a", 1, "BANK-X"), 409, "payout_exceeds_payable", "amount_fen")
    r = m.client.post(
        "/api/v1/platform/payouts",
        json={"supplier_org_id": str(uuid.uuid4()), "amount_fen": 1, "bank_reference": "BANK-X"},
        headers=m.world.h("admin"),
    )
    assert_problem(r, 404, "supplier_not_found", "supplier_org_id")
    r = m.client.post(
        "/api/v1/platform/payouts",
        json={"supplier_org_id": str(m.world.orgs["b"]), "amount_fen": 1, "bank_reference": "X"},
        headers=m.world.h("b_owner"),
    )
    assert_problem(r, 403, "permission_denied")
    assert table_counts(m.db) == before

    assert payout(m, "b", 10_961, "BANK-1").status_code == 201
    before = table_counts(m.db)
    assert_problem(payout(m, "b", 1, "BANK-1"), 409, "duplicate_bank_reference", "bank_reference")
    assert_problem(payout(m, "b", 1, "BANK-2"), 409, "payout_exceeds_payable", "amount_fen")
    assert table_counts(m.db) == before
    assert count(m.db, Payout) == 1
    mine = m.client.get("/api/v1/payouts", headers=m.world.h("b_owner")).json()["items"]
    assert [(x["amount_fen"], x["bank_reference"]) for x in mine] == [(10_961, "BANK-1")]
    assert m.client.get("/api/v1/payouts", headers=m.world.h("a_owner")).json()["items"] == []
    assert verify(m) == []


def test_downloads_csv_and_pdf(m: Market) -> None:
    o1 = paid_order(m, [("toyota_pad", 2)])
    release(m, o1["id"])
    st = generate(m, {"period": this_month()}).json()["statements"][0]
    r = m.client.get(f"/api/v1/settlements/{st['id']}.csv", headers=m.world.h("b_owner"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert f"结算单号 Statement,{st['number']}" in text
    assert "B 汽配经销" in text
    assert "1,放款," in text and f",{o1['number']},,226.00,6.78,219.22" in text
    assert "应结算金额 Payout due,219.22" in text

    r = m.client.get(f"/api/v1/settlements/{st['id']}.pdf", headers=m.world.h("b_owner"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert st["number"].encode() in r.content
    assert b"STSong-Light" in r.content
    # another company cannot download it
    assert_problem(
        m.client.get(f"/api/v1/settlements/{st['id']}.pdf", headers=m.world.h("a_owner")),
        404,
        "statement_not_found",
    )
