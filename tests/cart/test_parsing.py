"""Pasted quick-order lines → number and quantity (no database)."""

from __future__ import annotations

import pytest

from autotrade.cart.parsing import parse_text, split_line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("04465-33471,2", ("04465-33471", "2", False)),
        ("04465-33471\t2", ("04465-33471", "2", False)),
        ("04465-33471；2", ("04465-33471", "2", False)),
        ("04465-33471，2", ("04465-33471", "2", False)),
        ("04465-33471、2", ("04465-33471", "2", False)),
        ("04465-33471 × 2", ("04465-33471", "2", False)),
        ("04465-33471×2", ("04465-33471", "2", False)),
        ("04465-33471 x2", ("04465-33471", "2", False)),
        ("04465-33471 X 2", ("04465-33471", "2", False)),
        ("04465-33471 * 2", ("04465-33471", "2", False)),
        ("04465 33471 2", ("04465 33471", "2", True)),
        ("04465-33471", ("04465-33471", None, False)),
        ("04465-33471,", ("04465-33471", None, False)),
        ("０４４６５－３３４７１，２", ("04465-33471", "2", False)),  # full-width
        ("HU 6020 x", ("HU 6020 x", None, False)),  # a trailing x without a quantity is part of the number
        ("a,b,c", None),
    ],
)
def test_split_line(line, expected):
    assert split_line(line) == expected


def test_parse_text_header_quantities_and_errors():
    rows = parse_text("Part No., Qty\n04465-33471 2.0\nGDB3426, 1.5\nGDB3426,-1\nX,1000001\n,,\n")
    got = [(r.line, r.number, r.quantity, r.error) for r in rows]
    assert got == [
        (2, "04465-33471", 2, None),
        (3, "GDB3426", None, "invalid_quantity"),
        (4, "GDB3426", None, "invalid_quantity"),
        (5, "X", None, "invalid_quantity"),
        (6, "", None, "bad_line"),
    ]
    assert rows[1].detail == "line 3: the quantity '1.5' is not a whole number"
    assert rows[4].detail == "line 6: no part number found"
    # a header is only recognised on the first line
    assert [r.error for r in parse_text("GDB3426,1\nnumber,quantity")] == [None, "invalid_quantity"]
