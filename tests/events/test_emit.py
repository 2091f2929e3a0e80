"""emit(): one outbox row per company, in the caller's transaction, gone with its rollback."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from autotrade.core.db import Database
from autotrade.core.tenancy import bind_system
from autotrade.events.models import OutboxEvent
from autotrade.events.service import emit
from tests.factories import make_company
from tests.helpers import count


class Colour(enum.Enum):
    red = "red"


def test_emit_writes_one_row_per_company_in_the_callers_transaction(db: Database) -> None:
    a, b = make_company(db), make_company(db)
    order_id = uuid.uuid4()
    at = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    with db.transaction() as s:
        bind_system(s, "test")
        emit(
            s,
            "order.created",
            org_ids=[a, b, a],
            subject_type="order",
            subject_id=order_id,
            payload={"order_id": order_id, "total_fen": 12300, "at": at, "colour": Colour.red, "n": [1, 2]},
        )
        assert count(db, OutboxEvent) == 0  # nothing visible before the caller commits
    with db.transaction() as s:
        bind_system(s, "test")
        rows = list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))
    assert sorted(r.org_id for r in rows) == sorted([a, b])  # one row each, the duplicate collapsed
    for r in rows:
        assert (r.type, r.subject_type, r.subject_id) == ("order.created", "order", str(order_id))
        assert r.payload == {
            "order_id": str(order_id),
            "total_fen": 12300,
            "at": "2026-11-28T08:00:00+00:00",
            "colour": "red",
            "n": [1, 2],
        }
        assert r.dispatched_at is None
    assert rows[0].created_at == rows[1].created_at


def test_emit_is_rolled_back_with_the_callers_transaction(db: Database) -> None:
    a = make_company(db)
    with pytest.raises(RuntimeError), db.transaction() as s:
        bind_system(s, "test")
        emit(s, "stock.low", org_ids=[a], subject_type="stock_level", subject_id="x", payload={})
        s.flush()
        raise RuntimeError("the business write failed")
    assert count(db, OutboxEvent) == 0


@pytest.mark.parametrize("bad", ["order", "Order.created", "order.", ".created", "order created", "x" * 101])
def test_emit_refuses_a_malformed_type(db: Database, bad: str) -> None:
    a = make_company(db)
    with db.transaction() as s:
        bind_system(s, "test")
        with pytest.raises(ValueError, match=r"domain\.action"):
            emit(s, bad, org_ids=[a], subject_type="order", subject_id=1, payload={})
    assert count(db, OutboxEvent) == 0
