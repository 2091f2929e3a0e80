"""The pure arithmetic of commission and refunds (escrow/commission.py): half up on integers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from autotrade.escrow.commission import (
    RateRow,
    commission_fen,
    half_up,
    pick_rate,
    return_share,
    spread,
    trade_type_of,
)


@pytest.mark.parametrize(
    ("base", "bp", "fen"),
    [
        (22_600, 300, 678),  # exact
        (15_065, 300, 452),  # 451.95 → 452
        (15_065, 250, 377),  # 376.625 → 377
        (150, 100, 2),  # 1.5 → 2: halves go up
        (149, 100, 1),  # 1.49 → 1
        (50, 100, 1),  # 0.5 → 1
        (49, 100, 0),
        (0, 300, 0),
        (1_000_000_000_00, 10000, 1_000_000_000_00),
    ],
)
def test_commission_is_half_up_per_line(base, bp, fen):
    assert commission_fen(base, bp) == fen


def test_half_up_refuses_negative_amounts():
    with pytest.raises(ValueError):
        commission_fen(-1, 100)
    with pytest.raises(ValueError):
        half_up(-1, 3)


def test_returning_every_piece_one_by_one_refunds_exactly_the_gross():
    gross, qty = 15_065, 4
    shares = [return_share(gross, qty, before, 1) for before in range(qty)]
    assert shares == [3_766, 3_767, 3_766, 3_766]  # 3766.25 | 7532.5→7533 | 11298.75→11299 | 15065
    assert sum(shares) == gross
    assert return_share(gross, qty, 0, 2) == 7_533
    assert return_share(100, 3, 0, 1) + return_share(100, 3, 1, 2) == 100


def test_spread_gives_leftover_fen_to_the_largest_remainders():
    assert spread(5_000, [22_600, 67_800, 15_065]) == [1_072, 3_214, 714]
    assert sum(spread(5_000, [22_600, 67_800, 15_065])) == 5_000
    assert spread(1, [1, 1, 1]) == [1, 0, 0]  # ties: the earlier line
    assert spread(3, [1, 1, 1]) == [1, 1, 1]
    assert spread(0, [5]) == [0]
    with pytest.raises(ValueError):
        spread(4, [1, 1, 1])


def test_wear_parts_by_category_code():
    assert trade_type_of("BRAKE/BRAKE.PAD").value == "wear_parts"
    assert trade_type_of("FILTER/FILTER.CABIN").value == "wear_parts"
    assert trade_type_of("IGNITION/IGNITION.PLUG").value == "wear_parts"
    assert trade_type_of("ELECTRICAL/ELECTRICAL.WIPER").value == "wear_parts"
    assert trade_type_of("ENGINE/ENGINE.TIMING_BELT").value == "wear_parts"
    assert trade_type_of("BRAKE/BRAKE.DISC").value == "parts"
    assert trade_type_of("IGNITION/IGNITION.COIL").value == "parts"
    assert trade_type_of("BRAKE").value == "parts"


def _t(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)


def _rate(n: int, trade: str, path: str | None, bp: int, start: int, end: int | None = None) -> RateRow:
    return RateRow(uuid.UUID(int=n), trade, path, bp, _t(start), _t(end) if end else None)


def test_the_most_specific_category_in_force_at_placement_wins():
    rates = [
        _rate(1, "wear_parts", None, 300, 2000),
        _rate(2, "parts", None, 200, 2000),
        _rate(3, "parts", "BRAKE", 150, 2020, 2022),
        _rate(4, "wear_parts", "BRAKE/BRAKE.PAD", 350, 2021),
    ]
    pick = lambda path, year: (lambda r: (r[0].rate_bp if r[0] else None, r[1]))(  # noqa: E731
        pick_rate(rates, path, _t(year))
    )
    assert pick("BRAKE/BRAKE.PAD", 2019) == (300, "wear_parts")  # default of its trade type
    assert pick("BRAKE/BRAKE.PAD", 2020) == (150, "parts")  # the BRAKE subtree rate, whatever the type
    assert pick("BRAKE/BRAKE.PAD", 2021) == (350, "wear_parts")  # more specific
    assert pick("BRAKE/BRAKE.DISC", 2021) == (150, "parts")
    assert pick("BRAKE/BRAKE.DISC", 2022) == (200, "parts")  # until is exclusive
    assert pick("BRAKEX/BRAKEX.Y", 2021) == (200, "parts")  # a prefix of the code is not the subtree
    assert pick_rate([], "FILTER/FILTER.OIL", _t(2021)) == (None, "wear_parts")
