"""Money and rates as the pages show and read them (autotrade.web.money): exact, integer only."""

from __future__ import annotations

import pytest

from autotrade.web.money import bp_to_percent, parse_yuan, percent, percent_to_bp, yuan, yuan_input


def test_yuan_shows_fen_exactly():
    assert yuan(123456) == "¥1,234.56"
    assert yuan(5) == "¥0.05"
    assert yuan(-1230) == "-¥12.30"
    assert yuan(None) == "—"
    assert yuan(100, "USD") == "USD 1.00"
    assert yuan(10**17 + 1) == "¥1,000,000,000,000,000.01"  # no float rounding at any size


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("1234.56", 123456), ("1,234.5", 123450), ("¥12", 1200), ("￥0.07", 7), (" 3.10 ", 310)],
)
def test_parse_yuan_reads_what_people_type(typed, fen):
    assert parse_yuan(typed) == fen
    assert parse_yuan(yuan_input(fen)) == fen


@pytest.mark.parametrize("typed", ["", "abc", "1.234", "-5", "1e3", "12.", "1234567890123"])
def test_parse_yuan_refuses_what_is_not_an_amount(typed):
    assert parse_yuan(typed) is None


def test_percentages_and_basis_points_round_trip():
    assert [percent(bp) for bp in (1300, 850, 1234, 0)] == ["13%", "8.5%", "12.34%", "0%"]
    assert [bp_to_percent(bp) for bp in (250, 0, 1000, -50)] == ["2.5", "0", "10", "-0.5"]
    assert [percent_to_bp(t) for t in ("2.5", "2.5%", "13", "0.01")] == [250, 250, 1300, 1]
    assert [percent_to_bp(t) for t in ("2.555", "x", "", "nan")] == [None, None, None, None]
    for bp in (1, 99, 250, 1300, 10000):
        assert percent_to_bp(bp_to_percent(bp)) == bp
