"""The stock contract (docs/trading.md "inventory"), at the service level, on both backends."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from autotrade.core.db import Database
from autotrade.core.errors import ValidationFailed
from autotrade.inventory import service
from autotrade.inventory.errors import (
    BelowReserved,
    InsufficientStock,
    InvalidQuantity,
    PartNotFound,
    ReservationMismatch,
    WarehouseNotFound,
)
from autotrade.inventory.repository import StockRepository
from autotrade.inventory.schemas import WarehouseUpdate
from autotrade.inventory.service import StockLine
from tests.helpers import table_counts
from tests.inventory.conftest import Parts, Supplier, levels, make_supplier, movements, tx


def _stock(db: Database, sup: Supplier, parts: Parts, plan: dict[tuple[str, str], int]) -> None:
    with tx(db, "receiving") as s:
        for (wh, part), q in plan.items():
            service.receive(
                s, sup.warehouses[wh], parts.ids[part], q, reason="初始入库", reference_id="GRN-1"
            )


def _mismatches(db: Database) -> list[tuple[object, ...]]:
    with tx(db) as s:
        return StockRepository(s).mismatches()


def test_receive_creates_the_level_and_a_receipt_movement(db, parts, supplier):
    w1, pad = supplier.warehouses["W1"], parts.ids["pad"]
    with tx(db, "wms") as s:
        level = service.receive(s, w1, pad, 7, reason="到货", reference_type="grn", reference_id="GRN-7")
        assert (level.on_hand, level.reserved, level.available, level.org_id) == (7, 0, 7, supplier.org_id)
        level = service.receive(s, w1, pad, 3)
        assert (level.on_hand, level.reserved) == (10, 0)
    assert levels(db) == {(w1, pad): (10, 0)}
    assert sorted(movements(db)) == [("receipt", 3, 0, None, None), ("receipt", 7, 0, "grn", "GRN-7")]
    assert _mismatches(db) == []


def test_reserve_ship_release_restock_keep_levels_equal_to_their_movements(db, parts, supplier):
    w1, w2 = supplier.warehouses["W1"], supplier.warehouses["W2"]
    pad, disc = parts.ids["pad"], parts.ids["disc"]
    _stock(db, supplier, parts, {("W1", "pad"): 10, ("W2", "pad"): 4, ("W1", "disc"): 2})
    order = uuid.uuid4()
    lines = [StockLine(w1, pad, 6), StockLine(w2, pad, 4), StockLine(w1, disc, 1), StockLine(w1, pad, 1)]
    with tx(db, "buyer") as s:
        service.reserve(s, lines, reference_type="order", reference_id=order)
    assert levels(db) == {(w1, pad): (10, 7), (w2, pad): (4, 4), (w1, disc): (2, 1)}
    with tx(db) as s:
        service.ship(
            s, [StockLine(w1, pad, 5), StockLine(w2, pad, 4)], reference_type="order", reference_id=order
        )
        service.release(
            s, [StockLine(w1, pad, 2), StockLine(w1, disc, 1)], reference_type="order", reference_id=order
        )
        service.restock(s, [StockLine(w2, pad, 1)], reference_type="return", reference_id="RMA-1")
    assert levels(db) == {(w1, pad): (5, 0), (w2, pad): (1, 0), (w1, disc): (2, 0)}
    kinds = sorted(m[:3] for m in movements(db) if m[0] != "receipt")
    assert kinds == [
        ("release", 0, -2),
        ("release", 0, -1),
        ("reservation", 0, 1),
        ("reservation", 0, 4),
        ("reservation", 0, 7),  # the two lines of the same warehouse and part are one reservation
        ("return", 1, 0),
        ("shipment", -5, -5),
        ("shipment", -4, -4),
    ]
    refs = {m[4] for m in movements(db) if m[0] in ("reservation", "shipment", "release")}
    assert refs == {str(order)}
    assert _mismatches(db) == []


def test_nothing_changes_when_one_of_several_lines_is_short(db, parts, supplier):
    w1, w2 = supplier.warehouses["W1"], supplier.warehouses["W2"]
    pad, disc, flt = parts.ids["pad"], parts.ids["disc"], parts.ids["filter"]
    _stock(db, supplier, parts, {("W1", "pad"): 10, ("W2", "pad"): 3, ("W1", "disc"): 2})
    with tx(db) as s:
        service.reserve(s, [StockLine(w1, disc, 1)], reference_type="order", reference_id="o-0")
    before_levels, before_counts = levels(db), table_counts(db)
    lines = [
        StockLine(w1, pad, 10),  # fits exactly
        StockLine(w2, pad, 5),  # 3 available
        StockLine(w1, disc, 2),  # 1 available (1 of 2 reserved)
        StockLine(w2, flt, 1),  # no level at all
    ]
    with pytest.raises(InsufficientStock) as e, tx(db) as s:
        service.reserve(s, lines, reference_type="order", reference_id="o-1")
    assert e.value.status == 409 and e.value.code == "insufficient_stock"
    expected = [
        {"part_id": str(pad), "warehouse_id": str(w2), "requested": 5, "available": 3},
        {"part_id": str(disc), "warehouse_id": str(w1), "requested": 2, "available": 1},
        {"part_id": str(flt), "warehouse_id": str(w2), "requested": 1, "available": 0},
    ]
    assert sorted(e.value.errors or [], key=str) == sorted(expected, key=str)
    assert levels(db) == before_levels
    assert table_counts(db) == before_counts


def test_a_short_reservation_changes_nothing_even_inside_a_caught_error(db, parts, supplier):
    """The call itself is all-or-nothing: a caller that catches the error has changed nothing."""
    w1, pad, disc = supplier.warehouses["W1"], parts.ids["pad"], parts.ids["disc"]
    _stock(db, supplier, parts, {("W1", "pad"): 5, ("W1", "disc"): 1})
    with tx(db) as s:
        with pytest.raises(InsufficientStock):
            service.reserve(
                s, [StockLine(w1, pad, 2), StockLine(w1, disc, 2)], reference_type="order", reference_id="x"
            )
        service.reserve(s, [StockLine(w1, pad, 1)], reference_type="order", reference_id="y")
    assert levels(db) == {(w1, pad): (5, 1), (w1, disc): (1, 0)}
    assert [m[4] for m in movements(db) if m[0] == "reservation"] == ["y"]


def test_release_or_ship_more_than_reserved_is_refused(db, parts, supplier):
    w1, pad = supplier.warehouses["W1"], parts.ids["pad"]
    _stock(db, supplier, parts, {("W1", "pad"): 5})
    with tx(db) as s:
        service.reserve(s, [StockLine(w1, pad, 2)], reference_type="order", reference_id="o")
    before = table_counts(db)
    for fn in (service.release, service.ship):
        with pytest.raises(ReservationMismatch) as e, tx(db) as s:
            fn(s, [StockLine(w1, pad, 3)], reference_type="order", reference_id="o")
        assert e.value.errors == [
            {"part_id": str(pad), "warehouse_id": str(w1), "requested": 3, "reserved": 2}
        ]
    assert levels(db) == {(w1, pad): (5, 2)}
    assert table_counts(db) == before


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_quantities_are_positive_integers(db, parts, supplier, bad):
    w1, pad = supplier.warehouses["W1"], parts.ids["pad"]
    with pytest.raises(InvalidQuantity), tx(db) as s:
        service.reserve(s, [StockLine(w1, pad, bad)], reference_type="order", reference_id="o")


def test_adjust_sets_or_changes_on_hand_never_below_reserved(db, parts, supplier):
    w1, pad = supplier.warehouses["W1"], parts.ids["pad"]
    _stock(db, supplier, parts, {("W1", "pad"): 10})
    with tx(db) as s:
        service.reserve(s, [StockLine(w1, pad, 4)], reference_type="order", reference_id="o")
    with tx(db, "stocktake") as s:
        level = service.adjust(s, w1, pad, on_hand=8, reason="盘点")
        assert (level.on_hand, level.reserved) == (8, 4)
        level = service.adjust(s, w1, pad, delta=-3, reason="破损")
        assert (level.on_hand, level.reserved) == (5, 4)
        level = service.adjust(s, w1, pad, on_hand=5, reason="复盘无差异")  # no difference: no movement
    before = table_counts(db)
    with pytest.raises(BelowReserved) as e, tx(db) as s:
        service.adjust(s, w1, pad, on_hand=3, reason="盘点")
    assert e.value.field == "on_hand" and e.value.code == "below_reserved"
    with pytest.raises(ValidationFailed) as e2, tx(db) as s:
        service.adjust(s, w1, pad, on_hand=9, reason=" ")
    assert e2.value.field == "reason"
    assert table_counts(db) == before
    adj = sorted(m[:3] for m in movements(db) if m[0] == "adjustment")
    assert adj == [("adjustment", -3, 0), ("adjustment", -2, 0)]
    assert levels(db) == {(w1, pad): (5, 4)}
    assert _mismatches(db) == []


def test_receive_checks_warehouse_and_part(db, parts, supplier):
    other = make_supplier(db, "X1")
    with tx(db) as s:
        s.info["tenant_scope"] = frozenset({supplier.org_id})  # as the supplier's users
        with pytest.raises(WarehouseNotFound):
            service.receive(s, other.warehouses["X1"], parts.ids["pad"], 1)
        with pytest.raises(PartNotFound):
            service.receive(s, supplier.warehouses["W1"], uuid.uuid4(), 1)


def test_availability_lists_active_warehouses_with_stock(db, parts, supplier):
    w1, w2 = supplier.warehouses["W1"], supplier.warehouses["W2"]
    pad, disc = parts.ids["pad"], parts.ids["disc"]
    other = make_supplier(db, "X1")
    _stock(db, supplier, parts, {("W1", "pad"): 3, ("W2", "pad"): 2, ("W1", "disc"): 1})
    with tx(db) as s:
        service.receive(s, other.warehouses["X1"], pad, 9)
        service.reserve(s, [StockLine(w1, disc, 1)], reference_type="order", reference_id="o")  # none left
        service.update_warehouse(s, w2, WarehouseUpdate(active=False))
    with tx(db) as s:
        s.info["tenant_scope"] = frozenset({uuid.uuid4()})  # a buyer: the read is a marketplace read
        got = service.availability(s, [pad, disc])
        assert sorted((a.org_id, a.warehouse_id, a.part_id, a.available) for a in got) == sorted(
            [(supplier.org_id, w1, pad, 3), (other.org_id, other.warehouses["X1"], pad, 9)]
        )
        only = service.availability(s, [pad], org_ids=[supplier.org_id])
        assert [(a.warehouse_id, a.available, a.city, a.service_radius_km) for a in only] == [
            (w1, 3, "杭州市", 50)
        ]
        assert service.availability(s, []) == []


def test_transfer_moves_stock_between_companies_in_one_step(db, parts, supplier):
    other = make_supplier(db, "X1")
    w1, x1, pad = supplier.warehouses["W1"], other.warehouses["X1"], parts.ids["pad"]
    _stock(db, supplier, parts, {("W1", "pad"): 5})
    with tx(db) as s:
        service.transfer(
            s, from_key=(w1, pad), to_key=(x1, pad), quantity=2, reference_type="transfer", reference_id="t1"
        )
    assert levels(db) == {(w1, pad): (3, 0), (x1, pad): (2, 0)}
    with pytest.raises(InsufficientStock) as e, tx(db) as s:
        service.transfer(
            s, from_key=(w1, pad), to_key=(x1, pad), quantity=4, reference_type="transfer", reference_id="t2"
        )
    assert e.value.errors == [{"part_id": str(pad), "warehouse_id": str(w1), "requested": 4, "available": 3}]
    assert levels(db) == {(w1, pad): (3, 0), (x1, pad): (2, 0)}
    assert _mismatches(db) == []


def test_verify_finds_a_level_changed_behind_the_movements_back(db, parts, supplier):
    w1, pad = supplier.warehouses["W1"], parts.ids["pad"]
    _stock(db, supplier, parts, {("W1", "pad"): 5, ("W2", "disc"): 1})
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE stock_levels SET on_hand = on_hand + 1"))
        conn.execute(text("UPDATE stock_levels SET reserved = 1 WHERE on_hand = 6"))
    rows = _mismatches(db)
    assert sorted((r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows) == sorted(
        [(w1, pad, 6, 5, 1, 0), (supplier.warehouses["W2"], parts.ids["disc"], 2, 1, 0, 0)]
    )
