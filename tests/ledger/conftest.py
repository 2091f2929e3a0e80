"""Ledger test helpers: the platform and two companies, and a session bound as a system caller."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.orgs.models import OrgType
from tests.factories import make_company


@dataclass(frozen=True)
class Books:
    db: Database
    platform: uuid.UUID
    buyer: uuid.UUID
    supplier: uuid.UUID

    @contextmanager
    def tx(self, actor: str = "test") -> Iterator[Session]:
        with self.db.transaction() as s:
            bind_system(s, actor)
            yield s


@pytest.fixture
def books(db: Database) -> Books:
    return Books(
        db=db,
        platform=make_company(db, name="平台", type=OrgType.platform),
        buyer=make_company(db, name="买家汽修", type=OrgType.repair_shop),
        supplier=make_company(db, name="卖家汽配", type=OrgType.distributor),
    )
