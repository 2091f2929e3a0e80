"""Ledger resources of company A for the isolation walk (tests/test_isolation.py): an entry between
company A and the platform (never B), and A's account it posted to."""

from __future__ import annotations

import uuid
from typing import Any

from autotrade.core.tenancy import bind_system
from autotrade.ledger import service as ledger
from autotrade.ledger.models import LedgerAccount
from autotrade.ledger.repository import LedgerRepository
from autotrade.ledger.service import Leg, Purpose

SNAPSHOT_MODELS = (LedgerAccount,)


def foreign_resources(world: Any) -> dict[str, str]:
    a, platform = world.orgs["a"], world.orgs["platform"]
    with world.db.transaction() as s:
        bind_system(s, "test")
        entry = ledger.post(
            s,
            kind="credit_repayment",
            legs=[Leg(platform, Purpose.bank_clearing, 1_000), Leg(a, Purpose.credit_receivable, -1_000)],
            reference_type="test",
            reference_id=uuid.uuid4(),
        )
        account = LedgerRepository(s).accounts_for([(a, Purpose.credit_receivable)], "CNY")
    return {"account_id": str(account[(a, Purpose.credit_receivable)]), "entry_id": str(entry.id)}
