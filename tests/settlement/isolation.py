"""Settlement resources of company A for the isolation walk (tests/test_isolation.py).

A's own statement (A as a supplier, for November 2026), A's tax profile, and an invoice A requested from
a third company (never B). B must see none of them."""

from __future__ import annotations

from typing import Any

from autotrade.core.tenancy import bind_system
from autotrade.orgs.models import OrgType
from autotrade.settlement import periods, service
from autotrade.settlement.models import (
    Invoice,
    InvoiceKind,
    InvoiceScope,
    Payout,
    SettlementStatement,
    TaxProfile,
)
from tests.factories import make_company, new_uscc

SNAPSHOT_MODELS = (SettlementStatement, TaxProfile, Invoice, Payout)

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/tax-profiles/{tax_profile_id}"): {"title": "劫持的抬头"},
    ("POST", "/api/v1/invoices/{invoice_id}/issue"): {
        "invoice_number": "99999999",
        "invoice_date": "2026-11-28",
        "amount_fen": 1,
    },
    ("POST", "/api/v1/invoices/{invoice_id}/reject"): {"reason": "劫持"},
}


def foreign_resources(world: Any) -> dict[str, str]:
    seller = make_company(world.db, name="A 的开票方", type=OrgType.distributor)
    with world.db.transaction() as s:
        bind_system(s, "test")
        st, _ = service.generate(s, world.orgs["a"], periods.month("2026-11"))
        profile = TaxProfile(
            org_id=world.orgs["a"],
            title="A 汽修连锁有限公司",
            taxpayer_id=new_uscc(),
            address="杭州市",
            phone="0571-88888888",
            bank_name="工行",
            bank_account="6222021001123456789",
        )
        s.add(profile)
        s.flush()
        inv = Invoice(
            org_id=world.orgs["a"],
            issuer_org_id=seller,
            kind=InvoiceKind.normal,
            scope=InvoiceScope.period,
            period_start=periods.month("2026-11").start,
            period_end=periods.month("2026-11").end,
            period_label="2026-11",
            amount_fen=1_000,
            tax_profile_id=profile.id,
            title=profile.title,
            taxpayer_id=profile.taxpayer_id,
            requested_by="test",
        )
        s.add(inv)
        s.flush()
        return {"statement_id": str(st.id), "tax_profile_id": str(profile.id), "invoice_id": str(inv.id)}
