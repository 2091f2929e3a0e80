"""Credit terms end to end through the API: a credit payment consumes the limit exactly, refusals
(over the limit, overdue, suspended, no line, wrong party) change nothing, repayments restore the
limit and close the invoice, the overdue job marks invoices. Every money scenario ends with balanced
books and lines whose used amount equals what their invoices owe."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from autotrade.core.tenancy import bind_system
from autotrade.credit import service
from autotrade.jobs import service as jobs
from autotrade.ledger import service as ledger
from autotrade.ledger.models import Purpose
from tests.credit.conftest import books_ok, grant, line_row, pay, repay, set_due
from tests.helpers import assert_problem, table_counts
from tests.orders.conftest import Market

BOSCH_GROSS = 9_040  # 8,000 net + 13 % VAT per piece
TOYOTA_GROSS = 11_300  # 10,000 net + 13 % VAT
TRW_GROSS = 6_780  # supplier C: 6,000 net + VAT


def _uuid(s: str) -> uuid.UUID:
    return uuid.UUID(s)


def _balances(m: Market, order_id: str) -> tuple[int, int, int]:
    """(A's credit receivable, what the order holds in escrow, the platform's bank clearing)."""
    with m.db.session() as s:
        bind_system(s, "test")
        return (
            ledger.balance(s, m.world.orgs["a"], Purpose.credit_receivable),
            -ledger.order_balance(s, Purpose.escrow, _uuid(order_id)),
            ledger.balance(s, m.world.orgs["platform"], Purpose.bank_clearing),
        )


def test_credit_payment_consumes_the_limit_and_repayments_restore_it(cm: Market) -> None:
    m = cm
    line = grant(m, "admin", "a", 100_000, term_days=30)
    assert (line["limit_fen"], line["used_fen"], line["available_fen"]) == (100_000, 0, 100_000)
    assert line["creditor_org_id"] == str(m.world.orgs["platform"])
    order = m.order("a_owner", [("bosch_pad", 2)])
    assert order["gross_fen"] == 2 * BOSCH_GROSS

    r = pay(m, order["id"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["order_status"] == "paid"
    inv = body["invoice"]
    assert (inv["amount_fen"], inv["repaid_fen"], inv["outstanding_fen"]) == (18_080, 0, 18_080)
    assert inv["status"] == "open" and inv["line_id"] == line["id"] and inv["order_id"] == order["id"]
    assert datetime.fromisoformat(inv["due_at"]) - datetime.fromisoformat(inv["issued_at"]) == timedelta(
        days=30
    )
    assert (body["line"]["used_fen"], body["line"]["available_fen"]) == (18_080, 81_920)
    assert line_row(m.db, line["id"]).used_fen == 18_080
    assert _balances(m, order["id"]) == (18_080, 18_080, 0)
    assert (
        m.client.get(f"/api/v1/orders/{order['id']}", headers=m.world.h("a_owner")).json()["status"] == "paid"
    )

    # paying it again, on credit or otherwise, is refused and consumes nothing
    assert_problem(pay(m, order["id"]), 409, "invalid_transition")
    assert line_row(m.db, line["id"]).used_fen == 18_080

    r = repay(m, inv["id"], 8_080, "BANK-001")
    assert r.status_code == 201, r.text
    assert (r.json()["invoice"]["repaid_fen"], r.json()["invoice"]["status"]) == (8_080, "open")
    assert r.json()["line"]["used_fen"] == 10_000
    before = table_counts(m.db)
    assert_problem(repay(m, inv["id"], 8_080, "BANK-001"), 409, "duplicate_repayment", "bank_reference")
    body = assert_problem(repay(m, inv["id"], 10_001, "BANK-002"), 422, "repayment_exceeds_outstanding")
    assert body["outstanding_fen"] == 10_000
    assert table_counts(m.db) == before

    r = repay(m, inv["id"], 10_000, "BANK-002")
    assert r.status_code == 201, r.text
    assert (r.json()["invoice"]["status"], r.json()["invoice"]["outstanding_fen"]) == ("paid", 0)
    assert r.json()["invoice"]["paid_at"] is not None
    assert (r.json()["line"]["used_fen"], r.json()["line"]["available_fen"]) == (0, 100_000)
    assert_problem(repay(m, inv["id"], 1, "BANK-003"), 409, "credit_invoice_paid")
    assert _balances(m, order["id"]) == (0, 18_080, 18_080)

    detail = m.client.get(f"/api/v1/credit/invoices/{inv['id']}", headers=m.world.h("a_owner")).json()
    assert [(x["amount_fen"], x["bank_reference"]) for x in detail["repayments"]] == [
        (8_080, "BANK-001"),
        (10_000, "BANK-002"),
    ]
    books_ok(m.db)


def test_refusals_change_nothing(cm: Market) -> None:
    m = cm
    order = m.order("a_owner", [("bosch_pad", 2)])  # 18,080
    before = table_counts(m.db)
    assert_problem(pay(m, order["id"]), 409, "no_credit_line")
    assert table_counts(m.db) == before

    line = grant(m, "admin", "a", 18_079)
    before = table_counts(m.db)
    body = assert_problem(pay(m, order["id"]), 409, "credit_limit_exceeded")
    assert (body["available_fen"], body["required_fen"]) == (18_079, 18_080)
    assert body["errors"] == [
        {
            "line_id": line["id"],
            "creditor_org_id": str(m.world.orgs["platform"]),
            "limit_fen": 18_079,
            "used_fen": 0,
            "available_fen": 18_079,
        }
    ]
    # the supplier cannot pay the buyer's order; a viewer lacks payments:edit
    assert_problem(pay(m, order["id"], who="b_owner"), 403, "wrong_party")
    assert_problem(pay(m, order["id"], who="a_viewer"), 403, "permission_denied")
    assert table_counts(m.db) == before
    assert line_row(m.db, line["id"]).used_fen == 0
    assert m.client.get(f"/api/v1/orders/{order['id']}", headers=m.world.h("a_owner")).json()["status"] == (
        "pending_payment"
    )

    r = m.client.request(
        "PATCH",
        f"/api/v1/platform/credit/lines/{line['id']}",
        json={"limit_fen": 18_080},
        headers=m.world.h("admin"),
    )
    assert r.status_code == 200 and r.json()["available_fen"] == 18_080
    r = m.post("admin", f"/platform/credit/lines/{line['id']}/suspend", {"reason": "风控复核"})
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    before = table_counts(m.db)
    body = assert_problem(pay(m, order["id"]), 409, "credit_line_suspended")
    assert "风控复核" in body["detail"]
    assert table_counts(m.db) == before
    assert m.post("admin", f"/platform/credit/lines/{line['id']}/resume").status_code == 200

    r = pay(m, order["id"])  # exactly the limit fits
    assert r.status_code == 200, r.text
    assert (r.json()["line"]["used_fen"], r.json()["line"]["available_fen"]) == (18_080, 0)
    books_ok(m.db)


def test_an_overdue_invoice_blocks_new_credit_payments_until_repaid(cm: Market) -> None:
    m = cm
    grant(m, "admin", "a", 100_000, term_days=30)
    first = m.order("a_owner", [("bosch_pad", 1)])
    second = m.order("a_owner", [("bosch_pad", 1)])
    inv = pay(m, first["id"]).json()["invoice"]
    set_due(m.db, inv["id"], datetime.now().astimezone() - timedelta(days=2, hours=1))

    # the status still says "open" in the table: the check reads due_at, not a stale status
    before = table_counts(m.db)
    body = assert_problem(pay(m, second["id"]), 409, "credit_overdue")
    assert [(e["invoice_id"], e["outstanding_fen"], e["days_overdue"]) for e in body["errors"]] == [
        (inv["id"], BOSCH_GROSS, 3)
    ]
    assert table_counts(m.db) == before
    shown = m.client.get(f"/api/v1/credit/invoices/{inv['id']}", headers=m.world.h("a_owner")).json()
    assert (shown["status"], shown["days_overdue"]) == ("overdue", 3)
    listed = m.client.get("/api/v1/credit/invoices?status=overdue", headers=m.world.h("a_owner")).json()
    assert [x["id"] for x in listed["items"]] == [inv["id"]]

    # the job marks it (and only it)
    assert "credit.mark_overdue" in jobs.JOBS
    with m.db.transaction() as s:
        bind_system(s, "test")
        assert service.mark_overdue(s) == [_uuid(inv["id"])]
    with m.db.transaction() as s:
        bind_system(s, "test")
        assert service.mark_overdue(s) == []

    assert repay(m, inv["id"], BOSCH_GROSS, "LATE-1").status_code == 201
    r = pay(m, second["id"])
    assert r.status_code == 200, r.text
    assert r.json()["line"]["used_fen"] == BOSCH_GROSS
    books_ok(m.db)


def test_supplier_lines_for_its_own_buyers(cm: Market) -> None:
    m = cm
    a = m.world.orgs["a"]
    # B may extend credit only to its buyers: A has not ordered from B yet, C never will
    r = m.post("b_owner", "/credit/lines", {"debtor_org_id": str(a), "limit_fen": 50_000, "term_days": 15})
    assert_problem(r, 404, "buyer_not_found")
    b_order = m.order("a_owner", [("toyota_pad", 1)])
    b_line = grant(m, "b_owner", "a", 50_000, term_days=15)
    assert b_line["creditor_org_id"] == str(m.world.orgs["b"])
    r = m.post("b_owner", "/credit/lines", {"debtor_org_id": str(a), "limit_fen": 1, "term_days": 15})
    assert_problem(r, 409, "credit_line_exists")
    r = m.post(
        "b_owner", "/credit/lines", {"debtor_org_id": str(m.world.orgs["c"]), "limit_fen": 1, "term_days": 1}
    )
    assert_problem(r, 404, "buyer_not_found")
    p_line = grant(m, "admin", "a", 100_000, term_days=30)

    # the supplier's own line pays its order; an order from C can only use the platform's line
    inv = pay(m, b_order["id"]).json()["invoice"]
    assert (inv["line_id"], inv["creditor_org_id"], inv["term_days"]) == (
        b_line["id"],
        str(m.world.orgs["b"]),
        15,
    )
    c_order = m.order("a_owner", [("trw_pad", 1)])
    body = assert_problem(
        pay(m, c_order["id"], line_id=b_line["id"]), 404, "credit_line_not_found", "line_id"
    )
    assert body
    inv = pay(m, c_order["id"]).json()["invoice"]
    assert (inv["line_id"], inv["amount_fen"]) == (p_line["id"], TRW_GROSS)

    # only the creditor changes a line; the debtor sees it
    r = m.client.request(
        "PATCH", f"/api/v1/credit/lines/{b_line['id']}", json={"limit_fen": 1}, headers=m.world.h("a_owner")
    )
    assert_problem(r, 403, "not_the_creditor")
    r = m.client.request(
        "PATCH",
        f"/api/v1/credit/lines/{b_line['id']}",
        json={"limit_fen": 60_000},
        headers=m.world.h("b_owner"),
    )
    assert r.status_code == 200 and r.json()["limit_fen"] == 60_000
    mine = m.client.get("/api/v1/credit/lines?role=debtor", headers=m.world.h("a_owner")).json()["items"]
    assert {x["id"] for x in mine} == {b_line["id"], p_line["id"]}
    granted = m.client.get("/api/v1/credit/lines?role=creditor", headers=m.world.h("b_owner")).json()["items"]
    assert [x["id"] for x in granted] == [b_line["id"]]
    issued = m.client.get("/api/v1/credit/invoices", headers=m.world.h("b_owner")).json()["items"]
    assert [x["amount_fen"] for x in issued] == [TOYOTA_GROSS]

    # a suspended supplier line is skipped: the platform's line pays
    assert m.post("b_owner", f"/credit/lines/{b_line['id']}/suspend", {"reason": "对账中"}).status_code == 200
    assert_problem(
        m.post("b_owner", f"/credit/lines/{b_line['id']}/suspend", {"reason": "x"}), 409, "invalid_transition"
    )
    again = m.order("a_owner", [("toyota_pad", 1)])
    inv = pay(m, again["id"]).json()["invoice"]
    assert inv["line_id"] == p_line["id"]
    assert line_row(m.db, b_line["id"]).used_fen == TOYOTA_GROSS
    assert line_row(m.db, p_line["id"]).used_fen == TRW_GROSS + TOYOTA_GROSS
    books_ok(m.db)
