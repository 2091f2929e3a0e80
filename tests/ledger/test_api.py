"""Ledger routes: a company's own accounts and postings; platform finance reads every entry."""

from __future__ import annotations

import uuid

import pytest

from autotrade.core.tenancy import bind_system
from autotrade.ledger import service as ledger
from autotrade.ledger.service import Leg, Purpose
from tests.helpers import assert_problem

# Synthetic entries (no orders or payments behind them): the suite's reconciliation check does not apply.
pytestmark = pytest.mark.books_unreconciled


def _post_flow(world) -> dict[str, uuid.UUID]:
    """A pays order O (gross 10,000) by gateway; O is released to B with commission 300; B is paid
    out 4,000; A gets a credit repayment recorded."""
    a, b, p = world.orgs["a"], world.orgs["b"], world.orgs["platform"]
    o = uuid.uuid4()
    ids = {"order": o}
    with world.db.transaction() as s:
        bind_system(s, "test-flow")
        ids["payment"] = ledger.post(
            s,
            kind="payment",
            legs=[Leg(p, Purpose.gateway_clearing, 10_000), Leg(p, Purpose.escrow, -10_000, order_id=o)],
            reference_type="order",
            reference_id=o,
            dedupe_key=f"order-paid:{o}",
        ).id
        ids["release"] = ledger.post(
            s,
            kind="escrow_release",
            legs=[
                Leg(p, Purpose.escrow, 10_000, order_id=o),
                Leg(b, Purpose.supplier_payable, -9_700, order_id=o),
                Leg(p, Purpose.commission_revenue, -300, order_id=o),
            ],
            reference_type="order",
            reference_id=o,
        ).id
        ids["payout"] = ledger.post(
            s,
            kind="payout",
            legs=[Leg(b, Purpose.supplier_payable, 4_000), Leg(p, Purpose.bank_clearing, -4_000)],
            reference_type="payout",
            reference_id="PO-1",
        ).id
        ids["credit"] = ledger.post(
            s,
            kind="credit_payment",
            legs=[
                Leg(a, Purpose.credit_receivable, 2_500),
                Leg(p, Purpose.escrow, -2_500, order_id=uuid.uuid4()),
            ],
            reference_type="order",
            reference_id="credit-order",
        ).id
    return ids


def _by_purpose(body):
    return {x["purpose"]: (x["balance_fen"], x["holder_balance_fen"]) for x in body}


def test_each_company_sees_its_own_accounts_as_the_holder_sees_them(client, world):
    _post_flow(world)
    r = client.get("/api/v1/ledger/accounts", headers=world.h("b_owner"))
    assert r.status_code == 200, r.text
    assert _by_purpose(r.json()) == {"supplier_payable": (-5_700, 5_700)}  # the platform owes B 5,700
    assert {x["org_id"] for x in r.json()} == {str(world.orgs["b"])}
    r = client.get("/api/v1/ledger/accounts", headers=world.h("a_owner"))
    assert _by_purpose(r.json()) == {"credit_receivable": (2_500, -2_500)}  # A owes 2,500
    r = client.get("/api/v1/ledger/accounts", headers=world.h("a_viewer"))  # no payments:view
    assert_problem(r, 403, "permission_denied")


def test_the_platform_sees_its_accounts_on_their_normal_side(client, world):
    _post_flow(world)
    # platform_admin holds no payments:view: the company route is for a company's finance staff
    assert_problem(client.get("/api/v1/ledger/accounts", headers=world.h("admin")), 403, "permission_denied")
    with world.db.transaction() as s:
        bind_system(s, "test")  # the system scope sees every company's accounts
        platform = {
            a.purpose: holder for a, holder in ledger.my_accounts(s) if a.org_id == world.orgs["platform"]
        }
    assert platform == {
        Purpose.gateway_clearing: 10_000,
        Purpose.escrow: 2_500,
        Purpose.commission_revenue: 300,
        Purpose.bank_clearing: -4_000,
    }


def test_postings_of_an_account_page_newest_first_with_their_entry(client, world):
    ids = _post_flow(world)
    h = world.h("b_owner")
    (account,) = client.get("/api/v1/ledger/accounts", headers=h).json()
    r = client.get(f"/api/v1/ledger/accounts/{account['id']}/postings?limit=1", headers=h)
    assert r.status_code == 200, r.text
    page = r.json()
    assert [(x["kind"], x["amount_fen"], x["reference_type"], x["reference_id"]) for x in page["items"]] == [
        ("payout", 4_000, "payout", "PO-1")
    ]
    assert page["items"][0]["entry_id"] == str(ids["payout"]) and page["items"][0]["order_id"] is None
    r = client.get(
        f"/api/v1/ledger/accounts/{account['id']}/postings?limit=1&cursor={page['next_cursor']}", headers=h
    )
    page = r.json()
    assert [(x["kind"], x["amount_fen"], x["order_id"]) for x in page["items"]] == [
        ("escrow_release", -9_700, str(ids["order"]))
    ]
    assert page["next_cursor"] is None
    # another company's account, and an unknown one: not found
    r = client.get(f"/api/v1/ledger/accounts/{account['id']}/postings", headers=world.h("a_owner"))
    assert_problem(r, 404, "ledger_account_not_found")
    r = client.get(f"/api/v1/ledger/accounts/{uuid.uuid4()}/postings", headers=h)
    assert_problem(r, 404, "ledger_account_not_found")
    r = client.get(f"/api/v1/ledger/accounts/{account['id']}/postings?cursor=%%%", headers=h)
    assert_problem(r, 422, "invalid_cursor")


def test_platform_finance_lists_filters_and_reads_entries(client, world):
    ids = _post_flow(world)
    h = world.h("admin")
    r = client.get("/api/v1/platform/ledger/entries", headers=h)
    assert r.status_code == 200, r.text
    assert [x["kind"] for x in r.json()["items"]] == ["credit_payment", "payout", "escrow_release", "payment"]
    r = client.get(
        f"/api/v1/platform/ledger/entries?reference_type=order&reference_id={ids['order']}", headers=h
    )
    assert [x["id"] for x in r.json()["items"]] == [str(ids["release"]), str(ids["payment"])]
    r = client.get("/api/v1/platform/ledger/entries?kind=payment", headers=h)
    (entry,) = r.json()["items"]
    assert (entry["dedupe_key"], entry["actor_label"], entry["currency"]) == (
        f"order-paid:{ids['order']}",
        "test-flow",
        "CNY",
    )
    r = client.get(f"/api/v1/platform/ledger/entries/{ids['release']}", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "escrow_release"
    assert sorted((x["org_id"], x["purpose"], x["amount_fen"]) for x in body["postings"]) == sorted(
        [
            (str(world.orgs["platform"]), "escrow", 10_000),
            (str(world.orgs["b"]), "supplier_payable", -9_700),
            (str(world.orgs["platform"]), "commission_revenue", -300),
        ]
    )
    assert sum(x["amount_fen"] for x in body["postings"]) == 0
    assert_problem(
        client.get(f"/api/v1/platform/ledger/entries/{uuid.uuid4()}", headers=h),
        404,
        "journal_entry_not_found",
    )
    r = client.get("/api/v1/platform/ledger/verify", headers=h)
    assert r.json() == {"ok": True, "problems": []}
    for who in ("a_owner", "b_owner", "auditor"):
        assert_problem(
            client.get("/api/v1/platform/ledger/entries", headers=world.h(who)), 403, "permission_denied"
        )
        assert_problem(
            client.get("/api/v1/platform/ledger/verify", headers=world.h(who)), 403, "permission_denied"
        )
