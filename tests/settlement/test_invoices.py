"""VAT invoices: tax profiles, requests per order or per period, issuing and the number register."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from autotrade.core.db import utcnow
from autotrade.core.tenancy import bind_system
from autotrade.settlement import invoices as invoices_service
from autotrade.settlement import periods
from autotrade.settlement.models import Invoice, TaxProfile
from tests.factories import new_uscc
from tests.helpers import assert_problem, count, table_counts
from tests.settlement.conftest import Market, paid_order, refund, this_month, verify

ACCOUNT = "6222 0210 0112 3456 789"


def profile_body(**over: Any) -> dict[str, Any]:
    body = {
        "title": "A 汽修连锁有限公司",
        "taxpayer_id": new_uscc(),
        "address": "杭州市西湖区文三路 1 号",
        "phone": "0571-88888888",
        "bank_name": "中国工商银行杭州分行",
        "bank_account": ACCOUNT,
        "is_default": True,
    }
    body.update(over)
    return body


def create_profile(m: Market, **over: Any) -> dict[str, Any]:
    r = m.client.post("/api/v1/tax-profiles", json=profile_body(**over), headers=m.world.h("a_owner"))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_tax_profiles_validate_and_mask_the_bank_account(m: Market) -> None:
    m.world.add_user("a_approver", "a", ("approver",))  # payments:approve (→ view), no pii:view
    before = table_counts(m.db)
    r = m.client.post(
        "/api/v1/tax-profiles",
        json=profile_body(taxpayer_id="91330100MA2RPR004X"),
        headers=m.world.h("a_owner"),
    )
    body = assert_problem(r, 422, "validation_error", "taxpayer_id")
    assert body["errors"][0]["code"] == "invalid_taxpayer_id"
    r = m.client.post(
        "/api/v1/tax-profiles", json=profile_body(taxpayer_id="12345"), headers=m.world.h("a_owner")
    )
    assert_problem(r, 422, "validation_error", "taxpayer_id")
    r = m.client.post(
        "/api/v1/tax-profiles", json=profile_body(bank_account="12ab"), headers=m.world.h("a_owner")
    )
    assert_problem(r, 422, "validation_error", "bank_account")
    assert table_counts(m.db) == before

    p = create_profile(m)
    assert p["bank_account"] == "6222021001123456789"
    assert p["complete"] is True
    old = create_profile(m, taxpayer_id="330106123456789", title="A 旧抬头", is_default=True)  # 15 characters
    assert old["taxpayer_id"] == "330106123456789"
    r = m.client.get(f"/api/v1/tax-profiles/{p['id']}", headers=m.world.h("a_approver"))
    assert r.status_code == 200, r.text
    assert r.json()["bank_account"] == "***************6789"
    assert r.json()["is_default"] is False  # the newer default replaced it
    items = m.client.get("/api/v1/tax-profiles", headers=m.world.h("a_owner")).json()["items"]
    assert {x["id"] for x in items} == {p["id"], old["id"]}
    assert m.client.get("/api/v1/tax-profiles", headers=m.world.h("b_owner")).json()["items"] == []
    r = m.client.patch(
        f"/api/v1/tax-profiles/{p['id']}", json={"address": None}, headers=m.world.h("a_owner")
    )
    assert r.status_code == 200 and r.json()["complete"] is False
    # the stored account is encrypted, not the plain number
    with m.db.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT bank_account FROM tax_profiles").scalars().all()
    assert all("6222021001123456789" not in str(x) for x in raw)
    assert (
        m.client.delete(f"/api/v1/tax-profiles/{old['id']}", headers=m.world.h("a_owner")).status_code == 204
    )
    assert count(m.db, TaxProfile) == 1


def request(m: Market, body: dict[str, Any], who: str = "a_owner") -> Any:
    return m.client.post("/api/v1/invoices", json=body, headers=m.world.h(who))


def test_order_invoice_requested_issued_and_numbers_are_unique(m: Market) -> None:
    full = create_profile(m)
    short = create_profile(m, address=None, bank_account=None, is_default=False)
    unpaid = m.order("a_owner", [("bosch_pad", 1)])
    o1 = paid_order(m, [("toyota_pad", 2)])
    o2 = paid_order(m, [("toyota_pad", 1)])

    before = table_counts(m.db)
    r = request(m, {"kind": "special", "tax_profile_id": short["id"], "order_id": o1["id"]})
    body = assert_problem(r, 422, "incomplete_tax_details", "tax_profile_id")
    assert body["missing"] == ["address", "bank_account"]
    assert_problem(
        request(m, {"kind": "normal", "tax_profile_id": full["id"], "order_id": unpaid["id"]}),
        422,
        "not_invoiceable",
        "order_id",
    )
    assert_problem(
        request(m, {"kind": "normal", "tax_profile_id": full["id"], "order_id": o1["id"]}, who="b_owner"),
        404,
        "tax_profile_not_found",
        "tax_profile_id",
    )
    assert table_counts(m.db) == before

    r = request(m, {"kind": "special", "tax_profile_id": full["id"], "order_id": o1["id"]})
    assert r.status_code == 201, r.text
    inv = r.json()
    assert (inv["status"], inv["amount_fen"], inv["scope"], inv["issuer_org_id"]) == (
        "requested",
        22_600,
        "order",
        str(m.world.orgs["b"]),
    )
    assert inv["bank_account"] == "6222021001123456789"
    assert_problem(
        request(m, {"kind": "normal", "tax_profile_id": full["id"], "order_id": o1["id"]}),
        409,
        "already_invoiced",
        "order_id",
    )
    # the supplier sees the request (bank account masked for roles without pii:view is covered above)
    issuer_view = m.client.get("/api/v1/invoices?role=issuer", headers=m.world.h("b_owner")).json()["items"]
    assert [x["id"] for x in issuer_view] == [inv["id"]]
    assert m.client.get("/api/v1/invoices?role=issuer", headers=m.world.h("a_owner")).json()["items"] == []

    today = str(periods.china_date(utcnow()))
    issue = {"invoice_number": "33001234", "invoice_date": today, "amount_fen": 22_600}
    before = table_counts(m.db)
    assert_problem(m.post("a_owner", f"/invoices/{inv['id']}/issue", issue), 403, "wrong_party")
    assert_problem(
        m.post("b_owner", f"/invoices/{inv['id']}/issue", {**issue, "amount_fen": 22_601}),
        422,
        "invalid_amount",
        "amount_fen",
    )
    assert_problem(
        m.post("b_owner", f"/invoices/{inv['id']}/issue", {**issue, "invoice_date": "2020-01-01"}),
        422,
        "invalid_invoice_date",
        "invoice_date",
    )
    assert table_counts(m.db) == before
    r = m.post("b_owner", f"/invoices/{inv['id']}/issue", issue)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["invoice_number"], r.json()["issued_amount_fen"]) == (
        "issued",
        "33001234",
        22_600,
    )
    assert_problem(m.post("b_owner", f"/invoices/{inv['id']}/issue", issue), 409, "invalid_transition")

    second = request(m, {"kind": "normal", "tax_profile_id": full["id"], "order_id": o2["id"]}).json()
    assert_problem(
        m.post("b_owner", f"/invoices/{second['id']}/issue", {**issue, "amount_fen": 11_300}),
        409,
        "invoice_number_taken",
        "invoice_number",
    )
    r = m.post("b_owner", f"/invoices/{second['id']}/reject", {"reason": "抬头有误"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert_problem(
        m.post("b_owner", f"/invoices/{second['id']}/reject", {"reason": "再拒"}), 409, "invalid_transition"
    )
    # rejected: the order may be invoiced again
    assert (
        request(m, {"kind": "normal", "tax_profile_id": full["id"], "order_id": o2["id"]}).status_code == 201
    )

    numbers = m.client.get("/api/v1/invoices/issued-numbers", headers=m.world.h("b_owner")).json()["items"]
    assert [(x["invoice_number"], x["amount_fen"], x["kind"]) for x in numbers] == [
        ("33001234", 22_600, "special")
    ]
    assert m.client.get("/api/v1/invoices/issued-numbers", headers=m.world.h("a_owner")).json()["items"] == []
    assert count(m.db, Invoice) == 3
    assert verify(m) == []


def test_period_invoice_is_net_of_refunds(m: Market) -> None:
    p = create_profile(m)
    o1 = paid_order(m, [("toyota_pad", 2)])
    o2 = paid_order(m, [("bosch_pad", 1)])
    refund(m, o2["id"], 1_040)
    m.order("a_owner", [("toyota_pad", 1)])  # not paid: not invoiced
    paid_order(m, [("trw_pad", 1)])  # another supplier
    body = {"kind": "normal", "tax_profile_id": p["id"], "supplier_org_id": str(m.world.orgs["b"])}
    r = request(m, {**body, "period": this_month()})
    assert r.status_code == 201, r.text
    inv = r.json()
    assert (inv["scope"], inv["period_label"], inv["amount_fen"]) == ("period", this_month(), 22_600 + 8_000)
    assert_problem(request(m, {**body, "period": this_month()}), 409, "already_invoiced", "period")
    # an order inside an invoiced period cannot be invoiced again on its own
    assert_problem(
        request(m, {"kind": "normal", "tax_profile_id": p["id"], "order_id": o1["id"]}),
        409,
        "already_invoiced",
        "order_id",
    )
    assert_problem(request(m, {**body, "period": "2020-01"}), 422, "not_invoiceable", "supplier_org_id")
    assert_problem(request(m, body), 422, "invalid_period")
    assert verify(m) == []


@pytest.mark.parametrize(
    ("requested_at", "now", "accepted", "refused"),
    [
        # requested 23:30 China time on the 28th, issued 00:30 on the 29th: both China days are allowed
        (
            datetime(2026, 11, 28, 15, 30, tzinfo=UTC),
            datetime(2026, 11, 28, 16, 30, tzinfo=UTC),
            ["2026-11-28", "2026-11-29"],
            ["2026-11-27", "2026-11-30"],
        ),
        # requested and issued after midnight China time: the UTC date (still the 28th) is before the request
        (
            datetime(2026, 11, 28, 16, 5, tzinfo=UTC),
            datetime(2026, 11, 28, 16, 45, tzinfo=UTC),
            ["2026-11-29"],
            ["2026-11-28", "2026-11-30"],
        ),
        # both before midnight China time: the 29th is tomorrow there
        (
            datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
            datetime(2026, 11, 28, 15, 59, tzinfo=UTC),
            ["2026-11-28"],
            ["2026-11-29", "2026-11-27"],
        ),
    ],
)
def test_invoice_date_is_checked_in_china_time_either_side_of_midnight(
    m: Market,
    monkeypatch: pytest.MonkeyPatch,
    requested_at: datetime,
    now: datetime,
    accepted: list[str],
    refused: list[str],
) -> None:
    full = create_profile(m)
    orders = [paid_order(m, [("toyota_pad", 1)]) for _ in accepted]
    invoices = [
        request(m, {"kind": "normal", "tax_profile_id": full["id"], "order_id": o["id"]}).json()
        for o in orders
    ]
    with m.db.transaction() as s:
        bind_system(s, "test")
        for inv in invoices:
            s.get_one(Invoice, uuid.UUID(inv["id"])).created_at = requested_at
    monkeypatch.setattr(invoices_service, "utcnow", lambda: now)
    before = table_counts(m.db)
    for day in refused:
        body = {"invoice_number": "44001234", "invoice_date": day, "amount_fen": 11_300}
        problem = assert_problem(
            m.post("b_owner", f"/invoices/{invoices[0]['id']}/issue", body),
            422,
            "invalid_invoice_date",
            "invoice_date",
        )
        assert "China time" in problem["title"] and "amount" not in problem["title"]
    assert table_counts(m.db) == before
    for n, (inv, day) in enumerate(zip(invoices, accepted, strict=True)):
        body = {"invoice_number": f"4400123{n}", "invoice_date": day, "amount_fen": 11_300}
        r = m.post("b_owner", f"/invoices/{inv['id']}/issue", body)
        assert r.status_code == 200, r.text
        assert r.json()["invoice_date"] == day
